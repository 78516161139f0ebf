"""Per-feature compliance: intended configuration against running configuration.

For each feature a device manages (see :mod:`opsbook.network.render`), both configurations are
brought to canonical form (:func:`opsbook.network.normalize.canonical`), parsed into a
parent-child tree (hier_config), restricted to the feature's lines
(:mod:`opsbook.network.features`) and compared both ways:

* **missing** — intended lines the device lacks (with their parent lines for context);
* **extra** — device lines in a managed feature that the intended configuration lacks.

Sibling order never matters, except where the platform gives it meaning: IOS ACL entries are
numbered in order (hier_config's IOS driver), VRP ACL rules carry their own numbers. Secrets are
compared redacted on both sides (a plain-text secret in the intended configuration equals its
hash on the device) and never appear in the result.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hier_config import HConfig, HConfigChild, get_hconfig

from opsbook.base.model import Serial
from opsbook.network import acls
from opsbook.network.drivers import driver
from opsbook.network.features import FEATURES, REMOVABLE_INTERFACES, UNDECLARED_IGNORED, selectors
from opsbook.network.normalize import canonical
from opsbook.network.pairing import match_secrets
from opsbook.network.platforms import platform
from opsbook.network.redact import REDACTED, redact_lines
from opsbook.results import TaskResult, TaskStatus


class DeviceStatus(StrEnum):
    COMPLIANT = "compliant"
    DRIFTED = "drifted"
    UNVERIFIABLE = "unverifiable"
    UNREACHABLE = "unreachable"


@dataclass
class FeatureResult(Serial):
    feature: str
    compliant: bool
    #: intended lines missing on the device, indented, parents included for context.
    missing: list[str] = field(default_factory=list)
    #: device lines the intended configuration lacks, indented, parents included for context.
    extra: list[str] = field(default_factory=list)
    #: the feature's canonical, redacted intended and actual text.
    intended: str = ""
    actual: str = ""

    def unified_diff(self, device: str = "device") -> str:
        return "".join(
            difflib.unified_diff(
                self.actual.splitlines(keepends=True),
                self.intended.splitlines(keepends=True),
                fromfile=f"{device}/{self.feature} (running)",
                tofile=f"{device}/{self.feature} (intended)",
            )
        )


@dataclass
class DeviceCompliance(Serial):
    device: str
    platform: str
    status: DeviceStatus
    features: list[FeatureResult] = field(default_factory=list)
    #: why the device is unverifiable / unreachable.
    error: str = ""
    checked_at: str = ""

    @property
    def drifted_features(self) -> list[str]:
        return [f.feature for f in self.features if not f.compliant]


# --------------------------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------------------------


def parse(text: str, platform_name: str) -> HConfig:
    """Canonical hier_config tree of a configuration."""
    return get_hconfig(driver(platform_name), canonical(text, platform_name))


def interface_names(tree: HConfig) -> set[str]:
    return {c.text for c in tree.children if c.text.startswith("interface ")}


@dataclass(frozen=True)
class View:
    """A top-level section seen through a feature's child selector (no copy of the tree)."""

    node: HConfigChild
    only: re.Pattern[str] | None = None

    @property
    def text(self) -> str:
        return self.node.text

    @property
    def children(self) -> list[HConfigChild]:
        kids = list(self.node.children)
        return kids if self.only is None else [c for c in kids if self.only.search(c.text)]


Item = HConfigChild | View

#: the children of an undeclared physical interface that count as its configuration.
_CONFIGURED = re.compile(rf"^(?!(?:{UNDECLARED_IGNORED.pattern.strip('^$')})$)")


