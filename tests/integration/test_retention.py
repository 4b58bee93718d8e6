"""Section 7 through the API handler and moto: one person's whole cycle (statement and its moves,
views, observation with record and comment, reflection, training need and its outcome, a request
for a different reviewer, a pause and a restart of the clocks, a transfer), then every item in the
table: each record of a cycle carries `expires_at` no sooner than six years after its cycle ends;
only standing data and transport items go without, or with a short one, by an explicit list."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from growthcycle.domain.cycles import StaffGroup, regular_cycle
from growthcycle.domain.retention import expires_at
from tests.conftest import TABLE, Browser
from tests.helpers.aws import set_today
from tests.integration.test_observations import book, obs_id_of, write_record
from tests.integration.test_training_queue import submit_statement

OAK = "oakfield-primary"
HEAD = f"{OAK}.op001"
DAVID = f"{OAK}.op002"  # CPD lead; observer
EMMA = f"{OAK}.op004"  # teacher: her cycle 2026-27 runs 1 November 2026 - 31 October 2027 (4.1)

# Items that are not records of a cycle, and why they may go without the cycle's expires_at.
STANDING = {
    ("SCHOOL#", "SCHOOL"): "a school: mirrored from the trust file, not a cycle record",
    ("SCHOOL#", "HEADTEACHER"): "who the headteacher is now: rewritten by every seed/import",
    ("PERSON#", "PROFILE"): "a person: kept while staff; a leaver's expires with their last cycle",
    ("TRUST", "SIGN-IN"): "the trust's sign-in providers: mirrored from the trust file (issue 16)",
}
TRANSPORT = {
    "OUTBOX#": "a transport copy of an email: expires 90 days after queueing (adapters/outbox.py)",
    "ONCE#": "a single-use marker (used link, double-tap): its own short expires_at",
    "RATE#": "a rate-limit counter: its own short expires_at (web/ratelimit.py)",
    "SESSION#": "a sign-in session: expires at the end of its school day (domain/sessions.py)",
}
_CYCLE_IN_KEY = re.compile(
    r"(?:CYCLE|DUE|REVIEWER|REVIEWER-REQUEST|CAPABILITY)#(\d{4}(?:-\d{2})?(?:-from-[\d-]{10})?)"
)


def _csrf(page: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version|_token|_once)" value="([^"]*)"', page))


def _all_items(aws: Any) -> list[dict[str, Any]]:
    """Every item in the moto table (a Scan is fine in a test; the app never scans)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    paginator = aws("dynamodb").get_paginator("scan")
    return [
        {k: deserializer.deserialize(v) for k, v in raw.items()}
        for page in paginator.paginate(TableName=TABLE)
        for raw in page["Items"]
    ]


