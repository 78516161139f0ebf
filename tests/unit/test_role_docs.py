"""The host roles' documentation and conventions cannot drift from their code.

For each role: every variable of ``meta/argument_specs.yml`` is documented in its README; the
defaults and the argument specs declare the same public variables; the README has its Known
Limitations and Idempotence sections; every template carries the "managed by opsbook" header;
variables in ``vars/`` are internal (``__<role>_``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = ("linux_base", "time_sync", "linux_hardening", "storage", "tuning", "patching")
HEADER_VAR = re.compile(r"\{\{\s*__\w+_header\s*\}\}")


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def spec_options(role: str) -> dict[str, Any]:
    data = _yaml(ROOT / "roles" / role / "meta" / "argument_specs.yml")
    options: dict[str, Any] = data["argument_specs"]["main"]["options"]
    return options


def result_facts(role: str) -> set[str]:
    """Public facts the role sets for its callers (``set_fact`` names without the ``__`` prefix)."""
    names: set[str] = set()
    for path in sorted((ROOT / "roles" / role / "tasks").glob("*.yml")):
        for task in _yaml(path) or []:
            facts = task.get("ansible.builtin.set_fact") if isinstance(task, dict) else None
            if isinstance(facts, dict):
                names.update(name for name in facts if not name.startswith("__"))
    return names


def documented_names(readme: str) -> set[str]:
    """Variable names written as code (`name`) in the README."""
    return set(re.findall(r"`([a-z_][a-z0-9_]*)`", readme))


@pytest.mark.parametrize("role", ROLES)
def test_readme_documents_every_argument(role: str) -> None:
    readme = (ROOT / "roles" / role / "README.md").read_text(encoding="utf-8")
    missing = sorted(set(spec_options(role)) - documented_names(readme))
    assert missing == [], f"roles/{role}/README.md does not document {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_readme_documents_nothing_that_does_not_exist(role: str) -> None:
    readme = (ROOT / "roles" / role / "README.md").read_text(encoding="utf-8")
    prefix = f"{role}_"
    mentioned = {name for name in documented_names(readme) if name.startswith(prefix)}
    unknown = sorted(mentioned - set(spec_options(role)) - result_facts(role))
    assert unknown == [], f"roles/{role}/README.md names variables the role does not have: {unknown}"


@pytest.mark.parametrize("role", ROLES)
def test_defaults_and_argument_specs_agree(role: str) -> None:
    defaults = _yaml(ROOT / "roles" / role / "defaults" / "main.yml") or {}
    assert set(defaults) == set(spec_options(role)), (
        f"roles/{role}: defaults/main.yml and meta/argument_specs.yml declare different variables: "
        f"only in defaults {sorted(set(defaults) - set(spec_options(role)))}, "
        f"only in argument_specs {sorted(set(spec_options(role)) - set(defaults))}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_argument_has_a_description_and_the_role_prefix(role: str) -> None:
    for name, option in spec_options(role).items():
        assert name.startswith(f"{role}_"), f"roles/{role}: {name} lacks the {role}_ prefix"
        assert option.get("description"), f"roles/{role}: {name} has no description in argument_specs"


@pytest.mark.parametrize("role", ROLES)
def test_readme_has_the_required_sections(role: str) -> None:
    readme = (ROOT / "roles" / role / "README.md").read_text(encoding="utf-8")
    headings = {line.lstrip("#").strip().lower() for line in readme.splitlines() if line.startswith("#")}
    for section in ("known limitations", "idempotence"):
        assert section in headings, f"roles/{role}/README.md has no '{section}' section"


@pytest.mark.parametrize("role", ROLES)
def test_templates_carry_the_managed_header(role: str) -> None:
    templates = sorted((ROOT / "roles" / role / "templates").glob("*.j2"))
    for template in templates:
        head = "\n".join(template.read_text(encoding="utf-8").splitlines()[:3])
        assert HEADER_VAR.search(head), (
            f"{template.relative_to(ROOT)} has no managed-by header in its first lines"
        )


@pytest.mark.parametrize("role", ROLES)
def test_vars_are_internal(role: str) -> None:
    for path in sorted((ROOT / "roles" / role / "vars").glob("*.yml")):
        data = _yaml(path) or {}
        public = sorted(name for name in data if not name.startswith(f"__{role}_"))
        assert public == [], f"{path.relative_to(ROOT)} defines {public}: vars/ holds only __{role}_* names"


@pytest.mark.parametrize("role", (*ROLES, "opsbook_common"))
def test_readme_has_requirements_platforms_and_an_example_playbook(role: str) -> None:
    """Issue 11: role READMEs gain Requirements, Supported platforms and an Example Playbook."""
    readme = (ROOT / "roles" / role / "README.md").read_text(encoding="utf-8")
    headings = {line.lstrip("#").strip().lower() for line in readme.splitlines() if line.startswith("## ")}
    for section in ("requirements", "supported platforms", "example playbook"):
        assert section in headings, f"roles/{role}/README.md has no '## {section.capitalize()}' section"
    example = readme.split("## Example Playbook", 1)[1].split("\n## ", 1)[0]
    assert "```yaml" in example, f"roles/{role}/README.md: the Example Playbook section shows no YAML"


@pytest.mark.parametrize("role", ROLES)
def test_the_per_os_step_is_the_shared_one(role: str) -> None:
    """Issue 11: the set_vars pattern lives once (roles/opsbook_common); each role calls it with
    its supported families and keeps only its own vars/<OS>.yml."""
    tasks = _yaml(ROOT / "roles" / role / "tasks" / "set_vars.yml")
    calls = [t["ansible.builtin.include_role"] for t in tasks if "ansible.builtin.include_role" in t]
    assert calls == [{"name": "opsbook_common", "tasks_from": "set_vars.yml"}], (
        f"roles/{role}/tasks/set_vars.yml"
    )
    include = next(t for t in tasks if "ansible.builtin.include_role" in t)
    assert include["vars"]["opsbook_common_os_families"] == f"{{{{ __{role}_supported_os_families }}}}"
    assert not any("ansible.builtin.include_vars" in t for t in tasks), "the vars loading is opsbook_common's"


@pytest.mark.parametrize("role", ("linux_base", "time_sync", "linux_hardening", "storage", "patching"))
def test_the_package_manager_comes_from_the_os_vars(role: str) -> None:
    """Issue 11: the package manager and the index's place come from vars/<OS>.yml, and package
    installs go through ansible.builtin.package with that manager (apt only where apt's own
    features are used: the index refresh, holds)."""
    os_vars = _yaml(ROOT / "roles" / role / "vars" / "Debian.yml")
    assert os_vars[f"__{role}_package_manager"] == "apt"
    assert os_vars[f"__{role}_package_index_dir"] == "/var/lib/apt/lists"
    for path in sorted((ROOT / "roles" / role / "tasks").glob("*.yml")):
        for task in _yaml(path) or []:
            package = task.get("ansible.builtin.package") if isinstance(task, dict) else None
            if isinstance(package, dict):
                assert package.get("use") == f"{{{{ __{role}_package_manager }}}}", f"{path}: {task['name']}"


@pytest.mark.parametrize("role", ("linux_base", "time_sync", "linux_hardening", "storage", "patching"))
def test_no_task_refreshes_the_package_index_for_real_in_check_mode(role: str) -> None:
    """Issue 10: check mode is read-only on the target — no `check_mode: false` on a task that
    downloads the package index (the lab proof is tests/lab/test_site.py)."""
    for path in sorted((ROOT / "roles" / role / "tasks").glob("*.yml")):
        for task in _yaml(path) or []:
            if not isinstance(task, dict):
                continue
            module = task.get("ansible.builtin.apt") or task.get("ansible.builtin.package") or {}
            if isinstance(module, dict) and module.get("update_cache"):
                assert task.get("check_mode") is not False, (
                    f"{path}: {task['name']} refreshes the index in check mode"
                )
