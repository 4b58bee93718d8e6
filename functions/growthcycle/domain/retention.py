"""How long records are kept (7): every record of a cycle expires no sooner than six years after
the cycle ends.

The table's TTL attribute `expires_at` (epoch seconds) is set from here. DynamoDB deletes an item
some time AFTER that moment (usually within days), never before, so the value is a floor: the end
of the anniversary day, Europe/London, `years` after the cycle's last day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
MINIMUM_YEARS = 6  # 7: "retained for a minimum of six years from the date the cycle ends"


class RetentionTooShort(ValueError):
    """Fewer years than section 7 allows were asked for."""

    def __init__(self, years: int) -> None:
        super().__init__(
            f"records are kept at least {MINIMUM_YEARS} years after the cycle ends (7), not {years}"
        )
        self.years = years


def anniversary(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March, so never sooner (7: at least)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def expires_at(cycle_ends: date, years: int) -> int:
    """Epoch seconds at the end (midnight, Europe/London) of the day `years` years after the
    cycle's last day. Refuses fewer than six years (7)."""
    if years < MINIMUM_YEARS:
        raise RetentionTooShort(years)
    last_day = anniversary(cycle_ends, years)
    end_of_day = datetime.combine(last_day + timedelta(days=1), time(), LONDON)
    return int(end_of_day.timestamp())


class _HasRetention(Protocol):
    @property
    def retention_years(self) -> int: ...


class _HasEnd(Protocol):
    @property
    def ends(self) -> date: ...


def expires_at_for(settings: _HasRetention, cycle: _HasEnd) -> int:
    """`expires_at` for any record of `cycle`, with the deployment's `retention_years`
    (growthcycle.config.Settings) and a domain Cycle (or anything with `.ends`)."""
    return expires_at(cycle.ends, settings.retention_years)
