"""Rendering intended configuration; derived variables reproduce the lab devices' configurations."""

from __future__ import annotations

import pytest

from opsbook.errors import UsageError
from opsbook.lab.devices.config import render_config
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.netvars import lab_net_vars
from opsbook.lab.devices.spec import DeviceSpec
from opsbook.network.compliance import DeviceStatus, check_device
from opsbook.network.derive import derive_vars
from opsbook.network.remediation import plan
from opsbook.network.render import managed_features, netmask, render_device


def test_only_features_with_variables_are_managed() -> None:
    assert managed_features({}) == ["hostname"]
    assert managed_features({"net_ntp_servers": [], "net_raw": {"snmp": ["snmp-server enable traps"]}}) == [
        "hostname",
        "ntp",
        "snmp",
    ]
    assert managed_features({"net_ntp_servers": [], "net_features": ["ntp"]}) == ["ntp"]


def test_render_ios_features() -> None:
    variables = {
        "net_ntp_servers": ["192.0.2.1"],
        "net_interfaces": [
            {"name": "Gi0/1", "description": "users", "ipv4": "10.0.0.1/24", "shutdown": True}
        ],
        "net_acls": [{"name": "EDGE", "entries": ["permit tcp any any eq 22"]}],
        "net_banner": "Hello\n\nWorld\n",
    }
    intended = render_device("sw01", "cisco_ios", variables)
    assert intended.features["hostname"] == "hostname sw01\n"
    assert intended.features["interfaces"] == (
        "interface Gi0/1\n description users\n ip address 10.0.0.1 255.255.255.0\n shutdown\n"
    )
    assert intended.features["acls"] == "ip access-list extended EDGE\n permit tcp any any eq 22\n"
    assert intended.features["banner"] == "banner motd ^C\nHello\n\nWorld\n^C\n"


def test_render_vrp_features() -> None:
    variables = {
        "net_vlans": [{"id": 10, "name": "USERS"}, {"id": 20}],
        "net_snmp_communities": [{"name": "c1", "acl": 2000}],
    }
    intended = render_device("rt01", "huawei_vrp", variables)
    assert intended.features["vlans"] == "vlan batch 10 20\nvlan 10\n description USERS\n"
    assert intended.features["snmp"] == "snmp-agent\nsnmp-agent community read cipher c1 acl 2000\n"


def test_bad_variables_are_usage_errors_naming_the_device() -> None:
    with pytest.raises(UsageError, match=r"sw01: cannot render cisco_ios/interfaces\.j2"):
        render_device("sw01", "cisco_ios", {"net_interfaces": [{"description": "no name"}]})


def test_netmask_filter() -> None:
    assert netmask("192.0.2.1/30") == "192.0.2.1 255.255.255.252"
    assert netmask("192.0.2.1 255.255.255.0") == "192.0.2.1 255.255.255.0"


@pytest.mark.parametrize(
    ("platform", "model"),
    [("cisco_ios", ""), ("cisco_ios", "CISCO2911/K9"), ("huawei_vrp", "")],
)
def test_derived_variables_reproduce_the_lab_initial_config(platform: str, model: str) -> None:
    spec = DeviceSpec(
        name="dev9", platform=platform, port=3999, username="admin", password="Pw-123456", model=model
    )  # type: ignore[arg-type]
    config = render_config(initial_config(spec), platform)
    for variables in (derive_vars(config, platform), lab_net_vars(spec)):
        intended = render_device("dev9", platform, variables)
        assert len(intended.features) == (8 if model else 9)  # a router has no VLANs
        result = check_device("dev9", platform, config, intended.features)
        assert result.status is DeviceStatus.COMPLIANT, [
            (f.feature, f.missing, f.extra) for f in result.features
        ]
        assert plan("dev9", platform, config, intended.features).empty


def test_lab_vars_hold_plain_secrets_and_the_management_contract() -> None:
    spec = DeviceSpec(name="sw9", platform="cisco_ios", port=3998, username="ops", password="Pw-abcdef")
    variables = lab_net_vars(spec)
    assert variables["net_enable_secret"] == "Pw-abcdef"
    assert variables["net_local_users"][0]["secret"] == "Pw-abcdef"
    assert variables["net_mgmt_interface"] == "FastEthernet0"
    assert variables["net_mgmt_acl"] == "MGMT-ACCESS"
    vrp = lab_net_vars(
        DeviceSpec(name="rt9", platform="huawei_vrp", port=3997, username="ops", password="Pw-abcdef")
    )
    assert vrp["net_mgmt_interface"] == "GigabitEthernet0/0/0"
    assert str(vrp["net_mgmt_acl"]) == "2000"
