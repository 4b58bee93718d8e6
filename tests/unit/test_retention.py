"""Section 7: records are kept at least six years from the date the cycle ends (the table's TTL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from growthcycle.domain.cycles import StaffGroup, regular_cycle
from growthcycle.domain.retention import (
    RetentionTooShort,
    anniversary,
    cycle_end_at_latest,
    expires_at,
    expires_at_for,
    expires_at_for_cycle_id,
    latest_end,
)

LONDON = ZoneInfo("Europe/London")


def _london(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).astimezone(LONDON)


def test_7_expiry_is_the_end_of_the_day_six_years_after_the_cycle_ends_in_london() -> None:
    # A teachers' cycle ends on 31 October 2027 (4.1); BST has ended by then.
    moment = _london(expires_at(date(2027, 10, 31), 6))
    assert moment == datetime(2033, 11, 1, 0, 0, tzinfo=LONDON)


def test_7_expiry_at_the_end_of_a_summer_day_respects_british_summer_time() -> None:
    # Support staff's academic-year cycle ends 31 August: midnight BST is 23:00 UTC.
    epoch = expires_at(date(2027, 8, 31), 6)
    assert datetime.fromtimestamp(epoch, UTC) == datetime(2033, 8, 31, 23, 0, tzinfo=UTC)


def test_7_a_cycle_ending_on_29_february_is_kept_until_the_end_of_1_march() -> None:
    assert anniversary(date(2028, 2, 29), 6) == date(2034, 3, 1)
    assert _london(expires_at(date(2028, 2, 29), 6)).date() == date(2034, 3, 2)


def test_7_a_leap_day_anniversary_that_exists_is_kept() -> None:
    assert anniversary(date(2024, 2, 29), 8) == date(2032, 2, 29)


@pytest.mark.parametrize("years", [0, 1, 5, -6])
def test_7_fewer_than_six_years_is_refused(years: int) -> None:
    with pytest.raises(RetentionTooShort, match="at least 6 years"):
        expires_at(date(2027, 10, 31), years)


def test_7_more_years_keep_records_longer_never_shorter() -> None:
    assert expires_at(date(2027, 10, 31), 7) > expires_at(date(2027, 10, 31), 6)


def test_7_expires_at_for_uses_the_settings_years_and_the_cycles_end() -> None:
    cycle = regular_cycle("teacher", date(2026, 11, 20))
    settings = SimpleNamespace(retention_years=10)
    assert expires_at_for(settings, cycle) == expires_at(date(2027, 10, 31), 10)


def test_7_never_before_six_years_of_days_have_passed_for_any_cycle_end() -> None:
    # Six calendar years hold at least 6 * 365 + 1 days (one leap day at least).
    day = date(2027, 1, 1)
    while day.year < 2029:
        end_of_cycle = datetime.combine(day + timedelta(days=1), time(), LONDON)
        assert _london(expires_at(day, 6)) - end_of_cycle >= timedelta(days=6 * 365 + 1)
        day += timedelta(days=1)


def test_7_the_deployment_setting_refuses_fewer_than_six_years() -> None:
    from pydantic import ValidationError

    from growthcycle.config import Settings

    base = {
        "table_name": "t",
        "trust_name": "demo",
        "sender_address": "a@b.example",
        "base_url": "https://x.example",
        "signing_key_secret_arn": "arn",
    }
    assert Settings.model_validate(base).retention_years == 6
    assert Settings.model_validate({**base, "retention_years": 10}).retention_years == 10
    with pytest.raises(ValidationError):
        Settings.model_validate({**base, "retention_years": 5})


@pytest.mark.parametrize(
    ("cycle_id", "last_day"),
    [
        ("2026-27", date(2027, 12, 31)),
        ("2027", date(2027, 12, 31)),
        ("2026-27-from-2027-02-15", date(2027, 12, 31)),
        ("2099-00", date(2100, 12, 31)),
    ],
)
def test_7_latest_end_is_the_last_day_of_the_last_year_in_the_cycle_id(
    cycle_id: str, last_day: date
) -> None:
    assert latest_end(cycle_id) == last_day


@pytest.mark.parametrize("cycle_id", ["", "26-27", "2026-2027", "2026/27", "2026-27-x"])
def test_7_an_unknown_cycle_id_is_refused_not_guessed(cycle_id: str) -> None:
    with pytest.raises(ValueError, match="not a cycle id"):
        latest_end(cycle_id)


@pytest.mark.parametrize("group", list(StaffGroup))
def test_7_expiry_from_a_cycle_id_is_never_sooner_than_from_the_cycle_itself(
    group: StaffGroup,
) -> None:
    settings = SimpleNamespace(retention_years=6)
    moved = {StaffGroup.TEACHER: (12, 15), StaffGroup.HEADTEACHER: (11, 30)}
    day = date(2026, 1, 1)
    while day.year < 2028:
        for ends in (None, moved):
            cycle = regular_cycle(group, day, ends)
            by_id = expires_at_for_cycle_id(settings, cycle.cycle_id)
            assert by_id >= expires_at_for(settings, cycle)
            # ... and at most the rest of that calendar year later.
            assert by_id <= expires_at(date(cycle.ends.year, 12, 31), 6)
            assert cycle_end_at_latest(day) >= cycle.ends
        day += timedelta(days=5)
