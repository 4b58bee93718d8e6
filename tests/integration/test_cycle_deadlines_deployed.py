"""A deployed-shaped trust across two cycle years (4.1): no demo seed.

The trust file is written here and its schools put in the table as `growthcycle deploy` does
(`put_trust`); the staff come in through `growthcycle staff import`, the path operations use.
Then the daily check runs every day, through its Lambda handler, from the first import on
Monday 5 October 2026 to Wednesday 10 November 2027, with one re-import in February 2027 (a new
starter, a leaver, a person removed). Nothing else opens an open item.

Northgate Primary (England, performance, support staff on the academic year, October half term
26-30 October 2026) and Harbour School (Wales, growth, support staff April to March, no closures
listed: reflections every 13 weeks from the start of the cycle, domain/deadlines.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from growthcycle.adapters.store import Store, _from_item
from growthcycle.cli.main import main
from growthcycle.domain.deadlines import deadline_key, idempotency_key
from growthcycle.domain.trust import load_trust
from tests.conftest import TABLE
from tests.helpers.aws import counting_dynamodb_calls, outbox_email, set_today
from tests.helpers.events import FakeContext

NP, HS = "northgate-primary", "harbour-school"

TRUST_FILE = """\
trust:
  id: tide-trust
  name: Tide Learning Trust
  sender_address: appraisal@oakvalley.example
  base_url: https://appraisal.oakvalley.example
  escalation_working_days: 3
  retention_years: 6
  operations_contact: operations@tide.example
schools:
  - id: northgate-primary
    name: Northgate Primary School
    nation: england
    policy_style: performance
    cycle: { teachers_due: 10-31, headteacher_due: 12-31, support_staff_cycle: academic-year }
    reviewers: { mode: line-managers }
    closures:
      apply: true
      days:
        - { from: 2026-10-26, to: 2026-10-30, reason: October half term }
  - id: harbour-school
    name: Harbour School
    nation: wales
    policy_style: growth
    cycle: { teachers_due: 10-31, headteacher_due: 12-31, support_staff_cycle: april-march }
    reviewers: { mode: line-managers }
    reflection_rhythm: termly
