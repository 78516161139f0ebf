"""--features: push only some features; the management refusal names only the management part
(issue 12: NTP and logging fixes were refused together with a management change)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsbook.errors import UsageError
from opsbook.network.backup import BackupStore
from opsbook.network.features import parse_features
from opsbook.network.inventory import NetDevice
from opsbook.network.push import PushStatus, prepare
from opsbook.network.remediation import management_features, management_refusal, management_touches, plan
from opsbook.network.render import render_device
from opsbook.paths import project_paths
from opsbook.runbooks.loader import find_runbook
from opsbook.runbooks.params import ParamError, convert

VARS = {
    "net_ntp_servers": ["192.0.2.1"],
    "net_logging_hosts": ["192.0.2.50"],
    "net_interfaces": [{"name": "GigabitEthernet0/0", "description": "MGMT new text"}],
    "net_mgmt_interface": "GigabitEthernet0/0",
}
RUNNING = """hostname rt01
interface GigabitEthernet0/0
 description MGMT
ntp server 203.0.113.9
"""


def _touches(commands: list[str]) -> list[str]:
    return management_touches(commands, "cisco_ios", mgmt_interface="GigabitEthernet0/0", mgmt_acl=None)


def test_parse_features_keeps_the_feature_order_and_refuses_unknown_names() -> None:
    assert parse_features(None) is None
    assert parse_features(["logging,ntp", "ntp"]) == ["ntp", "logging"]
    assert parse_features("acls") == ["acls"]
    with pytest.raises(UsageError, match=r"unknown feature.*ntpp"):
        parse_features("ntpp,logging")


def test_the_refusal_names_only_the_management_part_and_how_to_push_the_rest() -> None:
    intended = render_device("rt01", "cisco_ios", VARS)
    p = plan("rt01", "cisco_ios", RUNNING, intended.features)
    assert p.features == ["ntp", "logging", "interfaces"]
    touches = _touches(p.commands)
    assert touches and management_features(touches, "cisco_ios") == ["interfaces"]
    message = management_refusal(p, touches)
    assert message.startswith("interfaces: ")
    assert "--features ntp,logging" in message and "--allow-mgmt" in message


def test_features_narrow_the_push_so_ntp_and_logging_go_alone() -> None:
    intended = render_device("rt01", "cisco_ios", {**VARS, "net_push_features": "ntp,logging"})
    assert list(intended.features) == ["ntp", "logging"]
    p = plan("rt01", "cisco_ios", RUNNING, intended.features)
    assert p.features == ["ntp", "logging"]
    assert not _touches(p.commands)
    assert "ntp server 192.0.2.1" in p.send_lines() and "no ntp server 203.0.113.9" in p.send_lines()
    # the Intended helper narrows the same way
    full = render_device("rt01", "cisco_ios", VARS)
    assert full.only(["ntp", "logging"]).features == intended.features
    assert full.only(None) is full


def test_a_bad_feature_name_in_the_push_variable_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown feature"):
        render_device("rt01", "cisco_ios", {**VARS, "net_push_features": ["ntp", "bogus"]})


class _Session:
    def running_config(self) -> str:
        return RUNNING

    def close(self) -> None:
        pass


def test_push_prepare_refuses_naming_the_management_part_only(tmp_path: Path) -> None:
    device = NetDevice("rt01", "cisco_ios", "127.0.0.1", 22, "admin", "x", "x", VARS)
    store = BackupStore(tmp_path / "store")
    intended = render_device("rt01", "cisco_ios", VARS)
    refused = prepare(device, intended, store=store, connector=lambda _: _Session(), backup=False)  # type: ignore[arg-type, return-value]
    assert refused.result.status is PushStatus.REFUSED
    assert "interfaces:" in refused.result.error and "--features ntp,logging" in refused.result.error
    narrowed = render_device("rt01", "cisco_ios", {**VARS, "net_push_features": "ntp,logging"})
    alone = prepare(device, narrowed, store=store, connector=lambda _: _Session(), backup=False)  # type: ignore[arg-type, return-value]
    assert alone.result.status is PushStatus.PLANNED and alone.result.features == ["ntp", "logging"]


def test_the_runbooks_take_features_and_stable_backup_references() -> None:
    """`net push --features` and `net restore` reach the runbooks as parameters they accept."""
    paths = project_paths()
    push = find_runbook("network-push", paths.runbooks, paths.playbooks)
    feature = push.parameters["features"]
    assert feature.var == "net_push_features"
    assert convert("features", feature, "ntp,logging") == "ntp,logging"
    with pytest.raises(ParamError):
        convert("features", feature, "ntp,bogus")
    restore = find_runbook("restore-network-config", paths.runbooks, paths.playbooks)
    backup = restore.parameters["backup"]
    for ref in ("latest", "@1", "3a97752d7693", "2026-12-03", "2026-12-03T09:30"):
        assert convert("backup", backup, ref) == ref
    with pytest.raises(ParamError):
        convert("backup", backup, "@2")  # relative: resolved to a commit id by `net restore` first
