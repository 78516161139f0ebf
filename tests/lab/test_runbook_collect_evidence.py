"""Runbook collect-evidence on a lab host with planted secrets: a redacted bundle on the controller."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator

import pytest
from test_runbook_labkit import opsbook

from opsbook.lab.handle import LabHandle

CANARIES = ("canary-file-3e7d1a", "canary-url-8b2f4c", "canary-arg-51d0e9", "canary-key-a4c6b0")
APP_CONF = f"""[db]
host = db1
password = {CANARIES[0]}
url = postgres://app:{CANARIES[1]}@db1/app
-----BEGIN RSA PRIVATE KEY-----
{CANARIES[3]}
-----END RSA PRIVATE KEY-----
"""


@pytest.fixture
def host_with_secrets(lab: LabHandle) -> Iterator[str]:
    host = lab.hosts[0]
    lab.sh(host, f"mkdir -p /etc/rb-app && cat > /etc/rb-app/app.conf <<'EOF'\n{APP_CONF}EOF")
    # a process whose command line carries a password (ps auxww lands in the bundle)
    lab.sh(
        host,
        "systemd-run --unit rb-secretproc /usr/bin/python3 -c 'import time; time.sleep(900)' "
        f"--password={CANARIES[2]}",
    )
    yield host
    lab.sh(host, "systemctl stop rb-secretproc; rm -rf /etc/rb-app", check=False)


def test_collect_evidence_fetches_a_redacted_bundle(lab: LabHandle, host_with_secrets: str) -> None:
    host = host_with_secrets
    run = opsbook(
        lab, "runbook", "run", "collect-evidence", "--limit", host, "--ticket", "INC-40",
        "-i", str(lab.inventory), "-p", "paths=/etc/rb-app", "--no-progress",
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    record = run.record
    assert record is not None and run.record_path is not None
    assert record.outcome == "ok" and record.hosts[host].checks.verified is True
    run_dir = run.record_path.parent
    bundle = run_dir / "evidence" / f"{host}.tar.gz"
    assert record.hosts[host].findings["evidence"] == [f"evidence/{host}.tar.gz"]
    with tarfile.open(bundle, "r:gz") as tar:
        contents = {m.name: tar.extractfile(m).read().decode() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    names = set(contents)
    for expected in ("commands/processes.txt", "commands/packages.txt", "commands/journal-recent.txt",
                     "commands/df.txt", "files/etc/hosts", "files/etc/rb-app/app.conf"):  # fmt: skip
        assert f"{host}/{expected}" in names, sorted(names)
    assert "openssh-server " in contents[f"{host}/commands/packages.txt"]  # package versions
    app_conf = contents[f"{host}/files/etc/rb-app/app.conf"]
    assert "password = ********" in app_conf and "postgres://app:********@db1/app" in app_conf
    assert "-----[RSA PRIVATE KEY REDACTED]-----" in app_conf
    assert "--password=********" in contents[f"{host}/commands/processes.txt"]
    # no canary anywhere: not in the bundle, not in the run's artifacts, records or reports
    for text in contents.values():
        assert not any(c in text for c in CANARIES)
    for path in run_dir.rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            data = path.read_bytes()
            assert not any(c.encode() in data for c in CANARIES), path
    # the host was only read: nothing changed there
    assert record.hosts[host].stats["changed"] == 0
