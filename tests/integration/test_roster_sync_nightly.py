"""The nightly roster sync (handlers/roster_sync.py) against moto and the fake Wonde: the schools
as deployed to the table, each with wonde settings synced as `staff sync` does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from growthcycle.adapters.store import Store
from tests.conftest import TABLE
from tests.helpers.aws import set_today
from tests.helpers.events import FakeContext
from tests.helpers.wonde import TOKEN, FakeWonde, employees_from_csv, serve, sync_from_wonde
from tests.integration.test_staff_import import everything

ROOT = Path(__file__).resolve().parents[2]
DEMO_ROSTER = ROOT / "infra" / "trusts" / "demo-trust" / "staff-oakfield-primary.csv"
SCHOOL = "oakfield-primary"


@pytest.fixture
def wonde(aws: Any, demo: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWonde]:
    from growthcycle.config import get_settings

    set_today(date(2026, 11, 20))  # the teachers' 2026-27 cycle (4.1)
    monkeypatch.setattr("growthcycle.adapters.wonde.wait", lambda seconds: None)
    for fake in serve(FakeWonde(employees=employees_from_csv(DEMO_ROSTER))):
        monkeypatch.setenv("GROWTHCYCLE_WONDE_API_URL", f"{fake.url}/v1.0")
        get_settings.cache_clear()
        name = f"growthcycle/growthcycle-test/wonde/{SCHOOL}"
        arn = aws("secretsmanager").create_secret(Name=name, SecretString=TOKEN)["ARN"]
        sync_from_wonde(Store(TABLE), SCHOOL, arn)
        yield fake


def nightly() -> dict[str, Any]:
    from growthcycle.handlers.roster_sync import lambda_handler

    result: dict[str, Any] = lambda_handler({"source": "aws.scheduler"}, FakeContext())
    return result


def test_nightly_sync_applies_a_leaver_and_only_schools_with_wonde_settings(
    wonde: FakeWonde,
) -> None:
    wonde.employees = [e for e in wonde.employees if e["employee_code"] != "OP007"]
    assert nightly() == {"synced": 1, "stopped": 0, "failed": 0}
    person = Store(TABLE).get_person("oakfield-primary.op007")
    assert person is not None and person.leaving_date is not None
    assert nightly() == {"synced": 1, "stopped": 0, "failed": 0}  # and nothing more to do


def test_nightly_sync_stopped_by_the_leavers_guard_changes_nothing(
    aws: Any, wonde: FakeWonde
) -> None:
    wonde.employees = wonde.employees[:1]
    before = everything(aws)
    assert nightly() == {"synced": 0, "stopped": 1, "failed": 0}
    assert everything(aws) == before


def test_nightly_sync_with_a_revoked_token_fails_the_run_so_it_is_retried_and_alarmed(
    aws: Any, wonde: FakeWonde
) -> None:
    from growthcycle.handlers.roster_sync import RosterSyncFailed

    wonde.token = "a-new-token"  # the school's secret still holds the old one
    before = everything(aws)
    with pytest.raises(RosterSyncFailed, match="1 schools not synced"):
        nightly()
    assert everything(aws) == before
