"""Issue 14.1: the school's copies of restarts and reviewer assignments. Written with the record,
read by pages about many people with one Query, and given to a table written before them by
`growthcycle backfill school-copies`, once, without overwriting anything."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from growthcycle.adapters.reviewers import assigned_reviewers_in_school, school_reviewer_key
from growthcycle.adapters.special_cases import restarts, restarts_in_school
from growthcycle.adapters.store import _to_item
from tests.conftest import TABLE, Browser
from tests.helpers.aws import set_today

OAK = "oakfield-primary"
HEAD = f"{OAK}.op001"
DAVID = f"{OAK}.op002"
EMMA = f"{OAK}.op004"
TRANSFER_DAY = date(2027, 2, 1)
RESTARTED = "2026-27-from-2027-02-01"


def _transfer_with_a_new_reviewer(browser: Browser) -> None:
    """The headteacher records Emma's transfer: her cycle begins again, David reviews her."""
    set_today(TRANSFER_DAY)
    browser.act_as(HEAD)
    page = browser.get(f"/people/{EMMA}/cycle")["body"]
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert csrf
    form = {
        "_csrf": csrf.group(1),
        "transfer_date": TRANSFER_DAY.isoformat(),
        "choice": "restart",
        "reviewer": DAVID,
    }
    assert browser.post(f"/people/{EMMA}/cycle/transfer", form)["statusCode"] == 303


def _school_copies(aws: Any) -> list[dict[str, Any]]:
    from growthcycle.adapters.store import _from_item

    found = aws("dynamodb").query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=_to_item({":pk": f"SCHOOL#{OAK}"}),
    )["Items"]
    return [
        i for i in map(_from_item, found) if i.get("kind") in ("school-restart", "school-reviewer")
    ]


@pytest.fixture
def transferred(browser: Browser, demo: Any) -> Any:
    _transfer_with_a_new_reviewer(browser)
    return demo


def test_a_restart_and_an_assignment_are_copied_to_the_school_in_the_same_write(
    transferred: Any, aws: Any
) -> None:
    store = transferred.store
    assert restarts_in_school(store, OAK) == {EMMA: restarts(store, EMMA)}
    assert [c.cycle_id for c in restarts(store, EMMA)] == [RESTARTED]
    assert assigned_reviewers_in_school(store, OAK, [(EMMA, RESTARTED)]) == {EMMA: DAVID}
    # 7: each copy expires with the record it copies.
    copies = {c["kind"]: c for c in _school_copies(aws)}
    assert set(copies) == {"school-restart", "school-reviewer"}
    assert all(c["person_id"] == EMMA and c["expires_at"] for c in copies.values())


def test_the_pages_find_the_restarted_cycle_and_its_reviewer_from_the_school_copies(
    transferred: Any, browser: Browser
) -> None:
    browser.act_as(DAVID)
    home = browser.get("/")["body"]
    assert "Emma Clarke" in home  # David reviews her in the cycle that began again
    browser.act_as(EMMA)
    assert f"Your {RESTARTED} cycle" in browser.get("/")["body"]


def test_backfill_writes_the_missing_copies_once_and_overwrites_none(
    transferred: Any, aws: Any, browser: Browser
) -> None:
    from growthcycle.cli.main import main

    # Given a table written before the copies existed.
    for copy in _school_copies(aws):
        aws("dynamodb").delete_item(
            TableName=TABLE, Key=_to_item({"pk": copy["pk"], "sk": copy["sk"]})
        )
    browser.act_as(EMMA)
    assert "Your 2026-27 cycle" in browser.get("/")["body"]  # the restart is not seen
    # When the backfill runs (twice).
    assert main(["backfill", "school-copies", "--table", TABLE]) == 0
    first = _school_copies(aws)
    assert main(["backfill", "school-copies", "--table", TABLE, "--school", OAK]) == 0
    # Then each copy is back, once, and the pages see the restart again.
    assert sorted(c["kind"] for c in first) == ["school-restart", "school-reviewer"]
    assert _school_copies(aws) == first
    assert f"Your {RESTARTED} cycle" in browser.get("/")["body"]


def test_backfill_never_overwrites_a_copy_a_newer_assignment_wrote(transferred: Any) -> None:
    from growthcycle.adapters.backfill import backfill_school_copies

    store = transferred.store
    key = _to_item(school_reviewer_key(OAK, RESTARTED, EMMA))
    store.db.update_item(
        TableName=TABLE,
        Key=key,
        UpdateExpression="SET reviewer_id = :newer",
        ExpressionAttributeValues=_to_item({":newer": HEAD}),
    )
    done = backfill_school_copies(store, [OAK])
    assert (done.restarts, done.assignments, done.present) == (0, 0, 2)
    assert assigned_reviewers_in_school(store, OAK, [(EMMA, RESTARTED)]) == {EMMA: HEAD}
