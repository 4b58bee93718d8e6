"""Open items ("deadlines"): what is due, overdue or escalated for whom, and the daily digest.

Pure: no boto3, no clock. The daily check (adapters/deadlines.py) reads the open items a school
has due up to the end of the reminder window and hands them here with "today".

The rules, read with the school's working calendar (domain/calendar.py):

- due: the due date falls between today and the end of the reminder window, both included. The
  window ends `reminder_working_days` working days after today (default 2), so on a Friday it
  reaches Tuesday and a due date on the Saturday between is caught on the Friday.
- overdue: the due date is before today. An item is overdue by the working days after its due
  date up to and including today: due Friday 23 October, today Monday 2 November after a half
  term, is 1 working day overdue.
- escalated: overdue by at least `escalation_working_days` working days (the trust's setting).
  An escalated item also goes to the school's headteacher, in their digest, every working day
  until it is closed. Not escalated: the headteacher's own items (there is nobody above them
  in the school; the governors' part is a later job) and the events listed in NOT_ESCALATED.
- the digest: one per person per day, everything due or overdue for them plus, for the
  headteacher, the escalations.

Who is due what in a cycle: `cycle_deadlines`, the one list every opener writes (the staff
import, a transfer restart, the daily check when a cycle ends, the demo seed): the planning and
review (4.1, `planning_review_deadlines`), the next reflection in a growth school (seed 003,
"Staff regularly reflect", `reflection_deadlines`) and the cycle's end (`cycle_end_deadlines`).
The cycle-end item is how cycles roll without a Scan: it sits in DueIndex due on the cycle's last
day, is never reminded, and the daily check, finding it due, opens the person's next cycle and
closes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from growthcycle.domain.calendar import WorkingCalendar
from growthcycle.domain.clocks import due_date as clock_due_date
from growthcycle.domain.cycles import Cycle, current_cycle, fixed_term_of
from growthcycle.domain.people import Person, appraisal_exclusion, headteacher_of, in_post
from growthcycle.domain.reviewers import HeadteacherReviewers, ReviewInputs, review_of_record
from growthcycle.domain.trust import School

REMINDER_WORKING_DAYS = 2  # remind this many working days ahead, and on the day

PLANNING_REVIEW = "planning-review"
REFLECTION = "reflection"
CYCLE_END = "cycle-end"
# The suffix of a cycle-end item for someone not appraised (3): `cycle_end_deadlines`.
EXCLUDED = "excluded"

# Items the daily check acts on itself and never puts in anyone's digest.
NOT_REMINDED: frozenset[str] = frozenset({CYCLE_END})

# The reviewee's answer to a draft statement (domain/statement_clocks.py): 4.9 says the reviewee
# "may" ask for changes or comment, and the reviewer signs within ten working days whether or not
# they do, so their silence is not a missed duty.
STATEMENT_ANSWER = "statement-answer"

# Reflections are nudges, not compliance deadlines: seed 001 warns against punishing honest
# evaluation, so a late reflection is never reported to the headteacher; nor is a reviewee's
# unanswered draft (4.9).
NOT_ESCALATED: frozenset[str] = frozenset({REFLECTION, STATEMENT_ANSWER})

# A closure run at least this long is a holiday (a half term is 5 weekdays, with the weekends
# around it 9 days); shorter runs are INSET days. At least TERM_BREAK_DAYS is an end of term
# (Christmas, Easter, summer), which half terms never reach.
HOLIDAY_DAYS = 5
TERM_BREAK_DAYS = 10
# Without closure periods to go by: a half term is about 6 weeks, a term about 13.
FALLBACK_WEEKS: Mapping[str, int] = {"half-term": 6, "termly": 13}


class DueStatus(StrEnum):
    DUE = "due"  # due within the reminder window, not today
    DUE_TODAY = "due today"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class OpenItem:
    """One open item as the table holds it (see docs/architecture.md, "open item")."""

    pk: str
    sk: str
    school_id: str
    subject_id: str  # whose cycle
    responsible_id: str  # whose action is due
    event: str
    due_date: date
    link: str  # a path within the app
    title: str  # plain words, such as "Planning and review meeting for Amy Clarke"

    @property
    def due_sk(self) -> str:
        return f"{self.due_date.isoformat()}#{self.pk}#{self.sk}"


@dataclass(frozen=True)
class DigestLine:
    item: OpenItem
    status: DueStatus
    working_days_overdue: int = 0
    escalated: bool = False


@dataclass
class Digest:
    """What one person hears about today: their own items and, for a headteacher, escalations."""

    person_id: str
    day: date
    own: list[DigestLine] = field(default_factory=list)
    escalations: list[DigestLine] = field(default_factory=list)

    @property
    def overdue(self) -> list[DigestLine]:
        return [line for line in self.own if line.status is DueStatus.OVERDUE]

    @property
    def due(self) -> list[DigestLine]:
        return [line for line in self.own if line.status is not DueStatus.OVERDUE]

    def __len__(self) -> int:
        return len(self.own) + len(self.escalations)


def idempotency_key(person_id: str, day: date) -> str:
    """The outbox key of a person's digest: at most one per person per day."""
    return f"digest:{person_id}:{day.isoformat()}"


