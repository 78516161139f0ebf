"""The network loop against real simulated devices (IOS and VRP over SSH, real netmiko).

Drift injected over SSH → compliance shows it per feature → push fixes it → compliance clean;
a failing post-check rolls back; a connection dropped mid-push leaves the device on its backup
configuration; management changes are refused; a restore brings a backup back; a canary secret
never reaches the backup store. The devices run on 127.0.0.1:3501+ in a temporary state folder
and are stopped at the end (module-scoped fixture).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from opsbook.lab.devices import (
    DeviceSpec,
    clear_faults,
    read_running_config,
    read_startup_config,
    set_faults,
    start_devices,
    stop_devices,
    write_running_config,
)
from opsbook.lab.devices.netvars import lab_net_vars
from opsbook.network.backup import BackupStore
from opsbook.network.compliance import DeviceStatus, to_task_results
from opsbook.network.connect import NetmikoSession, netmiko_connector
from opsbook.network.inventory import NetDevice
from opsbook.network.operations import backup, compliance
from opsbook.network.push import PushOptions, PushStatus, configs_equal, prepare_restore, push_device
from opsbook.network.push import apply as apply_prepared
from opsbook.network.render import render_device
from opsbook.results import TaskStatus

#: OPSBOOK_TEST_DEVICE_PORT_BASE (default 3301) + 60: inside this session's own port range,
#: beside the lab's devices (base + 0 …) and test_net_fixes.py's (base + 50)
PORT_BASE = int(os.environ.get("OPSBOOK_TEST_DEVICE_PORT_BASE", "3301")) + 60
PASSWORD = "Lab-Pass-3501"
#: one "minute" of an IOS revert timer lasts this many seconds on these devices
MINUTE = 8.0


@dataclass
class NetLab:
    state: Path
    specs: dict[str, DeviceSpec]
    initial: dict[str, str]

    def device(self, name: str, **extra_vars: object) -> NetDevice:
        spec = self.specs[name]
        variables = {**lab_net_vars(spec), **extra_vars}
        return NetDevice(
            name, spec.platform, "127.0.0.1", spec.port, spec.username, PASSWORD, PASSWORD, variables
        )

    def running(self, name: str) -> str:
        return read_running_config(self.state, name)

    def reset(self, name: str) -> None:
        clear_faults(self.state, name)
        write_running_config(self.state, name, self.initial[name])


@pytest.fixture(scope="module")
def netlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetLab]:
    state = tmp_path_factory.mktemp("netlab")
    specs = [
        DeviceSpec("nl-sw01", "cisco_ios", PORT_BASE, "admin", PASSWORD, revert_minute_seconds=MINUTE),
        DeviceSpec("nl-rt01", "huawei_vrp", PORT_BASE + 1, "admin", PASSWORD, revert_minute_seconds=MINUTE),
    ]
    start_devices(specs, state)
    try:
        lab = NetLab(
            state, {s.name: s for s in specs}, {s.name: read_running_config(state, s.name) for s in specs}
        )
        yield lab
    finally:
        stop_devices(state)


@pytest.fixture
def store(tmp_path: Path) -> BackupStore:
    return BackupStore(tmp_path / "netbackup")


DRIFT = {
    "nl-sw01": [
        "ntp server 203.0.113.9",
        "no logging host 192.0.2.50",
        "interface GigabitEthernet1/0/2",
        "description hacked",
        "exit",
    ],
    "nl-rt01": [
        "ntp-service unicast-server 203.0.113.9",
        "undo info-center loghost 192.0.2.50",
        "interface GigabitEthernet0/0/1",
        "description hacked",
        "quit",
    ],
}
DEVICES = sorted(DRIFT)


def _inject(device: NetDevice, lines: list[str]) -> None:
    session = NetmikoSession(device)
    try:
        session.configure(lines)
    finally:
        session.close()


def _yes(_: object) -> bool:
    return True


def test_a_fresh_lab_is_compliant(netlab: NetLab) -> None:
    run = compliance([netlab.device(n) for n in DEVICES])
    assert [(r.device, r.status) for r in run.results] == [(n, DeviceStatus.COMPLIANT) for n in DEVICES], [
        (r.device, r.error, [(f.feature, f.missing, f.extra) for f in r.features if not f.compliant])
        for r in run.results
    ]
    assert run.exit_code == 0


@pytest.mark.parametrize("name", DEVICES)
def test_drift_shows_per_feature_then_push_fixes_it(netlab: NetLab, store: BackupStore, name: str) -> None:
    netlab.reset(name)
    device = netlab.device(name)
    _inject(device, DRIFT[name])

    result = compliance([device]).results[0]
    assert result.status is DeviceStatus.DRIFTED
    assert result.drifted_features == ["ntp", "logging", "interfaces"]
    features = {f.feature: f for f in result.features}
    assert any("203.0.113.9" in line for line in features["ntp"].extra)
    assert any("192.0.2.50" in line for line in features["logging"].missing)
    assert any("description hacked" in line for line in features["interfaces"].extra)
    # the audit's view: one task per feature, drift = changed, with a diff
    tasks = {t.result["feature"]: t for t in to_task_results(result)}
    assert tasks["ntp"].status is TaskStatus.CHANGED and tasks["ntp"].diff
    assert tasks["hostname"].status is TaskStatus.OK

    intended = render_device(name, device.platform, device.vars)
    pushed = push_device(device, intended, store=store, connector=netmiko_connector(), confirm=_yes)
    assert pushed.status is PushStatus.APPLIED, (pushed.error, pushed.steps)
    assert pushed.features == ["ntp", "logging", "interfaces"]

    after = compliance([device])
    assert after.results[0].status is DeviceStatus.COMPLIANT
    assert configs_equal(netlab.running(name), netlab.initial[name], device.platform)
    # saved, and both backups (before and after) are in the store
    assert configs_equal(read_startup_config(netlab.state, name), netlab.initial[name], device.platform)
    subjects = [e.subject for e in store.history(name)]
    assert subjects[0].startswith("post-push backup") and subjects[1].startswith("pre-push backup")
    assert "+ description hacked" not in store.diff(name) and "-ntp" in store.diff(name).replace(
        " ntp", "ntp"
    )


@pytest.mark.parametrize("name", DEVICES)
def test_failing_post_check_rolls_back(netlab: NetLab, store: BackupStore, name: str) -> None:
    netlab.reset(name)
    command = "show clock" if name == "nl-sw01" else "display clock"
    device = netlab.device(name, net_post_checks=[{"command": command, "expect": "^NEVER MATCHES$"}])
    _inject(device, DRIFT[name])
    drifted = netlab.running(name)
    startup_before = read_startup_config(netlab.state, name)

    intended = render_device(name, device.platform, device.vars)
    result = push_device(device, intended, store=store, connector=netmiko_connector(), confirm=_yes)
    assert result.status is PushStatus.ROLLED_BACK, (result.error, result.steps)
    assert "post-check" in result.error
    assert configs_equal(netlab.running(name), drifted, device.platform)
    assert read_startup_config(netlab.state, name) == startup_before  # nothing saved
    if device.platform == "cisco_ios":
        assert any("configure revert now" in step for step in result.steps)


@pytest.mark.parametrize("name", DEVICES)
def test_connection_dropped_mid_push_leaves_the_backup_configuration(
    netlab: NetLab, store: BackupStore, name: str
) -> None:
    netlab.reset(name)
    device = netlab.device(name)
    _inject(device, DRIFT[name])
    drifted = netlab.running(name)
    # the logging line is sent after the ntp lines: some lines are applied, then the link drops
    pattern = "^logging host" if name == "nl-sw01" else "^info-center loghost"
    set_faults(netlab.state, name, drop_on_command=pattern, times=1)

    intended = render_device(name, device.platform, device.vars)
    result = push_device(
        device,
        intended,
        store=store,
        connector=netmiko_connector(),
        confirm=_yes,
        options=PushOptions(reconnect_delay=0.2),
    )
    assert result.status is PushStatus.ROLLED_BACK, (result.error, result.steps)
    assert "connection lost" in result.error
    assert configs_equal(netlab.running(name), drifted, device.platform)
    assert store.history(name)[0].subject.startswith("pre-push backup")


@pytest.mark.parametrize("name", DEVICES)
def test_a_rejected_command_mid_push_rolls_back(netlab: NetLab, store: BackupStore, name: str) -> None:
    netlab.reset(name)
    device = netlab.device(name)
    _inject(device, DRIFT[name])
    drifted = netlab.running(name)
    pattern = "^logging host" if name == "nl-sw01" else "^info-center loghost"
    set_faults(netlab.state, name, reject_command=pattern, times=1)

    intended = render_device(name, device.platform, device.vars)
    result = push_device(device, intended, store=store, connector=netmiko_connector(), confirm=_yes)
    assert result.status is PushStatus.ROLLED_BACK, (result.error, result.steps)
    assert "rejected a command" in result.error
    assert configs_equal(netlab.running(name), drifted, device.platform)


def test_ios_revert_timer_restores_an_unreachable_device_by_itself(
    netlab: NetLab, store: BackupStore
) -> None:
    name = "nl-sw01"
    netlab.reset(name)
    device = netlab.device(name)
    _inject(device, DRIFT[name])
    drifted = netlab.running(name)
    set_faults(netlab.state, name, drop_on_command="^logging host", times=1)
    intended = render_device(name, device.platform, device.vars)

    def lock_out(result: object) -> bool:
        return True

    # after the drop, every login fails: opsbook cannot reach the device to roll back
    prepared_result = push_device(
        device,
        intended,
        store=store,
        connector=_refusing_after_drop(netlab, name),
        confirm=lock_out,
        options=PushOptions(revert_minutes=1, reconnect_attempts=2, reconnect_delay=0.1),
    )
    assert prepared_result.status is PushStatus.FAILED
    assert "revert timer restores the backup configuration" in prepared_result.error
    assert not configs_equal(netlab.running(name), drifted, "cisco_ios")  # half applied, for now
    clear_faults(netlab.state, name)
    deadline = time.monotonic() + MINUTE * 3
    while time.monotonic() < deadline and not configs_equal(netlab.running(name), drifted, "cisco_ios"):
        time.sleep(0.5)
    assert configs_equal(netlab.running(name), drifted, "cisco_ios")


def _refusing_after_drop(netlab: NetLab, name: str):  # type: ignore[no-untyped-def]
    """A connector that makes the device refuse logins once the push has started."""
    calls = {"n": 0}
    real = netmiko_connector()

    def connect(device: NetDevice):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:  # 1: plan, 2: apply, 3+: reconnect after the drop
            set_faults(netlab.state, name, refuse_login=True)
        return real(device)

    return connect


def test_management_changes_are_refused_live(netlab: NetLab, store: BackupStore) -> None:
    name = "nl-rt01"
    netlab.reset(name)
    device = netlab.device(name)
    variables = dict(device.vars)
    variables["net_interfaces"] = [
        dict(i, description="changed") if i["name"] == variables["net_mgmt_interface"] else i
        for i in variables["net_interfaces"]
    ]
    before = netlab.running(name)
    intended = render_device(name, device.platform, variables)
    result = push_device(device, intended, store=store, connector=netmiko_connector(), confirm=_yes)
    assert result.status is PushStatus.REFUSED
    assert result.management
    assert netlab.running(name) == before


@pytest.mark.parametrize("name", DEVICES)
def test_restore_brings_back_a_stored_backup(netlab: NetLab, store: BackupStore, name: str) -> None:
    netlab.reset(name)
    device = netlab.device(name)
    store.save({name: (device.platform, netlab.running(name))}, reason="known good")
    _inject(device, DRIFT[name])
    connector = netmiko_connector()
    prepared = prepare_restore(device, store=store, connector=connector, ref="@1")  # the latest: "known good"
    assert prepared.result.status is PushStatus.PLANNED
    assert not prepared.result.unrestorable
    result = apply_prepared(prepared, store=store, connector=connector)
    assert result.status is PushStatus.APPLIED, (result.error, result.steps)
    assert configs_equal(netlab.running(name), netlab.initial[name], device.platform)
    # issue 12: a restore said "compliant" (of what?) while compliance said drifted; it says
    # what it checked: the device is on the backup
    assert "post-check passed: reachable, nothing left to restore" in result.steps
    assert not any("compliant" in step for step in result.steps)


CANARY = "Canary-Net-5150"


def test_canary_secret_never_reaches_the_backup_store(netlab: NetLab, store: BackupStore) -> None:
    netlab.reset("nl-sw01")
    netlab.reset("nl-rt01")
    ios, vrp = netlab.device("nl-sw01"), netlab.device("nl-rt01")
    _inject(ios, [f"snmp-server community {CANARY} RW", f"username canary privilege 1 secret 0 {CANARY}"])
    _inject(
        vrp,
        [
            f"snmp-agent community write cipher {CANARY}",
            "aaa",
            f"local-user canary password irreversible-cipher {CANARY}",
            "quit",
        ],
    )
    assert CANARY in netlab.running("nl-sw01")  # the device does show it in clear
    vrp_ciphers = [w for w in netlab.running("nl-rt01").split() if w.startswith(("%^%#", "$1c$"))]
    assert vrp_ciphers  # and VRP shows its (reversible) cipher text, a secret too
    run = backup([ios, vrp], store)
    assert run.commit and not run.failed
    objects = subprocess.run(
        ["git", "-C", str(store.root), "cat-file", "--batch-all-objects", "--batch"],
        capture_output=True,
        check=True,
    ).stdout
    files = b"".join(p.read_bytes() for p in store.root.rglob("*") if p.is_file())
    for blob in (objects, files):
        assert CANARY.encode() not in blob
        for cipher in vrp_ciphers:
            assert cipher.encode() not in blob
