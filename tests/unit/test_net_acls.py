"""Sequence-aware IOS ACL remediation (issue 12: a hand-added ACL entry gave a renumbering plan
that was applied, found still drifted and rolled back, for ever).

On the config text: the plan's commands, and a model of how IOS numbers ACL entries that
applies them; on the lab device's IOS dialect (pure, no SSH): hand-edit, plan from
``show running-config``, apply, compliant.
"""

from __future__ import annotations

import itertools
import re

import pytest

from opsbook.lab.devices.device import DeviceState
from opsbook.lab.devices.initial import initial_config
from opsbook.lab.devices.ios import IosSession
from opsbook.lab.devices.spec import DeviceSpec
from opsbook.network.acls import edit_commands, entry_slots, lcs_pairs
from opsbook.network.compliance import DeviceStatus, check_device
from opsbook.network.remediation import plan

INTENDED = {
    "acls": (
        "ip access-list standard MGMT-ACCESS\n"
        " permit 192.0.2.0 0.0.0.255\n"
        " deny any log\n"
        "ip access-list extended USERS-IN\n"
        " permit udp any any eq bootps\n"
        " permit ip 10.10.0.0 0.0.0.255 any\n"
        " deny ip any any log\n"
    )
}


def ios_apply(entries: dict[int, str], commands: list[str]) -> dict[int, str]:
    """How IOS treats the plan's lines: resequence, ``no N``, ``N entry`` (a model)."""
    acl = dict(entries)
    for line in (c.strip() for c in commands):
        if m := re.fullmatch(r"ip access-list resequence \S+ (\d+) (\d+)", line):
            start, step = int(m[1]), int(m[2])
            acl = {start + i * step: e for i, (_, e) in enumerate(sorted(acl.items()))}
        elif m := re.fullmatch(r"no (\d+)", line):
            assert int(m[1]) in acl, f"no such entry {m[1]}"
            del acl[int(m[1])]
        elif m := re.fullmatch(r"(\d+) (.+)", line):
            assert int(m[1]) not in acl, "% Duplicate sequence number"
            acl[int(m[1])] = m[2]
    return acl


def test_a_hand_added_entry_is_removed_by_its_number_after_a_resequence() -> None:
    running = [
        "permit udp any any eq bootps",
        "permit tcp any any eq 22",
        "permit ip any any",
        "deny ip any any",
    ]
    wanted = [running[0], running[2], running[3]]
    commands = edit_commands("ip access-list extended X", running, wanted)
    assert commands == [
        "ip access-list resequence X 10 10",
        "ip access-list extended X",
        "  no 20",
        "  exit",
        "ip access-list resequence X 10 10",
    ]


def test_a_missing_entry_goes_between_its_neighbours() -> None:
    wanted = ["permit a", "permit b", "deny c"]
    commands = edit_commands("ip access-list standard X", ["permit a", "deny c"], wanted)
    assert "  15 permit b" in commands
    assert not [c for c in commands if c.startswith("  no ")]  # kept entries are never removed


def test_many_entries_between_two_kept_ones_get_room() -> None:
    wanted = ["permit a", *(f"permit n{i}" for i in range(25)), "deny z"]
    commands = edit_commands("ip access-list extended X", ["permit a", "deny z"], wanted)
    assert commands[0] == "ip access-list resequence X 30 30"
    numbered = {int(c.split()[0]): c for c in commands if re.match(r"^  \d+ ", c)}
    assert len(numbered) == 25 and all(30 < n < 60 for n in numbered)


def test_equal_entries_need_no_commands() -> None:
    assert edit_commands("ip access-list extended X", ["permit a"], ["permit a"]) == []


ALPHABET = ["permit a", "permit b", "deny c", "permit d"]


def _lists() -> list[list[str]]:
    out: list[list[str]] = []
    for size in range(len(ALPHABET) + 1):
        out += [list(p) for p in itertools.permutations(ALPHABET, size)]
    return out


def test_the_commands_converge_for_every_small_pair_of_entry_lists() -> None:
    """Whatever the device's numbers are (here: hand-edited, irregular), applying the commands
    gives exactly the intended entries in the intended order."""
    lists = _lists()
    for running in lists[::3]:
        irregular = {n: e for n, e in zip((3, 7, 8, 41), running, strict=False)}
        for wanted in lists:
            result = ios_apply(irregular, edit_commands("ip access-list extended X", running, wanted))
            assert [e for _, e in sorted(result.items())] == wanted, (running, wanted)


