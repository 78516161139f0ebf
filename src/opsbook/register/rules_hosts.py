"""Rules per host and across hosts: one definition per host, required fields, customer/site
groups, date order and unique ids, serials and addresses."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from typing import Any

from opsbook.register.findings import Findings, Owner, at, where
from opsbook.register.loader import Host, HostDef, LoadedRegister, VarsBlock
from opsbook.register.merge import Merger, Resolved
from opsbook.register.problems import display_path
from opsbook.register.schema import DATE_ORDER, REQUIRED_FIELDS
from opsbook.register.yamlnodes import mark

_UNIQUE_FIELDS = {
    "asset_id": "duplicate-asset-id",
    "asset_serial": "duplicate-serial",
    "asset_mgmt_address": "duplicate-mgmt-address",
}
_REGISTER_PREFIXES = ("customer_", "site_")


def _place(definition: HostDef) -> str:
    return f"{display_path(definition.path)}:{mark(definition.node).line}"


def _registers(host: Host, definition: HostDef) -> bool:
    """Does this listing make the host an asset (customer/site group, or asset data inline)?"""
    if definition.group.startswith(_REGISTER_PREFIXES):
        return True
    return any(
        block.path == definition.path and any(k.startswith("asset_") for k in block.entries)
        for block in host.inline_vars
    )


def check_host_names(findings: Findings, register: LoadedRegister) -> None:
    """Hosts named twice: in letter case only, inline vars twice in one file, registered in two
    files, host_vars in two inventories."""
    by_lower: dict[str, Host] = {}
    for name, host in register.hosts.items():
        owner: Owner = ("host", name)
        other = by_lower.setdefault(name.lower(), host)
        if other is not host:
            definition = host.defined_at[0]
            findings.add(
                at(
                    definition.path,
                    definition.node,
                    "duplicate-host",
                    f"host '{name}' differs from '{other.name}' ({_place(other.defined_at[0])}) "
                    "only in letter case",
                    "use one spelling for the host everywhere",
                ),
                owner,
            )
        _inline_twice(findings, host)
        _registered_twice(findings, host)
        _host_vars_twice(findings, host)


def _inline_twice(findings: Findings, host: Host) -> None:
    # Inline vars for one host in two places of one file are ambiguous; in two sources they are an
    # overlay (the lab's podman inventory), which Ansible merges in -i order.
    seen_in: dict[Path, VarsBlock] = {}
    for block in host.inline_vars:
        first_block = seen_in.setdefault(block.path, block)
        if first_block is block:
            continue
        findings.add(
            at(
                block,
                block.node,
                "duplicate-host",
                f"variables of host '{host.name}' are also given at "
                f"{display_path(first_block.path)}:{mark(first_block.node).line}",
                f"keep them in one place, e.g. host_vars/{host.name}.yml",
            ),
            ("host", host.name),
        )


def _registered_twice(findings: Findings, host: Host) -> None:
    """One host registered (in a customer_/site_ group or with asset data) by two inventory files:
    two registers claim it, and Ansible would silently merge them. An overlay file that only adds
    the host to other groups or sets connection variables (the lab's podman inventory) is fine."""
    first: HostDef | None = None
    for definition in host.defined_at:
        if not _registers(host, definition):
            continue
        if first is None:
            first = definition
            continue
        if definition.path != first.path:
            findings.add(
                at(
                    definition.path,
                    definition.node,
                    "duplicate-host",
                    f"host '{host.name}' is defined in two inventory files: here and at {_place(first)}",
                    "keep the host in one inventory file (another file may add it to other groups, "
                    "without customer_/site_ groups or asset_* variables)",
                ),
                ("host", host.name),
            )
            return


def _vars_base(path: Path) -> Path:
    return next((parent for parent in path.parents if parent.name == "host_vars"), path.parent)


def _host_vars_twice(findings: Findings, host: Host) -> None:
    """host_vars for one host in two inventories (two registers given with -i claim one name)."""
    first: VarsBlock | None = None
    for block in host.file_vars:
        if first is None:
            first = block
        elif _vars_base(block.path) != _vars_base(first.path):
            findings.add(
                at(
                    block.path,
                    None,
                    "duplicate-host",
                    f"host '{host.name}' has host_vars in two inventories: here and "
                    f"{display_path(first.path)}",
                    "keep one host_vars file per host; give hosts of different registers different names",
                ),
                ("host", host.name),
            )
            return


def check_host(
    findings: Findings, register: LoadedRegister, merger: Merger, host: Host, merged: dict[str, Resolved]
) -> None:
    """Required fields, customer/site groups and date order of one host, merged."""
    groups = merger.host_groups(host.name)
    _date_order(findings, merged, host.name)
    broken = register.unreadable_vars
    if ("host", host.name) in broken or any(("group", g) in broken for g in groups):
        return  # a vars file of this host could not be read: its fields are unknown, not missing
    definition = host.defined_at[0]
    for name in REQUIRED_FIELDS:
        resolved = merged.get(name)
        if resolved is None or resolved.value is None or resolved.value == "":
            findings.add(
                at(
                    definition.path,
                    definition.node,
                    "missing-required",
                    f"host '{host.name}' has no {name} (not in its host_vars nor in its groups' vars)",
                    f"add {name}: … to host_vars/{host.name}.yml"
                    + (" or to its customer group's group_vars" if name == "asset_customer" else ""),
                ),
                ("host", host.name),
            )
    for kind in ("customer", "site"):
        _membership(findings, host=host, merged=merged, groups=groups, kind=kind, field_name=f"asset_{kind}")


def _membership(
    findings: Findings,
    *,
    host: Host,
    merged: dict[str, Resolved],
    groups: list[str],
    kind: str,
    field_name: str,
) -> None:
    prefix = f"{kind}_"
    member_of = [g[len(prefix) :] for g in groups if g.startswith(prefix)]
    definition = host.defined_at[0]
    owner: Owner = ("host", host.name)
    resolved = merged.get(field_name)
    declared = resolved.value if resolved is not None and isinstance(resolved.value, str) else None
    if not member_of:
        if kind == "customer":
            target = f"customer_{declared}" if declared else "customer_<slug>"
            findings.add(
                at(
                    definition.path,
                    definition.node,
                    "no-customer-group",
                    f"host '{host.name}' is in no customer_ group",
                    f"list it under {target}: hosts: (or a child group of it)",
                ),
                owner,
            )
        return
    if len(member_of) > 1:
        findings.add(
            at(
                definition.path,
                definition.node,
                "group-mismatch",
                f"host '{host.name}' is in {len(member_of)} {kind} groups: "
                + ", ".join(prefix + m for m in member_of),
                f"keep the host in one {prefix}<slug> group",
            ),
            owner,
        )
        return
    if declared is not None and resolved is not None and declared != member_of[0]:
        if id(resolved.entry) in findings.invalid:
            return
        findings.add(
            at(
                resolved.block,
                resolved.entry.value_node,
                "group-mismatch",
                f"{field_name} '{declared}' of host '{host.name}' disagrees with "
                f"its group {prefix}{member_of[0]}",
                f"set {field_name}: {member_of[0]} or move the host to {prefix}{declared}",
            ),
            owner,
        )


def _date_order(findings: Findings, merged: dict[str, Resolved], host: str) -> None:
    for earlier_name, later_name in DATE_ORDER:
        earlier, later = merged.get(earlier_name), merged.get(later_name)
        if earlier is None or later is None:
            continue
        first, second = _date(findings, earlier), _date(findings, later)
        if first is None or second is None or first <= second:
            continue
        findings.add(
            at(
                later.block,
                later.entry.value_node,
                "date-order",
                f"{later_name} {second} is before {earlier_name} {first} "
                f"({where(earlier, earlier.block.path)})",
                f"correct one of the two dates: {later_name} must not be before {earlier_name}",
            ),
            ("host", host),
        )


def _date(findings: Findings, resolved: Resolved) -> dt.date | None:
    if id(resolved.entry) in findings.invalid or not isinstance(resolved.value, str):
        return None
    try:
        return dt.date.fromisoformat(resolved.value)
    except ValueError:
        return None


def check_unique(
    findings: Findings, register: LoadedRegister, merged: dict[str, dict[str, Resolved]]
) -> None:
    """asset_id, asset_serial and asset_mgmt_address (with its port) are each one host's."""
    for field_name, rule in _UNIQUE_FIELDS.items():
        seen: dict[str, tuple[str, Resolved]] = {}
        shared: dict[int, list[str]] = {}
        for host_name in sorted(register.hosts):
            resolved = merged[host_name].get(field_name)
            if resolved is None or resolved.value is None or id(resolved.entry) in findings.invalid:
                continue
            key = _normalise(field_name, resolved.value)
            if field_name == "asset_mgmt_address":
                # one address, several SSH ports (the lab, port-forwarding jump hosts): distinct endpoints
                port = merged[host_name].get("ansible_port")
                key = f"{key} port {port.value}" if port is not None else key
            first = seen.get(key)
            if first is None:
                seen[key] = (host_name, resolved)
                continue
            first_host, first_resolved = first
            if first_resolved.entry is resolved.entry:
                hosts = shared.setdefault(id(resolved.entry), [first_host])
                hosts.append(host_name)
                _shared(findings, rule, field_name, resolved, hosts)
                continue
            findings.add(
                at(
                    resolved.block,
                    resolved.entry.value_node,
                    rule,
                    f"{field_name} '{resolved.value}' of host '{host_name}' is also that of host "
                    f"'{first_host}' ({where(first_resolved, first_resolved.block.path)})",
                    f"give every host its own {field_name}",
                ),
                (resolved.block.scope, resolved.block.name),
            )


def _shared(findings: Findings, rule: str, field_name: str, resolved: Resolved, hosts: list[str]) -> None:
    problem = at(
        resolved.block,
        resolved.entry.value_node,
        rule,
        f"{field_name} '{resolved.value}' is set in {resolved.block.scope} vars of "
        f"'{resolved.block.name}' and so shared by {len(hosts)} hosts ({', '.join(hosts[:5])}"
        + (", …" if len(hosts) > 5 else "")
        + ")",
        f"set {field_name} per host, in host_vars/<host>.yml",
    )
    findings.replace(problem, (resolved.block.scope, resolved.block.name))


def _normalise(field_name: str, value: Any) -> str:
    text = str(value).strip()
    if field_name == "asset_mgmt_address":
        if ":" not in text:
            return text  # a valid IPv4 address has one spelling
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            return text
    return text.casefold()
