#!/usr/bin/python
# Copyright: opsbook contributors
# Apache License 2.0 (see the repository's LICENSE)
"""net_interface: inspect a network interface (state + logs) and bounce it, on Cisco IOS or Huawei VRP."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: net_interface
short_description: Inspect a network interface and bounce it (Cisco IOS, Huawei VRP)
description:
  - Used by the C(network-interface-down) runbook. Connects from the controller with netmiko
    (delegate to localhost), so Cisco IOS and Huawei VRP are served alike. Needs the opsbook
    Python package.
  - V(inspect) reads the interface's state (C(show interfaces) / C(display interface)) and the
    log lines that name it (C(show logging) / C(display logbuffer)). It never changes anything.
  - V(bounce) inspects, then shuts the interface and brings it up again (C(shutdown), then
    C(no shutdown) / C(undo shutdown)), and waits up to O(settle) seconds for it to come up.
    It refuses the management interface unless O(allow_mgmt) is true. The running
    configuration is saved only with O(save).
  - In check mode V(bounce) only inspects and reports C(changed) (it would bounce).
version_added: "0.1.0"
author:
  - opsbook contributors
options:
  action:
    description: What to do.
    type: str
    choices: [inspect, bounce]
    default: inspect
  interface:
    description: The interface, full or abbreviated (C(Gi1/0/1), C(GigabitEthernet0/0/1)).
    type: str
    required: true
  mgmt_interface:
    description: The device's management interface (never bounced unless O(allow_mgmt)).
    type: str
    default: ""
  allow_mgmt:
    description: Allow bouncing the management interface.
    type: bool
    default: false
  settle:
    description: Seconds to wait for the interface to come up after the bounce.
    type: int
    default: 10
  log_lines:
    description: How many of the newest log lines naming the interface to return.
    type: int
    default: 20
  save:
    description: Save the running configuration after a bounce that brought the interface up.
    type: bool
    default: false
extends_documentation_fragment:
  - opsbook_net.device
  - opsbook_net.connection
"""

EXAMPLES = r"""
- name: Bounce the uplink
  net_interface:
    action: bounce
    interface: Gi1/0/1
    device: "{{ inventory_hostname }}"
    platform: "{{ netmiko_device_type }}"
    host: "{{ ansible_host }}"
    port: "{{ ansible_port }}"
    username: "{{ ansible_user }}"
    password: "{{ ansible_password }}"
  delegate_to: localhost
"""

RETURN = r"""
interface:
  description: The interface's full name as the device prints it.
  returned: success
  type: str
before:
  description: State before (status, protocol, reason, description, up).
  returned: success
  type: dict
after:
  description: State after the bounce (as C(before)); equal to C(before) for V(inspect).
  returned: success
  type: dict
log:
  description: The newest log lines that name the interface.
  returned: success
  type: list
  elements: str
details:
  description: The first lines of the interface's show output.
  returned: success
  type: list
  elements: str
commands:
  description: Configuration commands sent (empty for V(inspect) and in check mode).
  returned: success
  type: list
  elements: str
"""

import re
import time
from dataclasses import asdict, dataclass
from typing import Any

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.opsbook_net import OPSBOOK_IMPORT_ERROR, argument_spec, missing_opsbook, net_device

if not OPSBOOK_IMPORT_ERROR:  # else main() fails naming what is missing
    from opsbook.network.connect import NetError, NetmikoSession
    from opsbook.network.platforms import platform as platform_of

INTERFACE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9/.:-]{0,63}$")
IOS_STATE = re.compile(
    r"^(?P<name>\S+) is (?P<status>up|down|administratively down), line protocol is (?P<protocol>up|down)"
    r"(?: \((?P<reason>[^)]*)\))?",
    re.M,
)
VRP_STATE = re.compile(r"^(?P<name>\S+) current state : (?P<status>UP|DOWN|Administratively DOWN)", re.M)
VRP_PROTOCOL = re.compile(r"^Line protocol current state : (?P<protocol>UP|DOWN)", re.M)
DESCRIPTION = re.compile(r"^\s*Description\s*:\s*(?P<text>.*)$", re.M)


@dataclass
class State:
    status: str  # up | down | administratively down
    protocol: str  # up | down
    reason: str = ""
    description: str = ""

    @property
    def up(self) -> bool:
        return self.status == "up" and self.protocol == "up"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "up": self.up}


