"""Who reviews whom (4.2): the school's mode and cap, explicit assignments, a reviewee's request
for a different reviewer, and the headteacher's own reviewers (governors and an adviser) with the
quality assurance of the headteacher's statement (5). Pure: the callers pass people and records in.

4.2, "Appointment of Other Reviewers":

- mode `headteacher` (option 1): the headteacher reviews all staff.
- mode `line-managers` (option 2): the headteacher reviews those they line manage and delegates
  the rest, in its entirety, to each reviewee's line manager; a school may cap the reviewees a
  reviewer has (`max_reviewees`, "having due regard for ... work-life balance"). The cap is part
  of delegation, so it is not applied to the headteacher in mode `headteacher`.
- a replacement reviewer "must have an equivalent or higher status in the staffing structure than
  the reviewee's line manager" (STATUS_RANK below), and "a performance management cycle will not
  begin again in the event of the reviewer being changed" (assignments keep the cycle id).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from growthcycle.domain.people import Person, headteacher_of
from growthcycle.domain.trust import School

# 4.2: "status in the staffing structure", ranked by role; a person's status is their highest.
# Governors and external advisers are not in the staffing structure and review no member of staff.
STATUS_RANK: Mapping[str, int] = MappingProxyType(
    {"headteacher": 4, "line-manager": 3, "teacher": 2, "cpd-lead": 2, "support": 1}
)


class ReviewerRefused(ValueError):
    """An assignment or appointment the policy does not allow; the message says why, plainly."""


class UnknownReviewee(LookupError):
    """No member of staff in post at this school has that id."""


class UnknownRequest(LookupError):
    """No request for a different reviewer with that id at this school."""


class RequestAlreadyDecided(Exception):
    """The headteacher (or someone at the same moment) decided this request already."""


class AlreadyAsked(Exception):
    """The reviewee has a request for a different reviewer the headteacher has not decided."""


class HeadteacherAsks(Exception):
    """The headteacher's reviewers are governors: the governing body replaces one (4.2)."""


def status(person: Person) -> int:
    """4.2: a person's status in the staffing structure (0: not in it)."""
    return max((STATUS_RANK.get(role, 0) for role in person.roles), default=0)


@dataclass(frozen=True)
class ReviewInputs:
    """What decides a person's reviewer this cycle, as the caller read it (4.2): the school's
    mode, the headteacher's explicit assignment for the cycle, and, for the headteacher, the
    governing body's appointment."""

    mode: str = "line-managers"
    assigned_reviewer_id: str | None = None
    appointment: HeadteacherReviewers | None = None


@dataclass(frozen=True)
class ReviewOfRecord:
    """Who reviews one person this cycle (4.2).

    `reviewer_ids`: everyone who may act as the reviewer; the first is the reviewer of record
    (the one reminded and counted). `explicit`: decided for this cycle (an assignment, or the
    governors' appointment) rather than by default. `qa_ids`: for the headteacher, who
    quality-assures the statement instead of moderation by the headteacher (5)."""

    reviewer_ids: tuple[str, ...]
    explicit: bool
    qa_ids: tuple[str, ...] = ()

    @property
    def primary(self) -> str | None:
        return self.reviewer_ids[0] if self.reviewer_ids else None

    def includes(self, person_id: str) -> bool:
        return person_id in self.reviewer_ids


def review_of_record(
    subject: Person,
    inputs: ReviewInputs | None = None,
    *,
    headteacher_id: str | None,
    in_post: Collection[str] | None = None,
) -> ReviewOfRecord:
    """THE rule for who reviews `subject` this cycle (4.2); access, pages and the daily check all
    ask here.

    - the headteacher: the 2 or 3 governors the governing body appointed, any one of whom may act
      (4.2); none until they are appointed. The adviser advises and is recorded, not a reviewer.
    - anyone else with an explicit assignment: that one reviewer, "in its entirety" (4.2).
    - otherwise, mode `line-managers`: the line manager (if in post, when `in_post` is given)
      alone: the headteacher delegates "the role of reviewer, in its entirety, to the relevant
      line managers" (4.2), so does not also write or issue the statement; to take the duties
      back they assign themself (or another reviewer) explicitly. With no line manager in post,
      the headteacher. Mode `headteacher`: the headteacher alone.
    """
    inputs = inputs or ReviewInputs()
    if subject.is_headteacher:
        found = inputs.appointment
        governors = tuple(g for g in found.governor_ids if g != subject.person_id) if found else ()
        return ReviewOfRecord(governors, explicit=True, qa_ids=found.qa_ids if found else ())
    assigned = inputs.assigned_reviewer_id
    if assigned and assigned != subject.person_id:
        return ReviewOfRecord((assigned,), explicit=True)
    ids: list[str] = []
    manager_id = subject.line_manager_person_id
    if (
        inputs.mode == "line-managers"
        and manager_id
        and manager_id != subject.person_id
        and (in_post is None or manager_id in in_post)
    ):
        ids.append(manager_id)
    if not ids and headteacher_id and headteacher_id != subject.person_id:
        ids.append(headteacher_id)
    return ReviewOfRecord(tuple(ids), explicit=False)


