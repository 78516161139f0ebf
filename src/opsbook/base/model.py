"""One model style: plain ``@dataclass`` classes, turned into JSON and back by one mechanism.

A result-like class (run results, audits, health reports, lab state …) is a stdlib dataclass
that inherits :class:`Serial`. ``to_dict()`` and ``from_dict()`` are pydantic's ``TypeAdapter``
on that dataclass — no class writes them by hand:

- ``to_dict()`` gives JSON-ready data (enums as their values, paths as strings), the fields in
  declaration order, then every ``@computed_field`` property (a derived value the JSON carries
  for its readers, such as a status or counts) under its alias, if it has one;
- ``from_dict()`` validates: missing fields take their defaults, computed and unknown keys are
  ignored (so older and newer files load), a wrong value raises :class:`ModelError` (a
  ``ValueError``) naming each wrong field: ``devices.0.platform: Input should be …``.

Records and the register's schema are pydantic ``BaseModel`` classes: they are documents with a
JSON Schema of their own (ARCHITECTURE.md, "Models").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import TypeAdapter, ValidationError

_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def adapter(cls: type[Any]) -> TypeAdapter[Any]:
    """The one TypeAdapter per class (building one costs milliseconds; validating with it does not)."""
    found = _ADAPTERS.get(cls)
    if found is None:
        found = _ADAPTERS[cls] = TypeAdapter(cls)
    return found


def to_data(obj: object) -> Any:
    """Any dataclass (or list/dict of them) as JSON-ready data."""
    return adapter(type(obj)).dump_python(obj, mode="json", by_alias=True)


class ModelError(ValueError):
    """Data that does not fit its model; the message names every wrong field, one per line."""


def problems(exc: ValidationError) -> str:
    """``field.path: what is wrong`` for each error (no pydantic links)."""
    return "\n".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors())


class Serial:
    """Mixin for a ``@dataclass``: ``to_dict()`` / ``from_dict()`` through its TypeAdapter."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_data(self)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        try:
            value: Self = adapter(cls).validate_python(data)
        except ValidationError as exc:
            raise ModelError(f"{cls.__name__}: {problems(exc)}") from None
        return value
