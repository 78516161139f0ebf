"""Safe push orchestration against scripted fake sessions (the lab tests use real devices)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from hier_config import get_hconfig

from opsbook.network.backup import BackupStore
from opsbook.network.compliance import parse
from opsbook.network.connect import CommandRejected, ConnectError, SessionLost
from opsbook.network.drivers import driver
from opsbook.network.inventory import NetDevice
from opsbook.network.push import PushOptions, PushStatus, configs_equal, push_device
from opsbook.network.render import Intended

_SECTION = re.compile(r"^(interface |ip access-list |vlan \d|acl |aaa$|line |user-interface )")
SECRET = "Sup3r-Secret-9"


def _tree_text(lines: Sequence[str]) -> str:
    """Sent config lines (flat, with exit/quit) back into indented text."""
    out: list[str] = []
    depth = 0
    for line in lines:
        if line in ("exit", "quit"):
            depth = max(0, depth - 1)
            continue
        if depth and _SECTION.match(line):
            depth = 0
        out.append(" " * depth + line)
        if _SECTION.match(line):
            depth = 1
    return "\n".join(out) + "\n"


class FakeDevice:
    """A device's state shared by every fake session to it."""

    def __init__(self, platform: str, config: str) -> None:
        self.platform = platform
        self.config = config
        self.snapshot: str | None = None
        self.saved = False
        self.drop_after: int | None = None  # lines applied before the connection drops
        self.unreachable_after_apply = False
        self.applied = 0
        self.log: list[str] = []

    def apply(self, lines: Sequence[str]) -> None:
        tree = parse(self.config, self.platform)
        change = get_hconfig(driver(self.platform), _tree_text(lines))
        self.config = "\n".join(tree.future(change).dump_simple()) + "\n"


class FakeSession:
    def __init__(self, device: NetDevice, state: FakeDevice) -> None:
        if state.unreachable_after_apply and state.applied:
            raise ConnectError(f"{device.name}: connection refused")
        self.device = device
        self.state = state

    def running_config(self) -> str:
        return self.state.config

    def show(self, command: str) -> str:
        return "ok"

    def exec(self, command: str) -> str:
        self.state.log.append(command)
        if command == "configure confirm":
            self.state.snapshot = None
            return ""
        if command == "configure revert now":
            if self.state.snapshot is None:
                raise CommandRejected("% No Rollback Confirmed Change pending")
            self.state.config, self.state.snapshot = self.state.snapshot, None
            return ""
        return "unknown"

    def configure(self, lines: Sequence[str], *, revert_minutes: int | None = None) -> str:
        self.state.log.append(f"configure {len(lines)} revert={revert_minutes}")
        if revert_minutes is not None:
            self.state.snapshot = self.state.config
        self.state.applied += 1
        if self.state.drop_after is not None:
            self.state.apply(lines[: self.state.drop_after])
            self.state.drop_after = None
            raise SessionLost(f"{self.device.name}: connection lost")
        self.state.apply(lines)
        return ""

    def save(self) -> str:
        self.state.saved = True
        return ""

    def close(self) -> None:
        return None


IOS_RUNNING = f"""hostname sw01
username admin privilege 15 secret 0 {SECRET}
ip access-list standard MGMT
 permit 192.0.2.0 0.0.0.255
interface FastEthernet0
 description mgmt
 ip access-group MGMT in
interface GigabitEthernet0/1
 description users
ntp server 192.0.2.1
"""

VRP_RUNNING = """#
 sysname rt01
#
 ntp-service unicast-server 192.0.2.1
#
interface GigabitEthernet0/0/1
 description uplink
#
"""


def _device(platform: str, **extra: object) -> NetDevice:
    base = {"net_mgmt_interface": "Fa0", "net_mgmt_acl": "MGMT"} if platform == "cisco_ios" else {}
    return NetDevice("dev1", platform, "127.0.0.1", 22, "admin", SECRET, SECRET, {**base, **extra})


