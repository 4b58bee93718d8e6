"""The HTTP API: the resolver from web/core.py with every route module registered on it."""

from growthcycle.web import (
    deadline_steps,  # noqa: F401 - registers its after-save step
    forms_pages,
    sign_in,
)
from growthcycle.web import guidance_checks, mid_year, reflections  # noqa: F401 - routes and hooks
from growthcycle.web.core import SESSION_COOKIE, app, session_cookie_for

__all__ = ["SESSION_COOKIE", "app", "forms_pages", "session_cookie_for", "sign_in"]
