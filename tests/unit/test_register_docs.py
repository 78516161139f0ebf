"""docs/register.md's generated tables and docs/register.schema.json match the code."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from opsbook.cli.inventory import app
from opsbook.register.docgen import GENERATORS, render_doc, schema_text
from opsbook.register.problems import RULES
from opsbook.register.schema import ASSET_FIELDS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_register_doc_tables_are_in_sync_with_the_schema() -> None:
    text = (DOCS / "register.md").read_text(encoding="utf-8")
    assert render_doc(text) == text, "run: .venv/bin/python -m opsbook.register.docgen"
    for block in GENERATORS:
        assert f"<!-- BEGIN generated:{block} -->" in text
    for name in ASSET_FIELDS:
        assert f"| `{name}` |" in text
    for rule in RULES:
        assert f"| `{rule}` |" in text


def test_schema_json_is_in_sync() -> None:
    path = DOCS / "register.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(), (
        "run: .venv/bin/python -m opsbook.register.docgen"
    )
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["required"] == ["asset_id", "asset_kind", "asset_customer"]
    assert set(schema["properties"]) == set(ASSET_FIELDS)


def test_schema_command_prints_the_json_schema_and_the_rules(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == json.loads(schema_text())
    out = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "--out", str(out)]).exit_code == 0
    assert out.read_text() == schema_text()
    rules = runner.invoke(app, ["schema", "--rules"]).stdout.splitlines()
    assert [line.split(":")[0] for line in rules] == list(RULES)
