"""The asset register schema: the ``asset_*`` variables a host carries in host_vars / group_vars.

One pydantic model, :class:`AssetVars`, is the single source of truth: the check validates every
place that defines ``asset_*`` variables against it, ``docs/register.md`` shows the table
generated from it and ``docs/register.schema.json`` is its JSON Schema.

Every field is optional on the model because a host's variables come from several files
(group_vars supply the customer, host_vars the serial …); :data:`REQUIRED_FIELDS` are checked
per host once group_vars and host_vars are merged.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import typing
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

AssetKind = Literal[
    "server",
    "vm",
    "switch",
    "router",
    "firewall",
    "load_balancer",
    "storage_array",
    "database",
    "middleware",
]
Environment = Literal["production", "staging", "test", "development", "lab"]
ServiceTier = Literal["8x5", "24x7"]
Criticality = Literal["low", "medium", "high", "critical"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ASSET_KINDS: tuple[str, ...] = typing.get_args(AssetKind)
#: Fields every host must have after group_vars and host_vars are merged.
REQUIRED_FIELDS: tuple[str, ...] = ("asset_id", "asset_kind", "asset_customer")
#: Date fields and the order they must respect: (earlier, later).
DATE_ORDER: tuple[tuple[str, str], ...] = (
    ("asset_purchase_date", "asset_warranty_end"),
    ("asset_purchase_date", "asset_support_end"),
)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^(\d{2}):(\d{2})$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def _iso_date(value: str) -> str:
    if not _DATE_RE.match(value):
        raise PydanticCustomError("bad_date", "'{value}' is not a YYYY-MM-DD date", {"value": value})
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "bad_date", "'{value}' is not a real date ({reason})", {"value": value, "reason": str(exc)}
        ) from exc
    return value


def _hh_mm(value: str) -> str:
    match = _TIME_RE.match(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise PydanticCustomError(
            "window_time", "'{value}' is not a 24-hour HH:MM time (00:00 … 23:59)", {"value": value}
        )
    return value


@lru_cache(maxsize=512)
def is_time_zone(name: str) -> bool:
    """True when ``name`` is an IANA time zone known to this system (zoneinfo)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _time_zone(value: str) -> str:
    if not is_time_zone(value):
        raise PydanticCustomError(
            "window_timezone", "'{value}' is not an IANA time zone (Area/City)", {"value": value}
        )
    return value


def _ip_address(value: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "bad_address", "'{value}' is not an IPv4 or IPv6 address", {"value": value}
        ) from exc
    return value


def _slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise PydanticCustomError(
            "bad_slug",
            "'{value}' is not a slug (lower-case letters, digits and _), as in customer_<slug>",
            {"value": value},
        )
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", "the value is empty")
    return value


IsoDate = Annotated[str, AfterValidator(_iso_date), Field(json_schema_extra={"format": "date"})]
HHMM = Annotated[str, AfterValidator(_hh_mm), Field(pattern=r"^\d{2}:\d{2}$")]
TimeZone = Annotated[str, AfterValidator(_time_zone)]
IPAddress = Annotated[str, AfterValidator(_ip_address)]
Slug = Annotated[str, AfterValidator(_slug), Field(pattern=r"^[a-z0-9][a-z0-9_]*$")]
Text = Annotated[str, AfterValidator(_non_empty)]