def default_reviewer_id(
    subject: Person, school: School, by_id: Mapping[str, Person], head: Person | None
) -> str | None:
    """The reviewer when none is assigned (4.2): by mode, the headteacher or the line manager.
    The headteacher's own reviewers are governors (see HeadteacherReviewers), so None here."""
    if subject.is_headteacher:
        return None
    return review_of_record(
        subject,
        ReviewInputs(mode=school.reviewers.mode),
        headteacher_id=head.person_id if head is not None else None,
        in_post=by_id.keys(),
    ).primary


def effective_reviewers(
    school: School, people: Sequence[Person], assigned: Mapping[str, str]
) -> dict[str, str | None]:
    """Reviewee id -> reviewer id for every member of staff: the explicit assignment when there
    is one (`assigned`, reviewee id -> reviewer id), else the default for the school's mode."""
    by_id = {p.person_id: p for p in people}
    head = headteacher_of(people)
    return {
        p.person_id: assigned.get(p.person_id) or default_reviewer_id(p, school, by_id, head)
        for p in people
        if p.is_staff
    }


def reviewee_counts(reviewers: Mapping[str, str | None]) -> Counter[str]:
    return Counter(r for r in reviewers.values() if r)


def candidates_for(
    person: Person, staff: Sequence[Person], by_id: Mapping[str, Person]
) -> list[Person]:
    """4.2: who may be offered as `person`'s reviewer: staff in post of the same or higher status
    than their line manager (or the headteacher in that place), never the person themself. The
    cap is checked on choosing (check_assignment), as it depends on who else they review."""
    manager = line_manager_or_head(person, by_id)
    floor = status(manager) if manager is not None else 0
    return [c for c in staff if c.person_id != person.person_id and status(c) >= floor]


def line_manager_or_head(subject: Person, by_id: Mapping[str, Person]) -> Person | None:
    """The reviewee's line manager; with none, the headteacher stands in that place (4.2)."""
    manager_id = subject.line_manager_person_id
    if manager_id and manager_id in by_id:
        return by_id[manager_id]
    return headteacher_of(by_id.values())


def check_assignment(
    school: School,
    subject: Person,
    reviewer: Person,
    people: Sequence[Person],
    reviewers_now: Mapping[str, str | None],
) -> None:
    """Raise ReviewerRefused unless `reviewer` may review `subject` (4.2).

    `reviewers_now` is every reviewee's current reviewer (effective_reviewers).
    """
    by_id = {p.person_id: p for p in people}
    if subject.is_headteacher:
        raise ReviewerRefused(
            "The headteacher's reviewers are governors appointed by the governing body (4.2)."
        )
    if reviewer.person_id == subject.person_id:
        raise ReviewerRefused(f"{subject.name} cannot review themself.")
    if reviewer.school_id != subject.school_id or not reviewer.is_staff:
        raise ReviewerRefused(f"{reviewer.name} is not a member of staff at this school.")
    # 4.2: equivalent or higher status than the reviewee's line manager.
    manager = line_manager_or_head(subject, by_id)
    if manager is not None and status(reviewer) < status(manager):
        raise ReviewerRefused(
            f"{reviewer.name} cannot review {subject.name}: a reviewer must have the same or "
            f"higher status in the staffing structure than {subject.first_name}'s line manager, "
            f"{manager.name} (4.2)."
        )
    cap = school.reviewers.max_reviewees
    capped = school.reviewers.mode == "line-managers" or not reviewer.is_headteacher
    if cap is not None and capped:
        others = sum(
            1
            for who, by in reviewers_now.items()
            if by == reviewer.person_id and who != subject.person_id
        )
        if others + 1 > cap:
            raise ReviewerRefused(
                f"{reviewer.name} already reviews {others} people, and this school's limit is "
                f"{cap} (4.2). Choose someone else, or move one of their reviewees first."
            )


# --- a reviewee's request for a different reviewer (4.2) -----------------------------------------

Decision = Literal["approve", "decline"]

MAX_REASON_CHARS = 4000


def check_reasons(text: str, what: str = "your reasons") -> str:
    """4.2: a request (and a refusal) states its reasons."""
    cleaned = text.strip()
    if not cleaned:
        raise ReviewerRefused(f"Write {what}.")
    if len(cleaned) > MAX_REASON_CHARS:
        raise ReviewerRefused(f"Keep {what} under {MAX_REASON_CHARS} characters.")
    return cleaned


# --- the headteacher's reviewers (4.2) and the quality assurance of their statement (5) ----------


