"""Network devices from ansible-inventory JSON."""

from __future__ import annotations

import pytest

from opsbook.errors import UsageError
from opsbook.network.inventory import devices_from_inventory

DATA = {
    "_meta": {
        "hostvars": {
            "sw01": {
                "ansible_host": "127.0.0.1",
                "ansible_port": 3501,
                "ansible_user": "admin",
                "ansible_password": "pw-1",
                "ansible_network_os": "cisco.ios.ios",
                "net_hostname": "{{ inventory_hostname }}-core",
                "net_snmp_communities": [{"name": "comm-1"}],
            },
            "rt01": {
                "ansible_port": "3502",
                "ansible_user": "admin",
                "ansible_password": "pw-2",
                "netmiko_device_type": "huawei",
            },
            "web01": {"ansible_host": "127.0.0.1", "asset_os": "debian"},
        }
    },
    "all": {"children": ["ungrouped"]},
}


def test_devices_are_recognised_by_platform_variables() -> None:
    devices = devices_from_inventory(DATA)
    assert [(d.name, d.platform, d.port) for d in devices] == [
        ("rt01", "huawei_vrp", 3502),
        ("sw01", "cisco_ios", 3501),
    ]
    sw01 = devices[1]
    assert sw01.vars["net_hostname"] == "sw01-core"
    assert "pw-1" in sw01.secrets() and "comm-1" in sw01.secrets()
    assert "pw-1" not in repr(sw01)


def test_vault_values_are_refused_with_a_hint() -> None:
    data = {
        "_meta": {
            "hostvars": {
                "sw01": {
                    "ansible_network_os": "ios",
                    "net_enable_secret": {"__ansible_vault": "$ANSIBLE_VAULT;1.1"},
                }
            }
        }
    }
    with pytest.raises(UsageError, match="vault-encrypted"):
        devices_from_inventory(data)


def test_undefined_variable_in_net_vars_is_a_usage_error() -> None:
    data = {"_meta": {"hostvars": {"sw01": {"ansible_network_os": "ios", "net_hostname": "{{ nope }}"}}}}
    with pytest.raises(UsageError, match="sw01: cannot render variable net_hostname"):
        devices_from_inventory(data)
