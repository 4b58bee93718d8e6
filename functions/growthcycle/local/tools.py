"""The local stack's own pages under /_local/ (never deployed): act as a demo person, read the
mail SES accepted, set the stack's "today" and run the daily deadline check, and see every
school's forms with a preview of each (/_local/forms: web/form_preview.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from growthcycle.local.server import LocalRoute, RequestHandler
from growthcycle.local.stack import LocalContext, LocalStack
from growthcycle.web.templating import render

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)


def _form(request: RequestHandler) -> dict[str, str]:
    body = request.read_body().decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body).items()}


def local_routes(stack: LocalStack, trust: Any) -> dict[tuple[str, str], LocalRoute]:
    from growthcycle.web.app import SESSION_COOKIE, session_cookie_for
    from growthcycle.web.services import services

    def people_page(request: RequestHandler) -> None:
        store = services().store
        schools = [
            {"school": school, "people": store.people_in_school(school.id)}
            for school in trust.schools
        ]
        request.send_html(render("local/people.html", schools=schools, trust=trust))

    def act_as(request: RequestHandler) -> None:
        person_id = _form(request).get("person_id", "")
        if services().store.get_person(person_id) is None:
            request.send_text(400, "No such demo person")
            return
        token = session_cookie_for(person_id)
        request.redirect("/", cookies=[f"{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax"])

    def mail_page(request: RequestHandler) -> None:
        mails = []
        for mail in stack.sent_mail():
            found = _BODY.search(mail.html)
            mails.append({"mail": mail, "body": found.group(1) if found else mail.html})
        request.send_html(render("local/mail.html", mails=mails))

    def clock_page(request: RequestHandler, message: str | None = None) -> None:
        today = services().clock.today()
        overridden = stack.clock_file.exists() and stack.clock_file.read_text().strip() != ""
        request.send_html(
            render("local/clock.html", today=today, overridden=overridden, message=message)
        )

    def clock_post(request: RequestHandler) -> None:
        form = _form(request)
        action = form.get("action", "")
        message = None
        if action == "set":
            try:
                day = date.fromisoformat(form.get("today", ""))
            except ValueError:
                clock_page(request, "That is not a date. Use the date picker or YYYY-MM-DD.")
                return
            stack.clock_file.write_text(day.isoformat())
            message = f"Today is now {day:%A %-d %B %Y}."
        elif action == "reset":
            stack.clock_file.unlink(missing_ok=True)
            message = "Today follows the real calendar again."
        elif action == "run":
            from growthcycle.handlers import deadline_check

            result = deadline_check.lambda_handler(
                {"source": "local.clock", "detail-type": "Scheduled Event"},
                LocalContext(function_name="DeadlineCheckFunction"),
            )
            message = f"Daily check ran: {result.get('summary', result)}"
        stack.save()
        clock_page(request, message)

    def forms_page(request: RequestHandler) -> None:
        svc = services()
        schools = []
        for school in trust.schools:
            forms = [
                {"form": f, "made_by": " + ".join(f.layers)}
                for f in svc.forms(school.id)
                if f.applies_to(school.policy_style)
            ]
            schools.append({"school": school, "forms": forms})
        request.send_html(render("local/forms.html", schools=schools, trust=trust))

    def form_preview(request: RequestHandler) -> None:
        from growthcycle.domain.forms import UnknownForm
        from growthcycle.domain.trust import UnknownSchool
        from growthcycle.web.core import form_context
        from growthcycle.web.form_preview import VIEWS, preview_pages

        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        svc = services()
        try:
            school = trust.school(query.get("school", ""))
            form = svc.forms(school.id).get(query.get("form", ""))
        except (UnknownSchool, UnknownForm):
            request.send_text(404, "No such school or form")
            return
        view = query.get("view", "phone")
        if view not in VIEWS or not form.applies_to(school.policy_style):
            request.send_text(404, "No such preview")
            return
        shown = preview_pages(form, form_context(school), school.name)[view]
        if view == "text":
            headers = {"Content-Type": "text/plain; charset=utf-8"}
            request.write_result({"statusCode": 200, "headers": headers, "body": shown})
        else:
            request.send_html(shown)

    return {
        ("GET", "/_local"): lambda r: r.redirect("/_local/"),
        ("GET", "/_local/forms"): forms_page,
        ("GET", "/_local/forms/preview"): form_preview,
        ("GET", "/_local/"): people_page,
        ("POST", "/_local/act-as"): act_as,
        ("GET", "/_local/mail"): mail_page,
        ("GET", "/_local/clock"): clock_page,
        ("POST", "/_local/clock"): clock_post,
    }
