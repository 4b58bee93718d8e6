"""4.9: the draft statement follows the planning and review meeting, so a test that submits the
planning and review form first records a meeting held today (stored directly, as booking it
through the page would, without the invitation emails)."""

from __future__ import annotations

from datetime import date
from typing import Any

from growthcycle.domain.records import AuditEntry, Submission
from growthcycle.domain.retention import expires_at_for_cycle_id
from tests.helpers.aws import set_today


def held_meeting(reviewee_id: str, reviewer_id: str, browser: Any = None) -> None:
    """Record `reviewee_id`'s planning and review meeting this cycle as held today; one already
    booked for a later day is held by moving the clock to that day."""
    from growthcycle.web.services import services

    svc = services()
    reviewee = svc.store.get_person(reviewee_id)
    assert reviewee is not None
    cycle_id = svc.cycle(reviewee).cycle_id
    current = svc.store.get_submission(reviewee_id, cycle_id, "meeting")
    if current is not None and current.status == "submitted":
        booked = date.fromisoformat(str(current.values.get("date")))
        if booked > svc.clock.today():
            signed_in = _session_person(svc, browser)
            set_today(booked)  # the booked meeting takes place: the clock moves to its day
            if browser is not None and signed_in:
                browser.act_as(signed_in)  # a fresh session on the new day
        return
    now = svc.clock.now()
    svc.store.save_submission(
        Submission(
            person_id=reviewee_id,
            cycle_id=cycle_id,
            form_id="meeting",
            version=(current.version + 1) if current else 1,
            status="submitted",
            values={"date": svc.clock.today().isoformat(), "time": "09:00", "place": "Room 1"},
            saved_by=reviewer_id,
            saved_at=now,
        ),
        AuditEntry(
            subject_id=reviewee_id,
            actor_id=reviewer_id,
            action="form.submitted",
            target="meeting@1",
            channel="page",
            at=now,
        ),
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),
    )


def _session_person(svc: Any, browser: Any) -> str | None:
    from growthcycle.web.app import SESSION_COOKIE

    token = getattr(browser, "cookies", {}).get(SESSION_COOKIE)
    if not token:
        return None
    payload = svc.signer.verify("session", token, now=svc.clock.now())
    return str(payload["p"])
