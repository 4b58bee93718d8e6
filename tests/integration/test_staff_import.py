"""`growthcycle staff import` against moto: the demo trust seeded, then its roster re-imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from growthcycle.cli.main import main
from tests.conftest import TABLE

ROOT = Path(__file__).resolve().parents[2]
TRUST = str(ROOT / "infra" / "trusts" / "demo-trust.yaml")
ROSTERS = ROOT / "tests" / "data" / "rosters"
REIMPORT = str(ROSTERS / "oakfield-reimport.csv")
BAD_ROWS = str(ROSTERS / "oakfield-bad-rows.csv")
TODAY = "2026-11-20"  # the teachers' 2026-27 cycle (4.1)


def staff_import(csv: str, *extra: str) -> int:
    argv = ["staff", "import", "--trust", TRUST, "--school", "oakfield-primary", csv]
    return main([*argv, "--table", TABLE, *extra])


def everything(aws: Any) -> list[dict[str, Any]]:
    """Every item in the test table (a test may Scan; the import never does)."""
    items: list[dict[str, Any]] = []
    for page in aws("dynamodb").get_paginator("scan").paginate(TableName=TABLE):
        items.extend(page["Items"])
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def item(aws: Any, pk: str, sk: str) -> dict[str, Any] | None:
    from growthcycle.adapters.store import _from_item

    found = aws("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    return _from_item(found["Item"]) if "Item" in found else None


@pytest.fixture
def today(aws: Any, tmp_path: Path) -> None:
    (tmp_path / "today").write_text(TODAY)  # the aws fixture's GROWTHCYCLE_LOCAL_CLOCK_FILE


@pytest.fixture
def calls(aws: Any) -> list[str]:
    """The DynamoDB operations the test's client makes, in order."""
    made: list[str] = []
    aws("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: made.append(model.name)
    )
    return made


