"""The headteacher's special cases for one person's cycle (3, 4.1), as use cases: pause it for
the capability procedure, restart it, record a transfer to a new post (perhaps with a new
reviewer), and the question every other capability asks first: is this cycle paused?

Named errors for the routes to catch: `CapabilityConflict` (someone changed the record at the
same moment), `NotSuspended`, `TransferRefused` (with the field it is about), and for other
capabilities `CyclePaused` (raised by `refuse_if_paused`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from growthcycle.adapters import special_cases as repo
from growthcycle.adapters.deadlines import restart_cycle_deadlines
from growthcycle.adapters.reviewers import assign_reviewer
from growthcycle.app.context import Memo, Services, remembered
from growthcycle.app.reviewers import assigned_reviewers_of
from growthcycle.domain.cycles import Cycle, CycleDateInvalid, cycle_ends
from growthcycle.domain.people import Person
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.reviewers import ReviewerRefused, check_assignment, effective_reviewers
from growthcycle.domain.special_cases import (
    CapabilityRecord,
    CyclePaused,
    Transfer,
    TransferChoice,
    TransferRefused,
    plan_transfer,
)
from growthcycle.domain.trust import School
from growthcycle.observability import logger


def paused_since(svc: Services, person: Person, cycle_id: str, *, memo: Memo = None) -> date | None:
    """The day the person's cycle was paused for the capability procedure, if it is paused now
    (3, 4.1): one GetItem, once a request with a memo."""
    if not person.is_staff:
        return None

    def read() -> date | None:
        record, _, _ = repo.capability_record(svc.store, person.person_id, cycle_id)
        return record.current.starts if record.current is not None else None

    since: date | None = remembered(memo, f"paused:{person.person_id}:{cycle_id}", read)
    return since


def refuse_if_paused(svc: Services, person: Person, cycle_id: str, *, memo: Memo = None) -> None:
    """3, 4.1: CyclePaused when nothing in the cycle may be saved."""
    since = paused_since(svc, person, cycle_id, memo=memo)
    if since is not None:
        raise CyclePaused(since)


# -- the cycle page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleView:
    cycle: Cycle
    record: CapabilityRecord
    paused_items: int
    restarted: list[Cycle]
    candidates: list[Person]  # who may be chosen as a new reviewer on a transfer


def cycle_view(svc: Services, subject: Person, school: School) -> CycleView:
    cycle = svc.cycle(subject)
    record, paused, _ = repo.capability_record(svc.store, subject.person_id, cycle.cycle_id)
    staff = [p for p in svc.store.people_in_school(school.id) if p.is_staff]
    return CycleView(
        cycle=cycle,
        record=record,
        paused_items=len(paused),
        restarted=repo.restarts(svc.store, subject.person_id),
        candidates=[p for p in staff if p.person_id != subject.person_id],
    )


# -- pause and restart (3, 4.1) ---------------------------------------------------------------------


def suspend(svc: Services, subject: Person, actor: Person) -> int:
    """The capability procedure applies: the clocks stop. How many open items were paused;
    CapabilityConflict if someone changed the record at the same moment."""
    cycle_id = svc.cycle(subject).cycle_id
    paused = repo.suspend_cycle(
        svc.store,
        subject.person_id,
        cycle_id,
        today=svc.clock.today(),
        actor_id=actor.person_id,
        at=svc.clock.now(),
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
    )
    logger.info("cycle suspended", person_id=subject.person_id, cycle_id=cycle_id, paused=paused)
    return paused


def resume(svc: Services, subject: Person, actor: Person, school: School) -> int:
    """The procedure is over: the clocks restart, due dates pushed by the working days it lasted.
    How many items reopened; NotSuspended or CapabilityConflict."""
    cycle_id = svc.cycle(subject).cycle_id
    pushed = repo.resume_cycle(
        svc.store,
        subject.person_id,
        cycle_id,
        today=svc.clock.today(),
        calendar=school.working_calendar(),
        actor_id=actor.person_id,
        at=svc.clock.now(),
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),  # 7
    )
    logger.info(
        "cycle resumed", person_id=subject.person_id, cycle_id=cycle_id, reopened=len(pushed)
    )
    return len(pushed)


# -- a transfer to a new post (4.1, 4.2) -------------------------------------------------------------


def transfer(
    svc: Services,
    subject: Person,
    actor: Person,
    school: School,
    *,
    transfer_date: str,
    choice: str,
    reviewer_id: str,
) -> Transfer:
    """Record the headteacher's decision on a transfer: the cycle begins again from the transfer
    date (aligned to end with everyone else's) or carries on, perhaps with a new reviewer.
    TransferRefused, naming the field, when the entry cannot be recorded."""
    cycle = svc.cycle(subject)
    try:
        day = date.fromisoformat(transfer_date)
    except ValueError:
        raise TransferRefused(
            "Enter the date of the transfer, such as 2027-01-18.", "transfer_date"
        ) from None
    if choice not in ("restart", "keep"):
        raise TransferRefused("Choose whether the cycle begins again or carries on.", "choice")
    chosen: TransferChoice = "restart" if choice == "restart" else "keep"
    try:
        planned = plan_transfer(subject.person_id, cycle, day, chosen, cycle_ends(school.cycle))
    except CycleDateInvalid as invalid:
        raise TransferRefused(f"The {invalid}.", "transfer_date") from None
    reviewer: Person | None = None
    if reviewer_id:
        staff = [p for p in svc.store.people_in_school(school.id) if p.is_staff]
        reviewer = next((p for p in staff if p.person_id == reviewer_id), None)
        try:
            if reviewer is None:
                raise ReviewerRefused("Choose a reviewer from the school's staff.")
            current = effective_reviewers(school, staff, assigned_reviewers_of(svc, staff))
            check_assignment(school, subject, reviewer, staff, current)
        except ReviewerRefused as refused:
            raise TransferRefused(str(refused), "reviewer") from None
    now = svc.clock.now()
    years = svc.settings.retention_years  # 7
    repo.record_transfer(
        svc.store,
        planned,
        school_id=subject.school_id,
        actor_id=actor.person_id,
        at=now,
        retention_years=years,
    )
    if planned.new_cycle is not None:
        # 4.1: the cycle begins again: its planning and review (and reflection, and end) open,
        # the replaced cycle's close.
        opened, closed = restart_cycle_deadlines(
            svc.store,
            school,
            subject,
            svc.store.people_in_school(school.id),
            old_cycle_id=cycle.cycle_id,
            restarts={subject.person_id: [*repo.restarts(svc.store, subject.person_id)]},
            today=svc.clock.today(),
            retention_years=years,
            at=now,
        )
        logger.info("restart deadlines", opened=opened.opened, closed=closed)
    new_cycle_id = planned.new_cycle.cycle_id if planned.new_cycle else cycle.cycle_id
    if reviewer is not None:
        # 4.1: a cycle that begins again has the new reviewer from its first day; one that
        # carries on has them now. Either way keyed by the cycle Services.cycle gives.
        assign_reviewer(
            svc.store,
            school_id=subject.school_id,
            reviewee_id=subject.person_id,
            cycle_id=new_cycle_id,
            reviewer_id=reviewer.person_id,
            actor_id=actor.person_id,
            at=now,
            why="transfer",
            expires_at=expires_at_for_cycle_id(svc.settings, new_cycle_id),  # 7
        )
    logger.info(
        "transfer recorded",
        person_id=subject.person_id,
        choice=planned.choice,
        reviewer_changed=reviewer is not None,
    )
    return planned
