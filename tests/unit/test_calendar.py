"""Working days: weekends, each nation's public holidays, and a school's closure days.

Expected dates are worked out by hand from a printed calendar (1 January 2026 is a Thursday,
1 January 2027 a Friday), not from the code under test.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from growthcycle.domain.calendar import (
    ClosureDays,
    ClosuresFileInvalid,
    UnknownNation,
    WorkingCalendar,
    parse_closures,
)

CLOSURES = Path(__file__).parent.parent / "data" / "closures"
NATIONS = ("england", "wales", "scotland", "northern-ireland")


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- five working days after a date (4.9's draft statement clock), by nation --------------------

FIVE_WORKING_DAYS = [
    # Christmas 2026: 25 Dec Fri, Boxing Day Sat so Mon 28 Dec substitute; 1 Jan 2027 Fri.
    ("england", "2026-12-23", "2027-01-04"),
    ("wales", "2026-12-23", "2027-01-04"),
    ("northern-ireland", "2026-12-23", "2027-01-04"),
    # Scotland also has 2 January; in 2027 it is a Saturday, so Mon 4 January is the substitute.
    ("scotland", "2026-12-23", "2027-01-05"),
    # New Year 2026: 1 Jan Thu everywhere, 2 Jan Fri only in Scotland.
    ("england", "2025-12-30", "2026-01-07"),
    ("scotland", "2025-12-30", "2026-01-08"),
    # Easter 2026: Good Friday 3 April everywhere; Easter Monday 6 April except in Scotland.
    ("england", "2026-04-01", "2026-04-10"),
    ("wales", "2026-04-01", "2026-04-10"),
    ("northern-ireland", "2026-04-01", "2026-04-10"),
    ("scotland", "2026-04-01", "2026-04-09"),
    # Early May bank holiday, Mon 4 May 2026, in all four nations.
    ("england", "2026-04-30", "2026-05-08"),
    ("wales", "2026-04-30", "2026-05-08"),
    ("scotland", "2026-04-30", "2026-05-08"),
    ("northern-ireland", "2026-04-30", "2026-05-08"),
    # St Patrick's Day, Tue 17 March 2026, only in Northern Ireland.
    ("northern-ireland", "2026-03-13", "2026-03-23"),
    ("england", "2026-03-13", "2026-03-20"),
    # Battle of the Boyne: 12 July 2026 is a Sunday, so Mon 13 July is the substitute (NI only).
    ("northern-ireland", "2026-07-10", "2026-07-20"),
    ("england", "2026-07-10", "2026-07-17"),
    # St Andrew's Day, Mon 30 November 2026, only in Scotland.
    ("scotland", "2026-11-27", "2026-12-07"),
    ("england", "2026-11-27", "2026-12-04"),
    # An ordinary week: Monday to Monday.
    ("england", "2026-10-05", "2026-10-12"),
]


@pytest.mark.parametrize(("nation", "start", "expected"), FIVE_WORKING_DAYS)
def test_five_working_days_skip_weekends_and_the_nations_public_holidays(
    nation: str, start: str, expected: str
) -> None:
    assert WorkingCalendar(nation).add_working_days(d(start), 5) == d(expected)


def test_ten_working_days_skip_the_spring_bank_holiday_in_every_nation() -> None:
    # Fri 15 May 2026 + 10: 18-22 May, (Mon 25 May holiday), 26-29 May, Mon 1 June.
    for nation in NATIONS:
        assert WorkingCalendar(nation).add_working_days(d("2026-05-15"), 10) == d("2026-06-01")


def test_scotland_st_andrews_day_on_a_sunday_moves_to_the_monday() -> None:
    # 30 November 2025 is a Sunday; Mon 1 December 2025 is the substitute holiday in Scotland.
    scotland = WorkingCalendar("scotland")
    assert not scotland.is_working_day(d("2025-12-01"))
    assert WorkingCalendar("england").is_working_day(d("2025-12-01"))
    assert scotland.add_working_days(d("2025-11-28"), 1) == d("2025-12-02")


def test_northern_ireland_has_17_march_and_12_july_and_england_does_not() -> None:
    ni, england = WorkingCalendar("northern-ireland"), WorkingCalendar("england")
    for day in ("2026-03-17", "2027-07-12"):
        assert not ni.is_working_day(d(day))
        assert england.is_working_day(d(day))


def test_scotland_has_no_easter_monday() -> None:
    assert WorkingCalendar("scotland").is_working_day(d("2026-04-06"))
    assert not WorkingCalendar("wales").is_working_day(d("2026-04-06"))


# --- closure days ------------------------------------------------------------------------------


def oakfield() -> WorkingCalendar:
    text = (CLOSURES / "oakfield-2026-27.txt").read_text(encoding="utf-8")
    return WorkingCalendar("england", parse_closures(text))


def test_closure_days_do_not_count_as_working_days() -> None:
    # Fri 23 Oct 2026 + 5: half term 26-30 Oct is closed, so 2-6 November.
    assert WorkingCalendar("england").add_working_days(d("2026-10-23"), 5) == d("2026-10-30")
    assert oakfield().add_working_days(d("2026-10-23"), 5) == d("2026-11-06")


def test_christmas_closure_and_inset_day_push_the_due_date_into_january() -> None:
    # Fri 18 Dec 2026 + 5: closed 21 Dec - 1 Jan, INSET Mon 4 Jan; so 5-8 Jan and Mon 11 Jan.
    assert oakfield().add_working_days(d("2026-12-18"), 5) == d("2027-01-11")


def test_why_not_working_names_the_weekend_the_holiday_and_the_closure() -> None:
    calendar = oakfield()
    assert calendar.why_not_working(d("2026-10-03")) == "Saturday"
    assert calendar.why_not_working(d("2026-12-25")) == "Christmas Day (public holiday, England)"
    assert calendar.why_not_working(d("2026-09-01")) == "school closed: INSET day"
    assert calendar.why_not_working(d("2026-09-02")) is None


def test_explained_count_records_each_skipped_day_and_why() -> None:
    count = WorkingCalendar("scotland").add_working_days_explained(d("2026-12-23"), 5)
    assert count.result == d("2027-01-05")
    assert [s.day for s in count.skipped] == [
        d("2026-12-25"),
        d("2026-12-26"),
        d("2026-12-27"),
        d("2026-12-28"),
        d("2027-01-01"),
        d("2027-01-02"),
        d("2027-01-03"),
        d("2027-01-04"),
    ]
    assert "New Year Holiday" in count.skipped[-1].why
    assert count.counted == (
        d("2026-12-24"),
        d("2026-12-29"),
        d("2026-12-30"),
        d("2026-12-31"),
        d("2027-01-05"),
    )


def test_adding_zero_working_days_returns_the_start_even_on_a_holiday() -> None:
    assert WorkingCalendar("england").add_working_days(d("2026-12-25"), 0) == d("2026-12-25")


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar("england").add_working_days(d("2026-12-25"), -1)


def test_unknown_nation_is_refused_by_name() -> None:
    with pytest.raises(UnknownNation, match="ulster"):
        WorkingCalendar("ulster")
    with pytest.raises(UnknownNation):
        WorkingCalendar("GB")  # never the UK-wide default


def test_working_days_between_counts_both_ends() -> None:
    calendar = WorkingCalendar("england")
    assert calendar.working_days_between(d("2026-10-05"), d("2026-10-09")) == 5
    assert calendar.working_days_between(d("2026-10-09"), d("2026-10-05")) == 0


# --- the closures file -------------------------------------------------------------------------


def test_closures_file_reads_single_days_ranges_comments_and_blank_lines() -> None:
    closures = parse_closures((CLOSURES / "oakfield-2026-27.txt").read_text(encoding="utf-8"))
    assert closures.reason(d("2026-09-01")) == "INSET day"
    assert closures.reason(d("2027-01-04")) == "INSET day"
    assert closures.reason(d("2026-10-28")) == "autumn half term"
    assert d("2026-10-31") not in closures
    assert len(closures) == 1 + 5 + 12 + 1


def test_closures_file_with_an_impossible_date_names_the_line() -> None:
    with pytest.raises(ClosuresFileInvalid) as error:
        parse_closures((CLOSURES / "invalid-date.txt").read_text(encoding="utf-8"))
    assert error.value.line_number == 3
    assert "line 3" in str(error.value)


def test_closures_file_entry_needs_a_reason() -> None:
    with pytest.raises(ClosuresFileInvalid) as error:
        parse_closures((CLOSURES / "missing-reason.txt").read_text(encoding="utf-8"))
    assert error.value.line_number == 1


@pytest.mark.parametrize(
    "line",
    [
        "26-09-01 INSET",
        "2026-09-01..2026-08-01 backwards range",
        "2026/09/01 INSET",
        "INSET 2026-09-01",
        "2026-09-01..2027-12-01 longer than a year",
    ],
)
def test_closures_file_refuses_malformed_lines(line: str) -> None:
    with pytest.raises(ClosuresFileInvalid) as error:
        parse_closures(f"# header\n\n{line}\n")
    assert error.value.line_number == 3


# --- properties ----------------------------------------------------------------------------------

starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=40)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    nation = draw(st.sampled_from(NATIONS))
    first = draw(starts)
    closed = draw(st.lists(st.integers(min_value=0, max_value=60), max_size=15))
    return WorkingCalendar(
        nation, ClosureDays.of({first + timedelta(days=n): "closed" for n in closed})
    )


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=starts, n=st.integers(min_value=1, max_value=40))
def test_a_due_date_is_always_a_working_day_after_the_start(
    calendar: WorkingCalendar, start: date, n: int
) -> None:
    due = calendar.add_working_days(start, n)
    assert due > start
    assert calendar.is_working_day(due)
    assert calendar.working_days_between(start + timedelta(days=1), due) == n


@settings(max_examples=200, deadline=None)
@given(calendar=calendars(), start=starts, n=counts, m=counts)
def test_adding_n_then_m_working_days_equals_adding_n_plus_m(
    calendar: WorkingCalendar, start: date, n: int, m: int
) -> None:
    then = calendar.add_working_days(calendar.add_working_days(start, n), m)
    assert then == calendar.add_working_days(start, n + m)
    assert then >= start


@settings(max_examples=100, deadline=None)
@given(calendar=calendars(), start=starts, n=st.integers(min_value=1, max_value=40))
def test_subtracting_n_working_days_lands_on_the_nth_working_day_before(
    calendar: WorkingCalendar, start: date, n: int
) -> None:
    before = calendar.subtract_working_days(start, n)
    assert before < start
    assert calendar.is_working_day(before)
    assert calendar.working_days_between(before, start - timedelta(days=1)) == n