def test_bad_file_imports_nothing_and_lists_every_bad_row(
    demo: Any, aws: Any, today: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = everything(aws)
    assert staff_import(BAD_ROWS) == 1
    err = capsys.readouterr().err
    assert "4 problems; nothing was imported" in err
    for where in (
        "row 3, email",
        "row 4, fte",
        "row 5, line_manager_id: no staff_id 'OP099'",
        "row 6, start_date",
    ):
        assert where in err
    assert everything(aws) == before


def test_reimport_prints_its_changes_without_email_addresses(
    demo: Any, aws: Any, today: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert staff_import(REIMPORT) == 0
    out = capsys.readouterr().out
    assert "added 1, updated 2, left 2, unchanged 8" in out
    assert "added    OP013 Lucy Patel (teacher): cycle 2026-27 from 2027-01-04 to 2027-10-31" in out
    assert "updated  OP004 Emma Clarke: email" in out
    assert "updated  OP005 James Hughes: line manager" in out
    assert (
        "left     OP006 Priya Sharma: leaving date in the roster; cycle 2026-27 closed on 2026-12-18"
        in out
    )
    assert (
        "left     OP007 Thomas Bennett: not in the roster; cycle 2026-27 closed on 2026-11-20"
        in out
    )
    assert "@" not in out


def test_reimport_writes_people_as_put_person_does_and_deletes_nobody_7(
    demo: Any, aws: Any, today: None
) -> None:
    from growthcycle.adapters.roster_sync import person_item

    assert staff_import(REIMPORT) == 0
    store = demo.store
    # The changed address signs in; the old one finds nobody.
    assert store.person_by_email("emma.clarke@oakfield.example").staff_id == "OP004"
    assert store.person_by_email("e.clarke@oakfield.example") is None
    assert store.get_person("oakfield-primary.op005").line_manager_id == "OP003"
    # The leaver is kept (7), with the import day as their last.
    leaver = store.get_person("oakfield-primary.op007")
    assert leaver is not None and str(leaver.leaving_date) == TODAY
    closed = item(aws, "PERSON#oakfield-primary.op007", "CYCLE#2026-27")
    assert closed is not None
    assert (closed["starts"], closed["ends"], closed["closed_early"]) == (
        "2026-11-01",
        TODAY,
        "left the school",
    )
    starter = item(aws, "PERSON#oakfield-primary.op013", "CYCLE#2026-27")
    assert starter is not None and (starter["starts"], starter["ends"]) == (
        "2027-01-04",
        "2027-10-31",
    )
    assert "closed_early" not in starter
    # The person item is exactly put_person's.
    from growthcycle.adapters.store import _to_item

    raw = aws("dynamodb").get_item(
        TableName=TABLE, Key=_to_item({"pk": "PERSON#oakfield-primary.op013", "sk": "PROFILE"})
    )["Item"]
    new_starter = store.get_person("oakfield-primary.op013")
    assert raw == person_item(new_starter)
    assert len(store.people_in_school("oakfield-primary")) == 13


def test_each_change_is_audited_with_field_names_only(demo: Any, aws: Any, today: None) -> None:
    assert staff_import(REIMPORT) == 0
    (entry,) = demo.store.audit_entries("oakfield-primary.op004")
    assert (entry.action, entry.channel) == ("updated from the roster: email", "import")


def test_importing_the_same_roster_twice_changes_nothing_the_second_time(
    demo: Any, aws: Any, today: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert staff_import(REIMPORT) == 0
    after_first = everything(aws)
    capsys.readouterr()
    assert staff_import(REIMPORT) == 0
    assert "added 0, updated 0, left 0, unchanged 13" in capsys.readouterr().out
    assert everything(aws) == after_first


def test_dry_run_changes_nothing(
    demo: Any, aws: Any, today: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = everything(aws)
    assert staff_import(REIMPORT, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "added 1, updated 2, left 2, unchanged 8" in out
    assert "dry run: nothing was changed." in out
    assert everything(aws) == before


def test_import_queries_by_school_and_writes_in_batches_never_scans(
    demo: Any, aws: Any, today: None, calls: list[str]
) -> None:
    assert staff_import(REIMPORT) == 0
    assert "Scan" not in calls
    # BySchool, then each leaver's partition for their open items (never a Scan).
    assert calls.count("Query") == 3
    # 5 people, 5 audit entries, 1 cycle and the new starter's 2 open items (4.1: the planning
    # and review, the cycle's end): 13 items.
    assert calls.count("BatchWriteItem") == 1
    # The two leavers' cycles and person items (7: TTL), and each leaver's 2 open items closed.
    assert calls.count("UpdateItem") == 8
    assert "PutItem" not in calls  # the headteacher is unchanged


def test_unknown_school_and_missing_table_are_clear_errors(
    aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["staff", "import", "--trust", TRUST, "--school", "nowhere", REIMPORT]
    assert main(argv) == 2
    assert "no school 'nowhere' (schools: oakfield-primary, riverside-academy)" in (
        capsys.readouterr().err
    )
    monkeypatch.delenv("TABLE_NAME")
    assert main([*argv[:5], "oakfield-primary", REIMPORT]) == 2
    assert "Pass --table NAME" in capsys.readouterr().err


def test_local_target_without_a_running_demo_says_how_to_start_it(
    aws: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GROWTHCYCLE_LOCAL_DATA", str(tmp_path / "no-demo"))
    argv = ["staff", "import", "--trust", TRUST, "--school", "oakfield-primary", REIMPORT]
    assert main([*argv, "--endpoint-url", "local"]) == 2
    assert "Start it with `growthcycle demo`" in capsys.readouterr().err


class _Throttled:
    """A DynamoDB client that leaves the last item of every first try unprocessed."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        self.calls += 1
        ((table, requests),) = RequestItems.items()
        if self.calls % 2 == 1 and len(requests) > 1:
            self.real.batch_write_item(RequestItems={table: requests[:-1]})
            return {"UnprocessedItems": {table: requests[-1:]}}
        answer: dict[str, Any] = self.real.batch_write_item(RequestItems=RequestItems)
        return answer


def test_unprocessed_items_are_retried_with_backoff(aws: Any) -> None:
    from growthcycle.adapters.roster_sync import batch_write
    from growthcycle.adapters.store import Store, _to_item

    throttled = _Throttled(aws("dynamodb"))
    items = [_to_item({"pk": f"TEST#{n}", "sk": "X"}) for n in range(60)]
    slept: list[float] = []
    calls, retries = batch_write(Store(TABLE, throttled), items, sleep=slept.append)
    assert (calls, retries) == (6, 3)  # 3 batches of 25, 25, 10; each retried once
    assert len(slept) == 3
    assert len(everything(aws)) == 60


def test_items_still_unprocessed_after_every_try_fail_loudly(aws: Any) -> None:
    from growthcycle.adapters.roster_sync import ImportIncomplete, batch_write
    from growthcycle.adapters.store import Store

    class Stuck:
        def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
            return {"UnprocessedItems": RequestItems}

    items = [{"pk": {"S": f"TEST#{n}"}, "sk": {"S": "X"}} for n in range(30)]
    with pytest.raises(ImportIncomplete) as raised:
        batch_write(Store(TABLE, Stuck()), items, sleep=lambda _: None)
    assert raised.value.unwritten == 30
