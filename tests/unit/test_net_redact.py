"""Redaction: every named rule of each platform removes its secret, keeps the rest of the line."""

from __future__ import annotations

import pytest

from opsbook.network.redact import REDACTED, RULES, redact, redact_line, scrub, secret_values

CANARY = "Canary-7f3a9c"

# rule name → (line holding CANARY, parent section, expected redacted line)
IOS_CASES: dict[str, tuple[str, str, str]] = {
    "enable-secret": (f"enable secret 5 {CANARY}", "", f"enable secret {REDACTED}"),
    "username-secret": (
        f"username admin privilege 15 secret 9 {CANARY}",
        "",
        f"username admin privilege 15 secret {REDACTED}",
    ),
    "snmp-community": (
        f"snmp-server community {CANARY} RO MGMT",
        "",
        f"snmp-server community {REDACTED} RO MGMT",
    ),
    "snmp-host-community": (
        f"snmp-server host 192.0.2.9 version 2c {CANARY}",
        "",
        f"snmp-server host 192.0.2.9 version 2c {REDACTED}",
    ),
    "snmp-user-auth": (
        f"snmp-server user ops OPS v3 auth sha {CANARY} priv aes 128 {CANARY}x",
        "",
        f"snmp-server user ops OPS v3 auth sha {REDACTED} priv aes 128 {REDACTED}",
    ),
    "snmp-user-priv": (
        f"snmp-server user ops OPS v3 auth md5 a{CANARY} priv des {CANARY}",
        "",
        f"snmp-server user ops OPS v3 auth md5 {REDACTED} priv des {REDACTED}",
    ),
    "tacacs-key": (f"tacacs-server key 7 {CANARY}", "", f"tacacs-server key {REDACTED}"),
    "aaa-server-key": (f" key 7 {CANARY}", "tacacs server TAC1", f" key {REDACTED}"),
    "key-string": (f"  key-string 7 {CANARY}", "key chain OSPF", f"  key-string {REDACTED}"),
    "ospf-auth-key": (
        f" ip ospf authentication-key 7 {CANARY}",
        "interface Gi0/1",
        f" ip ospf authentication-key {REDACTED}",
    ),
    "ospf-md5-key": (
        f" ip ospf message-digest-key 1 md5 7 {CANARY}",
        "interface Gi0/1",
        f" ip ospf message-digest-key 1 md5 {REDACTED}",
    ),
    "bgp-neighbor-password": (
        f" neighbor 192.0.2.1 password 7 {CANARY}",
        "router bgp 65000",
        f" neighbor 192.0.2.1 password {REDACTED}",
    ),
    "isakmp-key": (
        f"crypto isakmp key 6 {CANARY} address 192.0.2.1",
        "",
        f"crypto isakmp key {REDACTED} address 192.0.2.1",
    ),
    "pre-shared-key": (
        f" pre-shared-key local 6 {CANARY}",
        "crypto ikev2 keyring K",
        f" pre-shared-key local {REDACTED}",
    ),
    "ppp-password": (f" ppp chap password 7 {CANARY}", "interface Dialer1", f" ppp chap password {REDACTED}"),
    "line-password": (f" password 7 {CANARY}", "line vty 0 4", f" password {REDACTED}"),
}

VRP_CASES: dict[str, tuple[str, str, str]] = {
    "local-user-password": (
        f" local-user admin password irreversible-cipher {CANARY}",
        "aaa",
        f" local-user admin password {REDACTED}",
    ),
    "snmp-agent-community": (
        f"snmp-agent community read cipher {CANARY} acl 2000",
        "",
        f"snmp-agent community read {REDACTED} acl 2000",
    ),
    "snmp-agent-usm-auth": (
        f"snmp-agent usm-user v3 ops authentication-mode sha cipher {CANARY}",
        "",
        f"snmp-agent usm-user v3 ops authentication-mode sha {REDACTED}",
    ),
    "snmp-agent-usm-priv": (
        f"snmp-agent usm-user v3 ops privacy-mode aes128 cipher {CANARY}",
        "",
        f"snmp-agent usm-user v3 ops privacy-mode aes128 {REDACTED}",
    ),
    "snmp-agent-securityname": (
        f"snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname cipher {CANARY}",
        "",
        f"snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname {REDACTED}",
    ),
    "hwtacacs-shared-key": (
        f" hwtacacs-server shared-key cipher {CANARY}",
        "hwtacacs-server template T",
        f" hwtacacs-server shared-key {REDACTED}",
    ),
    "radius-shared-key": (
        f" radius-server shared-key cipher {CANARY}",
        "radius-server template R",
        f" radius-server shared-key {REDACTED}",
    ),
    "super-password": (f"super password level 15 cipher {CANARY}", "", f"super password level 15 {REDACTED}"),
    "user-interface-password": (
        f" set authentication password cipher {CANARY}",
        "user-interface con 0",
        f" set authentication password {REDACTED}",
    ),
    "routing-auth-key": (
        f" ospf authentication-mode md5 1 cipher {CANARY}",
        "interface GigabitEthernet0/0/1",
        f" ospf authentication-mode md5 1 {REDACTED}",
    ),
    "routing-auth-simple": (
        f"  authentication-mode simple plain {CANARY}",
        "ospf 1",
        f"  authentication-mode simple {REDACTED}",
    ),
    "pre-shared-key": (f" pre-shared-key cipher {CANARY}", "ike peer P", f" pre-shared-key {REDACTED}"),
    "bgp-peer-password": (
        f" peer 192.0.2.1 password cipher {CANARY}",
        "bgp 65000",
        f" peer 192.0.2.1 password {REDACTED}",
    ),
}


