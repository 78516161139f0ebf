"""Generated parts of docs/register.md (field, rule and settings tables) and docs/register.schema.json.

Regenerate after changing the schema, the rules or data/settings.yml::

    .venv/bin/python -m opsbook.register.docgen          # rewrite the docs
    .venv/bin/python -m opsbook.register.docgen --check  # exit 1 when they are out of date

A unit test runs the check, so docs never drift from the code.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from opsbook.paths import project_paths
from opsbook.register.keys import opsbook_settings
from opsbook.register.problems import RULES
from opsbook.register.schema import REQUIRED_FIELDS, MaintenanceWindow, PartReplacement, json_schema

_BLOCK = re.compile(r"(<!-- BEGIN generated:(\w+) -->\n)(.*?)(<!-- END generated:\2 -->)", re.S)


def _type_of(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    options = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
    item = options[0] if options else prop
    if "$ref" in item:
        name = item["$ref"].rsplit("/", 1)[-1]
        keys = ", ".join(defs[name]["properties"])
        return f"mapping ({keys})"
    if "enum" in item:
        return "one of: " + ", ".join(f"`{v}`" for v in item["enum"])
    kind = item.get("type")
    if kind == "array":
        inner = item.get("items", {})
        if "$ref" in inner:
            name = inner["$ref"].rsplit("/", 1)[-1]
            return f"list of mappings ({', '.join(defs[name]['properties'])})"
        if "enum" in inner:
            return "list of: " + ", ".join(f"`{v}`" for v in inner["enum"])
        return "list of text"
    if kind == "integer":
        low, high = item.get("minimum"), item.get("maximum")
        bounds = (
            f" {low}…{high}"
            if low is not None and high is not None
            else (f" ≥ {low}" if low is not None else "")
        )
        return f"integer{bounds}"
    if item.get("format") == "date":
        return "date `YYYY-MM-DD`"
    if kind == "string":
        return "text"
    return str(kind)


def fields_table() -> str:
    schema = json_schema()
    defs = schema.get("$defs", {})
    lines = ["| Field | Type | Required | Description |", "| --- | --- | --- | --- |"]
    for name, prop in schema["properties"].items():
        required = "yes" if name in REQUIRED_FIELDS else ""
        lines.append(f"| `{name}` | {_type_of(prop, defs)} | {required} | {prop.get('description', '')} |")
    return "\n".join(lines) + "\n"


def nested_table() -> str:
    lines = ["| Mapping | Key | Description |", "| --- | --- | --- |"]
    for model, owner in (
        (MaintenanceWindow, "asset_maintenance_window"),
        (PartReplacement, "asset_parts_replaced[]"),
    ):
        for key, info in model.model_fields.items():
            lines.append(f"| `{owner}` | `{key}` | {info.description or ''} |")
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    lines = ["| Rule | Meaning |", "| --- | --- |"]
    lines += [f"| `{rule}` | {text} |" for rule, text in RULES.items()]
    return "\n".join(lines) + "\n"


def settings_table() -> str:
    lines = ["| Setting | Meaning |", "| --- | --- |"]
    lines += [f"| `{name}` | {text} |" for name, text in opsbook_settings().items()]
    return "\n".join(lines) + "\n"


GENERATORS = {
    "fields": fields_table,
    "nested": nested_table,
    "rules": rules_table,
    "settings": settings_table,
}


def render_doc(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""

    def replace(match: re.Match[str]) -> str:
        return match.group(1) + GENERATORS[match.group(2)]() + match.group(4)

    return _BLOCK.sub(replace, text)


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    docs = project_paths().root / "docs"
    targets = {docs / "register.md": render_doc((docs / "register.md").read_text(encoding="utf-8"))}
    targets[docs / "register.schema.json"] = schema_text()
    stale = [p for p, text in targets.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--check" in args:
        for path in stale:
            print(f"{path} is out of date: run python -m opsbook.register.docgen")
        return 1 if stale else 0
    for path in stale:
        path.write_text(targets[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
