"""Configuration backups with history: a git repository of redacted, normalised running configs.

Layout: ``<store>/<device>.cfg`` (default store ``.opsbook/netbackup/``). Every backup run is one
commit whose message says who ran it, from where and when, and which devices changed; a run
that changes nothing makes no commit. What is stored is
``redact(strip_volatile(running_config))``: no secret ever reaches a git object.

The store is driven with the ``git`` command line (always present where Ansible is).
"""

from __future__ import annotations

import fcntl
import getpass
import os
import re
import socket
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from opsbook.errors import OpsbookError, UsageError
from opsbook.network.normalize import strip_volatile
from opsbook.network.redact import redact
from opsbook.paths import ProjectPaths

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def default_store(paths: ProjectPaths) -> Path:
    env = os.environ.get("OPSBOOK_NETBACKUP")
    return Path(env) if env else paths.state / "netbackup"


def stored_form(running_config: str, platform_name: str) -> str:
    """What the store keeps of a running configuration."""
    return redact(strip_volatile(running_config, platform_name), platform_name)


def operator() -> str:
    """``user@host`` of whoever runs opsbook (``$OPSBOOK_USER`` overrides the login name)."""
    user = os.environ.get("OPSBOOK_USER") or getpass.getuser()
    return f"{user}@{socket.gethostname()}"


@dataclass(frozen=True)
class BackupEntry:
    commit: str
    when: str
    who: str
    subject: str


class BackupStore:
    """A git repository of device configurations."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()

    # -- git ----------------------------------------------------------------------------------

    def _git(self, *args: str, check: bool = True, env: Mapping[str, str] | None = None) -> str:
        full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        proc = subprocess.run(
            ["git", "-C", str(self.root), *args], capture_output=True, text=True, env=full_env, check=False
        )
        if check and proc.returncode != 0:
            raise OpsbookError(
                f"backup store {self.root}: git {' '.join(args[:2])} failed: {proc.stderr.strip()[:500]}"
            )
        return proc.stdout

    def ensure(self) -> None:
        if (self.root / ".git").is_dir():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self._git("init", "--quiet", "--initial-branch=main")
        self._git("config", "user.name", "opsbook")
        self._git("config", "user.email", "opsbook@localhost")
        self._git("config", "commit.gpgsign", "false")
        (self.root / "README.md").write_text(
            "Configuration backups written by `opsbook net backup` (redacted, normalised).\n"
            "`opsbook net history DEVICE` lists them; `opsbook net diff DEVICE [A] [B]` compares two.\n",
            encoding="utf-8",
        )
        self._git("add", "README.md")
        self._git("commit", "--quiet", "-m", "backup store created")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root.parent / f".{self.root.name}.lock", "w", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def _check_name(device: str) -> None:
        if not _NAME.match(device):
            raise UsageError(f"device name {device!r} cannot be a backup file name")

    def path(self, device: str) -> Path:
        self._check_name(device)
        return self.root / f"{device}.cfg"

    # -- writing ------------------------------------------------------------------------------

    def save(
        self,
        configs: Mapping[str, tuple[str, str]],
        *,
        reason: str = "backup",
        who: str | None = None,
        when: datetime | None = None,
    ) -> str | None:
        """Store running configs (device → (platform, raw text)) in one commit.

        Returns the commit id, or None when no stored file changed.
        """
        who = who or operator()
        when = when or datetime.now(UTC)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._locked():
            self.ensure()
            names = []
            for device, (platform_name, text) in sorted(configs.items()):
                target = self.path(device)
                content = stored_form(text, platform_name)
                tmp = target.with_suffix(".tmp")
                tmp.write_text(content, encoding="utf-8")
                tmp.replace(target)
                names.append(target.name)
            if not names:
                return None
            self._git("add", "--", *names)
            changed = [
                line.removesuffix(".cfg")
                for line in self._git("diff", "--cached", "--name-only").splitlines()
                if line.endswith(".cfg")
            ]
            if not changed:
                return None
            listed = ", ".join(changed[:20]) + (f" and {len(changed) - 20} more" if len(changed) > 20 else "")
            message = (
                f"{reason}: {len(changed)} device(s) changed, by {who} at {stamp}\n\n"
                f"devices: {listed}\nbacked up: {len(names)} device(s)\n"
            )
            user = who.split("@", 1)[0]
            self._git(
                "commit",
                "--quiet",
                "-m",
                message,
                env={
                    "GIT_AUTHOR_NAME": user,
                    "GIT_AUTHOR_EMAIL": who,
                    "GIT_AUTHOR_DATE": stamp,
                    "GIT_COMMITTER_DATE": stamp,
                },
            )
            return self._git("rev-parse", "HEAD").strip()

    # -- reading ------------------------------------------------------------------------------

    def history(self, device: str) -> list[BackupEntry]:
        """Backups that changed the device's stored configuration, newest first."""
        name = self.path(device).name
        if not (self.root / ".git").is_dir():
            return []
        out = self._git("log", "--format=%H%x1f%aI%x1f%ae%x1f%s", "--", name)
        entries = []
        for line in out.splitlines():
            commit, when, who, subject = line.split("\x1f", 3)
            entries.append(BackupEntry(commit, when, who, subject))
        return entries

    def resolve(self, device: str, ref: str) -> str:
        """A commit id from a commit prefix, or ``@N`` (N-th newest backup of the device, @1 = newest)."""
        if ref.startswith("@") and ref[1:].isdigit():
            index = int(ref[1:])
            entries = self.history(device)
            if not 1 <= index <= len(entries):
                raise UsageError(
                    f"{device}: there is no backup {ref} ({len(entries)} backup(s) stored).",
                    hint=f"opsbook net history {device}",
                )
            return entries[index - 1].commit
        if not re.fullmatch(r"[0-9a-fA-F]{4,40}", ref):
            raise UsageError(
                f"{ref!r} is not a backup id.", hint="use a commit id from `opsbook net history` or @N"
            )
        out = self._git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).strip()
        if not out:
            raise UsageError(
                f"{device}: no backup {ref!r} in {self.root}.", hint=f"opsbook net history {device}"
            )
        return out

    def show(self, device: str, ref: str = "@1") -> str:
        commit = self.resolve(device, ref)
        name = self.path(device).name
        proc = subprocess.run(
            ["git", "-C", str(self.root), "show", f"{commit}:{name}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise UsageError(f"{device}: backup {ref} holds no configuration for it.")
        return proc.stdout

    def diff(self, device: str, a: str | None = None, b: str | None = None) -> str:
        """Unified diff of the device's stored configuration between backups ``a`` and ``b``
        (defaults: the previous and the latest backup of the device)."""
        entries = self.history(device)
        if not entries:
            raise UsageError(
                f"{device}: no backup stored in {self.root}.", hint="opsbook net backup --limit " + device
            )
        commit_b = self.resolve(device, b) if b else entries[0].commit
        if a:
            commit_a = self.resolve(device, a)
        elif len(entries) >= 2:
            commit_a = entries[1].commit
        else:
            raise UsageError(f"{device}: only one backup stored; nothing to compare.")
        name = self.path(device).name
        return self._git("diff", "--no-color", commit_a, commit_b, "--", name)