def _whole_cycle(browser: Browser, demo: Any) -> None:
    # 4.7 and 5: the reviewer submits the statement with a training need; it is issued to Emma.
    set_today(date(2026, 11, 9))
    assert submit_statement(browser, "Maths mastery course", "Coaching")["statusCode"] == 303
    statement_url = f"/statements/2026-27.{EMMA}"
    browser.act_as(EMMA)
    page = browser.get(statement_url)  # a view (7: who saw it)
    assert page["statusCode"] == 200
    agreed = browser.post(f"{statement_url}/actions/agree", _hidden(page["body"]))
    assert agreed["statusCode"] == 303, agreed["body"][:800]

    # Appendix 3: an observation booked, recorded, commented on.
    obs_id = obs_id_of(book(browser, HEAD, EMMA, observer=DAVID))
    set_today(date(2026, 11, 18))
    assert write_record(browser, DAVID, obs_id)["statusCode"] == 303
    browser.act_as(EMMA)
    url = f"/observations/{obs_id}"
    form = {**_hidden(browser.get(url)["body"]), "comment": "A fire drill before the lesson."}
    assert browser.post(f"{url}/comments", form)["statusCode"] == 303

    # Seed 003: a reflection.
    reflection = {
        **_hidden(browser.get("/reflections/new")["body"]),
        "about": "general",
        "tried": "Talk partners before every written answer.",
        "happened": "The quietest group went silent.",
        "next_step": "Try sentence stems first.",
    }
    assert browser.post("/reflections/new", reflection)["statusCode"] == 303

    # 10: the CPD lead records an outcome for the training need.
    from growthcycle.adapters.training import training_needs

    need = next(n for n in training_needs(demo.store, OAK) if n.person_id == EMMA)
    browser.act_as(DAVID)
    need_url = f"/training/{need.need_id}"
    outcome = {
        "_csrf": browser.csrf(need_url),
        "_version": str(need.version),
        "status": "not-provided",
        "outcome_on": "2026-11-18",
        "outcome": "No places left this term",
    }
    assert browser.post(need_url, outcome)["statusCode"] == 303

    # 4.2: Emma asks for a different reviewer; the headteacher approves with a replacement.
    set_today(date(2027, 1, 11))
    browser.act_as(EMMA)
    asked = browser.post(
        "/reviewer-change",
        {"_csrf": _csrf(browser.get("/reviewer-change")["body"]), "reasons": "We job-share."},
    )
    assert asked["statusCode"] == 303
    browser.act_as(HEAD)
    body = browser.get("/reviewers")["body"]
    request_id = re.search(r'name="request" value="([^"]+)"', body)
    assert request_id
    decided = browser.post(
        "/reviewers/requests",
        {
            "_csrf": _csrf(body),
            "reviewee": EMMA,
            "request": request_id.group(1).replace("&#43;", "+"),
            "decision": "approve",
            "replacement": DAVID,
            "reasons": "",
        },
    )
    assert decided["statusCode"] == 303

    # 3, 4.1: the clocks paused and restarted; then a transfer that begins the cycle again.
    cycle_page = f"/people/{EMMA}/cycle"
    for day, step in ((date(2027, 2, 1), "suspend"), (date(2027, 2, 8), "resume")):
        set_today(day)
        browser.act_as(HEAD)  # a fresh session on the new day
        csrf = _csrf(browser.get(cycle_page)["body"])
        assert browser.post(f"{cycle_page}/{step}", {"_csrf": csrf})["statusCode"] == 303
    set_today(date(2027, 2, 15))
    browser.act_as(HEAD)
    transfer = {
        "_csrf": _csrf(browser.get(cycle_page)["body"]),
        "transfer_date": "2027-02-15",
        "choice": "restart",
    }
    assert browser.post(f"{cycle_page}/transfer", transfer)["statusCode"] == 303


def _teacher_cycle_ends(cycle_id: str) -> date:
    """A teacher's cycle (4.1) named `2026-27` (or restarted `2026-27-from-...`) ends 31 October
    of its last year."""
    first, _, rest = cycle_id.partition("-")
    last = int(first) if not rest[:2].isdigit() else int(first[:2] + rest[:2])
    return date(last, 10, 31)


def _cycle_of(item: dict[str, Any], needs: dict[str, str]) -> str | None:
    """The cycle an item of Emma's is a record of, from its key or attributes."""
    if item.get("kind") == "audit":
        at = datetime.fromisoformat(item["at"]).date()
        return regular_cycle(StaffGroup.TEACHER, at).cycle_id
    if item["pk"].startswith("STATEMENT#"):
        return str(item["pk"].removeprefix("STATEMENT#").split(".")[0])
    if item.get("kind") in ("transfer", "school-restart"):
        return str(item.get("new_cycle_id") or item["old_cycle_id"])
    if item.get("kind") == "training-pointer":
        return needs[item["pk"].removeprefix("TRAINING#")]
    found = _CYCLE_IN_KEY.search(item["sk"])
    if found:
        return found.group(1)
    return item.get("cycle_id")


def _emmas(item: dict[str, Any], needs: dict[str, str]) -> bool:
    return (
        item["pk"] == f"PERSON#{EMMA}"
        or (item["pk"].startswith("STATEMENT#") and item["pk"].endswith(EMMA))
        or item.get("person_id") == EMMA
        or item["pk"].removeprefix("TRAINING#") in needs
    )


