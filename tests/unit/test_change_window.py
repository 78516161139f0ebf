"""Maintenance windows, change freezes and the admission of a change (opsbook.change)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsbook.change.gate import ChangeRefused, admit
from opsbook.change.window import host_times, parse_window
from opsbook.errors import UsageError
from opsbook.runbooks.exitcodes import ExitCode

SUNDAY_NIGHT = {"days": ["sun"], "start": "02:00", "end": "06:00", "timezone": "Europe/Berlin"}
SATURDAY_OVERNIGHT = {"days": ["sat"], "start": "22:00", "end": "04:00", "timezone": "Europe/Amsterdam"}
ALWAYS = {
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "start": "00:00",
    "end": "23:59",
    "timezone": "Etc/UTC",
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-12-06T01:30:00", True),  # Sunday 02:30 in Berlin (UTC+1)
        ("2026-12-06T00:59:00", False),  # Sunday 01:59 Berlin
        ("2026-12-06T05:00:00", False),  # Sunday 06:00 Berlin: the end is not inside
        ("2026-12-03T01:30:00", False),  # Thursday
    ],
)
def test_a_window_is_open_only_on_its_days_between_start_and_end(moment: str, expected: bool) -> None:
    window = parse_window("web1", SUNDAY_NIGHT)
    assert window is not None and window.is_open(utc(moment)) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-12-05T21:30:00", True),  # Saturday 22:30 Amsterdam
        ("2026-12-06T02:30:00", True),  # Sunday 03:30: the morning after a listed day
        ("2026-12-06T03:00:00", False),  # Sunday 04:00
        ("2026-12-06T21:30:00", False),  # Sunday 22:30: Sunday is not listed
        ("2026-12-05T02:30:00", False),  # Saturday 03:30: Friday is not listed
    ],
)
def test_a_window_whose_end_is_before_its_start_spans_midnight(moment: str, expected: bool) -> None:
    window = parse_window("web1", SATURDAY_OVERNIGHT)
    assert window is not None and window.is_open(utc(moment)) is expected


def test_an_end_of_2359_runs_to_midnight() -> None:
    window = parse_window("lab1", ALWAYS)
    assert window is not None and window.is_open(utc("2026-12-03T23:59:30"))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({**SUNDAY_NIGHT, "start": 120}, "start: 120, not a quoted 24-hour time"),
        ({**SUNDAY_NIGHT, "days": ["sunday"]}, "not a list of mon … sun"),
        ({**SUNDAY_NIGHT, "timezone": "Mars/Olympus"}, "not an IANA time zone"),
        ("always", "is not a mapping"),
    ],
)
def test_a_bad_window_is_refused_naming_host_and_variable(value: object, message: str) -> None:
    with pytest.raises(UsageError, match="web1: asset_maintenance_window") as err:
        parse_window("web1", value)
    assert message in str(err.value)


def test_without_a_window_there_is_no_restriction() -> None:
    allowed, why = host_times("web1", {}).verdict(utc("2026-12-03T10:00:00"))
    assert allowed and why == "no maintenance window in the register"


def test_a_freeze_closes_even_an_open_window() -> None:
    times = host_times(
        "web1",
        {
            "asset_maintenance_window": ALWAYS,
            "opsbook_change_freezes": [
                {"start": "2026-12-24", "end": "2027-01-02", "reason": "year-end closing"}
            ],
        },
    )
    assert times.verdict(utc("2026-12-23T23:00:00"))[0] is True
    allowed, why = times.verdict(utc("2026-12-24T00:00:00"))
    assert not allowed and why == "inside the change freeze 2026-12-24 … 2027-01-02 (year-end closing)"
    assert times.verdict(utc("2027-01-02T23:59:00"))[0] is False


def test_a_freeze_without_a_reason_is_refused() -> None:
    with pytest.raises(UsageError, match="opsbook_change_freezes has an entry"):
        host_times("web1", {"opsbook_change_freezes": [{"start": "2026-12-24", "end": "2026-12-26"}]})


# ---- admission --------------------------------------------------------------------------------

HOSTS = {"web1": {"asset_maintenance_window": SUNDAY_NIGHT}, "web2": {"asset_maintenance_window": ALWAYS}}
THURSDAY = utc("2026-12-03T10:00:00")


def test_outside_the_window_a_change_is_refused_naming_host_window_and_next_opening() -> None:
    with pytest.raises(ChangeRefused) as err:
        admit(
            HOSTS, what="runbook disk-full", ticket="INC-1", ticket_required=False, force=None, now=THURSDAY
        )
    text = str(err.value)
    assert "web1 is outside its maintenance window (sun 02:00-06:00 Europe/Berlin)" in text
    assert "next opening Sun 2026-12-06 02:00 Europe/Berlin" in text
    assert "web2" not in text.split("→", maxsplit=1)[0]
    assert "--force 'REASON'" in text
    assert err.value.exit_code == ExitCode.REFUSED


def test_force_with_a_reason_admits_and_is_recorded() -> None:
    admission = admit(
        HOSTS,
        what="x",
        ticket="INC-1",
        ticket_required=False,
        force="P1 outage, duty manager agreed",
        now=THURSDAY,
    )
    record = admission.to_record()
    assert record["forced"] == "P1 outage, duty manager agreed"
    assert record["overridden"] == {
        "web1": "outside its maintenance window (sun 02:00-06:00 Europe/Berlin) (--force)"
    }
    assert record["windows"]["web2"].startswith("inside its maintenance window")


def test_force_needs_a_real_reason() -> None:
    with pytest.raises(ChangeRefused, match="--force needs a reason"):
        admit(HOSTS, what="x", ticket=None, ticket_required=False, force="  yes ", now=THURSDAY)


def test_force_inside_the_window_overrides_nothing() -> None:
    admission = admit(
        {"web2": HOSTS["web2"]},
        what="x",
        ticket=None,
        ticket_required=False,
        force="just in case it is",
        now=THURSDAY,
    )
    assert admission.forced is None and admission.overridden == {}


def test_enforce_false_turns_a_closed_window_into_a_recorded_override() -> None:
    hosts = {"lab1": {"asset_maintenance_window": SUNDAY_NIGHT, "opsbook_change_window_enforce": False}}
    admission = admit(hosts, what="x", ticket=None, ticket_required=False, force=None, now=THURSDAY)
    assert "opsbook_change_window_enforce: false" in admission.overridden["lab1"]


def test_a_required_ticket_is_refused_when_missing_and_checked_when_given() -> None:
    with pytest.raises(ChangeRefused, match="needs the ticket it serves") as err:
        admit({}, what="opsbook run site.yml", ticket=None, ticket_required=True, force=None, now=THURSDAY)
    assert "--ticket ID" in str(err.value)
    with pytest.raises(ChangeRefused, match="is not a ticket id"):
        admit(
            {}, what="x", ticket="{{ lookup('pipe','id') }}", ticket_required=True, force=None, now=THURSDAY
        )
    assert (
        admit({}, what="x", ticket=" CHG-7 ", ticket_required=True, force=None, now=THURSDAY).ticket
        == "CHG-7"
    )


# ---- properties: whatever the register holds, an answer or a clear refusal, never a traceback -----

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_windows = st.fixed_dictionaries(
    {
        "days": st.lists(
            st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun", "xyz"]), max_size=8
        ),
        "start": st.one_of(st.text(max_size=6), st.from_regex(r"\A[0-2][0-9]:[0-5][0-9]\Z")),
        "end": st.one_of(st.text(max_size=6), st.from_regex(r"\A[0-2][0-9]:[0-5][0-9]\Z")),
        "timezone": st.sampled_from(["Etc/UTC", "Europe/Berlin", "Pacific/Kiritimati", "Nowhere/Else", ""]),
    }
)


@settings(max_examples=300, deadline=None)
@given(
    window=st.one_of(_windows, _values),
    freezes=_values,
    enforce=_values,
    # the clock's now: any moment of this era (a window is not asked about the year 9999)
    moment=st.datetimes(datetime(1970, 1, 2), datetime(2200, 1, 1), timezones=st.just(UTC)),
)
def test_any_register_value_gives_a_verdict_or_a_usage_error(
    window: object, freezes: object, enforce: object, moment: datetime
) -> None:
    variables = {
        "asset_maintenance_window": window,
        "opsbook_change_freezes": freezes,
        "opsbook_change_window_enforce": enforce,
    }
    try:
        times = host_times("web1", variables)
    except UsageError as exc:
        assert str(exc).startswith("web1: ")
        return
    allowed, why = times.verdict(moment)
    assert isinstance(allowed, bool) and why
