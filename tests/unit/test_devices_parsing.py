"""Command grammars, output filters, input lines, interface names, passwords, specs, logins."""

from __future__ import annotations

import pytest

from opsbook.errors import OpsbookError
from opsbook.lab.devices.auth import ios_enable_ok, ios_login, vrp_login
from opsbook.lab.devices.config import parse_config
from opsbook.lab.devices.grammar import Grammar, Match, ParseError, caret_line
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.interfaces import normalize_interface, short_interface
from opsbook.lab.devices.lines import CTRL_Z, LineReader
from opsbook.lab.devices.passwords import type7_decode, type7_encode, verify_md5_crypt
from opsbook.lab.devices.pipes import PipeError, apply_filters, split_pipes
from opsbook.lab.devices.spec import DeviceSpec, validate_specs
from opsbook.network.secrets import md5_crypt

GRAMMAR = Grammar(
    [
        ("show version", "ver"),
        ("show running-config", "run"),
        ("show running-config interface <iface>", "run_int"),
        ("show ip interface brief", "brief"),
        ("show ipv6 interface", "v6"),
        ("ssh <rest>", "ssh"),
        ("description <rest>", "desc"),
        ("vlan <int>", "vlan"),
        ("logging buffered <int>", "buffered"),
        ("logging <rest>", "logging"),
    ],
    lambda name: normalize_interface(name, "cisco_ios"),
)


def _match(line: str) -> Match:
    result = GRAMMAR.match(line)
    assert isinstance(result, Match), result
    return result


def test_unique_prefixes_expand_to_full_keywords() -> None:
    assert _match("sh ver").text == "show version"
    assert _match("sh ip int br").text == "show ip interface brief"
    assert _match("SHOW VERSION").action == "ver"


def test_exact_keyword_beats_longer_keyword_and_placeholder() -> None:
    assert _match("show ip interface brief").action == "brief"
    assert _match("logging buffered 4096").action == "buffered"
    assert _match("logging host 1.2.3.4").action == "logging"


def test_interface_names_are_normalised_also_when_split_in_two() -> None:
    assert _match("sh run int gi1/0/1").args == ("GigabitEthernet1/0/1",)
    assert _match("show running-config interface GigabitEthernet 1/0/2").args == ("GigabitEthernet1/0/2",)


def test_rest_keeps_the_text_verbatim() -> None:
    assert _match("description  two  spaces ").args == ("two  spaces",)


def test_errors_say_where_and_why() -> None:
    assert GRAMMAR.match("s") == ParseError("ambiguous", 0)
    assert GRAMMAR.match("show") == ParseError("incomplete", 4)
    assert GRAMMAR.match("shw version") == ParseError("invalid", 2)
    assert GRAMMAR.match("show versoin") == ParseError("invalid", 9)
    assert GRAMMAR.match("vlan ten") == ParseError("invalid", 5)
    assert GRAMMAR.match("show version extra") == ParseError("invalid", 13)
    assert caret_line("sw01#", 2) == "       ^"


@pytest.mark.parametrize(
    ("name", "platform", "full"),
    [
        ("gi1/0/1", "cisco_ios", "GigabitEthernet1/0/1"),
        ("Fa0", "cisco_ios", "FastEthernet0"),
        ("te1/1/1", "cisco_ios", "TenGigabitEthernet1/1/1"),
        ("lo0", "cisco_ios", "Loopback0"),
        ("po1", "cisco_ios", "Port-channel1"),
        ("GE0/0/1", "huawei_vrp", "GigabitEthernet0/0/1"),
        ("g0/0/1", "huawei_vrp", "GigabitEthernet0/0/1"),
        ("loopback0", "huawei_vrp", "LoopBack0"),
        ("vlanif10", "huawei_vrp", "Vlanif10"),
        ("eth-trunk1", "huawei_vrp", "Eth-Trunk1"),
        ("nonsense", "cisco_ios", None),
    ],
)
def test_interface_normalisation(name: str, platform: str, full: str | None) -> None:
    assert normalize_interface(name, platform) == full


def test_short_interface_names() -> None:
    assert short_interface("GigabitEthernet1/0/1", "cisco_ios") == "Gi1/0/1"
    assert short_interface("GigabitEthernet0/0/1", "huawei_vrp") == "GE0/0/1"


OUTPUT = (
    "hostname sw01\ninterface Gi1\n description a\n shutdown\ninterface Gi2\n description b\n"
    "ntp server 1.1.1.1\n"
)


def _filter(line: str) -> str:
    _, filters = split_pipes(line, "cisco_ios")
    return apply_filters(OUTPUT, filters)