class MaintenanceWindow(BaseModel):
    """When changes may be made to the asset (change playbooks refuse to run outside it)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    days: list[Day] = Field(min_length=1, description="Days of the week: mon … sun.")
    start: HHMM = Field(description="Start, 24-hour HH:MM local time (quote it in YAML).")
    end: HHMM = Field(description="End, HH:MM; an end before the start means the window spans midnight.")
    timezone: TimeZone = Field(description="IANA time zone of start/end, e.g. Europe/Berlin.")


class PartReplacement(BaseModel):
    """A replaced part, recorded with both serial numbers (the catalogue's conduct rule)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    date: IsoDate = Field(description="Day of the replacement, YYYY-MM-DD.")
    part: Text = Field(description="What was replaced, e.g. 'PSU 2', 'disk slot 3'.")
    old_serial: str | None = Field(default=None, description="Serial number of the removed part.")
    new_serial: Text = Field(description="Serial number of the part fitted.")
    ticket: str | None = Field(default=None, description="Ticket id of the repair.")


class AssetVars(BaseModel):
    """The asset register fields (all ``asset_*``), as written in host_vars / group_vars."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        title="opsbook asset register",
        json_schema_extra={"required": list(REQUIRED_FIELDS)},
    )

    asset_id: Text | None = Field(None, description="Unique asset id (inventory number), e.g. ACME-SRV-0042.")
    asset_kind: AssetKind | None = Field(None, description="What the asset is.")
    asset_customer: Slug | None = Field(
        None, description="Customer slug; the host is also in group customer_<slug>."
    )
    asset_customer_name: Text | None = Field(
        None, description="Customer's display name for service reports, e.g. ACME Logistics GmbH."
    )
    asset_vendor: Text | None = Field(None, description="Manufacturer or software vendor, e.g. Dell, Cisco.")
    asset_model: Text | None = Field(None, description="Model, e.g. PowerEdge R650, C9300-48P.")
    asset_serial: Text | None = Field(
        None, description="Serial number (quote it: YAML reads 0123 as a number)."
    )
    asset_site: Slug | None = Field(None, description="Site slug; the host is also in group site_<slug>.")
    asset_room: Text | None = Field(None, description="Room or data hall.")
    asset_rack: Text | None = Field(None, description="Rack name (quoted text, e.g. 'R12').")
    asset_unit: int | None = Field(None, ge=1, le=60, description="Lowest rack unit the asset occupies.")
    asset_owner: Text | None = Field(None, description="Who owns the asset at the customer (person or team).")
    asset_contact: Text | None = Field(None, description="Who to call about it: e-mail or phone.")
    asset_environment: Environment | None = Field(None, description="Environment.")
    asset_service_tier: ServiceTier | None = Field(None, description="Service hours bought: 8x5 or 24x7.")
    asset_maintenance_window: MaintenanceWindow | None = Field(
        None, description="When changes may be made: {days, start, end, timezone}."
    )
    asset_criticality: Criticality | None = Field(None, description="Business criticality.")
    asset_purchase_date: IsoDate | None = Field(None, description="Purchase date, YYYY-MM-DD.")
    asset_warranty_end: IsoDate | None = Field(None, description="Hardware warranty end, YYYY-MM-DD.")
    asset_support_end: IsoDate | None = Field(
        None, description="Vendor support / maintenance contract end, YYYY-MM-DD."
    )
    asset_os: Slug | None = Field(
        None, description="OS or firmware family: debian, ubuntu, rhel, centos, cisco_ios, huawei_vrp …"
    )
    asset_os_version: Text | None = Field(
        None, description="OS or firmware version as text (quote it: 15.10 would become 15.1)."
    )
    asset_mgmt_address: IPAddress | None = Field(None, description="Management IP address.")
    asset_tags: list[Text] | None = Field(None, description="Free tags.")
    asset_cpu_count: int | None = Field(None, ge=1, description="Logical CPUs (reconcile fills it).")
    asset_memory_mb: int | None = Field(None, ge=1, description="Memory in MiB (reconcile fills it).")
    asset_disk_count: int | None = Field(None, ge=0, description="Number of disks (reconcile fills it).")
    asset_disk_total_gb: int | None = Field(
        None, ge=0, description="Total disk capacity in GB (reconcile fills it)."
    )
    asset_parts_replaced: list[PartReplacement] | None = Field(
        None, description="Replaced parts with old and new serial numbers."
    )


#: Every asset field name, in schema order.
ASSET_FIELDS: tuple[str, ...] = tuple(AssetVars.model_fields)

#: Fields that describe hardware: not expected on VMs, databases or middleware instances.
_HARDWARE_FIELDS = frozenset(
    {
        "asset_serial",
        "asset_room",
        "asset_rack",
        "asset_unit",
        "asset_warranty_end",
        "asset_purchase_date",
        "asset_support_end",
    }
)
_COMMON_EXPECTED: tuple[str, ...] = (
    "asset_vendor",
    "asset_model",
    "asset_serial",
    "asset_site",
    "asset_rack",
    "asset_owner",
    "asset_contact",
    "asset_environment",
    "asset_service_tier",
    "asset_criticality",
    "asset_purchase_date",
    "asset_warranty_end",
    "asset_support_end",
    "asset_os",
    "asset_os_version",
    "asset_mgmt_address",
)


def expected_fields(kind: str | None) -> tuple[str, ...]:
    """Optional fields an asset of ``kind`` should still have: the report lists those missing."""
    if kind in ("vm", "database", "middleware"):
        return tuple(f for f in _COMMON_EXPECTED if f not in _HARDWARE_FIELDS)
    return _COMMON_EXPECTED


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one host's merged asset variables (docs/register.schema.json)."""
    schema = AssetVars.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["description"] = (
        "Asset register variables of one host (host_vars and group_vars merged). "
        "Generated from opsbook.register.schema.AssetVars; do not edit by hand."
    )
    return schema
