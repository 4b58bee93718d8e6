"""`growthcycle export person`: everything held about one person (subject access; 7), as JSON and a
readable, escaped HTML page, without a Scan; and the retention TTL (7) on what the forms write."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import TABLE, Browser
from tests.helpers.aws import counting_dynamodb_calls, set_today
from tests.helpers.meetings import held_meeting

TODAY = date(2026, 11, 9)
SARAH = "oakfield-primary.op003"
EMMA = "oakfield-primary.op004"  # Sarah reviews her
HOSTILE = "<script>alert(1)</script> \"><img src=x onerror=alert(1)> Emma's year"


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', page))


def submit_self_review(browser: Browser, person_id: str, text: str) -> None:
    browser.act_as(person_id)
    url = f"/people/{person_id}/forms/self-review"
    for action in ("save", "submit"):
        form = {**_hidden(browser.get(url)["body"]), "_action": action, "reflection": text}
        assert browser.post(url, form)["statusCode"] == 303


def submit_planning_review(browser: Browser, reviewer: str, reviewee: str, needs: str) -> None:
    browser.act_as(reviewer)
    held_meeting(reviewee, reviewer)  # 4.9: the draft follows the meeting
    url = f"/people/{reviewee}/forms/planning-review"
    form = {
        **_hidden(browser.get(url)["body"]),
        "_action": "submit",
        "assessment": "A strong year with Year 4.",
        "objectives": "1",
        "objectives-0-title": "Develop reasoning in Year 4 maths lessons",
        "objectives-0-success_criteria": "Pupils in the lowest attaining group explain "
        "their method in 3 of 4 observed lessons.",
        "objectives-0-timescale": "2027-06-30",
        "objectives-0-priority": "maths-mastery",
        "support": "Time with the maths lead each half term.",
        "training_needs": needs,
        "monitoring": "Two observations, in November and March.",
        "pay_recommendation": "progress",
    }
    saved = browser.post(url, form)
    assert saved["statusCode"] == 303, re.findall(r'class="error"[^>]*>(.*?)</p>', saved["body"])


@pytest.fixture
def worked(demo: Any, browser: Browser) -> Any:
    set_today(TODAY)
    submit_self_review(browser, EMMA, HOSTILE)
    submit_planning_review(browser, SARAH, EMMA, "Phonics training for the new scheme")
    return demo


def export(person_id: str, out: Path) -> tuple[int, dict[str, Any], str]:
    from growthcycle.cli.main import main

    code = main(["export", "person", person_id, "--out", str(out), "--table", TABLE])
    files = {p.suffix: p for p in out.glob("person-*")}
    if code != 0:
        return code, {}, ""
    return code, json.loads(files[".json"].read_text()), files[".html"].read_text()


def test_sar_export_holds_profile_submissions_versions_audit_statement_and_needs(
    worked: Any, tmp_path: Path
) -> None:
    code, data, _ = export(EMMA, tmp_path)

    assert code == 0
    assert data["profile"]["data"]["first_name"] == "Emma"
    kinds = data["records_by_kind"]
    assert {"submission", "submission version", "audit"} <= set(kinds)
    forms = {item["form_id"] for item in kinds["submission"]}
    assert {"self-review", "planning-review"} <= forms
    assert len([v for v in kinds["submission version"] if v["form_id"] == "self-review"]) == 2
    assert any(a["action"] == "form.submitted" for a in kinds["audit"])
    [statement] = data["statements"]
    assert statement["statement"]["data"]["reviewee_id"] == EMMA
    assert any(h["sk"].startswith("EVENT#") for h in statement["history"])
    needs = {n["data"]["text"] for n in data["training_needs"]}
    assert "Phonics training for the new scheme" in needs
    # Typed text comes back intact, decoded from the stored JSON (not as escaped JSON text).
    reflections = [
        v["values"]["reflection"] for v in kinds["submission"] if v["form_id"] == "self-review"
    ]
    assert reflections == [HOSTILE]


def test_sar_export_lists_the_emails_still_held_and_says_older_ones_are_gone(
    worked: Any, tmp_path: Path
) -> None:
    _, data, page = export(EMMA, tmp_path)
    subjects = [e["subject"] for e in data["emails_still_held"]]
    assert any("draft planning and review statement" in s for s in subjects)
    assert any("only while the outbox still holds them" in g for g in data["not_included"])
    assert "90 days" in " ".join(data["not_included"]) and "90 days" in page


def test_sar_export_html_is_escaped_and_readable_on_a_phone(worked: Any, tmp_path: Path) -> None:
    _, _, page = export(EMMA, tmp_path)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'lang="en-GB"' in page
    assert "Everything Growth Cycle holds about you" in page


def test_sar_export_lists_what_they_did_in_colleagues_records_without_the_colleague(
    worked: Any, tmp_path: Path
) -> None:
    _, data, _ = export(SARAH, tmp_path)
    actions = data["actions_in_colleagues_records"]
    assert {"action": "form.submitted", "channel": "page"} in [
        {k: a[k] for k in ("action", "channel")} for a in actions
    ]
    assert EMMA not in json.dumps(actions)


def test_sar_export_reads_with_queries_only_never_a_scan(worked: Any, tmp_path: Path) -> None:
    from growthcycle.adapters.aws import client

    with counting_dynamodb_calls(client("dynamodb")) as calls:
        code, _, _ = export(EMMA, tmp_path)
    assert code == 0
    assert calls["Scan"] == 0 and calls["Query"] > 0


def test_sar_export_of_someone_not_held_says_so_and_writes_nothing(
    demo: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = export("oakfield-primary.nobody", tmp_path)
    assert code == 1
    assert "nothing is held" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_7_submissions_versions_and_audit_entries_expire_six_years_after_the_cycle_ends(
    worked: Any,
) -> None:
    from growthcycle.adapters.store import _from_item

    items = [
        _from_item(i)
        for i in worked.store.db.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"PERSON#{EMMA}"}},
        )["Items"]
    ]
    # What save_submission writes: the submission, its versions and the form.* audit entries.
    written = [
        i
        for i in items
        if i["sk"].startswith("CYCLE#2026-27#FORM#") or str(i.get("action")).startswith("form.")
    ]
    assert len(written) >= 8 and all("expires_at" in i for i in written)
    # Emma's cycle 2026-27 ends 31 October 2027 (4.1): kept to the end of 31 October 2033.
    ends = datetime.fromtimestamp(int(written[0]["expires_at"]), UTC)
    assert ends.astimezone(ZoneInfo("Europe/London")) == datetime(
        2033, 11, 1, tzinfo=ZoneInfo("Europe/London")
    )
