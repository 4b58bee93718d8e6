"""What the governors' report (10) reads from the table, as plain records (domain/report.py).

Never a Scan. For one school and year:
- the school: one GetItem; its people: one Query of BySchool (`gsi2pk = SCHOOL#<id>`);
- each member of staff's planning and review versions: one Query of their partition
  (`begins_with(sk, "CYCLE#<cycle>#FORM#planning-review#V#")`);
- the school's statements: one Query of BySchool (`gsi2pk = STATEMENTS#<id>`), then each
  statement's events: one Query of its partition (`begins_with(sk, "EVENT#")`);
- training needs: one Query of the school's training partition (adapters/training.py).
So the reads grow with the school's staff, never with the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from growthcycle.adapters.clock import LONDON
from growthcycle.adapters.statements import events, statements_in_school
from growthcycle.adapters.store import Store
from growthcycle.adapters.training import training_needs
from growthcycle.domain.cycles import Cycle, StaffGroup
from growthcycle.domain.people import Person
from growthcycle.domain.report import (
    NeedRecord,
    PlanningReview,
    ReportInput,
    StatementRecord,
    cycle_in_year,
    group_name,
)
from growthcycle.domain.statements import STATEMENT_FORM, Statement, StatementEvent
from growthcycle.domain.trust import School


class SchoolUnknown(LookupError):
    """No such school in this table."""


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def school_config(store: Store, school_id: str) -> School:
    item = store.get_school(school_id)
    if item is None:
        raise SchoolUnknown(school_id)
    return School.model_validate_json(item["config"])


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def report_cycle(school: School, person: Person, year: str) -> Cycle:
    settings = school.cycle
    return cycle_in_year(
        person.roles,
        year,
        support_staff_cycle=settings.support_staff_cycle,
        ends={
            StaffGroup.TEACHER: _month_day(settings.teachers_due),
            StaffGroup.HEADTEACHER: _month_day(settings.headteacher_due),
        },
    )


def _in_post(person: Person, cycle: Cycle) -> bool:
    """Staff covered in the cycle: started by its end, not left before it began (3, 4.1)."""
    if not person.is_staff or person.start_date > cycle.ends:
        return False
    return person.leaving_date is None or person.leaving_date >= cycle.starts


def _first_submitted(store: Store, person_id: str, cycle_id: str) -> date | None:
    for version in store.submission_versions(person_id, cycle_id, STATEMENT_FORM):
        if version.status == "submitted":
            return _day(version.saved_at)  # versions come in order: the first is the earliest
    return None


def _first(
    found: Sequence[StatementEvent], actions: set[str], after: datetime | None = None
) -> date | None:
    for event in found:
        if event.action in actions and (after is None or event.at > after):
            return _day(event.at)
    return None


def statement_record(statement: Statement, history: Sequence[StatementEvent]) -> StatementRecord:
    """A statement's stages and appeals from its events (4.9, 5, 8)."""
    ordered = sorted(history, key=lambda e: e.seq)
    instructed = next((e.at for e in ordered if e.action == "instruct-revision"), None)
    appeals = [e for e in ordered if e.action == "appeal"]
    decisions = [e.outcome or None for e in ordered if e.action == "decide-appeal"]
    outcomes = tuple(decisions[i] if i < len(decisions) else None for i in range(len(appeals)))
    return StatementRecord(
        draft_due=statement.draft_due,
        draft_done=_first(ordered, {"issue"}),
        final_due=statement.final_due,
        final_done=_first(ordered, {"sign", "sign-unanswered"}),  # 4.9
        moderation_due=statement.moderation_due if statement.is_moderated else None,
        moderation_done=_first(ordered, {"approve", "instruct-revision"}),
        revised_due=statement.revised_due if instructed else None,
        revised_done=_first(ordered, {"issue"}, after=instructed) if instructed else None,
        appeals=outcomes,
    )


@dataclass(frozen=True)
class ReportData:
    input: ReportInput
    people: int
    statements: int
    queries: int  # DynamoDB Queries made, for the log line


def report_input(store: Store, school_id: str, year: str, today: date) -> ReportData:
    school = school_config(store, school_id)
    cycles: dict[str, str] = {}
    reviews: list[PlanningReview] = []
    queries = 1
    for person in store.people_in_school(school_id):
        cycle = report_cycle(school, person, year)
        if not _in_post(person, cycle):
            continue
        cycles[person.person_id] = cycle.cycle_id
        queries += 1
        reviews.append(
            PlanningReview(
                group=group_name(cycle.group),
                due=cycle.review_due,
                submitted_on=_first_submitted(store, person.person_id, cycle.cycle_id),
            )
        )
    records = []
    queries += 1
    for statement in statements_in_school(store, school_id):
        if cycles.get(statement.reviewee_id) != statement.cycle_id:
            continue
        queries += 1
        records.append(statement_record(statement, events(store, statement.statement_id)))
    queries += 1
    needs = [
        NeedRecord(theme=n.theme, status=n.status)
        for n in training_needs(store, school_id)
        if cycles.get(n.person_id) == n.cycle_id
    ]
    return ReportData(
        input=ReportInput(
            school_name=school.name,
            year=year,
            as_of=today,
            planning_reviews=reviews,
            statements=records,
            needs=needs,
        ),
        people=len(reviews),
        statements=len(records),
        queries=queries,
    )