def test_include_exclude_begin_count() -> None:
    assert _filter("show run | include description") == " description a\n description b\n"
    assert _filter("show run | i ^host|^ntp") == "hostname sw01\nntp server 1.1.1.1\n"
    assert (
        _filter("show run | exclude ^\\s")
        == "hostname sw01\ninterface Gi1\ninterface Gi2\nntp server 1.1.1.1\n"
    )
    assert _filter("show run | begin Gi2") == "interface Gi2\n description b\nntp server 1.1.1.1\n"
    assert _filter("show run | count desc") == "Number of lines which match regexp = 2\n"
    assert _filter("show run | include nothing-matches") == ""


def test_section_prints_matching_blocks_and_matching_children() -> None:
    assert _filter("show run | section ^interface Gi1") == "interface Gi1\n description a\n shutdown\n"
    assert _filter("show run | section description b") == " description b\n"


def test_filters_chain_and_split_from_the_command() -> None:
    command, filters = split_pipes("sh run | i desc | ex b", "cisco_ios")
    assert command == "sh run"
    assert [f.name for f in filters] == ["include", "exclude"]
    assert apply_filters(OUTPUT, filters) == " description a\n"


def test_bad_filters_point_at_the_problem() -> None:
    with pytest.raises(PipeError) as unknown:
        split_pipes("show run | frobnicate x", "cisco_ios")
    assert unknown.value.offset == 11
    with pytest.raises(PipeError):
        split_pipes("show run | include", "cisco_ios")
    with pytest.raises(PipeError):
        split_pipes("display current-configuration | section x", "huawei_vrp")


def test_line_reader_handles_cr_lf_crlf_across_reads_and_control_keys() -> None:
    reader = LineReader()
    assert reader.feed("show ver\r") == ["show ver"]
    assert reader.feed("\nterm len 0\n") == ["term len 0"]
    assert reader.feed("a\r\nb\rc\n\r\n") == ["a", "b", "c", ""]
    assert reader.feed("shox\x7fw clock\r") == ["show clock"]
    assert reader.feed("garbage\x03conf t\n") == ["conf t"]
    assert reader.feed("desc x\x1a") == [CTRL_Z]


def test_md5_crypt_matches_the_reference_and_type7_round_trips() -> None:
    # openssl passwd -1 -salt abcd password
    assert md5_crypt("password", "abcd") == "$1$abcd$ABOCfICGTWeBeG/njucVA1"
    assert verify_md5_crypt("password", "$1$abcd$ABOCfICGTWeBeG/njucVA1")
    assert not verify_md5_crypt("Password", "$1$abcd$ABOCfICGTWeBeG/njucVA1")
    assert type7_encode("cisco", 2) == "02050D480809"
    assert type7_decode("02050D480809") == "cisco"
    assert type7_encode("", 2) == "02" and type7_decode("02") == ""
    assert type7_decode("0") is None and type7_decode("xx0D") is None and type7_decode("02ZZ") is None


def _spec(platform: str, **kw: object) -> DeviceSpec:
    return DeviceSpec(name="d1", platform=platform, port=3401, username="admin", password="Pw-1", **kw)  # type: ignore[arg-type]


def test_spec_defaults_depend_on_platform() -> None:
    ios, vrp = _spec("cisco_ios"), _spec("huawei_vrp")
    assert (ios.hostname, ios.model, ios.version) == ("d1", "WS-C2960X-24TS-L", "15.2(7)E4")
    assert vrp.model == "AR2220E" and vrp.version.startswith("V200R")
    assert ios.serial.startswith("FOC") and ios.serial == _spec("cisco_ios").serial
    assert ios.enable_secret == "Pw-1"


def test_spec_validation_names_the_problem() -> None:
    with pytest.raises(OpsbookError, match="unknown platform"):
        _spec("junos")
    with pytest.raises(OpsbookError, match="both use port 3401"):
        validate_specs(
            [
                _spec("cisco_ios"),
                DeviceSpec(name="d2", platform="cisco_ios", port=3401, username="a", password="b"),
            ]
        )
    with pytest.raises(OpsbookError, match="used twice"):
        validate_specs([_spec("cisco_ios"), _spec("huawei_vrp", hostname="x")])


def test_logins_are_checked_against_the_configured_local_users() -> None:
    ios = initial_config(_spec("cisco_ios", privilege=7))
    assert ios_login(ios, "admin", "Pw-1") == 7
    assert ios_login(ios, "admin", "wrong") is None
    assert ios_login(ios, "nobody", "Pw-1") is None
    assert ios_enable_ok(ios, "Pw-1") is True
    assert ios_enable_ok(parse_config("hostname x\n", "cisco_ios"), "x") is None
    vrp = initial_config(_spec("huawei_vrp"))
    assert vrp_login(vrp, "admin", "Pw-1") == 15
    assert vrp_login(vrp, "admin", "nope") is None
