"""A statement with everyone it involves, and the record of who has seen it (7).

`load` reads a statement, its reviewee, their school and reviewers of record (4.2) once;
`record_view` adds a line to the reviewee's "who has seen it". Which pages show what, and that
every showing is recorded, is web/statement_content.py `show` (the one door statement content
leaves by); this module holds the reads and the write it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from growthcycle.adapters import statements as repo
from growthcycle.app.context import Memo, Services
from growthcycle.app.reviewers import review_inputs
from growthcycle.domain import statements as rules
from growthcycle.domain.forms import Entry, Form, FormContext
from growthcycle.domain.people import Person, headteacher_of
from growthcycle.domain.retention import expires_at_for_cycle_id
from growthcycle.domain.reviewers import ReviewOfRecord, review_of_record
from growthcycle.domain.statements import STATEMENT_FORM, Statement, View
from growthcycle.domain.trust import School


@dataclass(frozen=True)
class Loaded:
    statement: Statement
    reviewee: Person
    reviewer: Person | None
    headteacher: Person | None
    school: School
    form: Form
    ctx: FormContext
    record: ReviewOfRecord  # who reviews the reviewee this cycle (4.2)
    qa: tuple[Person, ...] = ()  # 5: who quality-assures the headteacher's own statement

    @property
    def headteachers_own(self) -> bool:
        return self.reviewee.is_headteacher

    def audience(self, actor: Person) -> rules.Audience | None:
        """7: the statement page's rule (domain/statements.py `audience`), for every page."""
        return rules.audience(actor, self.reviewee, self.statement, self.record)

    def people(self, party: str) -> list[Person]:
        """Whom a move tells, as `party`. For the headteacher's own statement the original goes
        to the governors who quality-assure it, not to the headteacher, who has their copy (5)."""
        if party == "headteacher":
            found = [] if self.headteachers_own else [self.headteacher]
        elif party == "quality-assurer":
            return list(self.qa) if self.headteachers_own else []
        else:
            found = [{"reviewee": self.reviewee, "reviewer": self.reviewer}.get(party)]
        return [p for p in found if p is not None]

    @property
    def state_words(self) -> str:
        return rules.describe(self.statement.state, headteachers_own=self.headteachers_own)


def load(
    svc: Services,
    statement_id: str,
    *,
    context_for: Callable[[School], FormContext],
    memo: Memo = None,
) -> Loaded | None:
    """The statement and everyone it involves; None when there is no such statement (or its
    reviewee or school is gone)."""
    statement = repo.get_statement(svc.store, statement_id) if len(statement_id) <= 200 else None
    if statement is None:
        return None
    reviewee = svc.store.get_person(statement.reviewee_id)
    school = svc.school(reviewee.school_id) if reviewee is not None else None
    if reviewee is None or school is None:
        return None
    people = {p.person_id: p for p in svc.store.people_in_school(school.id)}
    head = headteacher_of(people.values())
    record = review_of_record(
        reviewee,
        review_inputs(svc, reviewee, memo=memo),
        headteacher_id=head.person_id if head else None,
    )
    return Loaded(
        statement=statement,
        reviewee=reviewee,
        reviewer=svc.store.get_person(statement.reviewer_id),
        headteacher=head,
        school=school,
        form=svc.forms(school.id).get(STATEMENT_FORM),  # the school's own, if it has one
        ctx=context_for(school),
        record=record,
        qa=tuple(people[q] for q in record.qa_ids if q in people),
    )


def record_view(
    svc: Services, actor: Person, loaded: Loaded, seen_as: rules.Audience, where: str
) -> None:
    """7: one line in the reviewee's "who has seen it": who, as whom, on which page."""
    repo.record_view(
        svc.store,
        View(
            statement_id=loaded.statement.statement_id,
            viewer_id=actor.person_id,
            why=seen_as,
            page=where,
            at=svc.clock.now(),
        ),
        expires_at=expires_at_for_cycle_id(svc.settings, loaded.statement.cycle_id),  # 7
    )


def governor_entries(svc: Services, loaded: Loaded) -> list[Entry]:
    """7: the part of the latest version a governor deciding pay sees: the overall assessment
    (and the pay recommendation), as the form prints them."""
    found = repo.versions(svc.store, loaded.statement.statement_id)
    keys = loaded.form.role_keys(rules.GOVERNOR_ROLES, loaded.ctx.style)
    values = rules.governor_values(found[-1].values if found else {}, keys)
    return [e for e in loaded.form.entries(loaded.ctx, values) if e.key in keys]
