"""One current cycle (4.1): the web pages, the daily check's open items and the staff import give
a person the same cycle, whatever their roles and their school's cycle settings.

The web side is `web/services.Services.cycle` with a stand-in store (no AWS: the school's
configuration and no transfers); the daily check's is the planning and review item that
`domain/deadlines.planning_review_deadlines` opens (its cycle id and due date, which set the
item's `expires_at`); the import's is `domain/roster_changes.starting_cycle` for someone who
started years ago.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from growthcycle.domain.clocks import due_date
from growthcycle.domain.cycles import StaffGroup, current_cycle, role_group
from growthcycle.domain.deadlines import PLANNING_REVIEW, cycle_of, planning_review_deadlines
from growthcycle.domain.people import Person, headteacher_of, in_post
from growthcycle.domain.roster_changes import starting_cycle
from growthcycle.domain.trust import School
from growthcycle.web.services import Services, reset_services

STAFF_ROLES = ("headteacher", "line-manager", "teacher", "support", "cpd-lead")
ROLE_SETS = [
    combo
    for n in range(1, len(STAFF_ROLES) + 1)
    for combo in itertools.combinations(STAFF_ROLES, n)
]
SETTINGS = [
    {"support_staff_cycle": support, "teachers_due": teachers, "headteacher_due": head}
    for support, teachers, head in itertools.product(
        ("academic-year", "april-march"), ("10-31", "07-31"), ("12-31", "08-31")
    )
]
DAYS = [date(2026, 11, 20), date(2027, 4, 15), date(2027, 8, 31), date(2027, 12, 1)]


def person(staff_id: str, roles: tuple[str, ...], **extra: Any) -> Person:
    return Person(
        person_id=f"school.{staff_id}",
        school_id="school",
        staff_id=staff_id,
        first_name=staff_id.title(),
        last_name="Clarke",
        email=f"{staff_id}@school.example",
        roles=roles,
        job_title="Chair of Governors" if "governor" in roles else "Staff",
        line_manager_id=None,
        fte=None if "governor" in roles else 1.0,
        qualified_teacher=True,
        start_date=date(2015, 9, 1),
        **extra,
    )


def school(cycle: dict[str, str]) -> School:
    return School.model_validate(
        {
            "id": "school",
            "name": "School",
            "nation": "england",
            "policy_style": "performance",
            "cycle": cycle,
        }
    )


class FakeStore:
    """What `Services.cycle` reads: the school's configuration, and no transfers."""

    def __init__(self, school: School) -> None:
        self.config = school.model_dump_json()

    def get_school(self, school_id: str) -> dict[str, Any]:
        return {"config": self.config}

    def _query_all(self, **_: Any) -> list[dict[str, Any]]:
        return []


@dataclass
class FixedClock:
    day: date

    def today(self) -> date:
        return self.day


@pytest.fixture(autouse=True)
def _fresh_services() -> Any:
    reset_services()  # the school cache is per store object; start each test clean
    yield
    reset_services()


def web_cycle(subject: Person, at: School, day: date) -> Any:
    svc = Services(settings=None, store=FakeStore(at), clock=FixedClock(day))  # type: ignore[arg-type]
    return svc.cycle(subject)


def test_support_staff_line_manager_cycle_agrees_web_and_daily_check_4_1() -> None:
    # Given every combination of staff roles and school cycle settings, on days across the year
    for roles, cycle, day in itertools.product(ROLE_SETS, SETTINGS, DAYS):
        at = school(cycle)
        subject = person("subject", roles)
        people = [subject, person("head", ("headteacher",)), person("gov", ("governor",))]
        # When the web, the daily check and the import each say what the subject's cycle is
        web = web_cycle(subject, at, day)
        (item,) = [
            i
            for i in planning_review_deadlines(at, people, day)
            if i.subject_id == subject.person_id
        ]
        imported = starting_cycle(subject, day, at.cycle)
        # Then it is one cycle: one id, one end, so one due date and one expiry
        where = f"roles {roles}, settings {cycle}, on {day}"
        assert imported is not None, where
        assert cycle_of(item) == web.cycle_id == imported.cycle_id, where
        assert (web.starts, web.ends) == (imported.starts, imported.ends), where
        calendar = at.working_calendar()
        assert item.due_date == due_date(PLANNING_REVIEW, web.review_due, calendar).due, where


def test_support_staff_who_line_manage_are_on_the_support_staff_cycle_4_1() -> None:
    # 4.1 "all support staff": line managing or leading CPD is a duty, not a teaching post.
    for roles in (("support", "line-manager"), ("support", "cpd-lead"), ("support",)):
        assert role_group(roles, "april-march") is StaffGroup.SUPPORT_APRIL_MARCH
    assert role_group(("support", "teacher"), "april-march") is StaffGroup.TEACHER
    assert role_group(("line-manager",), "april-march") is StaffGroup.TEACHER
    assert role_group(("teacher", "headteacher")) is StaffGroup.HEADTEACHER
    april_march = school({"support_staff_cycle": "april-march"}).cycle
    cycle = current_cycle(("support", "line-manager"), date(2026, 11, 20), april_march)
    assert (cycle.cycle_id, cycle.ends) == ("2026-27", date(2027, 3, 31))


def test_in_post_until_the_end_of_the_leaving_day() -> None:
    leaver = person("leaver", ("teacher",), leaving_date=date(2027, 7, 20))
    assert in_post(leaver, date(2027, 7, 20))
    assert not in_post(leaver, date(2027, 7, 21))
    assert in_post(person("stays", ("teacher",)), date(2040, 1, 1))


def test_the_headteacher_of_a_school_is_the_same_whoever_asks() -> None:
    heads = [person("zed", ("headteacher",)), person("amy", ("headteacher", "teacher"))]
    assert headteacher_of([*heads, person("t", ("teacher",))]) == heads[1]
    assert headteacher_of([person("t", ("teacher",))]) is None
