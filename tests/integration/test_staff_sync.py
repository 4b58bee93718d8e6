"""`growthcycle staff sync` against moto and a fake Wonde on 127.0.0.1 (tests/helpers/wonde.py):
the demo trust seeded from its CSV, then synced from the same people as Wonde lists them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from growthcycle.cli.main import main
from tests.conftest import TABLE
from tests.helpers.wonde import (
    TOKEN,
    WONDE_SCHOOL,
    FakeWonde,
    employee,
    employees_from_csv,
    serve,
)
from tests.integration.test_staff_import import everything

ROOT = Path(__file__).resolve().parents[2]
DEMO_TRUST = ROOT / "infra" / "trusts" / "demo-trust.yaml"
DEMO_ROSTER = ROOT / "infra" / "trusts" / "demo-trust" / "staff-oakfield-primary.csv"
TODAY = "2026-11-20"  # the teachers' 2026-27 cycle (4.1)
SCHOOL = "oakfield-primary"
NINE_STAFF = "added 0, updated 0, left 0, unchanged 12"  # 9 staff from Wonde, 3 governors kept


@pytest.fixture
def wonde(aws: Any, demo: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWonde]:
    monkeypatch.setattr("growthcycle.adapters.wonde.PER_PAGE", 4)  # 9 staff: three pages
    yield from serve(FakeWonde(employees=employees_from_csv(DEMO_ROSTER)))


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's waits, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr("growthcycle.adapters.wonde.wait", waited.append)
    return waited


@pytest.fixture
def trust_file(aws: Any, tmp_path: Path) -> str:
    (tmp_path / "today").write_text(TODAY)  # the aws fixture's GROWTHCYCLE_LOCAL_CLOCK_FILE
    arn = aws("secretsmanager").create_secret(
        Name="growthcycle/growthcycle-test/wonde/oakfield-primary", SecretString=TOKEN
    )
    config = yaml.safe_load(DEMO_TRUST.read_text(encoding="utf-8"))
    for school in config["schools"]:
        if school["id"] == SCHOOL:
            school["wonde"] = {"school_id": WONDE_SCHOOL, "token_secret_arn": arn["ARN"]}
    path = tmp_path / "trust.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return str(path)


def held(person_id: str) -> Any:
    from growthcycle.adapters.store import Store

    person = Store(TABLE).get_person(person_id)
    assert person is not None
    return person


def sync(trust_file: str, wonde: FakeWonde, *extra: str) -> int:
    argv = ["staff", "sync", "--trust", trust_file, "--school", SCHOOL, "--table", TABLE]
    return main([*argv, "--wonde-url", f"{wonde.url}/v1.0", *extra])


def test_sync_of_the_same_people_changes_nothing_and_keeps_what_wonde_lacks(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the roster imported from CSV, and Wonde listing the same staff with no roles, line
    # managers or FTE; When synced; Then nothing changes, governors included.
    assert sync(trust_file, wonde) == 0
    out = capsys.readouterr().out
    assert NINE_STAFF in out
    assert "nothing to change." in out
    pages = [r for r in wonde.requests if "/employees" in r]
    assert len(pages) == 3
    assert "include=employment_details%2Ccontact_details" in pages[0]
    part_timer = held("oakfield-primary.op006")
    assert (part_timer.fte, part_timer.line_manager_id, part_timer.roles) == (
        0.6,
        "OP003",
        ("teacher",),
    )
    assert waits == []


def _changed_wonde(wonde: FakeWonde) -> None:
    """A new starter (no FTE in Wonde, given one there), a leaver, a new surname."""
    wonde.employees = [e for e in wonde.employees if e["employee_code"] != "OP007"]
    wonde.employees[3]["surname"] = "Clarke-Jones"  # OP004
    wonde.employees.append(
        employee(
            wonde_id="A2000",
            staff_code="OP013",
            forename="Lucy",
            surname="Patel",
            email="l.patel@oakfield.example",
            job_title="Year 4 Teacher",
            start="2027-01-04",
            fte=1,
        )
    )


def test_sync_applies_starters_leavers_and_updates_through_the_import_and_twice_is_once(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _changed_wonde(wonde)
    assert sync(trust_file, wonde) == 0
    out = capsys.readouterr().out
    assert "added 1, updated 1, left 1, unchanged 10" in out
    assert "added    OP013 Lucy Patel (teacher): cycle 2026-27 from 2027-01-04 to 2027-10-31" in out
    assert "updated  OP004 Emma Clarke-Jones: last name" in out
    assert "left     OP007" in out and "not in the roster" in out
    assert "synced:" in out and "open items opened" in out
    starter = held("oakfield-primary.op013")
    assert (starter.roles, starter.fte, starter.line_manager_id) == (("teacher",), 1.0, None)

    before = everything(aws)
    assert sync(trust_file, wonde) == 0
    out = capsys.readouterr().out
    assert "added 0, updated 0, left 0, unchanged 13" in out
    assert "nothing to change." in out
    assert everything(aws) == before


def test_rate_limited_page_is_retried_after_its_retry_after(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    wonde.fail(page=2, status=429, retry_after="7")
    assert sync(trust_file, wonde) == 0
    assert NINE_STAFF in capsys.readouterr().out
    assert waits == [7.0]
    assert len([r for r in wonde.requests if "page=2" in r]) == 2


def test_token_revoked_on_page_two_changes_nothing(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _changed_wonde(wonde)
    wonde.fail(page=2, status=401)
    before = everything(aws)
    assert sync(trust_file, wonde) == 1
    err = capsys.readouterr().err
    assert "Wonde refused the school's token (HTTP 401)" in err
    assert "nothing was changed" in err
    assert TOKEN not in err
    assert everything(aws) == before
    assert waits == []  # a refused token is not retried


def test_wonde_down_is_retried_then_changes_nothing(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    for _ in range(5):
        wonde.fail(page=1, status=503)
    before = everything(aws)
    assert sync(trust_file, wonde) == 1
    assert "did not answer after 5 tries: HTTP 503" in capsys.readouterr().err
    assert len(waits) == 4
    assert everything(aws) == before


def test_malformed_employee_is_named_by_its_wonde_id_and_nothing_is_applied(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _changed_wonde(wonde)
    wonde.employees[2]["contact_details"]["data"]["emails"] = {"work": "not-an-address"}
    wonde.employees[5]["employment_details"]["data"]["employment_start_date"] = None
    before = everything(aws)
    assert sync(trust_file, wonde) == 1
    err = capsys.readouterr().err
    assert "2 problems in Wonde's employees of oakfield-primary; nothing was changed." in err
    assert f"employee {wonde.employees[2]['id']}, email: 'not-an-address'" in err
    assert f"employee {wonde.employees[5]['id']}, start_date: is required" in err
    assert everything(aws) == before


def test_new_staff_without_an_fte_in_wonde_is_a_problem_that_says_what_to_do(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    _changed_wonde(wonde)
    del wonde.employees[-1]["employment_details"]["data"]["fte"]
    assert sync(trust_file, wonde) == 1
    err = capsys.readouterr().err
    assert "employee A2000, fte: is required for staff" in err
    assert "Wonde gives none: import this person once from the CSV" in err


def test_sync_that_would_make_most_staff_leavers_stops_until_allowed(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # An MIS outage: Wonde lists two of the nine staff.
    wonde.employees = wonde.employees[:2]
    before = everything(aws)
    assert sync(trust_file, wonde, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "left 7" in out
    assert "a sync would stop here: 7 of the school's 9 staff would become leavers" in out

    assert sync(trust_file, wonde) == 3
    err = capsys.readouterr().err
    assert "stopped, nothing was changed" in err and "--allow-leavers" in err
    assert everything(aws) == before

    assert sync(trust_file, wonde, "--allow-leavers") == 0
    assert "7 cycles closed" in capsys.readouterr().out


def test_one_leaver_of_nine_is_within_the_default_share(
    aws: Any,
    wonde: FakeWonde,
    trust_file: str,
    waits: list[float],
    capsys: pytest.CaptureFixture[str],
) -> None:
    wonde.employees = wonde.employees[1:]  # the headteacher; 1 of 9 is 11%, under 20%
    assert sync(trust_file, wonde) == 0
    assert "left 1" in capsys.readouterr().out


def test_a_school_without_wonde_settings_is_refused(
    wonde: FakeWonde, trust_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["staff", "sync", "--trust", trust_file, "--school", "riverside-academy"]
    assert main([*argv, "--table", TABLE]) == 2
    assert "has no wonde settings" in capsys.readouterr().err
