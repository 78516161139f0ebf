"""Help screens without type noise.

Typer (0.29) prints each option's Python type beside it — ``<bool>`` for every flag,
``<list[Path]>`` for repeatable options — which reads as noise to an operator and is not a
value anyone types. An option with a ``metavar`` shows the metavar (``PATH``, ``N``); a flag
shows nothing; any other option shows its type's plain name in capitals (``TEXT``), and a
required argument reads ``NAME`` in the usage line (typer writes ``{name}``), as click does.
:func:`quiet_types` installs that once, before the app is built.
"""

from __future__ import annotations

from typer._click.core import Context
from typer.core import TyperArgument, TyperOption

_installed = False
_typer_display_type = TyperOption.display_type


def _option_type(self: TyperOption, ctx: Context) -> str | None:
    if self.metavar is not None:
        return self.metavar
    if self.is_flag or self.count:
        return None
    label = _typer_display_type(self, ctx).strip("<>")
    if label.startswith("list[") and label.endswith("]"):
        label = label[5:-1]
    label = {"int range": "N", "float range": "NUMBER", "str": "TEXT", "int": "N"}.get(label, label)
    return label.upper()


def _argument_type(self: TyperArgument, ctx: Context) -> str | None:
    return None  # the argument's name (its metavar) is already printed in the first column


def _argument_usage(self: TyperArgument) -> str:
    name = self.metavar or self.name.upper()  # NAME, as click writes it (typer writes {name})
    name = name if self.required else f"[{name}]"
    return f"{name}..." if self.nargs != 1 else name


def quiet_types() -> None:
    """Replace Typer's ``<type>`` labels in help screens (idempotent)."""
    global _installed  # noqa: PLW0603 - one switch for the process, set once at import of the CLI
    if _installed:
        return
    TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]
    TyperArgument._usage_display_name = _argument_usage  # type: ignore[method-assign]
    _installed = True
