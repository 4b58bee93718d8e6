"""How long records are kept (7): every record of a cycle expires no sooner than six years after
the cycle ends.

The table's TTL attribute `expires_at` (epoch seconds) is set from here. DynamoDB deletes an item
some time AFTER that moment (usually within days), never before, so the value is a floor: the end
of the anniversary day, Europe/London, `years` after the cycle's last day.
"""

from __future__ import annotations

import re
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


_CYCLE_ID = re.compile(r"(?P<first>\d{4})(?:-(?P<last>\d{2}))?(?:-from-\d{4}-\d{2}-\d{2})?")


def latest_end(cycle_id: str) -> date:
    """The latest day a cycle named `cycle_id` can end: 31 December of the last year in its name
    (domain/cycles.py names a cycle by its years: `2026-27`, `2027`, and a cycle that began again
    on a transfer `2026-27-from-2027-03-01`, which ends with the regular one)."""
    found = _CYCLE_ID.fullmatch(cycle_id)
    if found is None:
        raise ValueError(f"not a cycle id: {cycle_id!r}")
    first = int(found["first"])
    last = first
    if found["last"] is not None:
        last = first // 100 * 100 + int(found["last"])
        if last < first:
            last += 100  # 2099-00
    return date(last, 12, 31)


def expires_at_for_cycle_id(settings: _HasRetention, cycle_id: str) -> int:
    """`expires_at` for a record of the cycle named `cycle_id`, when only its id is at hand (a
    statement or a training need moved after the cycle rolled over): from the latest day that
    cycle can end, so never sooner than `expires_at_for` of the cycle itself (7), and at most
    the rest of that year later."""
    return expires_at(latest_end(cycle_id), settings.retention_years)


def cycle_end_at_latest(day: date) -> date:
    """The latest day a cycle that `day` falls in can end: a cycle runs at most a year (4.1), so
    before `day`'s anniversary. For a record whose cycle is not at hand (a staff import's audit
    entry), so that it is never kept less than section 7 asks."""
    return anniversary(day, 1)
