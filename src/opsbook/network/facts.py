"""Device facts for the register: vendor, model, serial, software version, hostname.

Parsed with ntc-templates (TextFSM) from ``show version`` (IOS) and ``display version`` (VRP);
VRP's serial number comes from ``display esn`` (``display version`` does not print it), with
``display elabel``'s ``BarCode=`` as a fallback. :func:`device_facts` is what
``opsbook inventory reconcile`` calls; :func:`parse_facts` is the pure part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ntc_templates.parse import parse_output

from opsbook.base.model import Serial
from opsbook.network.connect import (
    DEFAULT_WORKERS,
    CommandRejected,
    Connector,
    NetError,
    Outcome,
    Session,
    netmiko_connector,
    run_many,
    with_session,
)
from opsbook.network.inventory import NetDevice
from opsbook.network.platforms import platform


@dataclass(frozen=True)
class DeviceFacts(Serial):
    device: str
    platform: str
    vendor: str
    model: str
    serial: str
    version: str
    hostname: str

    def register_fields(self) -> dict[str, str]:
        """The register's asset_* fields these facts fill (empty values left out)."""
        fields = {
            "asset_vendor": self.vendor,
            "asset_model": self.model,
            "asset_serial": self.serial,
            "asset_os": self.platform,
            "asset_os_version": self.version,
        }
        return {k: v for k, v in fields.items() if v}


def _ntc(ntc_platform: str, command: str, output: str) -> list[dict[str, Any]]:
    try:
        rows: list[dict[str, Any]] = parse_output(platform=ntc_platform, command=command, data=output)
    except Exception:  # TextFSM raises its own errors on unexpected text; fall back to regexes
        return []
    return rows


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def parse_ios(device: str, show_version: str) -> DeviceFacts:
    rows = _ntc("cisco_ios", "show version", show_version)
    row = rows[0] if rows else {}
    model = _first(row.get("hardware")) or _search(r"^[Cc]isco (\S+) \(.+\) processor", show_version)
    serial = _first(row.get("serial")) or _search(r"^[Pp]rocessor board ID (\S+)", show_version)
    if not serial:
        serial = _search(r"^System [Ss]erial [Nn]umber\s*:\s*(\S+)", show_version)
    version = str(row.get("version") or _search(r"Version ([^,\s]+)", show_version))
    hostname = str(row.get("hostname") or _search(r"^(\S+) uptime is", show_version))
    return DeviceFacts(device, "cisco_ios", "Cisco", model, serial, version, hostname)


def parse_vrp(device: str, display_version: str, serial_output: str = "") -> DeviceFacts:
    rows = _ntc("huawei_vrp", "display version", display_version)
    row = rows[0] if rows else {}
    model = str(row.get("model") or _search(r"^(?:HUAWEI|Huawei|Quidway) (\S+).* uptime is", display_version))
    product = str(row.get("product_version") or _search(r"Version \S+ \(([^)]+)\)", display_version))
    # "AR2200 V200R010C10SPC700" → the release part, as the register records versions
    release = _search(r"(V\d{3}R\d{3}\S*)", product) or product
    version = release or str(row.get("vrp_version", ""))
    serial = _search(r"ESN of (?:slot|device|master|chassis)?\s*\S*\s*:\s*(\S+)", serial_output)
    if not serial:
        serial = _search(r"^\s*BarCode=(\S+)", serial_output)
    hostname = _search(r"^<([^>]+)>", display_version)
    return DeviceFacts(device, "huawei_vrp", "Huawei", model.strip(), serial, version, hostname)


def _search(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1) if match else ""


def parse_facts(device: str, platform_name: str, version_output: str, serial_output: str = "") -> DeviceFacts:
    name = platform(platform_name).name
    if name == "cisco_ios":
        return parse_ios(device, version_output)
    return parse_vrp(device, version_output, serial_output)


def session_facts(session: Session) -> DeviceFacts:
    """Facts of the device behind an open session."""
    device = session.device
    plat = platform(device.platform)
    version_output = session.show(plat.show_version)
    serial_output = ""
    if plat.show_serial:
        try:
            serial_output = session.exec(plat.show_serial)
        except CommandRejected:
            serial_output = session.show("display elabel")
    facts = parse_facts(device.name, plat.name, version_output, serial_output)
    if not facts.model and not facts.version:
        raise NetError(
            f"{device.name}: could not read model or version from {plat.show_version!r}",
            hint="is the device's platform right in the inventory (netmiko_device_type)?",
        )
    return facts


def device_facts(
    devices: Sequence[NetDevice],
    *,
    connector: Connector | None = None,
    workers: int = DEFAULT_WORKERS,
    on_done: Callable[[Outcome[DeviceFacts]], None] | None = None,
) -> list[Outcome[DeviceFacts]]:
    """Facts of every device, concurrently; one outcome (facts or error) per device, in order."""
    job = with_session(connector or netmiko_connector(), session_facts)
    return run_many(devices, job, workers=workers, on_done=on_done)
