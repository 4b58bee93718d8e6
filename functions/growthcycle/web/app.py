"""The HTTP API: one resolver, every route module's `Router` included explicitly, and the hosted
forms' pipeline (checks, then after-save steps) as one ordered list.

Nothing registers itself by being imported: a new route module is added to `ROUTERS`, a new form
step to `FORM_CHECKS` or `AFTER_SAVE`, here.
"""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from growthcycle.web import (
    core,
    deadline_steps,
    forms_pages,
    guidance_checks,
    hooks,
    mid_year,
    observations,
    reflections,
    report,
    request,
    reviewers,
    sign_in,
    special_cases,
    sso,
    statements,
    training,
)
from growthcycle.web.core import SESSION_COOKIE, session_cookie_for

ROUTERS = (
    request.router,
    core.router,
    reviewers.router,
    reflections.router,
    forms_pages.router,
    mid_year.router,
    report.router,
    sso.router,
    sign_in.router,
    statements.router,
    training.router,
    special_cases.router,
    observations.router,
)

# Checks run on every render and save of a hosted form; their notes are shown together.
FORM_CHECKS: tuple[hooks.Checker, ...] = (
    special_cases.paused_note,  # a paused cycle (capability) is said first
    guidance_checks.check_planning_review,  # 4.6 guidance on objectives and commitments
    statements.meeting_checks,  # the meeting form: notice and dates (4.3)
    statements.meeting_first_check,  # no draft before the meeting (4.9)
)

# After a form is saved, in this order; the first step that answers with a page decides it.
AFTER_SAVE: tuple[hooks.AfterSave, ...] = (
    deadline_steps.close_planning_review,  # the planning and review due date is met
    reflections.reflection_from_hosted_form,  # the hosted reflection form becomes a reflection
    statements.meeting_booked,  # the meeting invitation is emailed
    statements.statement_issued,  # the draft statement is issued (4.9)
    training.pass_statement_needs,  # the statement's training needs reach the CPD lead (4.7)
)

app = APIGatewayHttpResolver()
for _router in ROUTERS:
    app.include_router(_router)
app.use(middlewares=[core.same_site_only])  # before every route: no state change from elsewhere
app.not_found(core.not_found)
hooks.install(checks=FORM_CHECKS, steps=AFTER_SAVE)

__all__ = ["SESSION_COOKIE", "app", "session_cookie_for"]
