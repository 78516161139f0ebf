"""Facts parsing (ntc-templates) from the outputs the lab devices print, and a real IOS sample."""

from __future__ import annotations

import pytest

from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.ios_show import show_version
from opsbook.lab.devices.spec import DeviceSpec
from opsbook.lab.devices.vrp_show import display_elabel, display_esn, display_version
from opsbook.network.facts import parse_facts


def _state(spec: DeviceSpec) -> DeviceState:
    config = initial_config(spec)
    return DeviceState(spec=spec, running=config, startup=config.copy(), booted_at=0.0, clock=lambda: 3600.0)


@pytest.mark.parametrize("model", ["WS-C2960X-24TS-L", "CISCO2911/K9"])
def test_ios_facts(model: str) -> None:
    spec = DeviceSpec(name="sw1", platform="cisco_ios", port=3001, username="a", password="b", model=model)
    facts = parse_facts("sw1", "cisco_ios", show_version(_state(spec)))
    assert (facts.vendor, facts.model, facts.serial, facts.version) == (
        "Cisco",
        model,
        spec.serial,
        spec.version,
    )
    assert facts.hostname == "sw1"
    assert facts.register_fields() == {
        "asset_vendor": "Cisco",
        "asset_model": model,
        "asset_serial": spec.serial,
        "asset_os": "cisco_ios",
        "asset_os_version": spec.version,
    }


def test_vrp_facts_serial_from_esn_or_elabel() -> None:
    spec = DeviceSpec(name="rt1", platform="huawei_vrp", port=3002, username="a", password="b")
    state = _state(spec)
    for serial_output in (display_esn(state), display_elabel(state)):
        facts = parse_facts("rt1", "huawei_vrp", display_version(state), serial_output)
        assert (facts.vendor, facts.model, facts.serial, facts.version) == (
            "Huawei",
            spec.model,
            spec.serial,
            spec.version,
        )


REAL_IOS = """\
Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E4, \
RELEASE SOFTWARE (fc2)
Technical Support: http://www.cisco.com/techsupport
ROM: Bootstrap program is C2960X boot loader
core-sw1 uptime is 1 year, 2 weeks, 3 days, 4 hours, 5 minutes
System returned to ROM by power-on
System image file is "flash:/c2960x-universalk9-mz.152-7.E4/c2960x-universalk9-mz.152-7.E4.bin"
cisco WS-C2960X-48FPD-L (APM86XXX) processor (revision B0) with 524288K bytes of memory.
Processor board ID FOC1234X5YZ
Configuration register is 0xF
"""


def test_real_ios_sample() -> None:
    facts = parse_facts("core-sw1", "ios", REAL_IOS)
    assert (facts.model, facts.serial, facts.version, facts.hostname) == (
        "WS-C2960X-48FPD-L",
        "FOC1234X5YZ",
        "15.2(7)E4",
        "core-sw1",
    )
