"""Network devices from the asset register, read by the register's one reader.

:func:`opsbook.register.read_scope` gives every host's merged variables as Ansible sees them
(groups, group_vars, host_vars; the same values as ``ansible-inventory --list``, compared by a
unit test) without a subprocess. A host is a network device when its platform can be told from
``netmiko_device_type``, ``ansible_network_os`` or ``asset_os``.

``net_*`` string values may use Jinja (``"{{ inventory_hostname }}-mgmt"``); they are rendered
with the host's variables. Vault-encrypted values are refused with a hint: opsbook net does not
decrypt them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from opsbook.errors import UsageError
from opsbook.network.platforms import ALIASES, platform
from opsbook.paths import ProjectPaths, project_paths
from opsbook.register import Scope, default_inventory, read_scope


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
                f"{name}: variable {key} is vault-encrypted; opsbook net reads the register's files "
                "and does not decrypt vault values.",
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
    """The host's variables with Jinja in ``net_*`` values rendered (StrictUndefined), in Jinja's
    sandbox: a register value may refer to other variables, never reach Python (a template such as
    ``{{ cycler.__init__.__globals__.os.popen(...) }}`` is refused, not run)."""
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
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


def device_scope(
    inventory: Sequence[Path | str] | None = None,
    *,
    limit: str | None = None,
    paths: ProjectPaths | None = None,
    read_only: bool = False,
) -> tuple[list[NetDevice], Scope]:
    """The network devices of the register (within ``limit``) and the scope they were read from.

    Read by the register's one reader (:func:`opsbook.register.read_scope`): a broken register is
    refused before any connection, with every problem's file:line:column. ``read_only``: devices
    whose register data has a problem are skipped (listed in the scope) and the rest go on;
    otherwise any such device refuses the command.
    """
    sources = list(inventory) if inventory else default_inventory(paths or project_paths())
    scope = read_scope(sources, limit=limit, read_only=read_only)
    devices = devices_from_inventory(scope.inventory_data(), scope.targets)
    if not devices:
        where = f" matching --limit {limit!r}" if limit else ""
        raise UsageError(
            f"No network devices{where} in the inventory.",
            hint="a device needs netmiko_device_type, ansible_network_os or asset_os "
            "(cisco_ios / huawei_vrp); is the lab up (opsbook lab up --devices N)?",
        )
    return devices, scope


def inventory_json(
    inventory: Sequence[Path | str] | None = None,
    *,
    limit: str | None = None,
    paths: ProjectPaths | None = None,
    read_only: bool = False,
) -> dict[str, Any]:
    """``ansible-inventory --list`` JSON of the register's hosts within ``limit`` (default
    inventory: the customer context's), read in-process by the register's one reader."""
    sources = list(inventory) if inventory else default_inventory(paths or project_paths())
    return read_scope(sources, limit=limit, read_only=read_only).inventory_data()


def load_devices(
    inventory: Sequence[Path | str] | None = None,
    *,
    limit: str | None = None,
    paths: ProjectPaths | None = None,
) -> list[NetDevice]:
    """Every network device of the inventory (within ``limit``); any device with a register
    problem refuses (changing commands). Raises when none match."""
    return device_scope(inventory, limit=limit, paths=paths)[0]
