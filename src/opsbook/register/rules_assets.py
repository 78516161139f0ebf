"""Rules for one vars block: known keys, ``asset_*`` values (schema), connection variables.

Each problem found here is owned by the host or group the block belongs to.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from opsbook.change.window import ENFORCE_VAR, FREEZES_VAR, host_times
from opsbook.errors import UsageError
from opsbook.register.connection import connection_problems, describe
from opsbook.register.findings import Findings, at, owner_of
from opsbook.register.keys import AllowedKeys
from opsbook.register.loader import Entry, VarsBlock
from opsbook.register.schema import ASSET_FIELDS, AssetVars, MaintenanceWindow, PartReplacement
from opsbook.register.yamlnodes import MappingNode, ScalarNode, find, find_key, is_sexagesimal, mapping_items

_ASSET_FIELD_SET = frozenset(ASSET_FIELDS)
_DATE_FIELDS = frozenset({"asset_purchase_date", "asset_warranty_end", "asset_support_end"})
_TIME_LIKE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
_TYPE_ERRORS = frozenset(
    {
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "int_from_float",
        "int_parsing",
        "none_required",
    }
)
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def templated(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def check_block(findings: Findings, block: VarsBlock, allowed: AllowedKeys) -> None:
    """Every problem of one vars block: unknown keys, asset values, connection variables."""
    assets: dict[str, Any] = {}
    owner = owner_of(block)
    for key, entry in block.entries.items():
        if key in _ASSET_FIELD_SET:
            if templated(entry.value):
                # Jinja is evaluated by Ansible at run time, not here: not validated, not compared
                findings.invalid.add(id(entry))
                continue
            assets[key] = entry.value
        elif not allowed.is_allowed(key):
            _unknown_key(findings, block, entry, allowed)
    if assets:
        try:
            AssetVars.model_validate(assets)
        except ValidationError as exc:
            for error in exc.errors():
                _asset_error(findings, block, error)
        window = block.entries.get("asset_maintenance_window")
        if window is not None:
            _unquoted_times(findings, block, window)
    for bad in connection_problems(block):
        findings.add(at(block, bad.entry.value_node, bad.rule, bad.message, bad.fix), owner)
    _change_settings(findings, block)


def _change_settings(findings: Findings, block: VarsBlock) -> None:
    """Freezes and window enforcement read exactly as the change flow will read them, so a value it
    would refuse at change time is named here with its file and line (the window itself is checked
    by the schema: rule maintenance-window)."""
    owner = owner_of(block)
    for key, entry in block.entries.items():
        if key not in (FREEZES_VAR, ENFORCE_VAR) or templated(entry.value):
            continue
        try:
            host_times(block.name, {key: entry.value})
        except UsageError as exc:
            message = exc.message.split(": ", 1)[-1].removesuffix("; nothing was run")
            fix = "see docs/changes.md (freezes: a list of start, end YYYY-MM-DD and reason; enforce: bool)"
            findings.add(at(block, entry.value_node, "change-setting", message, fix), owner)


def _unknown_key(findings: Findings, block: VarsBlock, entry: Entry, allowed: AllowedKeys) -> None:
    suggestions = allowed.suggest(entry.key)
    if suggestions:
        fix = "did you mean " + " or ".join(suggestions) + "?"
    else:
        fix = (
            "remove it, declare it in a role's meta/argument_specs.yml, or add it to "
            "opsbook/register/data/settings.yml if opsbook reads it"
        )
    findings.add(
        at(
            block,
            entry.key_node,
            "unknown-key",
            f"'{entry.key}' is not an asset field, ansible_* variable, role argument or opsbook setting",
            fix,
        ),
        owner_of(block),
    )


def _unquoted_times(findings: Findings, block: VarsBlock, window: Entry) -> None:
    """``start: 00:00`` unquoted: text to PyYAML by luck (a leading 0), 0 to a YAML 1.1 reader that
    follows the spec's sexagesimal rule, and ``22:00`` is 1320 to all. Every time must be quoted."""
    if not isinstance(window.value_node, MappingNode):
        return
    for key_node, value_node in mapping_items(window.value_node):
        if key_node.value not in ("start", "end") or not isinstance(value_node, ScalarNode):
            continue
        if not value_node.style and value_node.tag.endswith(":str") and _TIME_LIKE.match(value_node.value):
            findings.add(
                at(
                    block,
                    value_node,
                    "maintenance-window",
                    f"asset_maintenance_window.{key_node.value} {value_node.value} is not quoted (YAML 1.1 "
                    "reads unquoted times as base-60 numbers: 22:00 is 1320)",
                    f"quote it: '{value_node.value}'",
                ),
                owner_of(block),
            )


