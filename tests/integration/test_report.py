"""The governors' report (10) through the API handler and the CLI, with moto: the headteacher only,
nobody identifiable in a small school, a CSV, the people listed through BySchool (never a Scan)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TABLE, Browser
from tests.helpers.aws import counting_dynamodb_calls, set_today
from tests.integration.test_export import (
    EMMA,
    SARAH,
    TODAY,
    submit_planning_review,
    submit_self_review,
)

HEAD = "oakfield-primary.op001"
GARETH = "riverside-academy.ra001"  # Riverside's headteacher
TEACHER = "oakfield-primary.op005"


@pytest.fixture
def worked(demo: Any, browser: Browser) -> Any:
    set_today(TODAY)
    submit_self_review(browser, EMMA, "A year of reading with Year 4.")
    submit_planning_review(browser, SARAH, EMMA, "Phonics training for the new scheme")
    return demo


def rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


def test_10_the_headteacher_sees_the_report_and_a_small_school_shows_fewer_than_five(
    worked: Any, browser: Browser
) -> None:
    browser.act_as(HEAD)
    page = browser.get("/report?year=2026-27")
    assert page["statusCode"] == 200
    body = page["body"]
    assert "Report to governors" in body and "2026-27" in body
    # Emma is the only one whose planning and review is done: never shown as 1.
    assert "fewer than 5" in body
    for person in worked.people.values():
        if person.person_id != HEAD:
            assert person.name not in body, person.person_id
    assert 'href="/report.csv?year=2026-27"' in body


def test_10_the_csv_withholds_the_complement_of_a_small_count(
    worked: Any, browser: Browser
) -> None:
    browser.act_as(HEAD)
    got = browser.get("/report.csv?year=2026-27")
    assert got["statusCode"] == 200
    assert got["headers"]["Content-Type"].startswith("text/csv")
    assert "attachment" in got["headers"]["Content-Disposition"]
    table = rows(got["body"])
    planning = "Planning and review completed by the due date"
    # Teachers: 1 on time, 5 not yet due, total 6. 6 - 5 = 1: so 5 is withheld as well.
    assert [planning, "Teachers and leaders", "on time", "fewer than 5"] in table
    assert [planning, "Teachers and leaders", "not yet due", "withheld"] in table
    assert [planning, "Teachers and leaders", "total", "6"] in table
    assert not any(r[1] == "Headteacher" for r in table)  # a group of one is never shown
    assert not any(r[3] in {"1", "2", "3", "4"} for r in table[1:])


@pytest.mark.parametrize("who", [TEACHER, SARAH, "oakfield-primary.op010"])
def test_10_nobody_but_the_headteacher_can_open_the_report(
    demo: Any, browser: Browser, who: str
) -> None:
    browser.act_as(who)
    assert browser.get("/report?year=2026-27")["statusCode"] == 404
    assert browser.get("/report.csv?year=2026-27")["statusCode"] == 404


def test_10_another_schools_headteacher_sees_only_their_own_school(
    worked: Any, browser: Browser
) -> None:
    browser.act_as(GARETH)
    body = browser.get("/report?year=2026-27")["body"]
    assert "Riverside" in body and "Oakfield" not in body


def test_10_a_year_that_is_not_a_cycle_is_a_clear_error_keeping_what_was_typed(
    demo: Any, browser: Browser
) -> None:
    browser.act_as(HEAD)
    got = browser.get("/report?year=2026%2F7%3Cb%3E")
    assert got["statusCode"] == 400
    assert "Enter a cycle like 2026-27" in got["body"]
    assert 'value="2026/7&lt;b&gt;"' in got["body"]


def test_10_without_a_year_the_report_is_for_the_teachers_current_cycle(
    demo: Any, browser: Browser
) -> None:
    set_today(TODAY)
    browser.act_as(HEAD)
    body = browser.get("/report")["body"]
    assert 'value="2026-27"' in body and "the 2026-27 cycle" in body


def test_10_the_cli_writes_html_and_csv_without_a_scan(
    worked: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from growthcycle.adapters.aws import client
    from growthcycle.cli.main import main

    args = ["report", "governors", "--school", "oakfield-primary", "--year", "2026-27"]
    with counting_dynamodb_calls(client("dynamodb")) as calls:
        code = main([*args, "--out", str(tmp_path), "--table", TABLE])
    assert code == 0
    assert calls["Scan"] == 0
    assert calls["Query"] <= 2 + 9 + 1 + 1  # people, statements, each person's, each statement's
    html = (tmp_path / "governors-report-oakfield-primary-2026-27.html").read_text()
    table = rows((tmp_path / "governors-report-oakfield-primary-2026-27.csv").read_text())
    assert "fewer than 5" in html and '<meta name="viewport"' in html
    assert table[0] == ["section", "row", "column", "value"]
    assert "no Scan" in capsys.readouterr().out


def test_10_the_cli_refuses_an_unknown_school_or_year_clearly(
    demo: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from growthcycle.cli.main import main

    base = ["report", "governors", "--out", str(tmp_path), "--table", TABLE]
    assert main([*base, "--school", "no-such-school", "--year", "2026-27"]) == 2
    assert "no school 'no-such-school'" in capsys.readouterr().err
    assert main([*base, "--school", "oakfield-primary", "--year", "2026/27"]) == 2
    assert "use a name like 2026-27" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
