"""Section 3 through the real staff import and the daily check (no demo seed): a teacher in
induction and a cover teacher on a contract of less than two terms get no cycle and no
reminders; the induction ending part-way through the cycle opens a first cycle the next day."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from growthcycle.adapters.store import Store
from growthcycle.domain.deadlines import EXCLUDED, deadline_key
from growthcycle.domain.trust import load_trust
from tests.conftest import TABLE
from tests.helpers.aws import set_today
from tests.integration.test_cycle_deadlines_deployed import (
    NP,
    TRUST_FILE,
    digests_of,
    item,
    open_items_of,
    pid,
    run_check,
    staff_import,
)

HEADER = (
    "staff_id,first_name,last_name,email,roles,job_title,line_manager_id,fte,"
    "qualified_teacher,start_date,leaving_date,Contract type,Contract end date,"
    "Induction start,Induction end\n"
)
ROWS = [
    "NP001,Ruth,Akers,r.akers@np.example,headteacher,Headteacher,,1,yes,2015-09-01,,,,,",
    "NP002,Omar,Baig,o.baig@np.example,line-manager;teacher,Deputy,NP001,1,yes,2016-09-01,,,,,",
    "NP003,Cara,Doyle,c.doyle@np.example,teacher,Year 3 Teacher,NP002,1,yes,2019-09-01,,,,,",
    "NP005,Grace,Hart,g.hart@np.example,governor,Chair of Governors,,,no,2018-09-01,,,,,",
    # 3: an early career teacher whose induction ends part-way through the 2026-27 cycle.
    "NP008,Lena,Marsh,l.marsh@np.example,teacher,Year 1 Teacher,NP002,1,yes,2025-09-01,,,,"
    "2025-09-01,2027-01-29",
    # 3: a cover teacher for the autumn term only.
    "NP009,Tom,Wells,t.wells@np.example,teacher,Cover Teacher,NP002,1,yes,2026-09-01,,"
    "Temporary,2026-12-18,,",
]
ECT, COVER, CARA = pid(NP, "NP008"), pid(NP, "NP009"), pid(NP, "NP003")


@pytest.fixture
def imported(aws: Any, tmp_path: Path) -> Store:
    from growthcycle.local.seed import put_trust

    trust_file = tmp_path / "tide-trust.yaml"
    trust_file.write_text(TRUST_FILE, encoding="utf-8")
    store = Store(TABLE)
    put_trust(store, load_trust(trust_file), trust_file)
    roster = tmp_path / "np.csv"
    roster.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    set_today(date(2026, 10, 5))
    assert staff_import(trust_file, NP, str(roster)) == 0
    return store


def test_staff_import_and_daily_check_leave_the_excluded_out_section_3(
    aws: Any, imported: Store
) -> None:
    # The import: the appraised teacher has their planning and review; the excluded do not.
    assert {i["event"] for i in open_items_of(aws, CARA)} >= {"planning-review"}
    for excluded in (ECT, COVER):
        events = {
            (i["event"], i["sk"].endswith(f"#{EXCLUDED}")) for i in open_items_of(aws, excluded)
        }
        assert events == {("cycle-end", True)}, excluded
        assert item(aws, f"PERSON#{excluded}", "CYCLE#2025-26") is None  # no cycle
    # The daily check in the week the teachers' reviews fall due: nobody hears about them.
    queued = []
    for day in (date(2026, 10, 21), date(2026, 10, 22), date(2026, 10, 23)):
        run_check(day)
        queued += [str(email) for _, email in digests_of(aws, day)]
    assert any("Cara Doyle" in text for text in queued)  # the digests went out
    assert not any("Lena Marsh" in text or "Tom Wells" in text for text in queued)


def test_induction_completed_part_way_opens_a_cycle_the_next_day_section_3(
    aws: Any, imported: Store
) -> None:
    run_check(date(2026, 11, 2))  # 2025-26 ends: the ECT is asked again, still in induction
    assert not [i for i in open_items_of(aws, ECT) if i["event"] == "planning-review"]
    run_check(date(2027, 1, 29))  # the last day of induction: the next day opens a cycle
    pk, sk = deadline_key(ECT, "2026-27", "planning-review")
    opened = item(aws, pk, sk)
    assert opened is not None and opened["due_date"] == "2027-10-29"  # 31 Oct is a Sunday
    assert opened["responsible_id"] == pid(NP, "NP002")


def test_fixed_term_contract_review_is_due_before_it_ends_through_import_and_check_section_3(
    aws: Any, imported: Store, tmp_path: Path
) -> None:
    # A January to July cover contract, added at the December re-import.
    temp = (
        "NP010,Kit,Fox,k.fox@np.example,teacher,Year 6 Teacher,NP002,1,yes,2027-01-04,,"
        "Fixed term,2027-07-21,,"
    )
    roster = tmp_path / "np-december.csv"
    roster.write_text(HEADER + "\n".join([*ROWS, temp]) + "\n", encoding="utf-8")
    trust_file = tmp_path / "tide-trust.yaml"
    set_today(date(2026, 12, 14))
    assert staff_import(trust_file, NP, str(roster)) == 0
    kit = pid(NP, "NP010")
    cycle = item(aws, f"PERSON#{kit}", "CYCLE#2026-27")
    assert cycle is not None and (cycle["starts"], cycle["ends"]) == ("2027-01-04", "2027-07-21")
    pk, sk = deadline_key(kit, "2026-27", "planning-review")
    review = item(aws, pk, sk)
    assert review is not None and review["due_date"] == "2027-07-21"
    # The contract's last day: its cycle ends and nothing opens due after it.
    run_check(date(2027, 7, 21))
    run_check(date(2027, 7, 22))
    assert all(i["due_date"] <= "2027-07-21" for i in open_items_of(aws, kit))


def test_induction_removed_at_re_import_opens_the_cycle_now_section_3(
    aws: Any, imported: Store, tmp_path: Path
) -> None:
    # The school corrects its roster: Lena Marsh finished her induction last year.
    corrected = [r.replace("2025-09-01,2027-01-29", ",") for r in ROWS]
    roster = tmp_path / "np-corrected.csv"
    roster.write_text(HEADER + "\n".join(corrected) + "\n", encoding="utf-8")
    set_today(date(2026, 10, 12))
    assert staff_import(tmp_path / "tide-trust.yaml", NP, str(roster)) == 0
    pk, sk = deadline_key(ECT, "2025-26", "planning-review")
    opened = item(aws, pk, sk)
    assert opened is not None and "due_pk" in opened  # open now, due with everyone else's
