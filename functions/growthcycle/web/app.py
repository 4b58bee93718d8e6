"""The HTTP API: the resolver from web/core.py with every route module registered on it."""

from growthcycle.web import (
    deadline_steps,  # noqa: F401 - registers its after-save step
    forms_pages,
    guidance_checks,  # noqa: F401 - registers its guidance checker
    mid_year,  # noqa: F401 - routes
    observations,  # noqa: F401 - routes
    reflections,  # noqa: F401 - routes and an after-save step
    report,  # noqa: F401 - routes
    reviewers,  # noqa: F401 - routes
    sign_in,
    special_cases,  # noqa: F401 - routes and a paused-cycle note on forms
    statements,  # noqa: F401 - routes, a meeting check and after-save steps
    training,  # noqa: F401 - routes and an after-save step
)
from growthcycle.web.core import SESSION_COOKIE, app, session_cookie_for

__all__ = ["SESSION_COOKIE", "app", "forms_pages", "session_cookie_for", "sign_in"]
