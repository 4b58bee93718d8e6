"""The emails the web layer sends: rendered now (HTML and plain text), queued in the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from growthcycle.adapters.outbox import Email
from growthcycle.domain.people import Person
from growthcycle.web.services import Services
from growthcycle.web.templating import render


def rendered_email(template: str, recipient: Person, subject: str, **context: Any) -> Email:
    """An email to one person from `templates/email/<template>.html` and `.txt` (every email has
    both bodies); the templates get `recipient` and `subject` besides `context`."""
    context = {"recipient": recipient, "subject": subject, **context}
    return Email(
        to_address=recipient.email,
        to_person_id=recipient.person_id,
        subject=subject,
        html=render(f"email/{template}.html", **context),
        text=render(f"email/{template}.txt", **context),
    )


def send_sign_in_link(svc: Services, person: Person, token: str) -> None:
    link = f"{svc.settings.base_url.rstrip('/')}/sign-in/{quote(token)}"
    context = {"recipient": person, "link": link, "trust_name": svc.settings.trust_name}
    email = Email(
        to_address=person.email,
        to_person_id=person.person_id,
        subject="Your Growth Cycle sign-in link",
        html=render("email/sign_in.html", **context),
        text=render("email/sign_in.txt", **context),
    )
    svc.store.queue_email(email, idempotency_key=f"sign-in:{token}")


def unique_addresses(addresses: Iterable[str]) -> list[str]:
    """Each recipient once, compared case-insensitively (and ignoring spaces), in first-seen
    order: an email addressed to several people never lists one of them twice."""
    seen: dict[str, str] = {}
    for address in addresses:
        seen.setdefault(address.strip().lower(), address.strip())
    return list(seen.values())