# --- due, overdue, escalated ---------------------------------------------------------------------


def reminder_window_end(
    calendar: WorkingCalendar, today: date, working_days: int = REMINDER_WORKING_DAYS
) -> date:
    """The last due date the digest mentions today: `working_days` working days after today."""
    return calendar.add_working_days(today, working_days)


def working_days_overdue(calendar: WorkingCalendar, due: date, today: date) -> int:
    """Working days after `due`, up to and including today (0 when not yet overdue)."""
    return calendar.working_days_between(due + timedelta(days=1), today)


def assess(
    item: OpenItem,
    today: date,
    calendar: WorkingCalendar,
    *,
    escalation_working_days: int,
    window_end: date,
) -> DigestLine | None:
    """Where `item` stands today, or None when it is not due yet (beyond the window) or never
    reminded (a cycle's end: the daily check rolls it instead)."""
    if item.event in NOT_REMINDED or item.due_date > window_end:
        return None
    if item.due_date > today:
        return DigestLine(item, DueStatus.DUE)
    if item.due_date == today:
        return DigestLine(item, DueStatus.DUE_TODAY)
    late = working_days_overdue(calendar, item.due_date, today)
    escalated = item.event not in NOT_ESCALATED and late >= escalation_working_days
    return DigestLine(item, DueStatus.OVERDUE, late, escalated)


def _order(line: DigestLine) -> tuple[date, str, str]:
    return (line.item.due_date, line.item.title, line.item.sk)


def build_digests(
    lines: Iterable[DigestLine], headteachers: Mapping[str, str], day: date
) -> dict[str, Digest]:
    """One digest per person: their own lines, and escalations for each school's headteacher.

    `headteachers` maps school id to the headteacher's person id; a school without one gets no
    escalations (its items still reach the people responsible).
    """
    digests: dict[str, Digest] = {}

    def digest_for(person_id: str) -> Digest:
        return digests.setdefault(person_id, Digest(person_id, day))

    for line in lines:
        digest_for(line.item.responsible_id).own.append(line)
        headteacher = headteachers.get(line.item.school_id)
        if line.escalated and headteacher and headteacher != line.item.responsible_id:
            digest_for(headteacher).escalations.append(line)
    for digest in digests.values():
        digest.own.sort(key=_order)
        digest.escalations.sort(key=_order)
    return digests


def about_people_in_post(
    lines: Iterable[DigestLine], people: Mapping[str, Person], today: date
) -> list[DigestLine]:
    """Nobody is reminded or escalated about a person not in post today (`in_post`). A leaver's
    items are closed when the import records their leaving; this is the second guard. A subject
    the table does not hold (`people` lacks them) is kept."""
    return [
        line
        for line in lines
        if (subject := people.get(line.item.subject_id)) is None or in_post(subject, today)
    ]


def about_people_appraised(
    lines: Iterable[DigestLine], people: Mapping[str, Person], today: date
) -> list[DigestLine]:
    """3: nobody is reminded or escalated about a person not appraised today (in induction, on a
    contract of less than two terms: `appraisal_exclusion`). Their cycles open nothing; this is
    the second guard, for items opened before the roster said so. A subject the table does not
    hold is kept."""
    return [
        line
        for line in lines
        if (subject := people.get(line.item.subject_id)) is None
        or appraisal_exclusion(subject, today) is None
    ]


def _appraised(person: Person, school: School, today: date) -> bool:
    """Staff of this school, in post and appraised today (3): who a cycle's items are for."""
    return (
        person.school_id == school.id
        and person.is_staff
        and in_post(person, today)
        and appraisal_exclusion(person, today) is None
    )


