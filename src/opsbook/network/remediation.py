"""Remediation and rollback commands (hier_config), scoped to managed features, mgmt-protected.

* :func:`plan` — the commands that bring a running configuration to the intended one (only the
  features the device manages are touched), and the commands that undo them;
* :func:`restore_plan` — the commands that bring a running configuration back to a stored backup
  (the whole configuration; redacted secret lines are matched against the running ones);
* :func:`management_touches` — the lines of a plan that touch the management interface or the
  management ACL (push refuses them unless explicitly allowed).

Secrets: an intended line whose redacted form equals a running line's redacted form (same
parent) is taken as equal — a plain-text secret is not re-pushed over its own hash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hier_config import HConfig, WorkflowRemediation

from opsbook.network.acls import sequence_aware
from opsbook.network.compliance import interface_names, parse, select_tree
from opsbook.network.features import FEATURES, REMOVABLE_INTERFACES, feature_of
from opsbook.network.normalize import expand_interface
from opsbook.network.pairing import match_secrets
from opsbook.network.platforms import platform
from opsbook.network.redact import redact_lines


@dataclass
class Plan:
    device: str
    platform: str
    #: config-mode lines to send, in order, with section exits (indented for reading).
    commands: list[str] = field(default_factory=list)
    #: config-mode lines that undo ``commands``.
    rollback: list[str] = field(default_factory=list)
    #: the features the commands change.
    features: list[str] = field(default_factory=list)
    #: lines of the target that could not be restored (redacted secrets with no match).
    unrestorable: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.commands

    def send_lines(self) -> list[str]:
        """The commands as sent to the device: without indentation, banners split into lines."""
        return _send_lines(self.commands)

    def rollback_lines(self) -> list[str]:
        return _send_lines(self.rollback)

    def redacted_commands(self) -> list[str]:
        return redact_lines(self.commands, self.platform)

    def redacted_rollback(self) -> list[str]:
        return redact_lines(self.rollback, self.platform)


def _send_lines(lines: Sequence[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += [part.strip() if i == 0 else part for i, part in enumerate(line.split("\n"))]
    return out


# --------------------------------------------------------------------------------------------


def _lines(config: HConfig) -> list[str]:
    return list(config.dump_simple(sectional_exiting=True))


def _workflow(
    device: str, name: str, running: HConfig, target: HConfig, raw: str, **extra: list[str]
) -> Plan:
    """hier_config's remediation and rollback from ``running`` to ``target``, IOS named ACLs
    made sequence-aware (:mod:`opsbook.network.acls`; ``raw``: the device's own text of
    ``running``, which tells where remarks sit in its numbering)."""
    workflow = WorkflowRemediation(running, target)
    remediation = workflow.remediation_config
    commands, rollback = _lines(remediation), _lines(workflow.rollback_config)
    if name == "cisco_ios":
        commands = sequence_aware(commands, running, target, raw)
        rollback = sequence_aware(rollback, target, running)
    return Plan(
        device=device,
        platform=name,
        commands=commands,
        rollback=rollback,
        features=_changed_features(commands, name),
        **extra,
    )


def _changed_features(commands: Sequence[str], platform_name: str) -> list[str]:
    negation = "undo " if platform_name == "huawei_vrp" else "no "
    found = {feature_of(platform_name, c.removeprefix(negation)) for c in commands if not c[:1].isspace()}
    return [f for f in FEATURES if f in found]


def plan(device: str, platform_name: str, running_config: str, intended: Mapping[str, str]) -> Plan:
    """Remediation and rollback for the managed features (``intended``: feature → text)."""
    name = platform(platform_name).name
    running = parse(running_config, name)
    want = parse("\n".join(intended[f] for f in FEATURES if f in intended), name)
    match_secrets(want, running, name)
    declared = interface_names(want)
    managed = [f for f in FEATURES if f in intended]
    scoped_running = select_tree(running, name, managed, declared_interfaces=declared)
    scoped_want = select_tree(want, name, managed)
    for child in scoped_running.children:
        # an undeclared physical interface cannot be removed: only its configuration is negated
        if (
            child.text.startswith("interface ")
            and child.text not in declared
            and not REMOVABLE_INTERFACES[name].search(child.text)
        ):
            scoped_want.add_child(child.text)
    return _workflow(device, name, scoped_running, scoped_want, running_config)


#: top-level lines a restore never touches (not configuration, or not restorable by commands).
_RESTORE_SKIP = re.compile(r"^(version |boot |crypto pki certificate |crypto key |license |Building )")


def restore_plan(device: str, platform_name: str, running_config: str, backup_config: str) -> Plan:
    """Commands that bring the running configuration back to a (redacted) stored backup."""
    name = platform(platform_name).name
    running = parse(running_config, name)
    target = parse(backup_config, name)
    for tree in (running, target):
        for child in list(tree.children):
            if _RESTORE_SKIP.match(child.text):
                child.delete()
    unrestorable: list[str] = []
    match_secrets(target, running, name, unrestorable)
    return _workflow(device, name, running, target, running_config, unrestorable=unrestorable)


def to_running(device: str, platform_name: str, current_config: str, earlier_config: str) -> Plan:
    """Commands that bring ``current_config`` back to ``earlier_config`` (both live, unredacted):
    the rollback after a failed push."""
    name = platform(platform_name).name
    current = parse(current_config, name)
    earlier = parse(earlier_config, name)
    for tree in (current, earlier):
        for child in list(tree.children):
            if _RESTORE_SKIP.match(child.text):
                child.delete()
    return _workflow(device, name, current, earlier, current_config)


# --------------------------------------------------------------------------------------------
# Management protection
# --------------------------------------------------------------------------------------------


def _acl_names(line: str, platform_name: str) -> set[str]:
    """ACL names a section line defines (``ip access-list extended MGMT`` → {MGMT})."""
    words = line.split()
    if words and words[0] in ("no", "undo"):
        words = words[1:]
    if platform(platform_name).name == "cisco_ios":
        if words[:2] == ["ip", "access-list"] and len(words) >= 4:
            return {words[3]}
        if words[:1] == ["access-list"] and len(words) >= 2:
            return {words[1]}
        return set()
    if words[:1] == ["acl"] and len(words) >= 3 and words[1] in ("number", "name"):
        return {words[2]}
    return set()


def management_touches(
    lines: Sequence[str],
    platform_name: str,
    *,
    mgmt_interface: str | None,
    mgmt_acl: str | None,
) -> list[str]:
    """Lines (with their section) that change the management interface or management ACL,
    or bind/unbind the management ACL anywhere."""
    name = platform(platform_name).name
    iface = expand_interface(mgmt_interface, name) if mgmt_interface else None
    hits: list[str] = []
    section = ""
    section_hit = False
    for line in lines:
        stripped = line.strip()
        top = not line[:1].isspace()
        if top:
            section = stripped
            body = stripped.removeprefix("no ").removeprefix("undo ")
            section_hit = bool(
                (iface and body == f"interface {iface}")
                or (mgmt_acl and mgmt_acl in _acl_names(stripped, name))
            )
            if section_hit:
                hits.append(stripped)
                continue
        if section_hit and not top:
            if stripped not in ("exit", "quit"):  # leaving the section changes nothing
                hits.append(f"{section} / {stripped}")
            continue
        if mgmt_acl and re.search(rf"(?<![\w-]){re.escape(mgmt_acl)}(?![\w-])", stripped):
            hits.append(stripped if top else f"{section} / {stripped}")
    return hits


def management_features(touches: Sequence[str], platform_name: str) -> list[str]:
    """The features the management-touching lines of a plan belong to."""
    negation = ("undo ", "no ")
    found = set()
    for line in touches:
        top = line.split(" / ", 1)[0]
        for prefix in negation:
            top = top.removeprefix(prefix)
        found.add(feature_of(platform_name, top))
    return [f for f in FEATURES if f in found]


def management_refusal(p: Plan, touches: Sequence[str]) -> str:
    """Why a plan is refused, naming only its management part, and how to push the rest."""
    mgmt = management_features(touches, p.platform)
    rest = [f for f in p.features if f not in mgmt]
    text = (
        f"{', '.join(mgmt) or 'the change'}: {len(touches)} line(s) touch the management interface/ACL"
        " (net_mgmt_interface, net_mgmt_acl)"
    )
    if rest:
        text += f"; the other features can go alone: --features {','.join(rest)}"
    return text + "; or re-run with --allow-mgmt if the management change is intended"