def parse_state(platform: str, output: str) -> tuple[str, State]:
    """(full interface name, state) from ``show interfaces X`` / ``display interface X``."""
    description = DESCRIPTION.search(output)
    text = description.group("text").strip() if description else ""
    if platform == "huawei_vrp":
        match = VRP_STATE.search(output)
        proto = VRP_PROTOCOL.search(output)
        if match is None or proto is None:
            raise ValueError(f"unexpected answer: {output.strip()[:200]}")
        return match.group("name"), State(
            match.group("status").lower(), proto.group("protocol").lower(), "", text
        )
    match = IOS_STATE.search(output)
    if match is None:
        raise ValueError(f"unexpected answer: {output.strip()[:200]}")
    state = State(match.group("status"), match.group("protocol"), match.group("reason") or "", text)
    return match.group("name"), state


def log_lines(output: str, interface: str, limit: int) -> list[str]:
    """The newest ``limit`` log lines that name the interface (as a whole word)."""
    pattern = re.compile(rf"(?<![\w/.]){re.escape(interface)}(?![\w/.])")
    return [line.rstrip() for line in output.splitlines() if pattern.search(line)][-limit:]


def same_interface(a: str, b: str) -> bool:
    """Names equal ignoring case and abbreviation (Gi1/0/1 ~ GigabitEthernet1/0/1)."""
    split = re.compile(r"^([A-Za-z-]+)\s*([\d/.:]+)$")
    ma, mb = split.match(a.strip()), split.match(b.strip())
    if not ma or not mb:
        return a.strip().lower() == b.strip().lower()
    ka, kb = ma.group(1).lower(), mb.group(1).lower()
    return ma.group(2) == mb.group(2) and (ka.startswith(kb) or kb.startswith(ka))


def commands_for(platform: str, interface: str) -> tuple[list[str], list[str]]:
    """(shut, unshut) configuration lines."""
    undo = "undo shutdown" if platform == "huawei_vrp" else "no shutdown"
    return [f"interface {interface}", "shutdown"], [f"interface {interface}", undo]


def main() -> None:
    module = AnsibleModule(
        argument_spec=argument_spec(
            {
                "action": {"type": "str", "choices": ["inspect", "bounce"], "default": "inspect"},
                "interface": {"type": "str", "required": True},
                "mgmt_interface": {"type": "str", "default": ""},
                "allow_mgmt": {"type": "bool", "default": False},
                "settle": {"type": "int", "default": 10},
                "log_lines": {"type": "int", "default": 20},
                "save": {"type": "bool", "default": False},
            },
            connection=True,
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not INTERFACE_RE.match(p["interface"]):
        module.fail_json(msg=f"{p['interface']!r} is not an interface name")
    if missing := missing_opsbook():
        module.fail_json(msg=missing)
    try:
        plat = platform_of(p["platform"]).name
    except Exception as exc:
        module.fail_json(msg=str(exc))
    device = net_device(p, platform_name=plat)
    show = "display interface" if plat == "huawei_vrp" else "show interfaces"
    show_log = "display logbuffer" if plat == "huawei_vrp" else "show logging"
    result: dict[str, Any] = {"changed": False, "commands": []}
    try:
        session = NetmikoSession(device)
    except NetError as exc:
        module.fail_json(msg=str(exc))
    try:
        raw = session.exec(f"{show} {p['interface']}")
        name, before = parse_state(plat, raw)
        result.update(interface=name, before=before.to_dict(), after=before.to_dict())
        result["details"] = [line.rstrip() for line in raw.strip().splitlines()[:12]]
        if p["action"] == "bounce":
            if p["mgmt_interface"] and same_interface(name, p["mgmt_interface"]) and not p["allow_mgmt"]:
                module.fail_json(
                    msg=f"{name} is the management interface of {p['device']}: not bouncing it "
                    "(you could lose the device); allow_mgmt overrides",
                    **result,
                )
            result["changed"] = True
            if not module.check_mode:
                shut, unshut = commands_for(plat, name)
                session.configure(shut)
                time.sleep(1)
                session.configure(unshut)
                result["commands"] = [*shut, unshut[-1]]
                deadline = time.monotonic() + max(p["settle"], 1)
                while True:
                    _, after = parse_state(plat, session.exec(f"{show} {name}"))
                    if after.up or time.monotonic() >= deadline:
                        break
                    time.sleep(1)
                result["after"] = after.to_dict()
                if p["save"] and after.up:
                    session.save()
                    result["saved"] = True
        result["log"] = log_lines(session.show(show_log), name, p["log_lines"])
    except (NetError, ValueError) as exc:
        module.fail_json(msg=f"{p['device']} {p['interface']}: {exc}", **result)
    finally:
        session.close()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
