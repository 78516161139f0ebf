# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""Reboot required and pending security updates (apt) (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from .status import OK, UNKNOWN, WARN, classify, fmt_num, result, worst


def check_reboot(
    flag_exists: bool, packages: Sequence[str], debian_family: bool, needs_restarting_rc: int | None
) -> dict[str, Any]:
    if flag_exists:
        names = ", ".join(packages[:10]) + (" ..." if len(packages) > 10 else "")
        message = "reboot required (/var/run/reboot-required)" + (f" by {names}" if names else "")
        return result("reboot", WARN, message, value=True, details={"packages": list(packages)})
    if debian_family:
        return result("reboot", OK, "no reboot required", value=False, details={"packages": []})
    if needs_restarting_rc == 1:
        return result("reboot", WARN, "reboot required (needs-restarting -r)", value=True)
    if needs_restarting_rc == 0:
        return result("reboot", OK, "no reboot required (needs-restarting -r)", value=False)
    return result(
        "reboot", UNKNOWN, "cannot tell: no /var/run/reboot-required convention and no needs-restarting"
    )


# ---------------------------------------------------------------------------------------------
# Security updates (apt)
# ---------------------------------------------------------------------------------------------

_APT_INST = re.compile(
    r"^Inst (?P<name>\S+) (?:\[(?P<old>[^\]]*)\] )?\((?P<new>\S+) (?P<origins>.*?) \[[^\]]*\]\)"
)


class AptUpgrade(NamedTuple):
    package: str
    installed: str
    candidate: str
    origins: tuple[str, ...]

    @property
    def security(self) -> bool:
        for origin in self.origins:
            archive, _, suite = origin.partition("/")
            if suite.endswith("-security") or archive.split(":")[0].lower().endswith("-security"):
                return True
        return False


def parse_apt_simulation(text: str) -> list[AptUpgrade]:
    """``Inst`` lines of ``apt-get -s dist-upgrade``; each origin is ``Label:Version/Suite``."""
    upgrades = []
    for line in text.splitlines():
        match = _APT_INST.match(line)
        if match:
            origins = tuple(o.strip() for o in match.group("origins").split(",") if o.strip())
            upgrades.append(
                AptUpgrade(match.group("name"), match.group("old") or "", match.group("new"), origins)
            )
    return upgrades


def check_security_updates(
    upgrades: Sequence[AptUpgrade],
    lists_age_days: float | None,
    has_security_source: bool,
    thresholds: Mapping[str, float | None],
) -> dict[str, Any]:
    warn, crit = thresholds["security_updates_warn"], thresholds["security_updates_crit"]
    max_age = thresholds["apt_lists_max_age_days"]
    if lists_age_days is None:
        return result(
            "security_updates",
            UNKNOWN,
            "no apt package lists on the host: run apt-get update (or set update_cache)",
            unit="packages",
            warn=warn,
            crit=crit,
        )
    if not has_security_source:
        return result(
            "security_updates",
            UNKNOWN,
            "no security suite in the apt sources: pending security updates cannot be counted",
            unit="packages",
            warn=warn,
            crit=crit,
            details={"upgradable": len(upgrades)},
        )
    security = sorted({u.package for u in upgrades if u.security})
    status = classify(len(security), warn, crit)
    if security:
        names = ", ".join(security[:5]) + (" ..." if len(security) > 5 else "")
        message = f"{len(security)} security update{'s' if len(security) != 1 else ''} pending ({names})"
    else:
        message = "no security updates pending"
    message += f"; {len(upgrades)} upgradable in all"
    age = round(lists_age_days, 1)
    if max_age is not None and lists_age_days > max_age:
        status = worst([status, WARN])
        message += f"; package lists are {age:g} days old (max {fmt_num(max_age)}), the count may be low"
    details = {"security": security, "upgradable": len(upgrades), "lists_age_days": age}
    return result(
        "security_updates",
        status,
        message,
        value=len(security),
        unit="packages",
        warn=warn,
        crit=crit,
        details=details,
    )
