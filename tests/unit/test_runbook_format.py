"""The runbook format: every runbook in runbooks/ is valid; bad ones are reported as file:line + fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from test_runbook_support import make_project

from opsbook.errors import UsageError
from opsbook.paths import ProjectPaths, find_project_root
from opsbook.runbooks.loader import check_runbook, find_runbook, load_runbook, runbook_files
from opsbook.runbooks.model import Risk

REPO = ProjectPaths(find_project_root(Path(__file__).parent))


def test_the_repository_has_the_emergency_runbooks() -> None:
    names = {p.stem for p in runbook_files(REPO.runbooks)}
    assert {"disk-full", "service-down", "high-load", "collect-evidence", "network-interface-down"} <= names


@pytest.mark.parametrize("path", runbook_files(REPO.runbooks), ids=lambda p: p.stem)
def test_every_runbook_in_the_repository_is_valid(path: Path) -> None:
    runbook, problems = check_runbook(path, REPO.playbooks)
    assert problems == [], "\n".join(str(p) for p in problems)
    assert runbook is not None
    assert (REPO.playbooks / runbook.playbook).is_file()
    assert path.with_suffix(".md").is_file()


def _write(project: ProjectPaths, name: str, text: str) -> Path:
    path = project.runbooks / f"{name}.yml"
    path.write_text(textwrap.dedent(text))
    (project.runbooks / f"{name}.md").write_text((project.runbooks / "demo-fix.md").read_text())
    return path


def _problems(project: ProjectPaths, name: str, text: str) -> list[str]:
    _, problems = check_runbook(_write(project, name, text), project.playbooks)
    return [str(p) for p in problems]


GOOD = """\
title: T
category: emergency
summary: S
playbook: demo.yml
targets:
  pattern: linux
risk: changing
report:
  problem: P
"""


def test_a_valid_runbook_loads_with_its_name(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    runbook = load_runbook(_write(project, "good", GOOD), project.playbooks)
    assert runbook.name == "good"
    assert runbook.risk is Risk.CHANGING
    assert runbook.timeout_seconds == 15 * 60


def test_an_unknown_key_names_its_line_and_the_allowed_keys(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = GOOD.replace("risk: changing", "risk: changing\nrisky: true")
    [problem] = _problems(project, "typo", text)
    assert "typo.yml:8: risky: Extra inputs are not permitted" in problem
    assert "fix: remove `risky` or fix its spelling; allowed here: title, category" in problem


def test_a_wrong_enum_value_names_its_line_and_the_choices(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    [problem] = _problems(project, "enum", GOOD.replace("risk: changing", "risk: dangerous"))
    assert "enum.yml:7: risk:" in problem
    assert "'read-only', 'changing' or 'destructive'" in problem


def test_a_missing_field_names_it(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    [problem] = _problems(project, "missing", GOOD.replace("summary: S\n", ""))
    assert "missing.yml:1: summary: Field required" in problem
    assert "fix: add `summary:`" in problem


def test_a_nested_parameter_error_points_at_the_parameter(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = GOOD + "parameters:\n  level:\n    type: choice\n    help: h\n"
    [problem] = _problems(project, "param", text)
    assert "param.yml:11: parameters.level: a choice parameter needs `choices:`" in problem


def test_a_default_outside_its_bounds_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = GOOD + "parameters:\n  pct:\n    type: int\n    default: 120\n    max: 99\n    help: h\n"
    [problem] = _problems(project, "bounds", text)
    assert "bounds.yml:13:" in problem
    assert "120 is above the maximum 99" in problem


def test_destructive_without_confirmation_is_refused(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    [problem] = _problems(project, "wipe", GOOD.replace("risk: changing", "risk: destructive"))
    assert "needs `confirmation: count` or `confirmation: environment`" in problem


def test_a_bad_parameter_name_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = GOOD + "parameters:\n  Bad-Name:\n    type: str\n    help: h\n"
    problems = _problems(project, "name", text)
    assert any("parameters.Bad-Name" in p and "a-z, 0-9 and _" in p for p in problems)


def test_the_playbook_must_exist_and_play_against_the_target_pattern(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    [missing] = _problems(project, "nopb", GOOD.replace("demo.yml", "nope.yml"))
    assert "nopb.yml:4: playbook: nope.yml is not a playbook file" in missing
    [mismatch] = _problems(project, "pattern", GOOD.replace("pattern: linux", "pattern: network"))
    assert "pattern.yml:6: targets.pattern 'network' differs from the playbook's hosts ['linux']" in mismatch


def test_the_knowledge_page_must_exist_with_its_sections(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    path = _write(project, "nopage", GOOD)
    path.with_suffix(".md").write_text("# x\n\n## Symptoms\n")
    [problem] = [str(p) for p in check_runbook(path, project.playbooks)[1]]
    assert (
        "nopage.md:1: knowledge page lacks sections: Diagnosis, Procedure, Escalation, References" in problem
    )
    path.with_suffix(".md").unlink()
    [problem] = [str(p) for p in check_runbook(path, project.playbooks)[1]]
    assert "the runbook has no knowledge page" in problem


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    [problem] = _problems(project, "syntax", GOOD.replace("risk: changing", "risk: [changing"))
    assert "syntax.yml:" in problem and "YAML syntax" in problem


def test_a_report_template_with_bad_syntax_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    [problem] = _problems(project, "tmpl", GOOD.replace("problem: P", "problem: '{{ params.x '"))
    assert "tmpl.yml:9: report.problem:" in problem


def test_loading_an_invalid_runbook_raises_a_usage_error_listing_all_problems(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    _write(project, "bad", GOOD.replace("risk: changing", "risk: nope\nextra: 1"))
    with pytest.raises(UsageError) as err:
        find_runbook("bad", project.runbooks, project.playbooks)
    assert "bad.yml:7: risk" in str(err.value) and "bad.yml:8: extra" in str(err.value)


def test_an_unknown_runbook_lists_the_known_ones(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with pytest.raises(UsageError) as err:
        find_runbook("nope", project.runbooks, project.playbooks)
    assert "demo-fix" in str(err.value)