def test_every_rule_has_a_case() -> None:
    assert {r.name for r in RULES["cisco_ios"]} == set(IOS_CASES)
    assert {r.name for r in RULES["huawei_vrp"]} == set(VRP_CASES)


@pytest.mark.parametrize("rule", sorted(IOS_CASES))
def test_ios_rule(rule: str) -> None:
    line, parent, expected = IOS_CASES[rule]
    out, applied = redact_line(line, "cisco_ios", parent)
    assert out == expected
    assert rule in applied
    assert CANARY not in out


@pytest.mark.parametrize("rule", sorted(VRP_CASES))
def test_vrp_rule(rule: str) -> None:
    line, parent, expected = VRP_CASES[rule]
    out, applied = redact_line(line, "huawei_vrp", parent)
    assert out == expected
    assert rule in applied
    assert CANARY not in out


def test_negated_lines_are_redacted_too() -> None:
    assert (
        redact_line(f"no snmp-server community {CANARY} RO", "cisco_ios")[0]
        == f"no snmp-server community {REDACTED} RO"
    )
    assert CANARY not in redact_line(f"undo snmp-agent community read cipher {CANARY}", "huawei_vrp")[0]


def test_safety_net_catches_unknown_secret_forms() -> None:
    out, applied = redact_line(f"ip ftp password {CANARY}", "cisco_ios")
    assert applied == ["safety-net"] and CANARY not in out
    out, applied = redact_line(f"ftp client-source cipher {CANARY}", "huawei_vrp")
    assert applied == ["safety-net"] and CANARY not in out


@pytest.mark.parametrize(
    ("line", "platform"),
    [
        ("service password-encryption", "cisco_ios"),
        ("security passwords min-length 8", "cisco_ios"),
        ("key chain OSPF", "cisco_ios"),
        (" key 1", "cisco_ios"),
        ("aaa authentication login default local", "cisco_ios"),
        ("snmp-agent community complexity-check disable", "huawei_vrp"),
        (" authentication-mode aaa", "huawei_vrp"),
        ("hostname sw01", "cisco_ios"),
    ],
)
def test_lines_without_secrets_are_untouched(line: str, platform: str) -> None:
    assert redact_line(line, platform, "key chain OSPF" if line == " key 1" else "") == (line, [])


def test_whole_config_redaction_uses_parent_sections() -> None:
    text = (
        f"line vty 0 4\n password 7 {CANARY}\n transport input ssh\n"
        "interface Gi0/1\n description password-free\n"
    )
    out = redact(text, "cisco_ios")
    assert CANARY not in out
    assert " transport input ssh" in out and " description password-free" in out


def test_secret_values_report_encoding_and_value() -> None:
    assert secret_values("username admin privilege 15 secret 5 $1$ab$cd", "cisco_ios") == [("5", "$1$ab$cd")]
    assert secret_values(" local-user admin password irreversible-cipher $1c$x$", "huawei_vrp") == [
        ("irreversible-cipher", "$1c$x$")
    ]


def test_scrub_replaces_known_values_in_free_text() -> None:
    assert scrub(f"login failed for {CANARY}!", [CANARY, ""]) == f"login failed for {REDACTED}!"


@pytest.mark.parametrize(("platform", "cases"), [("cisco_ios", IOS_CASES), ("huawei_vrp", VRP_CASES)])
def test_redaction_is_idempotent(platform: str, cases: dict[str, tuple[str, str, str]]) -> None:
    for _line, parent, expected in cases.values():
        assert redact_line(expected, platform, parent)[0] == expected
