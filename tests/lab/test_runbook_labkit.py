"""Helpers for the runbook lab tests: run the real CLI (in a pseudo-terminal when it must ask),
read the record it names, and look at lab hosts. No test lives here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pexpect

from opsbook.lab.handle import LabHandle
from opsbook.records.model import Record, read_record

RECORD_LINE = re.compile(r"record:\s+(\S+record\.json)")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


@dataclass
class CliRun:
    exit_code: int
    output: str
    record: Record | None
    record_path: Path | None


def _cli_env(lab: LabHandle) -> dict[str, str]:
    env = dict(os.environ)
    env["COLUMNS"] = "400"  # one line per message, so the record path is never wrapped
    env.pop("OPSBOOK_PROJECT", None)
    return env


def _finish(exit_code: int, output: str) -> CliRun:
    clean = ANSI.sub("", output).replace("\r", "")
    match = RECORD_LINE.search(clean)
    path = Path(match.group(1)) if match else None
    record = read_record(path) if path else None
    return CliRun(exit_code, clean, record, path)


def opsbook(lab: LabHandle, *args: str, timeout: float = 600) -> CliRun:
    """Run ``opsbook ARGS`` without a terminal (as automation does)."""
    done = subprocess.run(
        [sys.executable, "-c", "from opsbook.cli import main; main()", *args],
        cwd=lab.root,
        env=_cli_env(lab),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return _finish(done.returncode, done.stdout + done.stderr)


def opsbook_interactive(
    lab: LabHandle, *args: str, answers: list[tuple[str, str]], timeout: float = 600
) -> CliRun:
    """Run ``opsbook ARGS`` in a pseudo-terminal; answer each prompt (regex, reply) in order."""
    child = pexpect.spawn(
        sys.executable,
        ["-c", "from opsbook.cli import main; main()", *args],
        cwd=str(lab.root),
        env=_cli_env(lab),
        encoding="utf-8",
        timeout=timeout,
        dimensions=(50, 400),
    )
    output = []
    for prompt, reply in answers:
        child.expect(prompt)
        output.append(str(child.before) + str(child.after))
        child.sendline(reply)
    child.expect(pexpect.EOF)
    output.append(str(child.before))
    child.close()
    return _finish(int(child.exitstatus if child.exitstatus is not None else -1), "".join(output))


def df_used_percent(lab: LabHandle, host: str, path: str) -> int:
    out = lab.sh(host, f"df --output=pcent {path} | tail -1").stdout
    return int(out.strip().rstrip("%"))


def fill_to(lab: LabHandle, host: str, path: str, percent: int, file: str, *, text: bool) -> None:
    """Write ``file`` so that the filesystem of ``path`` is at least ``percent`` % used."""
    source = (
        "yes '2026-11-27T11:00:00 app[42]: served GET /api/items in 12ms status=200'"
        if text
        else "cat /dev/urandom"
    )
    lab.sh(
        host,
        f"size=$(df -B1 --output=size {path} | tail -1); used=$(df -B1 --output=used {path} | tail -1); "
        f"avail=$(df -B1 --output=avail {path} | tail -1); "
        f"need=$(( size * {percent} / 100 - used + size / 200 )); "
        f"if [ $need -gt $(( avail - 65536 )) ]; then need=$(( avail - 65536 )); fi; "
        f"if [ $need -gt 0 ]; then {source} | head -c $need > {file}; fi",
    )