def cycles_ending(items: Iterable[OpenItem], today: date) -> list[OpenItem]:
    """The cycle-end items due by today: the cycles the daily check rolls (4.1). One missed
    (a run that failed, or a school closed for days) is still found: it stays in DueIndex
    until rolled."""
    return [i for i in items if i.event == CYCLE_END and i.due_date <= today]


def escalated_schools(lines: Iterable[DigestLine]) -> set[str]:
    """The schools whose headteacher has escalations today."""
    return {line.item.school_id for line in lines if line.escalated}


# --- what a cycle opens ----------------------------------------------------------------------------


def headteachers_reviewer(people: Iterable[Person]) -> Person | None:
    """4.2: governors review the headteacher; the chair when there is one, else the first."""
    governors = [p for p in people if p.has_role("governor")]
    governors.sort(key=lambda p: ("chair" not in p.job_title.casefold(), p.person_id))
    return governors[0] if governors else None


def _reviewer(
    person: Person,
    by_id: Mapping[str, Person],
    head: Person | None,
    governor: Person | None,
    inputs: ReviewInputs | None = None,
) -> Person | None:
    """Who is reminded of the reviewer's actions (4.2): the reviewer of record, by
    domain/reviewers.py `review_of_record` (an explicit assignment; else by the school's mode,
    the line manager or the headteacher; for the headteacher, the appointed governors). With no
    governors appointed yet, the headteacher's reminders go to `governor` (the chair)."""
    record = review_of_record(
        person, inputs, headteacher_id=head.person_id if head else None, in_post=by_id.keys()
    )
    found = next((by_id[r] for r in record.reviewer_ids if r in by_id), None)
    if found is None and person.is_headteacher:
        return governor
    return found


# The reviewer's own actions: the daily check reminds the reviewer of record on the day (4.2),
# whoever it was when the item opened (an assignment or appointment may have come since).
REVIEWER_EVENTS: frozenset[str] = frozenset({PLANNING_REVIEW})


Restarts = Mapping[str, Sequence[Cycle]]  # person id -> cycles begun again on a transfer (4.1)


def _cycle(person: Person, today: date, school: School, restarts: Restarts | None) -> Cycle:
    """The person's current cycle: THE rule, domain/cycles.current_cycle."""
    return current_cycle(
        person.roles,
        today,
        school.cycle,
        (restarts or {}).get(person.person_id, ()),
        fixed_term=fixed_term_of(person),  # 3: a contract of under a year
    )


def cycle_of(item: OpenItem) -> str:
    """The cycle id in an open item's sk (`DUE#<cycle id>#<event>...`)."""
    return item.sk.split("#")[1] if item.sk.startswith("DUE#") else ""


def to_reviewers_of_record(
    lines: Sequence[DigestLine], explicit: Mapping[str, str]
) -> list[DigestLine]:
    """4.2: each reviewer's line goes to the reviewer decided for the subject's cycle, when one
    was (`explicit`: subject id -> reviewer id, from assignments and the governors appointed for
    the headteacher; see domain/reviewers.py `review_of_record`)."""
    return [
        replace(line, item=replace(line.item, responsible_id=explicit[line.item.subject_id]))
        if line.item.event in REVIEWER_EVENTS and line.item.subject_id in explicit
        else line
        for line in lines
    ]


def deadline_key(subject_id: str, cycle_id: str, event: str, suffix: str = "") -> tuple[str, str]:
    sk = f"DUE#{cycle_id}#{event}" + (f"#{suffix}" if suffix else "")
    return f"PERSON#{subject_id}", sk