def select(
    tree: HConfig,
    platform_name: str,
    feature: str,
    *,
    declared_interfaces: set[str] | None = None,
) -> list[View]:
    """The top-level sections of ``tree`` that belong to ``feature`` (views, not copies).

    For ``interfaces``, with ``declared_interfaces`` given: those interfaces whole; undeclared
    logical interfaces (Loopback, Tunnel, SVIs, sub-interfaces) whole; undeclared physical
    interfaces only when they carry configuration, and then only that configuration
    (:data:`~opsbook.network.features.UNDECLARED_IGNORED` lines left out) — so an SVI or a port
    configured by hand is extra, never invisible.
    """
    name = platform(platform_name).name
    sels = selectors(name, feature)
    out: list[View] = []
    for child in tree.children:
        sel = next((s for s in sels if s.top.search(child.text)), None)
        if sel is None:
            continue
        only = sel.child
        if (
            feature == "interfaces"
            and declared_interfaces is not None
            and child.text not in declared_interfaces
            and not REMOVABLE_INTERFACES[name].search(child.text)
        ):
            only = _CONFIGURED
        view = View(child, only)
        if only is not None and not view.children:
            continue
        out.append(view)
    return out


def select_tree(
    tree: HConfig,
    platform_name: str,
    features: list[str],
    *,
    declared_interfaces: set[str] | None = None,
) -> HConfig:
    """The features' part of ``tree`` as a new hier_config tree (for remediation)."""
    out = HConfig(tree.driver)
    for feature in features:
        for view in select(tree, platform_name, feature, declared_interfaces=declared_interfaces):
            if view.only is None:
                out.add_deep_copy_of(view.node)
                continue
            section = out.get_child(equals=view.text) or out.add_child(view.text)
            for child in view.children:
                section.add_deep_copy_of(child)
    return out


def _kids(item: HConfig | Item) -> list[HConfigChild]:
    return item.children if isinstance(item, View) else list(item.children)


def _subtree_lines(child: Item, depth: int) -> list[str]:
    lines = [" " * depth + child.text.replace("\n", "\n" + " " * depth)]
    for sub in _kids(child):
        lines += _subtree_lines(sub, depth + 1)
    return lines


def _difference(left: Sequence[Item], right: Sequence[Item], depth: int) -> list[str]:
    others = {c.text: c for c in right}
    out: list[str] = []
    for child in left:
        other = others.get(child.text)
        if other is None:
            out += _subtree_lines(child, depth)
            continue
        below = _difference(_kids(child), _kids(other), depth + 1)
        if below:
            out.append(" " * depth + child.text)
            out += below
    return out


def tree_difference(left: HConfig | HConfigChild, right: HConfig | HConfigChild, depth: int = 0) -> list[str]:
    """Lines of ``left`` absent from ``right``, indented, with the parents they sit under."""
    return _difference(_kids(left), _kids(right), depth)


def tree_text(items: Sequence[Item], platform_name: str) -> str:
    """Sections as text, top-level lines sorted, secrets redacted."""
    lines: list[str] = []
    for child in sorted(items, key=lambda c: c.text):
        lines += _subtree_lines(child, 0)
    lines = redact_lines("\n".join(lines).split("\n"), platform_name) if lines else []
    return "\n".join(lines) + ("\n" if lines else "")


def _annotate_secret_changes(missing: list[str], extra: list[str]) -> tuple[list[str], list[str]]:
    """A secret line whose value differs reads the same on both sides once redacted: say so."""
    same = set(missing) & set(extra)
    same = {line for line in same if REDACTED in line}
    note = "   (secret value differs)"
    return (
        [line + note if line in same else line for line in missing],
        [line + note if line in same else line for line in extra],
    )


# --------------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------------


def _ios_acl_difference(want: Sequence[View], have: Sequence[View]) -> tuple[list[str], list[str]]:
    """Named ACLs entry by entry in order (sequence-aware); other ACL lines as elsewhere."""
    named = (
        [v for v in want if acls.NAMED_ACL.match(v.text)],
        [v for v in have if acls.NAMED_ACL.match(v.text)],
    )
    other = [v for v in want if v not in named[0]], [v for v in have if v not in named[1]]
    missing = acls.difference(named[0], named[1]) + _difference(other[0], other[1], 0)
    extra = acls.difference(named[1], named[0]) + _difference(other[1], other[0], 0)
    return missing, extra


