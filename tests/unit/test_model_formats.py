"""One model style (opsbook.base.model.Serial): the JSON files written before it still load.

Each fixture under fixtures/models/ was written by the hand-written ``to_dict`` of the class
before it moved to the one mechanism; loading it and writing it again gives the same JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opsbook.audit.model import Audit, FindingKind, HostStatus
from opsbook.base.model import ModelError, Serial
from opsbook.health.model import HealthReport, Status
from opsbook.lab.state import LabState
from opsbook.network.compliance import DeviceCompliance, DeviceStatus
from opsbook.results import RunResult, TaskStatus

FIXTURES = Path(__file__).parent / "fixtures" / "models"


def _old(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_an_old_result_json_loads_and_writes_the_same() -> None:
    old = _old("result.json")
    result = RunResult.from_dict(old)
    assert result.artifact_dir == Path("/srv/opsbook/.opsbook/runs/x")
    assert result.tasks[0].status is TaskStatus.CHANGED
    assert result.tasks[0].items[0].result == {"rc": 0}
    assert result.hosts["db1"].status is TaskStatus.UNREACHABLE
    assert result.failed_hosts() == ["db1"]
    assert result.to_dict() == old


def test_an_old_audit_json_loads_and_writes_the_same() -> None:
    old = _old("audit.json")
    audit = Audit.from_dict(old)
    assert audit.hosts[0].status is HostStatus.DRIFTED
    assert audit.hosts[0].findings[0].kind is FindingKind.DRIFT
    assert audit.exit_code == old["exit_code"] == 1
    assert audit.to_dict() == old
    assert next(iter(audit.to_dict())) == "schema_version"


def test_an_old_health_report_loads_and_writes_the_same() -> None:
    old = _old("health.json")
    report = HealthReport.from_dict(old)
    row = report.hosts[0].checks[0]
    assert (row.status, row.warn, row.crit) == (Status.WARN, 80.0, 90.0)
    assert report.devices[0].device is not None and report.devices[0].device.uptime_seconds == 86400
    assert report.exit_code == old["exit_code"] == 2
    assert report.to_dict() == old


def test_computed_and_unknown_keys_are_ignored_and_missing_ones_take_defaults() -> None:
    result = RunResult.from_dict(
        {"run_id": "r", "playbook": "p", "artifact_dir": "/a", "status": "successful", "rc": 0, "later": 1}
    )
    assert result.tasks == [] and result.canceled_by == ""


def test_a_wrong_value_names_the_field() -> None:
    old = _old("audit.json")
    old["hosts"][0]["status"] = "sideways"
    with pytest.raises(ModelError, match=r"^Audit: hosts\.0\.status: Input should be 'compliant'") as info:
        Audit.from_dict(old)
    assert isinstance(info.value, ValueError)  # callers that catch ValueError still do
    assert "pydantic" not in str(info.value)


def test_an_old_lab_state_loads_and_writes_the_same() -> None:
    old = _old("lab-state.json")
    state = LabState.from_dict(old)
    assert state.shape.ssh_port_base == 6000 and state.ports == [6000, 6001, 6100]
    assert state.devices[0].platform == "cisco_ios"
    assert state.to_dict() == old


def test_an_old_device_compliance_loads_and_writes_the_same() -> None:
    old = _old("net-compliance.json")
    result = DeviceCompliance.from_dict(old)
    assert result.status is DeviceStatus.DRIFTED and result.drifted_features == ["ntp"]
    assert result.features[0].missing == ["ntp server 10.0.0.1"]
    assert result.to_dict() == old


def test_no_model_writes_to_dict_or_from_dict_by_hand() -> None:
    for cls in (RunResult, Audit, HealthReport, LabState, DeviceCompliance):
        assert "to_dict" not in vars(cls) and "from_dict" not in vars(cls)
        assert issubclass(cls, Serial)
