"""The one door statement content leaves by (7; issue 18, items 1 and 3).

Every page that shows any of a statement's text (the statement page, whatever its status: a
refused move beside its field, "someone did this first"; the comparison of versions; the
governor's view; the planning and review form and its saved page) is rendered by `show`. It asks
the statement page's audience rule (app/statements.py `Loaded.audience`, which is
domain/statements.py `audience`): nobody else sees anything (a 404, as if nothing existed); a
governor deciding pay sees the overall assessment only, whatever page was asked for
(domain/statements.py `sees_whole`); and every showing is a line in the reviewee's "who has seen
it" before the page is sent.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from growthcycle.app import statements as cases
from growthcycle.app.statements import Loaded
from growthcycle.domain import statements as rules
from growthcycle.domain.people import Person
from growthcycle.web.core import Visitor, form_context, page
from growthcycle.web.errors import NotFound
from growthcycle.web.request import request_cache
from growthcycle.web.services import Services, services

__all__ = ["Loaded", "load_statement", "show", "whole_for"]


def load_statement(svc: Services, statement_id: str) -> Loaded | None:
    """app/statements.py `load`, with this request's memo."""
    return cases.load(svc, statement_id, context_for=form_context, memo=request_cache())


def show(
    who: Visitor,
    actor: Person,
    loaded: Loaded,
    *,
    where: str,
    template: str,
    http_status: int = 200,
    **context: Any,
) -> Response:
    """Render `template` showing `loaded`'s content to `actor`, after recording the view (7).

    `where` names the page in the reviewee's list. A viewer outside the audience gets a 404; one
    who sees only part (a governor) gets the governor's page instead of `template`."""
    svc = services()
    seen_as = _audience(actor, loaded)
    if not rules.sees_whole(seen_as):
        template = "statements/governor.html"
        context = {
            "entries": cases.governor_entries(svc, loaded),
            "state_words": loaded.state_words,
        }
    cases.record_view(svc, actor, loaded, seen_as, where)
    return page(template, who, http_status=http_status, loaded=loaded, **context)


def whole_for(actor: Person, loaded: Loaded, *, where: str) -> rules.Audience:
    """For content that is the whole statement or nothing (the PDF): the audience rule, a 404
    for anyone who would see only part of it (a governor), and the view recorded (7)."""
    seen_as = _audience(actor, loaded)
    if not rules.sees_whole(seen_as):
        raise NotFound("There is nothing at this address.")
    cases.record_view(services(), actor, loaded, seen_as, where)
    return seen_as


def _audience(actor: Person, loaded: Loaded) -> rules.Audience:
    seen_as = loaded.audience(actor)
    if seen_as is None:
        raise NotFound("There is nothing at this address.")
    return seen_as
