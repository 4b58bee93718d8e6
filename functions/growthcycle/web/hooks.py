"""Extension points of the hosted forms, so a capability can join in without editing the form
routes: checks that advise or block as a form is written (guidance, required commitments), and
work to do once a form is saved (a draft statement to send, a deadline to close).

The steps are one explicit, ordered list, installed by web/app.py (`install`): the order is the
order they run in, and the first after-save step that answers with a page decides the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools.event_handler import Response

from growthcycle.domain.forms import FieldError, Form, FormContext
from growthcycle.domain.people import Person
from growthcycle.domain.records import Submission
from growthcycle.domain.trust import School

if TYPE_CHECKING:
    from growthcycle.web.services import Services


@dataclass(frozen=True)
class FormEvent:
    svc: Services
    actor: Person
    subject: Person
    form: Form
    ctx: FormContext
    school: School
    cycle_id: str
    values: dict[str, Any]
    partial: bool  # saving an unfinished form: advise, never block


@dataclass(frozen=True)
class Note:
    """Guidance shown beside a field (server-side, so it works without JavaScript)."""

    key: str  # the field's key, e.g. "objectives.0.title", "" for the whole form, "submit" beside
    # the Submit button
    message: str
    severity: Literal["advise", "block"] = "advise"
    code: str = ""
    # Advice worth a second look before sending: on Submit the form is shown again with it and
    # sent only on a second Submit of the same answers (4.6 guidance). Other advice just shows.
    confirm: bool = False
    # An optional link after the message, such as where to book the meeting a block waits for.
    link_url: str = ""
    link_text: str = ""


@dataclass
class CheckResult:
    notes: list[Note] = field(default_factory=list)

    @property
    def blocking(self) -> list[FieldError]:
        return [
            FieldError(
                key=n.key,
                anchor="f-" + n.key.replace(".", "-") if n.key else "main",
                message=n.message,
            )
            for n in self.notes
            if n.severity == "block"
        ]

    def by_key(self) -> dict[str, list[Note]]:
        grouped: dict[str, list[Note]] = {}
        for note in self.notes:
            grouped.setdefault(note.key, []).append(note)
        return grouped


Checker = Callable[[FormEvent], list[Note]]
AfterSave = Callable[[FormEvent, Submission], Response | None]

checkers: list[Checker] = []
after_save: list[AfterSave] = []


def install(*, checks: Sequence[Checker], steps: Sequence[AfterSave]) -> None:
    """Set the form pipeline (web/app.py calls this once, with every step in its order)."""
    checkers[:] = list(checks)
    after_save[:] = list(steps)


def run_checks(event: FormEvent) -> CheckResult:
    result = CheckResult()
    for check in checkers:
        result.notes.extend(check(event))
    return result


def run_after_save(event: FormEvent, submission: Submission) -> Response | None:
    """Run every after-save step; the first that returns a page or redirect decides the answer."""
    answer: Response | None = None
    for step in after_save:
        response = step(event, submission)
        if answer is None and response is not None:
            answer = response
    return answer
