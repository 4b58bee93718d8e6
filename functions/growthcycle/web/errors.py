"""Errors the web layer turns into friendly pages, in one place (web/app.py)."""


class PageError(Exception):
    status = 400
    title = "Something is not right"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(PageError):
    status = 400
    title = "We could not read that"


class BodyTooLarge(PageError):
    status = 413
    title = "That was too much to send at once"


class NotSignedIn(PageError):
    status = 401
    title = "Please sign in"


class Forbidden(PageError):
    status = 403
    title = "You cannot open this page"


class NotFound(PageError):
    status = 404
    title = "Page not found"


class CsrfRefused(PageError):
    status = 403
    title = "Please try that again"


class CrossSiteRefused(CsrfRefused):
    """A browser said the request came from another site (web/http.py `from_another_site`)."""