def _run(
    tmp_path: Path,
    state: FakeDevice,
    features: dict[str, str],
    device: NetDevice | None = None,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    device = device or _device(state.platform)
    store = BackupStore(tmp_path / "store")
    options = PushOptions(reconnect_delay=0.0, **kwargs)  # type: ignore[arg-type]
    result = push_device(
        device,
        Intended(device.name, state.platform, features),
        store=store,
        connector=lambda d: FakeSession(d, state),
        confirm=lambda r: True,
        options=options,
    )
    return result, store


def test_success_applies_under_a_revert_timer_then_confirms_and_saves(tmp_path: Path) -> None:
    state = FakeDevice("cisco_ios", IOS_RUNNING)
    result, store = _run(tmp_path, state, {"ntp": "ntp server 192.0.2.2\n"})
    assert result.status is PushStatus.APPLIED, result
    assert state.log[0] == "configure 2 revert=5"
    assert "configure confirm" in state.log and state.saved
    assert "ntp server 192.0.2.2" in state.config and "ntp server 192.0.2.1" not in state.config
    assert [e.subject.split(":")[0] for e in store.history("dev1")] == [
        "post-push backup of dev1",
        "pre-push backup of dev1",
    ]


def test_management_changes_are_refused_unless_allowed(tmp_path: Path) -> None:
    state = FakeDevice("cisco_ios", IOS_RUNNING)
    intended = {"interfaces": "interface FastEthernet0\n description changed\n"}
    result, _ = _run(tmp_path, state, intended)
    assert result.status is PushStatus.REFUSED
    assert "interface FastEthernet0" in result.management
    assert not any(entry.startswith("configure") for entry in state.log)
    result, _ = _run(tmp_path, state, intended, allow_mgmt=True)
    assert result.status is PushStatus.APPLIED


def test_management_acl_changes_are_refused(tmp_path: Path) -> None:
    state = FakeDevice("cisco_ios", IOS_RUNNING)
    result, _ = _run(tmp_path, state, {"acls": "ip access-list standard MGMT\n permit any\n"})
    assert result.status is PushStatus.REFUSED


def test_failing_post_check_rolls_back_with_revert_now(tmp_path: Path) -> None:
    state = FakeDevice("cisco_ios", IOS_RUNNING)
    device = _device(
        "cisco_ios", net_post_checks=[{"command": "show ip route", "expect": "^Gateway of last resort"}]
    )
    result, _ = _run(tmp_path, state, {"ntp": "ntp server 192.0.2.2\n"}, device=device)
    assert result.status is PushStatus.ROLLED_BACK
    assert "configure revert now" in state.log
    assert "post-check 'show ip route'" in result.error
    assert state.config == IOS_RUNNING and not state.saved


def test_dropped_connection_on_vrp_is_rolled_back_with_commands(tmp_path: Path) -> None:
    state = FakeDevice("huawei_vrp", VRP_RUNNING)
    state.drop_after = 2
    intended = {
        "ntp": "ntp-service unicast-server 192.0.2.2\n",
        "interfaces": "interface GigabitEthernet0/0/1\n description new\n",
    }
    result, _ = _run(tmp_path, state, intended)
    assert result.status is PushStatus.ROLLED_BACK, result
    assert state.log[0] == "configure 5 revert=None"
    assert any("back to the backup" in step for step in result.steps)
    assert configs_equal(state.config, VRP_RUNNING, "huawei_vrp")


def test_unreachable_after_apply_reports_the_revert_timer(tmp_path: Path) -> None:
    state = FakeDevice("cisco_ios", IOS_RUNNING)
    state.unreachable_after_apply = True
    result, _ = _run(tmp_path, state, {"ntp": "ntp server 192.0.2.2\n"}, reconnect_attempts=1)
    assert result.status is PushStatus.FAILED
    assert "revert timer restores the backup configuration" in result.error


def test_check_mode_and_nothing_to_do(tmp_path: Path) -> None:
    state = FakeDevice("cisco_ios", IOS_RUNNING)
    store = BackupStore(tmp_path / "store")
    device = _device("cisco_ios")
    result = push_device(
        device,
        Intended("dev1", "cisco_ios", {"ntp": "ntp server 192.0.2.2\n"}),
        store=store,
        connector=lambda d: FakeSession(d, state),
        confirm=lambda r: pytest.fail("check mode must not ask"),
        check=True,
    )
    assert result.status is PushStatus.PLANNED and result.commands == [
        "no ntp server 192.0.2.1",
        "ntp server 192.0.2.2",
    ]
    assert state.log == []
    same, _ = _run(tmp_path, state, {"ntp": "ntp server 192.0.2.1\n"})
    assert same.status is PushStatus.UNCHANGED


def test_secrets_never_reach_results_or_the_store(tmp_path: Path) -> None:
    state = FakeDevice("cisco_ios", IOS_RUNNING)
    result, store = _run(tmp_path, state, {"aaa": "username admin privilege 15 secret New-Secret-7\n"})
    assert result.status is PushStatus.APPLIED
    assert "New-Secret-7" in state.config  # it did reach the device
    dumped = str(result.to_dict())
    assert SECRET not in dumped and "New-Secret-7" not in dumped
    objects = subprocess.run(
        ["git", "-C", str(store.root), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    assert SECRET.encode() not in objects and b"New-Secret-7" not in objects