def check_feature(
    running: HConfig,
    intended: HConfig,
    platform_name: str,
    feature: str,
) -> FeatureResult:
    """One feature of one device; trees canonical (see :func:`parse`), secrets already paired
    (:func:`match_secrets`). The result holds redacted text only."""
    declared = interface_names(intended) if feature == "interfaces" else None
    want = select(intended, platform_name, feature)
    have = select(running, platform_name, feature, declared_interfaces=declared)
    if feature == "acls" and platform(platform_name).name == "cisco_ios":
        missing, extra = _ios_acl_difference(want, have)
    else:
        missing, extra = _difference(want, have, 0), _difference(have, want, 0)
    missing, extra = redact_lines(missing, platform_name), redact_lines(extra, platform_name)
    missing, extra = _annotate_secret_changes(missing, extra)
    return FeatureResult(
        feature=feature,
        compliant=not missing and not extra,
        missing=missing,
        extra=extra,
        intended=tree_text(want, platform_name),
        actual=tree_text(have, platform_name),
    )


def check_device(
    device: str,
    platform_name: str,
    running_config: str,
    intended: Mapping[str, str],
    *,
    checked_at: str = "",
) -> DeviceCompliance:
    """Compliance of one device: ``intended`` maps each managed feature to its rendered text."""
    name = platform(platform_name).name
    running = parse(running_config, name)
    want = parse("\n".join(intended[f] for f in FEATURES if f in intended), name)
    match_secrets(want, running, name)
    results = [check_feature(running, want, name, f) for f in FEATURES if f in intended]
    drifted = any(not r.compliant for r in results)
    return DeviceCompliance(
        device=device,
        platform=name,
        status=DeviceStatus.DRIFTED if drifted else DeviceStatus.COMPLIANT,
        features=results,
        checked_at=checked_at,
    )


# --------------------------------------------------------------------------------------------
# Into the run result model (for `opsbook audit` and reports)
# --------------------------------------------------------------------------------------------

ACTION = "opsbook.network.compliance"


def to_task_results(result: DeviceCompliance) -> list[TaskResult]:
    """One :class:`~opsbook.results.TaskResult` per feature: ok (compliant), changed (drift, with
    the diff), failed (could not be checked) or unreachable — never ok unless checked."""
    if result.status in (DeviceStatus.UNREACHABLE, DeviceStatus.UNVERIFIABLE):
        status = TaskStatus.UNREACHABLE if result.status is DeviceStatus.UNREACHABLE else TaskStatus.FAILED
        return [
            TaskResult(
                host=result.device,
                task="network compliance",
                action=ACTION,
                status=status,
                check_mode=True,
                msg=result.error,
                result={"unverifiable": True, "platform": result.platform},
                start=result.checked_at,
                end=result.checked_at,
            )
        ]
    tasks: list[TaskResult] = []
    for feature in result.features:
        diff: list[dict[str, Any]] = []
        if not feature.compliant:
            diff.append(
                {
                    "before": feature.actual,
                    "after": feature.intended,
                    "before_header": f"{result.device} {feature.feature} (running)",
                    "after_header": f"{result.device} {feature.feature} (intended)",
                }
            )
        tasks.append(
            TaskResult(
                host=result.device,
                task=f"network compliance: {feature.feature}",
                action=ACTION,
                status=TaskStatus.OK if feature.compliant else TaskStatus.CHANGED,
                check_mode=True,
                diff=diff,
                result={
                    "feature": feature.feature,
                    "compliant": feature.compliant,
                    "missing": feature.missing,
                    "extra": feature.extra,
                    "platform": result.platform,
                },
                msg="" if feature.compliant else _drift_message(feature),
                start=result.checked_at,
                end=result.checked_at,
            )
        )
    return tasks


def _drift_message(feature: FeatureResult) -> str:
    parts = []
    if feature.missing:
        parts.append(f"{len(feature.missing)} missing line(s)")
    if feature.extra:
        parts.append(f"{len(feature.extra)} extra line(s)")
    return f"{feature.feature}: " + ", ".join(parts)


def summary(results: Iterable[DeviceCompliance]) -> dict[str, int]:
    counts = {s.value: 0 for s in DeviceStatus}
    for r in results:
        counts[r.status.value] += 1
    return counts
