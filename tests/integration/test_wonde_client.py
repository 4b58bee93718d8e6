"""The Wonde client (adapters/wonde.py) against the fake Wonde on 127.0.0.1: what it asks for,
the deletions, and the pages it refuses to follow. No AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from growthcycle.adapters.wonde import WondeAnswerInvalid, WondeClient
from tests.helpers.wonde import TOKEN, WONDE_SCHOOL, FakeWonde, employee, serve


@pytest.fixture
def wonde() -> Iterator[FakeWonde]:
    staff = [
        employee(
            wonde_id=f"A{n}",
            staff_code=f"S{n}",
            forename="Ann",
            surname=f"Lee{n}",
            email=f"a{n}@school.example",
            job_title="Teacher",
            start="2020-09-01",
        )
        for n in range(5)
    ]
    deleted = [{"id": "A99", "type": "employee", "restored": False}]
    yield from serve(FakeWonde(employees=staff, deletions=deleted))


def client(wonde: FakeWonde, waits: list[float] | None = None) -> WondeClient:
    record = waits.append if waits is not None else None
    return WondeClient(TOKEN, base_url=f"{wonde.url}/v1.0", per_page=2, sleep=record)


def test_every_page_is_read_with_the_includes_and_updated_after(wonde: FakeWonde) -> None:
    found = client(wonde).employees(WONDE_SCHOOL, updated_after="2026-11-01 00:00:00")
    assert [e["id"] for e in found] == ["A0", "A1", "A2", "A3", "A4"]
    assert len(wonde.requests) == 3
    assert "updated_after=2026-11-01+00%3A00%3A00" in wonde.requests[0]


def test_deleted_employees_are_listed(wonde: FakeWonde) -> None:
    assert [d["id"] for d in client(wonde).deleted_employees(WONDE_SCHOOL)] == ["A99"]
    assert "type=employee" in wonde.requests[0]


def test_a_429_without_retry_after_backs_off_and_retries(wonde: FakeWonde) -> None:
    waits: list[float] = []
    wonde.fail(page=1, status=429)
    wonde.fail(page=1, status=429)
    assert len(client(wonde, waits).employees(WONDE_SCHOOL)) == 5
    assert waits == [1.0, 2.0]


def test_a_next_page_at_another_address_is_refused_before_the_token_goes_there(
    wonde: FakeWonde,
) -> None:
    away = {"data": [], "meta": {"pagination": {"next": "https://elsewhere.example/v1.0/x"}}}
    wonde.fail(page=1, status=200, body=json.dumps(away))
    with pytest.raises(WondeAnswerInvalid, match="not at the API's own address"):
        client(wonde).employees(WONDE_SCHOOL)
    assert len(wonde.requests) == 1


def test_an_answer_that_is_not_json_is_refused(wonde: FakeWonde) -> None:
    wonde.fail(page=1, status=200, body="<html>maintenance</html>")
    with pytest.raises(WondeAnswerInvalid, match="is not JSON"):
        client(wonde).employees(WONDE_SCHOOL)


def test_the_cli_reads_the_token_where_the_table_is(monkeypatch: pytest.MonkeyPatch) -> None:
    from growthcycle.cli.target import resolve_target

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    target = resolve_target("t", "http://127.0.0.1:9")
    assert target.secrets.meta.endpoint_url == "http://127.0.0.1:9"