@dataclass(frozen=True)
class GoverningRule:
    """4.2, "Appointment of Reviewers for the Headteacher's Performance Management": for each
    number of governors the governing body may appoint, the least number of foundation governors.
    The seed leaves the number as a blank ("___ (at least one)"); these are its suggested values."""

    option: str
    foundation_minimum: Mapping[int, int]


HEADTEACHER_REVIEWER_RULES: Mapping[str, GoverningRule] = MappingProxyType(
    {
        # Option 1: 2 or 3 governors.
        "community": GoverningRule("option 1", MappingProxyType({2: 0, 3: 0})),
        # Option 2, a school with a religious character: 2 or 3, at least one foundation governor.
        "religious-character": GoverningRule("option 2", MappingProxyType({2: 1, 3: 1})),
        # Option 3, a voluntary aided school: two with at least one foundation governor, or
        # three with not less than two.
        "voluntary-aided": GoverningRule("option 3", MappingProxyType({2: 1, 3: 2})),
    }
)

AdviserKind = Literal["school-improvement-partner", "external-adviser"]
ADVISER_KINDS: Mapping[str, str] = MappingProxyType(
    {
        # 4.2, "Appointment of School Improvement Partner or External Adviser", options 1 and 2.
        "school-improvement-partner": "School improvement partner, appointed by the local authority",
        "external-adviser": "External adviser, appointed by the governing body",
    }
)

# 5: the chair alone, up to three named governors, or no quality assurance.
QA_GOVERNORS: Mapping[str, tuple[int, int]] = MappingProxyType(
    {"chair": (1, 1), "named-governors": (1, 3), "none": (0, 0)}
)


def school_category(school: School) -> str:
    """Which 4.2 option applies: a voluntary aided school's rule is the stricter one."""
    if school.voluntary_aided:
        return "voluntary-aided"
    if school.religious_character:
        return "religious-character"
    return "community"


@dataclass(frozen=True)
class HeadteacherReviewers:
    """What the governing body recorded for one of the headteacher's cycles."""

    cycle_id: str
    governor_ids: tuple[str, ...]
    foundation_ids: tuple[str, ...]  # those governors (of all listed) who are foundation governors
    adviser_id: str
    adviser_kind: AdviserKind
    qa_ids: tuple[str, ...]  # 5: who quality-assures the headteacher's statement


def check_headteacher_reviewers(
    school: School, appointment: HeadteacherReviewers, people: Sequence[Person]
) -> list[str]:
    """Every way `appointment` breaks 4.2 and 5, in plain words; empty when it is sound."""
    by_id = {p.person_id: p for p in people if p.school_id == school.id}
    governors = [by_id.get(g) for g in appointment.governor_ids]
    problems: list[str] = []
    if any(g is None or not g.has_role("governor") for g in governors):
        problems.append("Choose the headteacher's reviewers from the school's governors.")
    rule = HEADTEACHER_REVIEWER_RULES[school_category(school)]
    count = len(set(appointment.governor_ids))
    if count not in rule.foundation_minimum:
        problems.append(
            f"Appoint 2 or 3 governors as the headteacher's reviewers (4.2); {count} chosen."
        )
    else:
        needed = rule.foundation_minimum[count]
        foundation = len(set(appointment.governor_ids) & set(appointment.foundation_ids))
        if foundation < needed:
            kind = (
                "a voluntary aided school"
                if school.voluntary_aided
                else "a school with a religious character"
            )
            problems.append(
                f"In {kind}, {count} reviewers must include at least {needed} foundation "
                f"governor{'s' if needed > 1 else ''} (4.2, {rule.option}); {foundation} chosen."
            )
    adviser = by_id.get(appointment.adviser_id)
    if adviser is None or not adviser.has_role("external-adviser"):
        problems.append(
            "Record the school improvement partner or external adviser who advises the "
            "governors (4.2)."
        )
    if appointment.adviser_kind not in ADVISER_KINDS:
        problems.append(
            "Say whether the adviser is a school improvement partner or an external adviser."
        )
    qa_mode = school.moderation.headteacher_statement_qa
    least, most = QA_GOVERNORS[qa_mode]
    qa = set(appointment.qa_ids)
    if not least <= len(qa) <= most:
        if qa_mode == "chair":
            problems.append(
                "Choose the chair of governors, who quality-assures the headteacher's statement (5)."
            )
        elif qa_mode == "named-governors":
            problems.append(
                "Name 1 to 3 governors to quality-assure the headteacher's statement (5)."
            )
        else:
            problems.append("This school does not quality-assure the headteacher's statement (5).")
    if any(by_id.get(q) is None or not by_id[q].has_role("governor") for q in qa):
        problems.append("Only governors quality-assure the headteacher's statement (5).")
    if qa & set(appointment.governor_ids):
        problems.append(
            "A governor who quality-assures the headteacher's statement must not also be one of "
            "the headteacher's reviewers (5)."
        )
    return problems
