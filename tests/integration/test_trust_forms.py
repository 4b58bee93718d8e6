"""The demo trust's own forms through the API handler and moto (issue 12, items 1 and 6): each
school gets the shipped forms, then the trust's layer, then its own, as put_trust mirrored them
onto its SCHOOL item; the rest of the system reads the fields by role."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from tests.conftest import Browser
from tests.helpers.aws import set_today

OAK = "oakfield-primary"
SARAH = f"{OAK}.op003"  # line manager of Emma and Rachel
EMMA = f"{OAK}.op004"  # teacher
RACHEL = f"{OAK}.op008"  # teaching assistant (support)
OWAIN = "riverside-academy.ra003"  # line manager of ra004
FFION = "riverside-academy.ra004"
CYCLE = "2026-27"


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version|_confirmed)" value="([^"]*)"', page))


def _page(browser: Browser, who: str, path: str) -> dict[str, Any]:
    browser.act_as(who)
    return browser.get(path)


def test_the_schools_own_self_review_template_replaces_the_shipped_one(
    browser: Browser, demo: Any
) -> None:
    oakfield = _page(browser, EMMA, f"/people/{EMMA}/forms/self-review")["body"]
    assert "How has your work helped pupils to read fluently?" in oakfield
    assert "Which of the Teachers" not in oakfield  # the shipped template's question
    riverside = _page(browser, FFION, f"/people/{FFION}/forms/self-review")["body"]
    assert "Which of the Teachers" in riverside
    assert "read fluently" not in riverside


def test_the_schools_extra_planning_and_review_field_is_asked_and_kept(
    browser: Browser, demo: Any
) -> None:
    url = f"/people/{EMMA}/forms/planning-review"
    page = _page(browser, SARAH, url)["body"]
    assert 'name="early_reading"' in page
    assert page.index('name="monitoring"') < page.index('name="early_reading"')
    saved = browser.post(
        url, {**_hidden(page), "_action": "save", "early_reading": "Daily phonics in Year 2."}
    )
    assert saved["statusCode"] == 303, saved["body"][:400]
    stored = demo.store.get_submission(EMMA, CYCLE, "planning-review")
    assert stored.values["early_reading"] == "Daily phonics in Year 2."
    other = _page(browser, OWAIN, f"/people/{FFION}/forms/planning-review")["body"]
    assert "early_reading" not in other


def test_the_support_staff_form_is_for_support_staff_only(browser: Browser, demo: Any) -> None:
    home = _page(browser, SARAH, "/")["body"]
    assert f"/people/{RACHEL}/forms/support-staff-review" in home
    assert f"/people/{EMMA}/forms/support-staff-review" not in home
    assert (
        _page(browser, SARAH, f"/people/{RACHEL}/forms/support-staff-review")["statusCode"] == 200
    )
    refused = _page(browser, SARAH, f"/people/{EMMA}/forms/support-staff-review")
    assert refused["statusCode"] == 404


def test_each_school_item_holds_its_layers(demo: Any) -> None:
    layers = json.loads(demo.store.get_school(OAK)["forms"])
    assert [layer["name"] for layer in layers] == ["trust demo-trust", f"school {OAK}"]
    assert [f["stem"] for f in layers[1]["files"]] == ["planning-review", "self-review"]
    riverside = json.loads(demo.store.get_school("riverside-academy")["forms"])
    assert riverside[1]["files"] == []


def test_a_school_whose_training_needs_field_is_renamed_still_reaches_the_cpd_lead_4_7(
    browser: Browser, demo: Any
) -> None:
    """The training needs are read by role: a school form that calls the box `cpd` still passes
    each line to the queue."""
    from growthcycle.app.training import pass_statement_needs
    from growthcycle.domain.form_layers import Layer, LayerFile, resolve
    from growthcycle.domain.forms import load_forms
    from growthcycle.domain.records import Submission
    from growthcycle.web.services import services

    cpd = {"key": "cpd", "type": "long_text", "label": "CPD", "role": "training_needs"}
    layer = Layer(
        "school oak",
        (
            LayerFile(
                "x/planning-review.yaml",
                "planning-review",
                {
                    "extends": "planning-review",
                    "fields": {"remove": ["training_needs"], "add": [cpd]},
                },
            ),
        ),
    )
    form = resolve(load_forms(), [layer]).get("planning-review")
    set_today(date(2026, 12, 7))
    svc = services()
    school = svc.school(OAK)
    assert school is not None
    submission = Submission(
        person_id=EMMA,
        cycle_id=CYCLE,
        form_id="planning-review",
        version=1,
        status="submitted",
        values={"cpd": "Autism awareness", "training_needs": "Not read"},
        saved_by=SARAH,
        saved_at=svc.clock.now(),
    )
    assert pass_statement_needs(svc, school, demo.people[EMMA], CYCLE, submission, form) == 1
