"""Section 3: the excluded are shown as not appraised, not silently dropped: on the
headteacher's reviewers list, on their reviewer's home page and on their own."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import Browser
from tests.helpers.aws import set_today

OAK = "oakfield-primary"
HEAD = f"{OAK}.op001"
SARAH = f"{OAK}.op003"  # line manager, teacher
EMMA = f"{OAK}.op004"  # teacher, line manager Sarah
TODAY = date(2027, 2, 1)
SHOWN = "Not appraised this year: in induction (section 3)"


def test_a_teacher_in_induction_is_shown_as_not_appraised_section_3(
    browser: Browser, demo: Any
) -> None:
    set_today(TODAY)
    emma = demo.people[EMMA]
    demo.store.put_person(
        emma.model_copy(
            update={"induction_start": date(2026, 9, 1), "induction_end": date(2027, 7, 21)}
        )
    )
    browser.act_as(HEAD)
    listed = browser.get("/reviewers")["body"]
    assert "Emma Clarke" in listed
    assert f"{SHOWN}, until 21 July 2027." in listed
    browser.act_as(SARAH)
    assert SHOWN in browser.get("/")["body"]
    browser.act_as(EMMA)
    home = browser.get("/")["body"]
    assert f"{SHOWN}, until 21 July 2027" in home
    assert "no appraisal cycle and no reminders" in home


def test_appraised_staff_are_not_marked_section_3(browser: Browser, demo: Any) -> None:
    set_today(TODAY)
    browser.act_as(HEAD)
    assert "Not appraised this year" not in browser.get("/reviewers")["body"]
