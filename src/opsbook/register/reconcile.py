"""Reconcile: compare what the register declares with what hosts and devices report (pure).

Discovery (:mod:`opsbook.reconcile.discover`, the reconcile job) yields, per host, the ``asset_*``
values it could read; :func:`compare` lists every difference as a :class:`Discrepancy` —
``missing`` (the register has no value: fill it) or ``conflict`` (the register says otherwise:
only with ``--accept``);
:func:`plan_changes` turns them into the edits :mod:`opsbook.register.writeback` applies.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsbook.base.model import Serial
from opsbook.register.loader import LoadedRegister
from opsbook.register.merge import Resolved

#: Fields reconcile can discover, in report order.
DISCOVERABLE: tuple[str, ...] = (
    "asset_vendor",
    "asset_model",
    "asset_serial",
    "asset_os",
    "asset_os_version",
    "asset_cpu_count",
    "asset_memory_mb",
    "asset_disk_count",
    "asset_disk_total_gb",
)
#: Relative tolerance for sizes that vary a little between reads (kernel-reserved memory …).
_TOLERANCE = {"asset_memory_mb": 0.03, "asset_disk_total_gb": 0.02}
#: OS names that one discovery method cannot tell apart.
_SAME_OS = [{"cisco_ios", "cisco_iosxe"}]
_PLACEHOLDER_SERIALS = frozenset(
    {
        "",
        "na",
        "n/a",
        "none",
        "0",
        "not specified",
        "to be filled by o.e.m.",
        "system serial number",
        "default string",
        "0123456789",
        "unknown",
    }
)
_CONTAINERS = frozenset({"podman", "docker", "container", "containerd", "lxc", "systemd-nspawn", "openvz"})
_DISTRIBUTIONS = {
    "debian": "debian",
    "ubuntu": "ubuntu",
    "redhat": "rhel",
    "centos": "centos",
    "rocky": "rocky",
    "almalinux": "almalinux",
    "oraclelinux": "oracle_linux",
    "sles": "sles",
    "suse": "sles",
    "fedora": "fedora",
}
_DISK = re.compile(r"^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+)$")


@dataclass(frozen=True, slots=True)
class Discrepancy(Serial):
    host: str
    field: str
    declared: Any
    discovered: Any
    #: "missing": the register has no value; "conflict": it has another one.
    kind: str
    #: where the declared value is written (None when missing everywhere)
    path: Path | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Append:
    """A change value that appends ``item`` to the list under the field (created when absent)."""

    item: Any


@dataclass(frozen=True, slots=True)
class Change:
    """Set ``field`` to ``value`` for ``host`` in the host_vars file ``path``."""

    host: str
    field: str
    value: Any
    path: Path


# --- facts → fields ---------------------------------------------------------------------------
def _int(value: Any) -> int | None:
    try:
        number = int(float(str(value)))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def linux_fields(facts: Mapping[str, Any]) -> dict[str, Any]:
    """``asset_*`` values from the facts the reconcile playbook reports for one Linux host.

    In containers the DMI data (serial, vendor, model) is the physical machine's, so it is
    ignored there; an operator-assigned serial in ``/etc/opsbook/asset_serial`` wins everywhere.
    """
    fields: dict[str, Any] = {}
    in_container = (
        str(facts.get("virtualization_role", "")) == "guest"
        and str(facts.get("virtualization_type", "")).lower() in _CONTAINERS
    )
    serial = str(facts.get("serial_file") or "").strip()
    if not serial and not in_container:
        product = str(facts.get("product_serial") or "").strip()
        serial = "" if product.lower() in _PLACEHOLDER_SERIALS else product
    if serial:
        fields["asset_serial"] = serial
    if not in_container:
        for key, name in (("system_vendor", "asset_vendor"), ("product_name", "asset_model")):
            value = str(facts.get(key) or "").strip()
            if value and value.lower() not in _PLACEHOLDER_SERIALS:
                fields[name] = value
    distribution = str(facts.get("distribution") or "").strip().lower().replace(" ", "")
    if distribution in _DISTRIBUTIONS:
        fields["asset_os"] = _DISTRIBUTIONS[distribution]
    version = str(facts.get("distribution_version") or "").strip()
    if version and version.lower() != "na":
        fields["asset_os_version"] = version
    for key, name in (("vcpus", "asset_cpu_count"), ("memtotal_mb", "asset_memory_mb")):
        number = _int(facts.get(key))
        if number:
            fields[name] = number
    devices = facts.get("devices")
    if isinstance(devices, Mapping):
        disks = [
            d
            for n, d in devices.items()
            if _DISK.match(str(n)) and isinstance(d, Mapping) and str(d.get("removable", "0")) == "0"
        ]
        if disks:
            total = sum((_int(d.get("sectors")) or 0) * (_int(d.get("sectorsize")) or 512) for d in disks)
            fields["asset_disk_count"] = len(disks)
            fields["asset_disk_total_gb"] = round(total / 1e9)
    return fields


# --- comparison ---------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return re.sub(r"[^\w]+", " ", text.casefold()).split()


def same_value(field: str, declared: Any, discovered: Any) -> bool:
    """Whether a declared value matches a discovered one, with each field's tolerance."""
    if field in _TOLERANCE:
        try:
            a, b = float(declared), float(discovered)
        except (TypeError, ValueError):
            return False
        return abs(a - b) <= _TOLERANCE[field] * max(a, b)
    if isinstance(discovered, int):
        return isinstance(declared, int) and not isinstance(declared, bool) and declared == discovered
    left, right = str(declared).strip(), str(discovered).strip()
    if field == "asset_os":
        return left == right or any({left, right} <= group for group in _SAME_OS)
    if field == "asset_os_version":
        # the register may record only the major version: "12" matches 12.7
        return right == left or (right.startswith(left) and not right[len(left)].isalnum())
    if field == "asset_serial":
        return left.casefold() == right.casefold()
    # vendor / model: "Dell" matches "Dell Inc.", "VMware" matches "VMware, Inc."
    words_a, words_b = _words(left), _words(right)
    shorter, longer = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    return bool(shorter) and longer[: len(shorter)] == shorter


