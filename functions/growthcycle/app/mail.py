"""Every email Growth Cycle sends is built here: both bodies (HTML and plain text) rendered from
`templates/email/<template>.html` and `.txt` (STYLE: every email has both), the template's name kept
on the email, and the recipient's person id for the ToPerson index. Callers queue what this builds
(`Store.queue_email`, or inside a move's transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from growthcycle.adapters.outbox import Email
from growthcycle.domain.people import Person
from growthcycle.templating import render


def rendered_email(
    template: str,
    recipient: Person | str,
    subject: str,
    *,
    attachments: tuple[tuple[str, str, str], ...] = (),
    **context: Any,
) -> Email:
    """An email to one person (or, for an address that belongs to nobody on the staff such as a
    school's operations contact, to that address). The templates get `recipient` (the person,
    where there is one) and `subject` besides `context`."""
    person = recipient if isinstance(recipient, Person) else None
    context = {"subject": subject, **context}
    if person is not None:
        context.setdefault("recipient", person)
    return Email(
        to_address=person.email if person is not None else str(recipient),
        to_person_id=person.person_id if person is not None else None,
        subject=subject,
        html=render(f"email/{template}.html", **context),
        text=render(f"email/{template}.txt", **context),
        attachments=attachments,
        template=template,
    )


def unique_addresses(addresses: Iterable[str]) -> list[str]:
    """Each recipient once, compared case-insensitively (and ignoring spaces), in first-seen
    order: an email addressed to several people never lists one of them twice."""
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.strip().lower(), address.strip())
    return list(seen.values())
