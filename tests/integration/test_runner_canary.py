"""The canary test (issue 10.7): unique secret values go in through every door opsbook knows —
a password-like extra var (``opsbook run -e db_password=…``) and a vault variable of the register
whose value also sits in a file on the host that ``collect-evidence`` packs — then EVERYTHING
opsbook wrote under the state folder is searched for them, the evidence bundles unpacked: zero hits.

A throw-away project with the repository's own collect-evidence runbook, playbook and module, and
one ``ansible_connection=local`` host; the real ``opsbook`` command; ansible runs for real.
"""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from ansible.parsing.vault import VaultLib, VaultSecret
from opsbook_kit import LOCAL_HOST, opsbook

REPO = Path(__file__).parents[2]
EXTRA_VAR_CANARY = "CANARY-extravar-5d1e0b"
VAULT_CANARY = "CANARY-vault-c47f19"
VAULT_PASSWORD = "canary-vault-pass"

PROBE = """\
- name: Use a password the way careless playbooks do
  hosts: linux
  gather_facts: false
  vars:
    opsbook_read_only: true
  tasks:
    - name: Print it
      ansible.builtin.debug:
        msg: "connecting with {{ db_password }}"
    - name: Return it in a result
      ansible.builtin.command: "echo {{ db_password }}"
      changed_when: false
    - name: Keep it as a cached fact (ansible writes the fact cache, outside the run folder)
      ansible.builtin.set_fact:
        app_connection_password: "{{ db_password }}"
        cacheable: true
"""

# the application's role declares its password variable, as the register requires
APP_ROLE_SPECS = """\
argument_specs:
  main:
    short_description: The canary's application.
    options:
      app_db_password:
        type: str
        no_log: true
        description: The application's database password (kept in a vault).
"""


def _vault_block(value: str) -> str:
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD.encode()))])
    return "\n".join("  " + line for line in vault.encrypt(value.encode()).decode().splitlines())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("canary") / "project"
    for folder in ("playbooks/emergency", "runbooks", "inventory/host_vars", "roles/app/meta"):
        (root / folder).mkdir(parents=True)
    # the project's fact cache, as in the repository's ansible.cfg: inside the state folder
    (root / "ansible.cfg").write_text(
        "[defaults]\ninventory = inventory/hosts.yml\n"
        "fact_caching = jsonfile\nfact_caching_connection = .opsbook/facts\n"
    )
    (root / "inventory" / "hosts.yml").write_text(LOCAL_HOST.format(group="linux"))
    (root / "roles" / "app" / "meta" / "argument_specs.yml").write_text(APP_ROLE_SPECS)
    (root / "inventory" / "host_vars" / "alpha.yml").write_text(
        f"app_db_password: !vault |\n{_vault_block(VAULT_CANARY)}\n"
    )
    (root / "vault-pass").write_text(VAULT_PASSWORD + "\n")
    (root / "playbooks" / "probe.yml").write_text(PROBE)
    # the same playbook, not declared read-only: `opsbook run` takes it through the change flow
    (root / "playbooks" / "probe-change.yml").write_text(PROBE.replace("    opsbook_read_only: true\n", ""))
    shutil.copy(REPO / "playbooks" / "emergency" / "collect-evidence.yml", root / "playbooks" / "emergency")
    shutil.copytree(
        REPO / "playbooks" / "emergency" / "library", root / "playbooks" / "emergency" / "library"
    )
    for suffix in (".yml", ".md"):
        shutil.copy(REPO / "runbooks" / f"collect-evidence{suffix}", root / "runbooks")
    return root


def with_vault(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``opsbook ARGS`` with the vault password file ansible (and so opsbook) uses."""
    return opsbook(project, *args, env={"ANSIBLE_VAULT_PASSWORD_FILE": str(project / "vault-pass")})


def everything_written(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` as bytes, with every tar.gz / .gz unpacked member by member."""
    found: dict[str, bytes] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found[str(path)] = data
        if path.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
                for member in tar.getmembers():
                    handle = tar.extractfile(member)
                    if handle is not None:
                        found[f"{path}!{member.name}"] = handle.read()
        elif path.suffix == ".gz":
            found[f"{path}!"] = gzip.decompress(data)
    return found


def hits(folder: Path, canary: str) -> list[str]:
    forms = {canary.encode(), canary.encode("utf-16-le")}
    return [name for name, data in everything_written(folder).items() if any(f in data for f in forms)]


@pytest.fixture(scope="module")
def runs(project: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    app = project.parent / "app"
    app.mkdir()
    # what the application on the host holds: the vault value, where no redaction pattern sees it
    (app / "notes.txt").write_text(f"{VAULT_CANARY}\n")
    (app / "dsn").write_text(f"host=db user=app {VAULT_CANARY}\n")
    return {
        "run": with_vault(project, "run", "probe", "-e", f"db_password={EXTRA_VAR_CANARY}"),
        "change": with_vault(
            project,
            "run",
            "probe-change",
            "-e",
            f"db_password={EXTRA_VAR_CANARY}",
            "--ticket",
            "CHG-1",
            "--yes",
            "--force",
            "canary test outside any window",
        ),
        "evidence": with_vault(
            project, "runbook", "run", "collect-evidence", "-p", f"paths={app}", "--yes", "--no-progress"
        ),
    }


#: what each run exits with: the probe prints the password, so the change flow flags the run
#: (exit 8, "a secret value was found in the run's artifacts", masked there) — as it should
EXPECTED_EXIT = {"run": 0, "change": 8, "evidence": 0}


def test_every_run_ran(runs: dict[str, subprocess.CompletedProcess[str]], project: Path) -> None:
    for name, done in runs.items():
        assert done.returncode == EXPECTED_EXIT[name], f"{name}: {done.stdout}\n{done.stderr}"
    assert "a known secret value reached the run's output and was masked" in runs["run"].stderr
    bundles = list((project / ".opsbook").rglob("evidence/alpha.tar.gz"))
    assert len(bundles) == 1
    members = everything_written(bundles[0].parent)
    assert any(name.endswith("files/" + str(project.parent / "app" / "dsn").lstrip("/")) for name in members)


def test_the_extra_var_canary_is_nowhere(
    runs: dict[str, subprocess.CompletedProcess[str]], project: Path
) -> None:
    # each customer context keeps its own fact cache under .opsbook/customers/NAME/facts
    folders = [d for d in (project / ".opsbook" / "customers").glob("*/facts") if d.is_dir()]
    cached = [p.read_text() for d in folders for p in d.iterdir()]
    assert any("app_connection_password" in text for text in cached)  # the fact cache was written
    assert hits(project / ".opsbook", EXTRA_VAR_CANARY) == []
    for done in runs.values():
        assert EXTRA_VAR_CANARY not in done.stdout + done.stderr


def test_the_vault_canary_is_nowhere(
    runs: dict[str, subprocess.CompletedProcess[str]], project: Path
) -> None:
    assert hits(project / ".opsbook", VAULT_CANARY) == []
    for done in runs.values():
        assert VAULT_CANARY not in done.stdout + done.stderr
