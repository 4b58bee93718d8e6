"""Section 7: records are kept at least six years from the date the cycle ends (the table's TTL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from growthcycle.domain.cycles import regular_cycle
from growthcycle.domain.retention import (
    RetentionTooShort,
    anniversary,
    expires_at,
    expires_at_for,
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