"""

HEADER = (
    "staff_id,first_name,last_name,email,roles,job_title,line_manager_id,fte,"
    "qualified_teacher,start_date,leaving_date\n"
)
NORTHGATE = {
    "NP001": "NP001,Ruth,Akers,r.akers@np.example,headteacher,Headteacher,,1,yes,2015-09-01,",
    "NP002": "NP002,Omar,Baig,o.baig@np.example,line-manager;teacher,Deputy,NP001,1,yes,"
    "2016-09-01,",
    "NP003": "NP003,Cara,Doyle,c.doyle@np.example,teacher,Year 3 Teacher,NP002,1,yes,2019-09-01,",
    "NP004": "NP004,Dev,Ellis,d.ellis@np.example,support,Teaching Assistant,NP002,0.8,no,"
    "2020-09-01,",
    "NP005": "NP005,Grace,Hart,g.hart@np.example,governor,Chair of Governors,,,no,2018-09-01,",
    "NP007": "NP007,Ivan,Jones,i.jones@np.example,teacher,Year 5 Teacher,NP002,1,yes,2021-09-01,",
}
# 4.1: a new starter part-way through the cycle, added a week before their first day.
NEW_STARTER = "NP006,Fay,Kerr,f.kerr@np.example,teacher,Year 1 Teacher,NP002,1,yes,2027-02-22,"
HARBOUR = {
    "HS001": "HS001,Lewis,Morgan,l.morgan@hs.example,headteacher,Headteacher,,1,yes,2014-09-01,",
    "HS002": "HS002,Nia,Owen,n.owen@hs.example,line-manager;teacher,Deputy,HS001,1,yes,2017-09-01,",
    "HS003": "HS003,Pat,Quinn,p.quinn@hs.example,teacher,Year 4 Teacher,HS002,1,yes,2018-09-01,",
    "HS004": "HS004,Rhys,Price,r.price@hs.example,support,Office Manager,HS002,1,no,2016-04-01,",
    "HS005": "HS005,Sian,Rees,s.rees@hs.example,governor,Chair of Governors,,,no,2019-09-01,",
}
LEAVES_ON = date(2027, 3, 31)  # HS003's leaving date, given by the February re-import

FIRST_IMPORT = date(2026, 10, 5)
REIMPORT = date(2027, 2, 15)
LAST_DAY = date(2027, 11, 10)


def pid(school: str, staff_id: str) -> str:
    return f"{school}.{staff_id.lower()}"


def write_roster(path: Path, rows: list[str]) -> str:
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def staff_import(trust: Path, school: str, csv: str) -> int:
    argv = ["staff", "import", "--trust", str(trust), "--school", school, csv, "--table", TABLE]
    return main(argv)


def run_check(day: date) -> dict[str, Any]:
    from growthcycle.handlers.deadline_check import lambda_handler

    set_today(day)
    result: dict[str, Any] = lambda_handler(
        {"source": "aws.scheduler"}, FakeContext(function_name="DeadlineCheckFunction")
    )
    return result


def item(aws: Any, pk: str, sk: str) -> dict[str, Any] | None:
    found = aws("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    return _from_item(found["Item"]) if "Item" in found else None


def planning_review(aws: Any, person_id: str, cycle_id: str) -> dict[str, Any] | None:
    pk, sk = deadline_key(person_id, cycle_id, "planning-review")
    return item(aws, pk, sk)


def everything(aws: Any) -> list[dict[str, Any]]:
    """Every item in the table (a test may Scan; the code under test never does)."""
    found: list[dict[str, Any]] = []
    for page in aws("dynamodb").get_paginator("scan").paginate(TableName=TABLE):
        found.extend(_from_item(i) for i in page["Items"])
    return sorted(found, key=lambda i: (i["pk"], i["sk"]))


def open_items_of(aws: Any, person_id: str) -> list[dict[str, Any]]:
    return [
        i
        for i in everything(aws)
        if i["pk"] == f"PERSON#{person_id}" and i["sk"].startswith("DUE#") and "due_pk" in i
    ]


EVERYONE = [pid(NP, k) for k in [*NORTHGATE, "NP006"]] + [pid(HS, k) for k in HARBOUR]


def digests_of(aws: Any, day: date) -> list[tuple[date, dict[str, Any]]]:
    """The digests queued for `day`, each under its key `digest:<person id>:<day>`."""
    queued = []
    for person_id in EVERYONE:
        email = outbox_email(aws("dynamodb"), TABLE, idempotency_key(person_id, day))
        if email is not None:
            queued.append((day, email))
    return queued


def work_done(store: Store, day: date) -> None:
    """What the staff do, on working days: each reflection is recorded on its due date
    (adapters/reflections.py closes the nudge); each planning and review meeting is held on its
    due date (the form's after-save step closes the item, web/deadline_steps.py), except the
    first year's, held twenty days late (so the escalations show)."""
    from growthcycle.adapters.deadlines import close_deadline, due_items

    if day.weekday() >= 5:
        return
    for school in (NP, HS):
        for due in due_items(store, school, day):
            late = timedelta(days=20 if due.due_date.year == 2026 else 0)
            if due.event in ("planning-review", "reflection") and due.due_date + late <= day:
                close_deadline(store, due.pk, due.sk)


@pytest.fixture
def trust_file(tmp_path: Path) -> Path:
    path = tmp_path / "tide-trust.yaml"
    path.write_text(TRUST_FILE, encoding="utf-8")
    return path


@pytest.fixture
def deployed(aws: Any, trust_file: Path, tmp_path: Path) -> Store:
    """The trust's schools in the table, as `growthcycle deploy` writes them; the first import."""
    from growthcycle.local.seed import put_trust

    store = Store(TABLE)
    put_trust(store, load_trust(trust_file), trust_file)  # what cli/deploy.py write_schools does
    set_today(FIRST_IMPORT)
    assert (
        staff_import(trust_file, NP, write_roster(tmp_path / "np.csv", [*NORTHGATE.values()])) == 0
    )
    assert staff_import(trust_file, HS, write_roster(tmp_path / "hs.csv", [*HARBOUR.values()])) == 0
    return store


def test_an_imported_trust_has_each_persons_planning_and_review_items_4_1(
    aws: Any, deployed: Store
) -> None:
    # 4.1: teachers by 31 October (2026 is a Saturday after Northgate's half term: the last
    # working day before it), the headteacher by 31 December, support staff at their cycle's end.
    expected = {
        (pid(NP, "NP001"), "2026"): "2026-12-31",
        (pid(NP, "NP002"), "2025-26"): "2026-10-23",
        (pid(NP, "NP003"), "2025-26"): "2026-10-23",
        (pid(NP, "NP004"), "2026-27"): "2027-08-31",
        (pid(HS, "HS001"), "2026"): "2026-12-31",
        (pid(HS, "HS003"), "2025-26"): "2026-10-30",
        (pid(HS, "HS004"), "2026-27"): "2027-03-31",
    }
    for (person_id, cycle_id), due in expected.items():
        found = planning_review(aws, person_id, cycle_id)
        assert found is not None, (person_id, cycle_id)
        assert found["due_date"] == due, (person_id, cycle_id)
        assert "due_pk" in found  # open: in DueIndex
    # Governors are not reviewed (3); the chair is the headteacher's reviewer (4.2).
    assert open_items_of(aws, pid(NP, "NP005")) == []
    assert planning_review(aws, pid(NP, "NP001"), "2026")["responsible_id"] == pid(NP, "NP005")


def test_importing_the_same_roster_twice_opens_nothing_twice_4_1(
    aws: Any, deployed: Store, trust_file: Path, tmp_path: Path
) -> None:
    before = everything(aws)
    assert (
        staff_import(trust_file, NP, write_roster(tmp_path / "np.csv", [*NORTHGATE.values()])) == 0
    )
    assert everything(aws) == before


def test_a_deployed_trust_runs_two_cycle_years_day_by_day_4_1(
    aws: Any, deployed: Store, trust_file: Path, tmp_path: Path
) -> None:
    store = deployed
    roll_day_calls: dict[str, int] = {}
    queued: list[tuple[date, dict[str, Any]]] = []
    day = FIRST_IMPORT
    while day <= LAST_DAY:
        if day == REIMPORT:
            set_today(day)
            np_rows = [v for k, v in NORTHGATE.items() if k != "NP007"] + [NEW_STARTER]
            hs_rows = [v for k, v in HARBOUR.items() if k != "HS003"]
            hs_rows.append(HARBOUR["HS003"].removesuffix(",") + f",{LEAVES_ON.isoformat()}")
            assert staff_import(trust_file, NP, write_roster(tmp_path / "np2.csv", np_rows)) == 0
            assert staff_import(trust_file, HS, write_roster(tmp_path / "hs2.csv", hs_rows)) == 0
        if day == date(2026, 10, 31):  # the teachers' cycle ends: the next one opens
            with counting_dynamodb_calls(aws("dynamodb")) as calls:
                run_check(day)
            roll_day_calls = dict(calls.by_operation)
            before = everything(aws)
            run_check(day)  # a second run on the same day opens and sends nothing more
            assert everything(aws) == before
        else:
            run_check(day)
        queued += digests_of(aws, day)
        work_done(store, day)
        day += timedelta(days=1)

    # The daily check never scans, even on the day it opens the next cycles.
    assert roll_day_calls and "Scan" not in roll_day_calls

    # Cycle 2 for everyone in post, opened by the daily check when cycle 1 ended (4.1).
    cycle_two = {
        (pid(NP, "NP001"), "2027"): "2027-12-31",
        (pid(NP, "NP002"), "2026-27"): "2027-10-29",  # 31 October 2027 is a Sunday
        (pid(NP, "NP003"), "2026-27"): "2027-10-29",
        (pid(NP, "NP004"), "2027-28"): "2028-08-31",
        (pid(HS, "HS001"), "2027"): "2027-12-31",
        (pid(HS, "HS002"), "2026-27"): "2027-10-29",
        (pid(HS, "HS004"), "2027-28"): "2028-03-31",
        # The new starter's first cycle, from 22 February 2027, ends with everyone else's (4.1).
        (pid(NP, "NP006"), "2026-27"): "2027-10-29",
        # Teachers' third cycle, opened on 31 October 2027.
        (pid(NP, "NP003"), "2027-28"): "2028-10-31",
        (pid(NP, "NP006"), "2027-28"): "2028-10-31",
    }
    for (person_id, cycle_id), due in cycle_two.items():
        found = planning_review(aws, person_id, cycle_id)
        assert found is not None, (person_id, cycle_id)
        assert found["due_date"] == due, (person_id, cycle_id)
    # The growth school's reflection prompt opens with the new cycle (seed 003).
    [reflection] = [
        i
        for i in everything(aws)
        if i["pk"] == f"PERSON#{pid(HS, 'HS002')}" and i["sk"].startswith("DUE#2026-27#reflection")
    ]
    assert reflection["due_date"] == "2027-02-01"  # 13 weeks from 1 November, a Monday

    calendars = {s.id: s.working_calendar() for s in load_trust(trust_file).schools}
    # Reminders and escalations go out on working days only, each school's own.
    for sent_on, email in queued:
        school = email["to_person_id"].split(".")[0]
        assert calendars[school].is_working_day(sent_on), (sent_on, email["to_person_id"])
    # Cara's review (due Friday 23 October, before half term): her reviewer is reminded two
    # working days ahead; it reaches the headteacher on the third working day overdue.
    omar, ruth = pid(NP, "NP002"), pid(NP, "NP001")
    omar_days = [d for d, e in queued if e["to_person_id"] == omar]
    assert omar_days[0] == date(2026, 10, 21)
    escalated_to_ruth = [
        d for d, e in queued if e["to_person_id"] == ruth and "Cara Doyle" in e["text"]
    ]
    assert escalated_to_ruth[0] == date(2026, 11, 4)

    # The leaver (the re-import gave her leaving date) and the person removed from the roster:
    # every open item closed, no cycle after the one they left in, no email after they left.
    pat, ivan = pid(HS, "HS003"), pid(NP, "NP007")
    for leaver, left in ((pat, LEAVES_ON), (ivan, REIMPORT)):
        assert open_items_of(aws, leaver) == []
        assert planning_review(aws, leaver, "2027-28") is None
        assert not [d for d, e in queued if e["to_person_id"] == leaver and d > left]
        assert not [d for d, e in queued if d > left and store.get_person(leaver).name in e["text"]]
    # Pat was reminded of her reflections while she was in post.
    assert [d for d, e in queued if e["to_person_id"] == pat and d <= LEAVES_ON]

    # Every open item is still open at most once per person and cycle: nothing opened twice.
    open_now = [(i["pk"], i["sk"]) for i in everything(aws) if i["sk"].startswith("DUE#")]
    assert len(open_now) == len(set(open_now))


def test_staff_loaded_before_deadlines_opened_get_them_once_from_deadlines_open_4_1(
    aws: Any, trust_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from growthcycle.domain.people import Person
    from growthcycle.domain.staff import load_roster
    from growthcycle.local.seed import put_trust

    # Given Northgate's staff in the table with no open items (loaded by an older import)
    store = Store(TABLE)
    put_trust(store, load_trust(trust_file), trust_file)
    roster = load_roster(Path(write_roster(tmp_path / "np.csv", [*NORTHGATE.values()])), NP)
    for member in roster.members:
        store.put_person(Person.from_member(member))
    set_today(FIRST_IMPORT)
    argv = ["deadlines", "open", "--trust", str(trust_file), "--school", NP, "--table", TABLE]
    # When operations open them, twice
    assert main(argv) == 0
    assert main(argv) == 0
    # Then each person's items are there once, and the second run opened nothing
    out = capsys.readouterr().out.splitlines()
    assert out[-1].endswith(": 0 open items opened, 10 already there.")
    assert planning_review(aws, pid(NP, "NP003"), "2025-26")["due_date"] == "2026-10-23"
    assert item(aws, f"PERSON#{pid(NP, 'NP003')}", "DUE#2025-26#cycle-end") is not None
    # and Harbour School, not named, is untouched
    assert open_items_of(aws, pid(HS, "HS002")) == []