def _nested_fields(field_name: str) -> list[str]:
    if field_name == "asset_maintenance_window":
        return list(MaintenanceWindow.model_fields)
    return list(PartReplacement.model_fields)


def date_fix(value: Any) -> str:
    """How to write a date field that YAML read as a number (``20280531`` → ``2028-05-31``)."""
    text = str(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(text) == 8:
        try:
            day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
        else:
            return f'write it as "{day.isoformat()}" (YYYY-MM-DD, quoted)'
    return 'write the date as "YYYY-MM-DD" (quoted), e.g. "2028-05-31"'


def _asset_error(findings: Findings, block: VarsBlock, error: ErrorDetails) -> None:
    loc = tuple(error["loc"])
    field_name = str(loc[0])
    entry = block.entries[field_name]
    findings.invalid.add(id(entry))
    owner = owner_of(block)
    kind = error["type"]
    inner = loc[1:]
    root = entry.value_node
    node = find_key(root, inner) if kind == "extra_forbidden" else find(root, inner)
    if kind == "missing" and inner:
        node = find(root, inner[:-1])
    dotted = ".".join(str(p) for p in loc)
    value = error.get("input")
    in_window = field_name == "asset_maintenance_window" and bool(inner)
    if kind == "extra_forbidden":
        names = _nested_fields(field_name)
        close = difflib.get_close_matches(str(inner[-1]), names, n=1, cutoff=0.6)
        rule = "maintenance-window" if in_window else "unknown-key"
        fix = f"did you mean {close[0]}?" if close else "allowed keys: " + ", ".join(names)
        findings.add(at(block, node, rule, f"'{inner[-1]}' is not a key of {field_name}", fix), owner)
        return
    if kind == "missing":
        listed = ", ".join(_nested_fields(field_name))
        rule = "maintenance-window" if in_window else "wrong-type"
        findings.add(at(block, node, rule, f"{dotted} is missing", f"give every key: {listed}"), owner)
        return
    if kind == "bad_date":
        findings.add(
            at(block, node, "bad-date", f"{dotted}: {error['msg']}", "write a real date as YYYY-MM-DD"), owner
        )
        return
    if kind in _TYPE_ERRORS:
        rule = "maintenance-window" if in_window else "wrong-type"
        expected = _EXPECTED.get(kind, kind.replace("_type", ""))
        message = f"{dotted} must be {expected}, not {describe(value)}"
        fix = f"write {expected}"
        if expected == "text" and isinstance(node, ScalarNode) and not isinstance(value, list | dict):
            if is_sexagesimal(node):
                message += f" (YAML 1.1 reads unquoted {node.value} as a base-60 number)"
            fix = f"quote it: '{node.value}'"
            if field_name in _DATE_FIELDS or (inner and inner[-1] == "date"):
                message = f"{dotted} must be a date as text, not {describe(value)}"
                fix = date_fix(value)
        findings.add(at(block, node, rule, message, fix), owner)
        return
    rule = "maintenance-window" if in_window else "invalid-value"
    message = f"{dotted}: {error['msg']}"
    if kind == "literal_error":
        message = f"{dotted}: {describe(value)} is not an allowed value"
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
        fix = f"use one of: {expected}"
    elif kind == "bad_slug":
        fix = "use lower-case letters, digits and _ only"
    elif kind == "bad_address":
        fix = "write the management IP address, e.g. 192.0.2.10"
    elif kind in ("window_time", "string_pattern_mismatch") and in_window:
        fix = "write a quoted 24-hour time, e.g. '22:00'"
    elif kind == "window_timezone":
        fix = "use an IANA zone name such as Europe/Berlin or UTC"
    else:
        fix = "correct the value"
    findings.add(at(block, node, rule, message, fix), owner)
