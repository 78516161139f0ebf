"""One device's state in memory: running and startup config, log, revert timer, clock.

Pure: time comes from an injectable ``clock`` and nothing here touches files or sockets
(:mod:`opsbook.lab.devices.store` persists it, the server drives it).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

from opsbook.lab.devices.config import Node, find_path
from opsbook.lab.devices.editing import parse_vlan_list
from opsbook.lab.devices.hardware import Hardware, hardware_for
from opsbook.lab.devices.interfaces import is_logical, split_interface
from opsbook.lab.devices.spec import DeviceSpec

Clock = Callable[[], float]
LOG_LIMIT = 200


@dataclass
class RevertTimer:
    """A pending IOS ``configure terminal revert timer``: roll back unless confirmed in time."""

    snapshot: Node
    deadline: float
    minutes: int
    user: str
    armed_at: float


@dataclass(frozen=True)
class LinkState:
    status: str  # "up" | "down" | "administratively down"
    protocol: str  # "up" | "down"


@dataclass
class DeviceState:
    spec: DeviceSpec
    running: Node
    startup: Node
    booted_at: float
    clock: Clock = _time.time
    log: list[tuple[float, str]] = field(default_factory=list)
    last_change: tuple[float, str] | None = None
    last_save: tuple[float, str] | None = None
    revert: RevertTimer | None = None
    links_down: frozenset[str] = frozenset()
    generation: int = 0  # bumped on every change to running/startup/log (persistence hint)

    @property
    def hw(self) -> Hardware:
        return hardware_for(self.spec)

    @property
    def platform(self) -> str:
        return self.spec.platform

    def now(self) -> float:
        return self.clock()

    def hostname(self) -> str:
        word = "sysname " if self.platform == "huawei_vrp" else "hostname "
        for node in self.running.children:
            if node.text.startswith(word):
                return node.text[len(word) :].strip()
        return (
            "HUAWEI"
            if self.platform == "huawei_vrp"
            else ("Switch" if self.hw.role == "switch" else "Router")
        )

    def uptime_seconds(self) -> float:
        return max(0.0, self.now() - self.booted_at)

    # --- changes -------------------------------------------------------------------------
    def changed(self, user: str) -> None:
        self.last_change = (self.now(), user)
        self.generation += 1

    def add_log(self, message: str) -> None:
        self.log.append((self.now(), message))
        del self.log[:-LOG_LIMIT]
        self.generation += 1

    def save(self, user: str) -> None:
        self.startup = self.running.copy()
        self.last_save = (self.now(), user)
        self.generation += 1

    def replace_running(self, config: Node, user: str) -> None:
        self.running = config
        self.changed(user)

    # --- revert timer (IOS "configure terminal revert timer N") ---------------------------
    def arm_revert(self, minutes: int, user: str) -> None:
        now = self.now()
        self.revert = RevertTimer(
            self.running.copy(), now + minutes * self.spec.revert_minute_seconds, minutes, user, now
        )
        self.generation += 1

    def reset_revert(self, minutes: int) -> None:
        if self.revert is not None:
            now = self.now()
            self.revert.deadline = now + minutes * self.spec.revert_minute_seconds
            self.revert.minutes = minutes
            self.revert.armed_at = now
            self.generation += 1

    def confirm(self) -> bool:
        """``configure confirm``: keep the changes. False when nothing was pending."""
        if self.revert is None:
            return False
        self.revert = None
        self.generation += 1
        return True

    def revert_now(self) -> bool:
        if self.revert is None:
            return False
        self.running = self.revert.snapshot
        self.revert = None
        self.changed("rollback")
        return True

    def tick(self) -> bool:
        """Roll back when a revert timer has run out. True when it did."""
        if self.revert is not None and self.now() >= self.revert.deadline:
            return self.revert_now()
        return False

    # --- interfaces ------------------------------------------------------------------------
    def interfaces(self) -> list[tuple[str, Node]]:
        return [
            (node.text.split(" ", 1)[1], node)
            for node in self.running.children
            if node.text.startswith("interface ")
        ]

    def interface_node(self, name: str) -> Node | None:
        return find_path(self.running, [f"interface {name}"])

    def link_state(self, name: str, node: Node) -> LinkState:
        texts = {c.text for c in node.children}
        if "shutdown" in texts:
            return LinkState("administratively down", "down")
        kind, number = split_interface(name)
        if kind in ("Loopback", "LoopBack", "NULL", "Null"):
            return LinkState("up", "up")
        if kind in ("Vlan", "Vlanif"):
            exists = number == "1" or self.vlan_exists(int(number))
            return LinkState("up", "up") if exists else LinkState("down", "down")
        if is_logical(name, self.platform) or name in self.links_down:
            return LinkState("down", "down")
        return LinkState("up", "up")

    def link_states(self) -> dict[str, LinkState]:
        return {name: self.link_state(name, node) for name, node in self.interfaces()}

    def vlan_exists(self, vlan: int) -> bool:
        if vlan == 1:
            return True
        for node in self.running.children:
            if node.text == f"vlan {vlan}":
                return True
            batch = node.text.removeprefix("vlan batch ")
            if batch != node.text and vlan in (parse_vlan_list(batch) or []):
                return True
        return False
