"""The network modules' shared part (module_utils/opsbook_net.py, doc_fragments/opsbook_net.py):
one argument spec, documented once, the device it describes — and the modules still agree with
their documentation and run under real Ansible with the shared part shipped along.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ansible.module_utils import opsbook_net
from ansible_modules import ROOT, load_module, run_module_with_ansible

MODULES = {
    "opsbook_net_push": "library/opsbook_net_push.py",
    "opsbook_net_compliance": "library/opsbook_net_compliance.py",
    "opsbook_net_backup": "library/opsbook_net_backup.py",
    "net_interface": "playbooks/emergency/library/net_interface.py",
}


class _SpecSeen(Exception):
    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__("argument spec captured")
        self.spec = spec


def _argument_spec(relative_path: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    module = load_module(relative_path)

    def capture(*, argument_spec: dict[str, Any], **_: Any) -> None:
        raise _SpecSeen(argument_spec)

    monkeypatch.setattr(module, "AnsibleModule", capture)
    with pytest.raises(_SpecSeen) as seen:
        module.main()
    return seen.value.spec


def _documented_options(name: str, relative_path: str) -> dict[str, Any]:
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    folder = str((ROOT / relative_path).parent)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-doc"), "--json", "-M", folder, "-t", "module", name],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    options: dict[str, Any] = json.loads(proc.stdout)[name]["doc"]["options"]
    return options


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_option_is_documented_with_its_type_and_the_shared_ones_come_from_the_fragment(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _argument_spec(MODULES[name], monkeypatch)
    documented = _documented_options(name, MODULES[name])
    assert set(documented) == set(spec)
    for option, rules in spec.items():
        assert documented[option]["type"] == rules["type"], option
        assert bool(documented[option].get("required")) == bool(rules.get("required")), option
    if name == "opsbook_net_backup":  # stores configs; takes no device to connect to
        return
    shared = {**opsbook_net.DEVICE_OPTIONS, **opsbook_net.CONNECTION_OPTIONS}
    for option in set(spec) & set(shared):
        assert spec[option] == shared[option], option
    source = (ROOT / MODULES[name]).read_text()
    assert "  - opsbook_net.device\n" in source
    assert "description: The device name" not in source  # documented once, in the fragment


def test_argument_spec_puts_the_shared_options_first_and_keeps_passwords_out_of_logs() -> None:
    spec = opsbook_net.argument_spec({"save": {"type": "bool", "default": False}}, connection=True)
    assert list(spec) == ["device", "platform", "host", "port", "username", "password", "secret", "save"]
    assert spec["password"]["no_log"] is True
    assert spec["secret"]["no_log"] is True
    assert list(opsbook_net.argument_spec({}, device=False)) == []


def test_net_device_resolves_the_platform_alias_and_defaults_the_secret_to_the_password() -> None:
    params = {
        "device": "sw01",
        "platform": "cisco.ios.ios",
        "host": "127.0.0.1",
        "port": 5501,
        "username": "admin",
        "password": "pw",
        "secret": None,
    }
    device = opsbook_net.net_device(params, variables={"net_hostname": "sw01"})
    assert (device.name, device.platform, device.port, device.secret) == ("sw01", "cisco_ios", 5501, "pw")
    assert dict(device.vars) == {"net_hostname": "sw01"}
    assert (
        opsbook_net.net_device({**params, "secret": "en"}, platform_name="huawei_vrp").platform
        == "huawei_vrp"
    )
    assert opsbook_net.net_device({**params, "secret": "en"}).secret == "en"


def test_missing_opsbook_names_the_import_error() -> None:
    assert opsbook_net.missing_opsbook("") == ""
    assert opsbook_net.missing_opsbook() == ""  # this Python has opsbook
    assert opsbook_net.missing_opsbook("No module named 'opsbook'") == (
        "the opsbook Python package is needed on the controller: No module named 'opsbook'"
    )


def test_a_module_runs_under_ansible_with_the_shared_part_and_rejects_a_bad_platform() -> None:
    out = run_module_with_ansible(
        "opsbook_net_push",
        {
            "device": "sw01",
            "platform": "junos",
            "host": "127.0.0.1",
            "username": "admin",
            "password": "Not-Shown-1",
        },
        check=True,
    )
    assert out["failed"] is True
    assert "Unknown network platform 'junos'" in out["msg"]
    assert "Not-Shown-1" not in json.dumps(out)