def compare(host: str, declared: Mapping[str, Resolved], discovered: Mapping[str, Any]) -> list[Discrepancy]:
    """Every field where the register and the discovered value differ."""
    found: list[Discrepancy] = []
    for field in DISCOVERABLE:
        if field not in discovered:
            continue
        value = discovered[field]
        resolved = declared.get(field)
        if resolved is None or resolved.value in (None, ""):
            found.append(Discrepancy(host, field, None, value, "missing"))
        elif not same_value(field, resolved.value, value):
            line = resolved.entry.value_node.start_mark.line + 1
            found.append(
                Discrepancy(host, field, resolved.value, value, "conflict", resolved.block.path, line)
            )
    return found


# --- what to write --------------------------------------------------------------------------
def host_vars_file(register: LoadedRegister, host: str) -> Path:
    """The host_vars file a change for ``host`` goes to: its existing file, else a new one
    next to the inventory source that defines the host."""
    host_obj = register.hosts[host]
    for block in host_obj.file_vars:
        return block.path
    defined = host_obj.defined_at[0].path
    for source in register.sources:
        if source.is_dir() and defined.is_relative_to(source):
            return source / "host_vars" / f"{host}.yml"
    return defined.parent / "host_vars" / f"{host}.yml"


def part_record(old_serial: Any, new_serial: Any, day: dt.date, ticket: str | None) -> dict[str, Any]:
    """An ``asset_parts_replaced`` entry for a serial number that changed (a chassis or board swap)."""
    record: dict[str, Any] = {
        "date": day.isoformat(),
        "part": "unit with the asset serial (found by reconcile)",
        "old_serial": str(old_serial),
        "new_serial": str(new_serial),
    }
    if ticket:
        record["ticket"] = ticket
    return record


def plan_changes(
    register: LoadedRegister,
    discrepancies: Iterable[Discrepancy],
    accept: Iterable[str] = (),
    *,
    today: dt.date | None = None,
    ticket: str | None = None,
) -> tuple[list[Change], list[Discrepancy]]:
    """(changes to write, discrepancies left): missing fields are filled, conflicts only for
    fields named in ``accept`` (``asset_serial`` or just ``serial``). An accepted serial change
    is also recorded in ``asset_parts_replaced`` (old and new serial), as the catalogue asks."""
    accepted = {a if a.startswith("asset_") else f"asset_{a}" for a in accept}
    changes: list[Change] = []
    left: list[Discrepancy] = []
    for item in discrepancies:
        if item.kind == "missing" or item.field in accepted:
            path = host_vars_file(register, item.host)
            changes.append(Change(item.host, item.field, item.discovered, path))
            if item.field == "asset_serial" and item.kind == "conflict":
                record = part_record(item.declared, item.discovered, today or dt.date.today(), ticket)
                changes.append(Change(item.host, "asset_parts_replaced", Append(record), path))
        else:
            left.append(item)
    return changes, left