def test_lcs_keeps_the_order() -> None:
    assert lcs_pairs(["a", "b", "c"], ["a", "c"]) == [(0, 0), (2, 1)]
    assert lcs_pairs([], ["a"]) == []


# -- on the lab device's IOS dialect (pure logic, no SSH) ------------------------------------


def _switch() -> IosSession:
    spec = DeviceSpec("sw01", "cisco_ios", 3401, "admin", "Lab-Pass-1")
    config = initial_config(spec)
    dev = DeviceState(spec, config, config.copy(), booted_at=0.0, clock=lambda: 1_764_237_600.0)
    session = IosSession(dev, "admin", "127.0.0.1", 15)
    session.handle("terminal length 0")
    return session


def _configure(session: IosSession, lines: list[str]) -> None:
    for line in ["configure terminal", *lines, "end"]:
        reply = session.handle(line)
        assert "%" not in reply.output, (line, reply.output)


@pytest.mark.parametrize(
    "hand_edit",
    [
        ["15 permit tcp any any eq 22"],  # between two entries (classic IOS shows no numbers)
        ["permit tcp any any eq 22"],  # at the end, after the deny
        ["no 20"],  # an intended entry removed by hand
        ["no 10", "5 permit tcp any any eq 22", "100 permit udp any any eq bootps"],  # moved
    ],
)
def test_hand_edited_acl_is_remediated_to_compliant_on_the_ios_dialect(hand_edit: list[str]) -> None:
    session = _switch()
    _configure(session, ["ip access-list extended USERS-IN", *hand_edit, "exit"])
    running = session.handle("show running-config").output
    drift = check_device("sw01", "cisco_ios", running, INTENDED)
    assert drift.status is DeviceStatus.DRIFTED
    p = plan("sw01", "cisco_ios", running, INTENDED)
    assert p.features == ["acls"]
    _configure(session, p.send_lines())
    after = session.handle("show running-config").output
    assert check_device("sw01", "cisco_ios", after, INTENDED).status is DeviceStatus.COMPLIANT
    assert plan("sw01", "cisco_ios", after, INTENDED).empty  # converged: nothing left to do
    # and the rollback brings the hand-edited entries back, in their order
    _configure(session, p.rollback_lines())
    assert (
        plan("sw01", "cisco_ios", session.handle("show running-config").output, INTENDED).commands
        == p.commands
    )


def test_compliance_names_the_hand_added_entry_only() -> None:
    session = _switch()
    _configure(session, ["ip access-list extended USERS-IN", "15 permit tcp any any eq 22", "exit"])
    result = check_device("sw01", "cisco_ios", session.handle("show running-config").output, INTENDED)
    acl = next(f for f in result.features if f.feature == "acls")
    assert acl.extra == ["ip access-list extended USERS-IN", " permit tcp any any eq 22"]
    assert acl.missing == []


def test_ios_xe_sequence_numbers_in_the_running_config_are_compared_by_order() -> None:
    running = (
        "hostname sw01\nip access-list extended A\n 10 permit tcp any any eq www\n"
        " 15 permit tcp any any eq 22\n 20 deny ip any any\n"
    )
    intended = {"acls": "ip access-list extended A\n permit tcp any any eq 80\n deny ip any any\n"}
    acl = next(
        f for f in check_device("sw01", "cisco_ios", running, intended).features if f.feature == "acls"
    )
    assert acl.extra == ["ip access-list extended A", " permit tcp any any eq 22"] and acl.missing == []
    assert plan("sw01", "cisco_ios", running, intended).send_lines() == [
        "ip access-list resequence A 10 10",
        "ip access-list extended A",
        "no 20",
        "exit",
        "ip access-list resequence A 10 10",
    ]


def test_unnumbered_vrp_rules_take_the_numbers_the_device_gives_them() -> None:
    """VRP numbers ``rule permit …`` itself (step 5): intended without numbers is compliant with
    the device's numbered rules, and a push would not add the rule again and again."""
    running = "sysname rt01\nacl number 3000\n rule 5 permit tcp destination-port eq 443\n rule 10 deny ip\n"
    intended = {"acls": "acl number 3000\n rule permit tcp destination-port eq 443\n rule deny ip\n"}
    assert check_device("rt01", "huawei_vrp", running, intended).status is DeviceStatus.COMPLIANT
    assert plan("rt01", "huawei_vrp", running, intended).empty


