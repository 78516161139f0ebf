"""Network devices from an Ansible inventory, read through ``ansible-inventory --list``.

One subprocess gives every host's merged variables exactly as Ansible sees them (groups,
group_vars, host_vars, inventory plugins). A host is a network device when its platform can be
told from ``netmiko_device_type``, ``ansible_network_os`` or ``asset_os``.

``net_*`` string values may use Jinja (``"{{ inventory_hostname }}-mgmt"``); they are rendered
with the host's variables. Vault-encrypted values are refused with a hint: ``ansible-inventory``
does not decrypt them for output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from opsbook.errors import OpsbookError, UsageError
from opsbook.network.platforms import ALIASES, platform
from opsbook.paths import ProjectPaths, project_paths


@dataclass(frozen=True)
class NetDevice:
    """One network device: how to reach it and its inventory variables."""

    name: str
    platform: str
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    #: the enable secret (IOS), from ansible_become_password / net_enable_password, else password.
    secret: str = field(repr=False, default="")
    vars: Mapping[str, Any] = field(repr=False, default_factory=dict)

    @property
    def netmiko_type(self) -> str:
        return platform(self.platform).netmiko_type

    def secrets(self) -> list[str]:
        """Known secret values of this device (for scrubbing free text)."""
        return [s for s in (self.password, self.secret, *secrets_in_vars(self.vars)) if s]


_SECRET_KEY_WORDS = ("password", "secret", "key", "community")


def secrets_in_vars(variables: Mapping[str, Any]) -> list[str]:
    """Secret values among ``net_*`` variables: values of keys naming a password, secret, key or
    community, user secrets, SNMP community names and TACACS keys."""
    found: list[str] = []
    for key, value in variables.items():
        if isinstance(value, str) and any(w in key for w in _SECRET_KEY_WORDS):
            found.append(value)
    for user in variables.get("net_local_users", []) or []:
        if isinstance(user, Mapping):
            found.append(str(user.get("secret", "")))
    for comm in variables.get("net_snmp_communities", []) or []:
        if isinstance(comm, Mapping):
            found.append(str(comm.get("name", "")))
    for server in variables.get("net_tacacs_servers", []) or []:
        if isinstance(server, Mapping):
            found.append(str(server.get("key", "")))
    return [s for s in found if s]


def device_platform(hostvars: Mapping[str, Any]) -> str | None:
    """Our platform name for a host, or None when it is not a network device we manage."""
    for key in ("netmiko_device_type", "ansible_network_os", "asset_os"):
        value = hostvars.get(key)
        if isinstance(value, str) and value.strip().lower() in ALIASES:
            return platform(value).name
    return None


def _check_vault(name: str, key: str, value: Any) -> None:
    if isinstance(value, Mapping):
        if "__ansible_vault" in value:
            raise UsageError(
                f"{name}: variable {key} is vault-encrypted; opsbook net reads variables with "
                "ansible-inventory, which does not decrypt them.",
                hint="keep device secrets in an unencrypted vars file outside git, or pass them "
                "through the environment (lookup) for the Ansible path",
            )
        for k, v in value.items():
            _check_vault(name, f"{key}.{k}", v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_vault(name, f"{key}[{i}]", v)


def _render_value(value: Any, context: Mapping[str, Any], env: jinja2.Environment) -> Any:
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return env.from_string(value).render(context)
    if isinstance(value, list):
        return [_render_value(v, context, env) for v in value]
    if isinstance(value, dict):
        return {k: _render_value(v, context, env) for k, v in value.items()}
    return value


def resolve_net_vars(name: str, hostvars: Mapping[str, Any]) -> dict[str, Any]:
    """The host's variables with Jinja in ``net_*`` values rendered (StrictUndefined)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    context = {"inventory_hostname": name, **hostvars}
    out = dict(hostvars)
    for key, value in hostvars.items():
        if not key.startswith("net_"):
            continue
        _check_vault(name, key, value)
        try:
            out[key] = _render_value(value, context, env)
        except jinja2.TemplateError as exc:
            raise UsageError(
                f"{name}: cannot render variable {key}: {exc}",
                hint="net_* variables may only refer to other inventory variables of the host",
            ) from exc
    return out


