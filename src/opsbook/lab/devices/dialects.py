"""One entry point per platform: new sessions, logins, link messages."""

from __future__ import annotations

from opsbook.lab.devices import ios, ios_edits, vrp
from opsbook.lab.devices.auth import ios_login, vrp_login
from opsbook.lab.devices.device import DeviceState, LinkState
from opsbook.lab.devices.session import CliSession


def login(dev: DeviceState, username: str, password: str) -> int | None:
    """The privilege level the credentials give on this device, or None when refused."""
    if dev.platform == "huawei_vrp":
        return vrp_login(dev.running, username, password)
    return ios_login(dev.running, username, password)


def new_session(dev: DeviceState, user: str, peer: str, privilege: int) -> CliSession:
    if dev.platform == "huawei_vrp":
        return vrp.VrpSession(dev, user, peer, privilege)
    return ios.IosSession(dev, user, peer, privilege)


def log_link(dev: DeviceState, name: str, old: LinkState, new: LinkState) -> None:
    if dev.platform == "huawei_vrp":
        vrp.log_link(dev, name, old, new)
    else:
        ios_edits.log_link(dev, name, old, new)


def tick(dev: DeviceState) -> bool:
    """Run out revert timers; log the rollback. True when the device rolled back."""
    if dev.tick():
        ios_edits.log_rollback(dev)
        return True
    return False
