"""What a safe push is made of: its options, the plan it prepared, and its result (see push.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from opsbook.base.model import Serial
from opsbook.network.compliance import DeviceCompliance
from opsbook.network.connect import Session
from opsbook.network.inventory import NetDevice
from opsbook.network.remediation import Plan
from opsbook.network.render import Intended

DEFAULT_REVERT_MINUTES = 5


class PushStatus(StrEnum):
    UNCHANGED = "unchanged"  # already compliant: nothing to do
    PLANNED = "planned"  # --check: plan shown, nothing applied
    REFUSED = "refused"  # touches management without --allow-mgmt, or changed since the plan
    DECLINED = "declined"  # the operator said no
    APPLIED = "applied"  # applied, post-checks passed, confirmed and saved
    ROLLED_BACK = "rolled_back"  # applied, then restored to the backup (verified)
    FAILED = "failed"  # could not complete; see error (the device may need attention)


@dataclass
class PushResult(Serial):
    device: str
    platform: str
    status: PushStatus
    commands: list[str] = field(default_factory=list)
    rollback: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    management: list[str] = field(default_factory=list)
    unrestorable: list[str] = field(default_factory=list)
    backup_commit: str = ""
    steps: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (
            PushStatus.UNCHANGED,
            PushStatus.PLANNED,
            PushStatus.APPLIED,
            PushStatus.DECLINED,
        )


@dataclass
class Prepared:
    """Phase 1's outcome for one device: the plan, and the live backup kept in memory."""

    device: NetDevice
    plan: Plan
    before: str = field(repr=False)
    result: PushResult
    #: the intended configuration the plan leads to (None for a restore).
    intended: Intended | None = None
    #: the stored backup a restore leads to ("" for a push).
    target: str = field(repr=False, default="")

    @property
    def actionable(self) -> bool:
        return self.result.status is PushStatus.PLANNED


PostCheck = Callable[[Session, DeviceCompliance | None], str | None]


@dataclass
class PushOptions:
    allow_mgmt: bool = False
    revert_minutes: int = DEFAULT_REVERT_MINUTES
    reconnect_attempts: int = 3
    reconnect_delay: float = 1.0
    save: bool = True
    #: extra checks after the change: return a problem description, or None when fine.
    post_checks: Sequence[PostCheck] = ()