def test_a_vrp_rule_is_removed_by_its_number_then_set_again() -> None:
    """`undo rule 5 permit …` would remove conditions from rule 5 on VRP, not the rule."""
    running = "sysname rt01\nacl number 3000\n rule 5 permit tcp destination-port eq 443\n rule 10 deny ip\n"
    intended = {"acls": "acl number 3000\n rule 5 permit tcp destination-port eq 8443\n rule 10 deny ip\n"}
    p = plan("rt01", "huawei_vrp", running, intended)
    assert p.send_lines() == [
        "acl number 3000",
        "undo rule 5",
        "rule 5 permit tcp destination-port eq 8443",
        "quit",
    ]
    assert p.rollback_lines() == [
        "acl number 3000",
        "undo rule 5",
        "rule 5 permit tcp destination-port eq 443",
        "quit",
    ]


def test_the_lab_ios_dialect_numbers_acl_entries_as_classic_ios() -> None:
    """The lab device the lab tests rely on: hidden numbers, insert at N, append, resequence."""
    session = _switch()
    for line in ["configure terminal", "ip access-list extended USERS-IN", "15 permit tcp any any eq 22"]:
        session.handle(line)
    assert "% Duplicate sequence number" in session.handle("15 deny ip any any").output
    session.handle("permit icmp any any")
    session.handle("end")
    acl = session.handle("show access-lists").output.split("Extended IP access list USERS-IN\n", 1)[1]
    assert [line.split()[0] for line in acl.splitlines()] == ["10", "15", "20", "30", "40"]
    assert "15 permit tcp any any eq 22" in acl and "40 permit icmp any any" in acl
    assert " 15 permit" not in session.handle("show running-config").output  # not printed there
    _configure(
        session, ["ip access-list resequence USERS-IN 100 100", "ip access-list extended USERS-IN", "no 200"]
    )
    acl = session.handle("show access-lists").output.split("Extended IP access list USERS-IN\n", 1)[1]
    assert [line.split()[0] for line in acl.splitlines()] == ["100", "300", "400", "500"]
    assert "permit tcp any any eq 22" not in acl


def test_entry_slots_count_remarks_only_when_the_device_numbers_them() -> None:
    classic = "ip access-list extended X\n permit a\n remark for c\n permit c\nline vty 0 4\n"
    assert entry_slots(classic, "ip access-list extended X") == [0, 1]
    xe = "ip access-list extended X\n 10 permit a\n 20 remark for c\n 30 permit c\n!\n"
    assert entry_slots(xe, "ip access-list extended X") == [0, 2]
    assert entry_slots(xe, "ip access-list extended Y") is None


def test_on_ios_xe_numbered_remarks_are_never_addressed() -> None:
    """IOS-XE numbers remarks too: entries are addressed by their own numbers, and an insertion
    goes right after its kept neighbour, before the remark that belongs to the next entry."""
    device = {10: "permit a", 20: "remark for c", 30: "permit c", 40: "permit x", 50: "deny d"}
    raw = "ip access-list extended X\n" + "".join(f" {n} {e}\n" for n, e in device.items())
    running = ["permit a", "permit c", "permit x", "deny d"]
    wanted = ["permit a", "permit b", "permit c", "deny d"]
    commands = edit_commands(
        "ip access-list extended X", running, wanted, entry_slots(raw, "ip access-list extended X")
    )
    assert "  no 40" in commands and "  15 permit b" in commands
    result = ios_apply(device, commands)
    assert [e for _, e in sorted(result.items())] == [
        "permit a",
        "permit b",
        "remark for c",
        "permit c",
        "deny d",
    ]


def test_a_classic_remark_added_by_hand_stays_and_the_entry_goes() -> None:
    session = _switch()
    _configure(
        session,
        ["ip access-list extended USERS-IN", "remark ssh for the admins", "15 permit tcp any any eq 22"],
    )
    running = session.handle("show running-config").output
    p = plan("sw01", "cisco_ios", running, INTENDED)
    _configure(session, p.send_lines())
    after = session.handle("show running-config").output
    assert check_device("sw01", "cisco_ios", after, INTENDED).status is DeviceStatus.COMPLIANT
    assert "remark ssh for the admins" in after and "permit tcp any any eq 22" not in after