def devices_from_inventory(data: Mapping[str, Any], hosts: Sequence[str] | None = None) -> list[NetDevice]:
    """Network devices from ``ansible-inventory --list`` JSON (pure; ``hosts`` = the selected names)."""
    hostvars: Mapping[str, Mapping[str, Any]] = data.get("_meta", {}).get("hostvars", {})
    names = sorted(hosts) if hosts is not None else sorted(hostvars)
    devices: list[NetDevice] = []
    for name in names:
        hv = hostvars.get(name, {})
        plat = device_platform(hv)
        if plat is None:
            continue
        for key in ("ansible_password", "ansible_user"):
            _check_vault(name, key, hv.get(key))
        resolved = resolve_net_vars(name, hv)
        try:
            port = int(hv.get("ansible_port", 22))
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{name}: ansible_port {hv.get('ansible_port')!r} is not a number.") from exc
        password = str(hv.get("ansible_password") or hv.get("ansible_ssh_pass") or "")
        devices.append(
            NetDevice(
                name=name,
                platform=plat,
                host=str(hv.get("ansible_host", name)),
                port=port,
                username=str(hv.get("ansible_user") or ""),
                password=password,
                secret=str(hv.get("ansible_become_password") or hv.get("net_enable_password") or password),
                vars=resolved,
            )
        )
    return devices


def _all_hosts(data: Mapping[str, Any]) -> list[str]:
    """Every host named anywhere in the group tree of ``ansible-inventory --list`` JSON."""
    found: set[str] = set(data.get("_meta", {}).get("hostvars", {}))
    for key, group in data.items():
        if key != "_meta" and isinstance(group, Mapping):
            found.update(group.get("hosts", []) or [])
    return sorted(found)


def inventory_json(
    inventory: Sequence[Path | str] | None = None,
    *,
    limit: str | None = None,
    paths: ProjectPaths | None = None,
) -> dict[str, Any]:
    """``ansible-inventory --list`` for the given inventory sources (default: the context's register)."""
    paths = paths or project_paths()
    sources = [str(p) for p in inventory] if inventory else [str(p) for p in paths.inventories]
    cmd = [_ansible_inventory(), "--list"]
    for source in sources:
        cmd += ["-i", source]
    if limit:
        cmd += ["--limit", limit]
    env = {**os.environ, "ANSIBLE_CONFIG": str(paths.ansible_cfg), "ANSIBLE_NOCOLOR": "1"}
    try:
        proc = subprocess.run(cmd, cwd=paths.root, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise OpsbookError(f"cannot run ansible-inventory: {exc}") from exc
    if proc.returncode != 0:
        raise UsageError(
            f"ansible-inventory failed for {', '.join(sources)}: {proc.stderr.strip()[-800:]}",
            hint="check the inventory path and --limit pattern",
        )
    try:
        result: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise OpsbookError(f"ansible-inventory printed no JSON: {exc}") from exc
    return result


def _ansible_inventory() -> str:
    venv_bin = Path(sys.executable).parent / "ansible-inventory"
    return str(venv_bin) if venv_bin.exists() else "ansible-inventory"


def load_devices(
    inventory: Sequence[Path | str] | None = None,
    *,
    limit: str | None = None,
    paths: ProjectPaths | None = None,
) -> list[NetDevice]:
    """Every network device of the inventory (within ``limit``). Raises when none match."""
    data = inventory_json(inventory, limit=limit, paths=paths)
    hosts = _all_hosts(data)
    devices = devices_from_inventory(data, hosts)
    if not devices:
        where = f" matching --limit {limit!r}" if limit else ""
        raise UsageError(
            f"No network devices{where} in the inventory.",
            hint="a device needs netmiko_device_type, ansible_network_os or asset_os "
            "(cisco_ios / huawei_vrp); is the lab up (opsbook lab up --devices N)?",
        )
    return devices
