"""The signed statement as a document (issue 16, part 3): the statement as the form defines it,
its version, and an audit page listing every move with who, when, from which link or page, and
the signatures (like a certificate of completion).

`document` gathers what the PDF says (plain data; tested on its own); `render` lays it out with
fpdf2, a pure-Python library (its Pillow and fontTools dependencies ship wheels for both Lambda
architectures). fpdf2 is imported inside `render` so that only the PDF route and the export pay
for loading it. Text is written as text with an embedded Unicode font (DejaVu Sans, resources/
fonts, its licence beside it), so Welsh names and any hostile text print as typed and nothing in
an answer can become PDF structure.

Who may have it is the statement page's rule (7), asked by the route before `document` is built
(web/statement_content.py `whole_for`, which also records the view).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from growthcycle.adapters import statements as repo
from growthcycle.app.context import Services
from growthcycle.app.statements import Loaded
from growthcycle.domain import statements as rules
from growthcycle.domain.forms import RESOURCES, Entry
from growthcycle.domain.statements import LONDON, State

FONTS = RESOURCES / "fonts"
CHANNELS = {"link": "from an emailed link", "page": "on the statement page"}
# The moves that are a party's signature on the statement (4.9, 5).
SIGNATURES = frozenset({"agree", "sign", "approve"})


@dataclass(frozen=True)
class AuditLine:
    when: str
    who: str
    what: str
    how: str
    reason: str = ""


@dataclass(frozen=True)
class Document:
    title: str
    facts: tuple[tuple[str, str], ...]  # (label, value): school, reviewee, version, state...
    entries: tuple[Entry, ...]  # the statement as the form prints it
    audit: tuple[AuditLine, ...]
    signatures: tuple[AuditLine, ...]


def _when(at: datetime) -> str:
    return at.astimezone(LONDON).strftime("%d %B %Y at %H:%M:%S %Z")


def document(svc: Services, loaded: Loaded) -> Document:
    """What the PDF of `loaded`'s latest issued version says."""
    statement = loaded.statement
    versions = repo.versions(svc.store, statement.statement_id)
    current = versions[-1] if versions else None
    people = {p.person_id: p for p in svc.store.people_in_school(loaded.school.id)}

    def name(person_id: str) -> str:
        person = people.get(person_id) or svc.store.get_person(person_id)
        return person.name if person is not None else "someone no longer on the roster"

    audit: list[AuditLine] = []
    signatures: list[AuditLine] = []
    for event in repo.events(svc.store, statement.statement_id):
        move = rules.MOVES_BY_ACTION.get(event.action)
        what = move.label if move else event.action
        if event.outcome:
            what += f": {rules.APPEAL_OUTCOMES.get(event.outcome, event.outcome)}"
        line = AuditLine(
            when=_when(event.at),
            who=f"{name(event.actor_id)} ({event.party})",
            what=f"{what} (version {event.statement_version})",
            how=CHANNELS.get(event.channel, event.channel),
            reason=event.reason,
        )
        audit.append(line)
        if event.action in SIGNATURES:
            signatures.append(line)
    facts = [
        ("School", loaded.school.name),
        ("Reviewee", loaded.reviewee.name),
        ("Reviewer", name(statement.reviewer_id)),
        ("Cycle", statement.cycle_id),
        ("Status", loaded.state_words),
        ("Statement version", str(statement.statement_version)),
    ]
    if current is not None:
        facts.append(("Issued", f"{_when(current.issued_at)} by {name(current.issued_by)}"))
    if statement.signed_at is not None:
        facts.append(("Signed", _when(statement.signed_at)))
    entries = tuple(loaded.form.entries(loaded.ctx, current.values if current else {}))
    return Document(
        title=f"{loaded.form.title}: {loaded.reviewee.name}",
        facts=tuple(facts),
        entries=entries,
        audit=tuple(audit),
        signatures=tuple(signatures),
    )


def may_download(state: State) -> bool:
    """Issue 16: a final statement (and one under appeal, whose signed text stands) is a
    document for the personnel file; a draft is not."""
    return state in {State.FINAL, State.APPEALED}


def render(doc: Document) -> bytes:
    """The PDF's bytes: the statement, then the audit page."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_title(doc.title)
    pdf.set_creator("Growth Cycle")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)

    def heading(text: str, size: int = 14) -> None:
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    def para(text: str, *, bold: bool = False, indent: float = 0) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", 10)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, 5, text or " ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def entry(item: Entry, depth: int) -> None:
        para(item.label, bold=True, indent=depth * 5)
        for line in item.lines if item.answered else ["Not answered"]:
            para(line, indent=depth * 5 + 3)
        for child in item.children:
            entry(child, depth + 1)
        pdf.ln(1)

    pdf.add_page()
    heading(doc.title, 16)
    for label, value in doc.facts:
        para(f"{label}: {value}")
    pdf.ln(4)
    for item in doc.entries:
        entry(item, 0)

    pdf.add_page()
    heading("Audit trail")
    para("Every move on this statement, oldest first (times are UK time).")
    pdf.ln(2)
    for line in doc.audit:
        para(f"{line.when}: {line.what}", bold=True)
        para(f"by {line.who}, {line.how}", indent=3)
        if line.reason:
            para(f"Reason: {line.reason}", indent=3)
        pdf.ln(1)
    pdf.ln(3)
    heading("Signatures", 12)
    if not doc.signatures:
        para("Not signed yet.")
    for line in doc.signatures:
        para(f"{line.what}: {line.who}, {line.when}, {line.how}")
    return bytes(pdf.output())
