"""Intended configuration: Jinja2 templates per platform and feature, variables from the inventory.

Templates live in ``templates/<platform>/<feature>.j2`` (this package). A feature is *managed*
for a device when one of its variables is defined for it (see :data:`FEATURE_VARS`; ``hostname``
is always managed), optionally narrowed by ``net_features``. Unmanaged features are neither
checked nor changed. docs/network.md lists every variable.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from opsbook.errors import UsageError
from opsbook.network.features import FEATURES, parse_features
from opsbook.network.platforms import platform

TEMPLATES = Path(__file__).parent / "templates"

#: feature → the inventory variables that make it managed.
FEATURE_VARS: dict[str, tuple[str, ...]] = {
    "hostname": (),
    "aaa": ("net_local_users", "net_enable_secret", "net_aaa_new_model", "net_tacacs_servers"),
    "ntp": ("net_ntp_servers", "net_timezone"),
    "logging": ("net_logging_hosts", "net_logging_level", "net_logging_buffered"),
    "snmp": ("net_snmp_communities", "net_snmp_location", "net_snmp_contact", "net_snmp_version"),
    "vlans": ("net_vlans",),
    "acls": ("net_acls",),
    "interfaces": ("net_interfaces",),
    "banner": ("net_banner",),
}


@dataclass
class Intended:
    """The rendered intended configuration of one device, per managed feature."""

    device: str
    platform: str
    features: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "".join(self.features[f] for f in FEATURES if f in self.features)

    def only(self, features: Sequence[str] | None) -> Intended:
        """The same intent narrowed to ``features`` (``--features``); None: all of it."""
        if features is None:
            return self
        kept = {f: text for f, text in self.features.items() if f in features}
        return Intended(device=self.device, platform=self.platform, features=kept)


def netmask(value: str) -> str:
    """``10.0.0.1/24`` → ``10.0.0.1 255.255.255.0``; ``10.0.0.1 255.255.255.0`` unchanged."""
    text = str(value).strip()
    if "/" not in text:
        return text
    iface = ipaddress.IPv4Interface(text)
    return f"{iface.ip} {iface.netmask}"


def wildcard(value: str) -> str:
    """``10.0.0.0/24`` → ``10.0.0.0 0.0.0.255`` (ACL wildcard form)."""
    net = ipaddress.IPv4Network(str(value).strip(), strict=False)
    return f"{net.network_address} {net.hostmask}"


@functools.lru_cache(maxsize=8)
def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment (cached: compiled templates are reused for every device)."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # configuration text, not HTML
    )
    env.filters["netmask"] = netmask
    env.filters["wildcard"] = wildcard
    return env


#: The variable a push narrows the features with (``opsbook net push --features``, the
#: ``features`` parameter of the network-push runbook): a comma-separated list or a list.
PUSH_FEATURES_VAR = "net_push_features"


def managed_features(variables: Mapping[str, Any]) -> list[str]:
    """Features managed for a device: one of its variables (or ``net_raw.<feature>``) is set;
    narrowed by ``net_features`` (the device's own list) and by ``net_push_features`` (one push)."""
    wanted = variables.get("net_features")
    pushed = variables.get(PUSH_FEATURES_VAR) or None
    only = parse_features([str(v) for v in pushed] if isinstance(pushed, list) else pushed)
    raw = variables.get("net_raw") or {}
    out = []
    for feature in FEATURES:
        names = FEATURE_VARS[feature]
        if names and not any(n in variables for n in names) and feature not in raw:
            continue
        if wanted is not None and feature not in wanted:
            continue
        if only is not None and feature not in only:
            continue
        out.append(feature)
    return out


def render_device(
    device: str,
    platform_name: str,
    variables: Mapping[str, Any],
    *,
    templates_dir: Path | None = None,
    env: jinja2.Environment | None = None,
) -> Intended:
    """Render every managed feature of one device from its inventory variables."""
    plat = platform(platform_name)
    env = env or environment(templates_dir)
    context = {"inventory_hostname": device, **variables}
    result = Intended(device=device, platform=plat.name)
    for feature in managed_features(variables):
        name = f"{plat.name}/{feature}.j2"
        try:
            text = env.get_template(name).render(context)
        except jinja2.TemplateNotFound as exc:
            raise UsageError(
                f"{device}: no template {name} for feature {feature!r}.",
                hint=f"add {TEMPLATES / name} or remove the feature from net_features",
            ) from exc
        except (jinja2.UndefinedError, jinja2.TemplateError, ValueError, TypeError) as exc:
            raise UsageError(
                f"{device}: cannot render {name}: {exc}",
                hint="check the device's net_* variables against docs/network.md",
            ) from exc
        lines = [line.rstrip() for line in text.splitlines()]
        if feature != "banner":  # banner text may hold blank lines; elsewhere they mean nothing
            lines = [line for line in lines if line.strip()]
        while lines and not lines[-1].strip():
            lines.pop()
        result.features[feature] = "\n".join(lines) + "\n" if lines else ""
    return result
