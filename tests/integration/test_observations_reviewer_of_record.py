"""Observations follow the reviewer of record (App 3.14, 4.2): once the headteacher replaces a
reviewer, the new reviewer books and sees the reviewee's observations and gets the copies of the
record; the line manager who no longer reviews them does not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tests.conftest import Browser, sent_outbox
from tests.helpers.aws import set_today
from tests.integration.test_observations import (
    DAVID,
    EMMA,
    HEAD,
    MONDAY,
    SARAH,
    book,
    obs_id_of,
    write_record,
)


def replace_reviewer(demo: Any, reviewee: str, reviewer: str) -> None:
    from growthcycle.adapters.reviewers import assign_reviewer

    assign_reviewer(
        demo.store,
        school_id=reviewee.split(".")[0],
        reviewee_id=reviewee,
        cycle_id="2026-27",
        reviewer_id=reviewer,
        actor_id=HEAD,
        at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        why="headteacher",
        expires_at=2_000_000_000,
    )


def test_observations_follow_the_reviewer_of_record_not_the_line_manager_app_3_14_4_2(
    browser: Browser, aws: Any, demo: Any
) -> None:
    # Given Emma's line manager Sarah, replaced as her reviewer by David (4.2)
    set_today(MONDAY)
    replace_reviewer(demo, EMMA, DAVID)

    # Then David books an observation of Emma, and Sarah no longer can
    obs_id = obs_id_of(book(browser, DAVID, EMMA, observer=HEAD))
    browser.act_as(SARAH)
    assert browser.get(f"/people/{EMMA}/observations/new")["statusCode"] == 404
    assert browser.get(f"/people/{EMMA}/observations")["statusCode"] == 404
    assert browser.get(f"/observations/{obs_id}")["statusCode"] == 404
    browser.act_as(DAVID)
    assert browser.get(f"/people/{EMMA}/observations")["statusCode"] == 200
    assert browser.get(f"/observations/{obs_id}")["statusCode"] == 200

    # And when the observer writes the record, the copies go to Emma and David, not Sarah
    set_today(date(2026, 11, 18))
    assert write_record(browser, HEAD, obs_id)["statusCode"] == 303
    copies = {e["to_person_id"] for e in sent_outbox(aws) if "record" in e["subject"]}
    assert copies == {EMMA, DAVID}
