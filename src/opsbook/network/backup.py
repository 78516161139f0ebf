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
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opsbook.base.clock import utc_now
from opsbook.base.files import atomic_write
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
        atomic_write(
            self.root / "README.md",
            "Configuration backups written by `opsbook net backup` (redacted, normalised).\n"
            "`opsbook net backups DEVICE` lists them; `opsbook net diff DEVICE [A] [B]` compares two.\n",
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
        when = when or utc_now()
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._locked():
            self.ensure()
            names = []
            for device, (platform_name, text) in sorted(configs.items()):
                target = self.path(device)
                content = stored_form(text, platform_name)
                atomic_write(target, content)
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

    def history(self, device: str, *, as_of: str | None = None) -> list[BackupEntry]:
        """Backups that changed the device's stored configuration, newest first (``as_of``: only
        those up to that commit — what a listing printed then showed)."""
        name = self.path(device).name
        if not (self.root / ".git").is_dir():
            return []
        out = self._git("log", "--format=%H%x1f%aI%x1f%ae%x1f%s", as_of or "HEAD", "--", name)
        entries = []
        for line in out.splitlines():
            commit, when, who, subject = line.split("\x1f", 3)
            entries.append(BackupEntry(commit, when, who, subject))
        return entries

    def head(self) -> str:
        """The store's newest commit (what a listing is "as of"); "" for an empty store."""
        if not (self.root / ".git").is_dir():
            return ""
        return self._git("rev-parse", "--verify", "--quiet", "HEAD", check=False).strip()

    def _commit(self, ref: str) -> str:
        out = self._git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).strip()
        return out

    def resolve(self, device: str, ref: str, *, as_of: str | None = None) -> str:
        """The commit id a backup reference names (see :data:`REF_HELP`).

        ``latest`` (or ``@1`` alone) is the newest backup *now*; a commit id (4-40 hex digits)
        and a date never change meaning; ``@N`` (the N-th newest backup of the device) only
        together with ``as_of`` — the commit a printed listing was "as of" — so that a backup
        made after the listing cannot shift it.
        """
        ref = ref.strip()
        if ref in ("latest", "@1") and as_of is None:
            entries = self.history(device)
            if not entries:
                raise UsageError(f"{device}: no backup stored in {self.root}.", hint=_backup_hint(device))
            return entries[0].commit
        relative = re.fullmatch(r"@(\d{1,6})", ref)
        if relative:
            return self._relative(device, int(relative[1]), ref, as_of)
        if as_of is not None:
            raise UsageError(
                f"--as-of only goes with @N references, not with {ref!r}.",
                hint="a commit id or a date names one backup on its own",
            )
        when = parse_when(ref)
        if when is not None:
            return self._at(device, when, ref)
        if not re.fullmatch(r"[0-9a-fA-F]{4,40}", ref):
            raise UsageError(f"{ref!r} is not a backup id.", hint=REF_HELP)
        out = self._commit(ref)
        if not out:
            raise UsageError(f"{device}: no backup {ref!r} in {self.root}.", hint=_listing_hint(device))
        return out

    def anchor(self, device: str, as_of: str) -> str:
        """The full commit id of ``--as-of`` (a commit id a listing was printed as of)."""
        if not re.fullmatch(r"[0-9a-fA-F]{4,40}", as_of.strip()):
            raise UsageError(f"--as-of {as_of!r} is not a commit id.", hint=_listing_hint(device))
        commit = self._commit(as_of.strip())
        if not commit:
            raise UsageError(f"--as-of {as_of}: no such commit in {self.root}.", hint=_listing_hint(device))
        return commit

    def _relative(self, device: str, index: int, ref: str, as_of: str | None) -> str:
        if as_of is None:
            raise UsageError(
                f"{ref} is relative to the newest backup, which moves with every backup: "
                "it may not name the backup you saw.",
                hint=f"name it by its commit id or date from `opsbook net backups {device}`, "
                f"or add --as-of COMMIT (the 'as of' commit printed above that listing)",
            )
        anchor = self.anchor(device, as_of)
        entries = self.history(device, as_of=anchor)
        if not 1 <= index <= len(entries):
            raise UsageError(
                f"{device}: there is no backup {ref} as of {anchor[:12]} ({len(entries)} backup(s) then).",
                hint=_listing_hint(device),
            )
        return entries[index - 1].commit

    def _at(self, device: str, when: datetime, ref: str) -> str:
        for entry in self.history(device):
            if datetime.fromisoformat(entry.when) <= when:
                return entry.commit
        raise UsageError(
            f"{device}: no backup made at or before {ref} ({when.isoformat()}).", hint=_listing_hint(device)
        )

    def show(self, device: str, ref: str = "latest", *, as_of: str | None = None) -> str:
        commit = self.resolve(device, ref, as_of=as_of)
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

    def diff(
        self, device: str, a: str | None = None, b: str | None = None, *, as_of: str | None = None
    ) -> str:
        """Unified diff of the device's stored configuration between backups ``a`` and ``b``
        (defaults: the previous and the latest backup of the device)."""
        entries = self.history(device)
        if not entries:
            raise UsageError(f"{device}: no backup stored in {self.root}.", hint=_backup_hint(device))
        commit_b = (
            self.resolve(device, b, as_of=as_of if b and b.startswith("@") else None)
            if b
            else entries[0].commit
        )
        if a:
            commit_a = self.resolve(device, a, as_of=as_of if a.startswith("@") else None)
        elif len(entries) >= 2:
            commit_a = entries[1].commit
        else:
            raise UsageError(f"{device}: only one backup stored; nothing to compare.")
        name = self.path(device).name
        return self._git("diff", "--no-color", commit_a, commit_b, "--", name)


REF_HELP = (
    "a backup is named by its commit id (from `opsbook net backups DEVICE`), a date "
    "(2026-12-03 = the last backup of that day, UTC; or 2026-12-03T09:30), `latest`, "
    "or @N together with --as-of COMMIT (the commit the listing was printed as of)"
)


def _backup_hint(device: str) -> str:
    return f"opsbook net backup --limit {device}"


def _listing_hint(device: str) -> str:
    return f"opsbook net backups {device}"


def parse_when(text: str) -> datetime | None:
    """A date reference: ``2026-12-03`` (the end of that day, UTC), ``2026-12-03T09:30[:15][Z]``
    or with an offset. None when ``text`` is not a date."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError as exc:
            raise UsageError(f"{text!r} is not a valid date.", hint=REF_HELP) from exc
        return day + timedelta(days=1) - timedelta(microseconds=1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?", text):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise UsageError(f"{text!r} is not a valid date and time.", hint=REF_HELP) from exc
        if when.second == 0 and len(text) <= 16:
            when = when.replace(second=59)
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None