def planning_review_deadlines(
    school: School,
    people: Sequence[Person],
    today: date,
    assigned: Mapping[str, str] | None = None,
    appointment: HeadteacherReviewers | None = None,
    *,
    restarts: Restarts | None = None,
) -> list[OpenItem]:
    """4.1: each member of staff's planning and review, due at the end of their current cycle
    (teachers 31 October, the headteacher 31 December, support staff the school's choice), the
    reviewer's action (4.2: `assigned` maps a person id to their explicitly assigned reviewer;
    `appointment` is the governors appointed for the headteacher). A headteacher with no
    governor on the roster is left out. `restarts`: person id -> the cycles that began again
    on a transfer (4.1), for `current_cycle`."""
    items = []
    by_id = {p.person_id: p for p in people if p.school_id == school.id}
    head, governor = headteacher_of(by_id.values()), headteachers_reviewer(by_id.values())
    calendar = school.working_calendar()
    for person in by_id.values():
        if not _appraised(person, school, today):
            continue
        inputs = ReviewInputs(
            mode=school.reviewers.mode,
            assigned_reviewer_id=(assigned or {}).get(person.person_id),
            appointment=appointment,
        )
        reviewer = _reviewer(person, by_id, head, governor, inputs)
        if reviewer is None:
            continue
        cycle = _cycle(person, today, school, restarts)
        pk, sk = deadline_key(person.person_id, cycle.cycle_id, PLANNING_REVIEW)
        items.append(
            OpenItem(
                pk=pk,
                sk=sk,
                school_id=school.id,
                subject_id=person.person_id,
                responsible_id=reviewer.person_id,
                event=PLANNING_REVIEW,
                # 4.1: "by 31 October" (31 December): a day the school is closed is brought
                # back to the last working day before it.
                due_date=clock_due_date(PLANNING_REVIEW, cycle.review_due, calendar).due,
                link=f"/people/{person.person_id}/forms/{PLANNING_REVIEW}",
                title=f"Planning and review meeting for {person.name}",
            )
        )
    return items


def _holiday_runs(school: School) -> list[tuple[date, date]]:
    """The school's listed closure runs of HOLIDAY_DAYS or more (its holidays)."""
    return sorted(
        (p.first, p.last)
        for p in school.closures.days
        if (p.last - p.first).days + 1 >= HOLIDAY_DAYS
    )


def _next_working_day_on_or_after(calendar: WorkingCalendar, day: date) -> date:
    return calendar.add_working_days(day - timedelta(days=1), 1)


def reflection_boundaries(school: School, cycle: Cycle) -> list[date]:
    """The days a reflection is due in `cycle`, by the school's `reflection_rhythm`.

    - half-term: the first working day after each holiday the school lists (a closure run of
      HOLIDAY_DAYS or more); termly: the same after each end-of-term break (TERM_BREAK_DAYS or
      more). When the listed closures give no such day in the cycle, every 6 (half-term) or 13
      (termly) weeks from the start of the cycle, moved on to a working day.
    - monthly: the first working day of each month.
    - none: no reflections.
    """
    rhythm = school.reflection_rhythm
    calendar = school.working_calendar()
    if rhythm == "none":
        return []
    days: list[date] = []
    if rhythm == "monthly":
        month = date(cycle.starts.year, cycle.starts.month, 1)
        while month <= cycle.ends:
            month = (month + timedelta(days=32)).replace(day=1)
            days.append(_next_working_day_on_or_after(calendar, month))
    else:
        shortest = TERM_BREAK_DAYS if rhythm == "termly" else HOLIDAY_DAYS
        runs = [(f, last) for f, last in _holiday_runs(school) if (last - f).days + 1 >= shortest]
        days = [calendar.add_working_days(last, 1) for _, last in runs]
        if not any(cycle.starts < d <= cycle.ends for d in days):
            step = timedelta(weeks=FALLBACK_WEEKS[rhythm])
            day = cycle.starts + step
            while day <= cycle.ends:
                days.append(_next_working_day_on_or_after(calendar, day))
                day += step
    return sorted({d for d in days if cycle.starts < d <= cycle.ends})


def next_reflection_date(school: School, cycle: Cycle, today: date) -> date | None:
    """The next reflection due after today in `cycle`, or None."""
    return next((d for d in reflection_boundaries(school, cycle) if d > today), None)


def reflection_deadlines(
    school: School,
    people: Sequence[Person],
    today: date,
    *,
    restarts: Restarts | None = None,
) -> list[OpenItem]:
    """Seed 003 ("Staff regularly reflect"): in a growth school whose rhythm is not none, each
    member of staff's next reflection, their own action. Only the next one: recording a
    reflection opens the one after (`later_reflections`), and each new cycle opens its first
    (`cycle_deadlines`)."""
    if school.policy_style != "growth" or school.reflection_rhythm == "none":
        return []
    items = []
    next_dates: dict[Cycle, date | None] = {}  # one calculation per cycle, not per person
    for person in people:
        if not _appraised(person, school, today):
            continue
        cycle = _cycle(person, today, school, restarts)
        if cycle not in next_dates:
            next_dates[cycle] = next_reflection_date(school, cycle, today)
        due = next_dates[cycle]
        if due is None:
            continue
        items.append(reflection_item(school, person, cycle, due))
    return items


