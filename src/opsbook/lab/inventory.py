"""The lab's Ansible inventory, generated from its state.

Every lab host and device carries its connection settings and its register data (``asset_*``)
in its own ``host_vars`` file, so the lab inventory can be combined with a real register
(``-i inventory/lab -i inventory/<customer>``) without its settings leaking to other hosts.

Two extra files sit in the lab's state folder, outside the inventory:
``podman-inventory.yml`` adds the hosts to group ``lab_podman``, whose vars switch Ansible to
``containers.podman.podman`` (podman exec, no SSH), and ``ssh/config`` lets a person type
``ssh -F .opsbook/lab/<name>/ssh/config <host>``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from opsbook.lab.image import ADMIN_USER
from opsbook.lab.ports import LOOPBACK
from opsbook.lab.state import DeviceRecord, HostRecord, LabState

HOSTS_FILE = "hosts.yml"
GENERATED = (HOSTS_FILE, "host_vars", "group_vars")
PODMAN_GROUP = "lab_podman"
PODMAN_CONNECTION = "containers.podman.podman"

LAB_CUSTOMER = "lab"
LAB_SITE = "lab"
LAB_ENVIRONMENT = "lab"
# The lab is always open for changes: every day, the whole day.
ALWAYS_OPEN = {
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "start": "00:00",
    "end": "23:59",
    "timezone": "Etc/UTC",
}
DeviceVars = Callable[[DeviceRecord], dict[str, Any]]
FUNCTION_GROUPS = ("linux", "network", "ios", "vrp")
REGISTER_GROUPS = (f"customer_{LAB_CUSTOMER}", f"site_{LAB_SITE}", f"env_{LAB_ENVIRONMENT}")


def _common_asset_vars(name: str, created: str) -> dict[str, Any]:
    dates: dict[str, Any] = {}
    if created:  # the day the lab was made stands for the purchase date; support lasts 5 years
        start = dt.date.fromisoformat(created)
        end = start.replace(year=start.year + 5, day=min(start.day, 28))
        dates = {
            "asset_purchase_date": start.isoformat(),
            "asset_warranty_end": end.isoformat(),
            "asset_support_end": end.isoformat(),
        }
    return {
        "asset_id": name.upper(),
        "asset_customer": LAB_CUSTOMER,
        "asset_site": LAB_SITE,
        "asset_room": "lab",
        "asset_rack": "loopback",
        "asset_environment": LAB_ENVIRONMENT,
        "asset_owner": "opsbook lab",
        "asset_contact": "root@localhost",
        "asset_service_tier": "24x7",
        "asset_maintenance_window": dict(ALWAYS_OPEN),
        "asset_criticality": "low",
        **dates,
    }


def address_vars(port: int) -> dict[str, Any]:
    """Kept in hosts.yml (not host_vars) so that an inventory given later, such as the
    ``lab_podman`` overlay, can replace ``ansible_host`` with the container's name."""
    return {"ansible_host": LOOPBACK, "ansible_port": port}


#: Lab machines only: their host keys are new at every boot (hosts) or shared by every lab
#: (devices), so they are not checked — and never recorded in ~/.ssh/known_hosts for SSH hosts.
#: ansible.cfg keeps Ansible's default (checking on) for every other inventory.
LAB_HOST_KEYS = {"ansible_host_key_checking": False}
LAB_SSH_ARGS = "-o UserKnownHostsFile=/dev/null"


def host_vars_for_host(host: HostRecord, key_path: Path, created: str = "") -> dict[str, Any]:
    return {
        "ansible_user": ADMIN_USER,
        "ansible_ssh_private_key_file": str(key_path),
        **LAB_HOST_KEYS,
        "ansible_ssh_common_args": LAB_SSH_ARGS,
        "ansible_become": True,
        "ansible_python_interpreter": "/usr/bin/python3",
        **_common_asset_vars(host.name, created),
        "asset_kind": "server",
        "asset_vendor": "opsbook lab",
        "asset_model": "podman container",
        "asset_serial": host.serial,
        "asset_os": "debian",
        "asset_os_version": "12",
        "asset_mgmt_address": LOOPBACK,  # the port is ansible_port
        "asset_tags": ["lab", "podman"],
    }


def host_vars_for_device(device: DeviceRecord, created: str = "") -> dict[str, Any]:
    connection: dict[str, Any] = {
        "ansible_user": device.username,
        "ansible_password": device.password,
        **LAB_HOST_KEYS,
    }
    if device.platform == "cisco_ios":
        connection |= {
            "ansible_connection": "ansible.netcommon.network_cli",
            "ansible_network_os": "cisco.ios.ios",
            "ansible_network_cli_ssh_type": "paramiko",
            "ansible_paramiko_look_for_keys": False,
            "netmiko_device_type": "cisco_ios",
        }
        register = {
            "asset_kind": "switch",
            "asset_vendor": "Cisco",
            "asset_os": "cisco_ios",
        }
    else:
        # No network_cli plugin for VRP ships with the `ansible` package: tasks for VRP devices
        # run on the controller (netmiko, device type "huawei") with the connection data above.
        connection |= {
            "ansible_connection": "ansible.builtin.local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "netmiko_device_type": "huawei",
        }
        register = {
            "asset_kind": "router",
            "asset_vendor": "Huawei",
            "asset_os": "huawei_vrp",
        }
    return {
        **connection,
        **_common_asset_vars(device.name, created),
        **register,
        "asset_model": device.model,
        "asset_serial": device.serial,
        "asset_os_version": device.version,
        "asset_mgmt_address": LOOPBACK,  # the port is ansible_port
        "asset_tags": ["lab", "simulated"],
    }