@pytest.mark.xdist_group("retention")
def test_7_every_record_of_a_cycle_expires_no_sooner_than_six_years_after_it_ends(
    browser: Browser, demo: Any, aws: Any
) -> None:
    _whole_cycle(browser, demo)
    items = _all_items(aws)
    needs = {
        i["need_id"]: i["cycle_id"]
        for i in items
        if i.get("kind") == "training-need" and i["person_id"] == EMMA
    }

    missing, short, kinds = [], [], set()
    for item in items:
        key = (item["pk"], item["sk"])
        if any(item["pk"].startswith(p) for p in TRANSPORT):
            assert "expires_at" in item, f"transport item without a TTL: {key}"
            continue
        if any(item["pk"].startswith(p) and item["sk"] == s for p, s in STANDING):
            continue
        if "expires_at" not in item:
            missing.append(key)
            continue
        if not _emmas(item, needs):
            continue
        kinds.add(item.get("kind"))
        cycle_id = _cycle_of(item, needs)
        assert cycle_id, f"no cycle for {key}"
        floor = expires_at(_teacher_cycle_ends(cycle_id), 6)
        if int(item["expires_at"]) < floor:
            short.append((key, cycle_id))

    assert missing == [], "records of a cycle without expires_at (7)"
    assert short == [], "records expiring sooner than six years after their cycle ends (7)"
    # The workflow reached every kind of record the adapters write for a person's cycle.
    assert {
        "submission",
        "audit",
        "statement",
        "statement-event",
        "statement-version",
        "statement-view",
        "observation",
        "observation-pointer",
        "observation-comment",
        "reflection",
        "training-need",
        "training-pointer",
        "reviewer",
        "school-reviewer",  # the school's copy of the assignment (issue 14.1)
        "reviewer-request",
        "capability",
        "transfer",
        "school-restart",  # the school's copy of the restart (issue 14.1)
        "cycle",
        "deadline",
    } <= kinds


def test_7_closing_and_reopening_an_open_item_keeps_its_expires_at(demo: Any) -> None:
    from growthcycle.adapters.deadlines import close_deadline, due_items
    from growthcycle.adapters.special_cases import resume_cycle, suspend_cycle

    set_today(date(2027, 2, 1))
    [item, *_] = [i for i in due_items(demo.store, OAK, date(2028, 1, 1)) if i.subject_id == EMMA]
    key = {"pk": {"S": item.pk}, "sk": {"S": item.sk}}

    def ttl() -> int:
        found = demo.store.db.get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]
        return int(found["expires_at"]["N"])

    before = ttl()
    assert before >= expires_at(date(2027, 10, 31), 6)
    cycle_id = item.sk.split("#")[1]
    common = {"actor_id": HEAD, "at": datetime(2027, 2, 1, 9), "expires_at": before}
    suspend_cycle(demo.store, EMMA, cycle_id, today=date(2027, 2, 1), **common)
    assert ttl() == before
    calendar = demo.trust.school(OAK).working_calendar()
    resume_cycle(demo.store, EMMA, cycle_id, today=date(2027, 2, 8), calendar=calendar, **common)
    assert ttl() == before
    assert close_deadline(demo.store, item.pk, item.sk)
    assert ttl() == before


def test_7_a_leavers_person_item_expires_with_their_last_cycle_and_stayers_never(
    demo: Any, aws: Any
) -> None:
    from growthcycle.cli.main import main
    from growthcycle.domain.retention import latest_end
    from tests.integration.test_staff_import import REIMPORT, TRUST

    set_today(date(2026, 11, 20))  # the teachers' 2026-27 cycle (4.1)
    argv = ["staff", "import", "--trust", TRUST, "--school", OAK, REIMPORT, "--table", TABLE]
    assert main(argv) == 0

    def item(pk: str, sk: str) -> dict[str, Any]:
        from growthcycle.adapters.store import _from_item

        key = {"pk": {"S": pk}, "sk": {"S": sk}}
        return _from_item(aws("dynamodb").get_item(TableName=TABLE, Key=key)["Item"])

    leaver = f"{OAK}.op007"  # leaves on the import day: the cycle closes then
    closed = item(f"PERSON#{leaver}", "CYCLE#2026-27")
    assert closed["expires_at"] >= expires_at(date(2026, 11, 20), 6)
    profile = item(f"PERSON#{leaver}", "PROFILE")
    assert profile["expires_at"] >= expires_at(latest_end("2026-27"), 6) >= closed["expires_at"]
    # A new starter's cycle is a record of it; people still on the staff are standing data.
    starter = item(f"PERSON#{OAK}.op013", "CYCLE#2026-27")
    assert starter["expires_at"] >= expires_at(date(2027, 10, 31), 6)
    assert "expires_at" not in item(f"PERSON#{OAK}.op013", "PROFILE")
    assert "expires_at" not in item(f"PERSON#{EMMA}", "PROFILE")
    # Every import audit entry carries one at least as late as the current cycle's.
    for person_id in (leaver, f"{OAK}.op013", EMMA):
        audits = [
            i
            for i in _all_items(aws)
            if i["pk"] == f"PERSON#{person_id}" and i.get("kind") == "audit"
        ]
        assert audits and all(a["expires_at"] >= expires_at(date(2027, 10, 31), 6) for a in audits)
