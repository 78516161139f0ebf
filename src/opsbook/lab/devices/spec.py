"""What one simulated device is: :class:`DeviceSpec`, and its JSON form in ``devices.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Literal, cast, get_args

from opsbook.errors import OpsbookError

Platform = Literal["cisco_ios", "huawei_vrp"]
PLATFORMS: tuple[str, ...] = get_args(Platform)

# Hardware and software a device reports when the spec leaves them empty.
_DEFAULTS: dict[str, dict[str, str]] = {
    "cisco_ios": {"model": "WS-C2960X-24TS-L", "version": "15.2(7)E4", "serial_prefix": "FOC"},
    "huawei_vrp": {"model": "AR2220E", "version": "V200R010C10SPC700", "serial_prefix": "2102"},
}


@dataclass(frozen=True)
class DeviceSpec:
    """One simulated network device, served over SSH on ``127.0.0.1:port``.

    ``hostname``, ``model``, ``serial`` and ``version`` default to platform values when empty.
    ``username`` / ``password`` seed the device's local user (privilege ``privilege``); the
    enable secret is ``enable_secret`` or, when empty, ``password``. ``revert_minute_seconds``
    is how long one minute of an IOS ``revert timer`` lasts (shorten it in tests).
    """

    name: str
    platform: Platform
    port: int
    username: str
    password: str
    hostname: str = ""
    model: str = ""
    serial: str = ""
    version: str = ""
    enable_secret: str = ""
    privilege: int = 15
    snmp_community: str = "opsbook-lab-ro"
    revert_minute_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise OpsbookError(
                f"device {self.name!r}: unknown platform {self.platform!r}",
                hint=f"use one of: {', '.join(PLATFORMS)}",
            )
        defaults = _DEFAULTS[self.platform]
        if not self.hostname:
            object.__setattr__(self, "hostname", self.name)
        if not self.model:
            object.__setattr__(self, "model", defaults["model"])
        if not self.version:
            object.__setattr__(self, "version", defaults["version"])
        if not self.serial:
            object.__setattr__(self, "serial", default_serial(self.name, defaults["serial_prefix"]))
        if not self.enable_secret:
            object.__setattr__(self, "enable_secret", self.password)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviceSpec:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise OpsbookError(f"device spec has unknown keys: {', '.join(unknown)}")
        return cls(**data)


def default_serial(name: str, prefix: str) -> str:
    """A stable, realistic-looking serial derived from the device name."""
    digest = 0
    for char in name:
        digest = (digest * 131 + ord(char)) % 10**9
    if prefix == "FOC":
        return f"FOC{digest % 10000:04d}X{(digest // 10000) % 100:02d}AB"
    return f"{prefix}35{digest:09d}0001"


def validate_specs(specs: list[DeviceSpec]) -> None:
    """Refuse duplicate names or ports and ports outside 1..65535."""
    seen_names: set[str] = set()
    seen_ports: dict[int, str] = {}
    for spec in specs:
        if not spec.name or "/" in spec.name or spec.name.startswith("."):
            raise OpsbookError(f"device name {spec.name!r} is not a plain name")
        if spec.name in seen_names:
            raise OpsbookError(f"device name {spec.name!r} is used twice")
        if not 0 < spec.port < 65536:
            raise OpsbookError(f"device {spec.name!r}: port {spec.port} is outside 1..65535")
        if spec.port in seen_ports:
            raise OpsbookError(
                f"devices {seen_ports[spec.port]!r} and {spec.name!r} both use port {spec.port}"
            )
        if not spec.username or not spec.password:
            raise OpsbookError(f"device {spec.name!r}: username and password must not be empty")
        seen_names.add(spec.name)
        seen_ports[spec.port] = spec.name


def write_specs(path: Path, specs: list[DeviceSpec]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([s.to_dict() for s in specs], indent=2) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)


def read_specs(path: Path) -> list[DeviceSpec]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise OpsbookError(f"{path}: no device specs (are the lab devices set up?)") from exc
    except json.JSONDecodeError as exc:
        raise OpsbookError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, list):
        raise OpsbookError(f"{path}: expected a list of device specs")
    return [DeviceSpec.from_dict(cast(dict[str, Any], item)) for item in raw]