def reflection_item(school: School, person: Person, cycle: Cycle, due: date) -> OpenItem:
    """Seed 003: the prompt to reflect by `due`, the person's own action (keyed by its date)."""
    pk, sk = deadline_key(person.person_id, cycle.cycle_id, REFLECTION, due.isoformat())
    return OpenItem(
        pk=pk,
        sk=sk,
        school_id=school.id,
        subject_id=person.person_id,
        responsible_id=person.person_id,
        event=REFLECTION,
        due_date=due,
        link=f"/forms/{REFLECTION}",
        title=f"Reflection for {person.name}",
    )


def later_reflections(school: School, person: Person, cycle: Cycle, today: date) -> list[OpenItem]:
    """Seed 003: the prompts after today in the cycle, soonest first, for a member of staff in
    post in a growth school (none otherwise). After a reflection is recorded the first of these
    not yet prompted opens (adapters/deadlines.py `open_next_reflection`)."""
    if school.policy_style != "growth" or not _appraised(person, school, today):
        return []
    return [
        reflection_item(school, person, cycle, due)
        for due in reflection_boundaries(school, cycle)
        if due > today
    ]


def cycle_end_deadlines(
    school: School,
    people: Sequence[Person],
    today: date,
    *,
    restarts: Restarts | None = None,
) -> list[OpenItem]:
    """4.1: each member of staff's cycle end, due on its last day: the daily check opens their
    next cycle when it falls due (a leaver's is closed with their other items, so nothing rolls
    for them). Never reminded (NOT_REMINDED); nobody's action."""
    items = []
    for person in people:
        if person.school_id != school.id or not (person.is_staff and in_post(person, today)):
            continue
        cycle = _cycle(person, today, school, restarts)
        excluded = appraisal_exclusion(person, today)
        if excluded is None:
            pk, sk = deadline_key(person.person_id, cycle.cycle_id, CYCLE_END)
            due, title = cycle.ends, f"Cycle {cycle.cycle_id} ends for {person.name}"
        else:
            # 3: not appraised, so nothing else opens; this item, under its own key, has the
            # daily check ask again the day after the exclusion ends (an induction completed
            # part-way through: a first cycle from then, as a new starter's, 4.1) or the cycle
            # does, whichever is first.
            pk, sk = deadline_key(person.person_id, cycle.cycle_id, CYCLE_END, EXCLUDED)
            ends = excluded.until
            due = ends if ends is not None and today <= ends < cycle.ends else cycle.ends
            title = f"{person.name}: {excluded.reason} until {due.isoformat()} (section 3)"
        items.append(
            OpenItem(
                pk=pk,
                sk=sk,
                school_id=school.id,
                subject_id=person.person_id,
                responsible_id=person.person_id,
                event=CYCLE_END,
                due_date=due,
                link=f"/people/{person.person_id}/cycle",
                title=title,
            )
        )
    return items


@dataclass(frozen=True)
class Opening:
    """An open item to record, with the end of the cycle it belongs to (7: its TTL counts from
    there)."""

    item: OpenItem
    cycle_ends: date


def cycle_deadlines(
    school: School,
    people: Sequence[Person],
    today: date,
    *,
    subjects: Collection[str] | None = None,
    restarts: Restarts | None = None,
) -> list[Opening]:
    """Everything a member of staff's current cycle (as of `today`) opens: the planning and
    review (4.1), the next reflection in a growth school (seed 003) and the cycle's end (which
    rolls it). `people` is the school's whole staff (the reviewers are found among them);
    `subjects`, when given, keeps only those people's items. Opening is idempotent by key
    (`DUE#<cycle id>#<event>...`), so calling this again on another day of the same cycle
    opens nothing new (a reflection aside, whose key is its due date: the next one)."""
    items = planning_review_deadlines(school, people, today, restarts=restarts)
    items += reflection_deadlines(school, people, today, restarts=restarts)
    items += cycle_end_deadlines(school, people, today, restarts=restarts)
    by_id = {p.person_id: p for p in people}
    openings = []
    for item in items:
        if subjects is not None and item.subject_id not in subjects:
            continue
        cycle = _cycle(by_id[item.subject_id], today, school, restarts)
        openings.append(Opening(item, cycle.ends))
    return openings


def next_cycle_start(cycle_end: OpenItem) -> date:
    """4.1: the next cycle starts the day after the cycle-end item's due date (the last day)."""
    return cycle_end.due_date + timedelta(days=1)


def group_by_school(people: Iterable[Person]) -> dict[str, list[Person]]:
    by_school: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        by_school[person.school_id].append(person)
    return by_school