def _hosts(names: list[str], address: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    if not names:
        return {}
    return {"hosts": {name: (address or {}).get(name, {}) for name in names}}


def hosts_tree(state: LabState) -> dict[str, Any]:
    """The groups of ``hosts.yml``: function groups and the register's customer/site/env groups.

    Each host's address (``ansible_host``/``ansible_port``) is given where it first appears.
    """
    address = {h.name: address_vars(h.ssh_port) for h in state.hosts}
    address |= {d.name: address_vars(d.port) for d in state.devices}
    linux = [h.name for h in state.hosts]
    ios = [d.name for d in state.devices if d.platform == "cisco_ios"]
    vrp = [d.name for d in state.devices if d.platform == "huawei_vrp"]
    everyone = linux + ios + vrp
    children: dict[str, Any] = {
        "linux": _hosts(linux, address),
        "network": {"children": {"ios": _hosts(ios, address), "vrp": _hosts(vrp, address)}},
    }
    for group in REGISTER_GROUPS:
        children[group] = _hosts(everyone)
    return {"all": {"children": children}}


def inventory_files(
    state: LabState, key_path: Path, device_vars: DeviceVars | None = None
) -> dict[str, dict[str, Any]]:
    """Every file of the lab inventory: relative path → YAML data.

    ``device_vars`` adds variables to each device's host_vars (the lab passes the devices'
    intended configuration, ``net_*``, from :func:`opsbook.lab.devices.netvars.lab_net_vars`).
    """
    files: dict[str, dict[str, Any]] = {HOSTS_FILE: hosts_tree(state)}
    for host in state.hosts:
        files[f"host_vars/{host.name}.yml"] = host_vars_for_host(host, key_path, state.created)
    for device in state.devices:
        extra = device_vars(device) if device_vars else {}
        files[f"host_vars/{device.name}.yml"] = host_vars_for_device(device, state.created) | extra
    return files


def podman_overlay(state: LabState) -> dict[str, Any]:
    """Inventory that adds the lab's hosts to ``lab_podman`` (reach them by podman exec)."""
    return {
        "all": {
            "children": {
                PODMAN_GROUP: {
                    "vars": {"ansible_connection": PODMAN_CONNECTION},
                    # podman exec takes the container from ansible_host
                    "hosts": {h.name: {"ansible_host": h.name} for h in state.hosts},
                }
            }
        }
    }


def ssh_config_text(state: LabState, key_path: Path) -> str:
    blocks = [f"# Generated by `opsbook lab up` for lab {state.name}: ssh -F <this file> <host>\n"]
    for host in state.hosts:
        blocks.append(
            f"Host {host.name}\n"
            f"  HostName {LOOPBACK}\n"
            f"  Port {host.ssh_port}\n"
            f"  User {ADMIN_USER}\n"
            f"  IdentityFile {key_path}\n"
            "  IdentitiesOnly yes\n"
            "  StrictHostKeyChecking no\n"
            "  UserKnownHostsFile /dev/null\n"
            "  LogLevel ERROR\n"
        )
    return "\n".join(blocks)


_TIME_LIKE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


class _Dumper(yaml.SafeDumper):
    """Quotes every time-like text (``00:00``): PyYAML leaves it plain when a leading 0 keeps it
    text, but YAML 1.1 reads an unquoted time as a base-60 number and the register check refuses
    unquoted times."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "'" if _TIME_LIKE.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump(data: dict[str, Any], header: str) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=120)
    return f"---\n# {header}\n{body}"


def header_for(state: LabState) -> str:
    return f"Generated by `opsbook lab up` for lab {state.name}; rewritten on every `lab up`, do not edit."


def remove_inventory(directory: Path) -> None:
    """Remove the generated files (and only those) from an inventory folder."""
    for name in GENERATED:
        target = directory / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def write_inventory(
    directory: Path, state: LabState, key_path: Path, device_vars: DeviceVars | None = None
) -> Path:
    """(Re)write the lab inventory into ``directory``; returns the path of ``hosts.yml``."""
    header = header_for(state)
    files = inventory_files(state, key_path, device_vars)  # before removing anything: it may fail
    remove_inventory(directory)
    for relative, data in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        secret = "ansible_password" in data
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_dump(data, header))
    return directory / HOSTS_FILE


def write_podman_overlay(path: Path, state: LabState) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_dump(podman_overlay(state), header_for(state)), encoding="utf-8")
    return path


def write_ssh_config(path: Path, state: LabState, key_path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ssh_config_text(state, key_path), encoding="utf-8")
    return path
