"""A bounded load test against the local stack on 127.0.0.1 (never anything else).

200 simulated staff (180 reviewees and 20 line managers, added to Oakfield Primary through the
stack's own moto endpoint) arrive over the first minute and sign in through /_local/act-as. Then,
for DURATION seconds, each opens a form, types for 20 to 60 s, saves it as a draft, reads the
page for 5 to 15 s and starts again (reviewees: their self-review; line managers: each reviewee's
planning and review form in turn). Reports errors (must be zero), latency percentiles, and
whether the table holds exactly the versions we were told were saved (counted with Queries
against `<data>/endpoint`).

    python -m benchmarks.load --duration 120

Found with it (2026-11-23): (1) the resolver keeps the request in module state, as on Lambda
where an instance handles one event at a time, so the local server now hands the handler one
event at a time; (2) the local stack saved its whole table to disk (a Scan and a JSON dump) after
every POST, on the request's thread: under load that was most of the time a request took. It now
saves at most once a second on a thread of its own, and once more on stop; (3) moto copies the
whole table for every item of a TransactWriteItems (its rollback), so each save cost more as the
table grew and requests timed out (198 of 824 on a quiet machine); the local stack now checks a
transaction's conditions first and skips that copy (local/moto_transactions.py).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import requests

USERS = 200
MANAGERS = 20
SCHOOL = "oakfield-primary"
TIMEOUT = 30


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    saved: dict[tuple[str, str], int] = field(default_factory=dict)  # (person, form) -> versions
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self, started: float, answer: requests.Response | None, what: str, ok: set[int]
    ) -> None:
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
            if answer is None or answer.status_code not in ok:
                code = answer.status_code if answer is not None else "no answer"
                self.errors.append(f"{what}: {code}")
            elif answer.status_code == 409:
                self.conflicts += 1


def people() -> list[Any]:
    from growthcycle.domain.people import Person

    def member(i: int, roles: tuple[str, ...], manager: str) -> Person:
        return Person(
            person_id=f"{SCHOOL}.l{i:04d}",
            school_id=SCHOOL,
            staff_id=f"L{i:04d}",
            first_name="Load",
            last_name=f"Tester {i}",
            email=f"l{i:04d}@load.example",
            roles=roles,
            job_title="Teacher",
            line_manager_id=manager,
            fte=1.0,
            qualified_teacher=True,
            start_date=date(2020, 9, 1),
        )

    managers = [member(i, ("line-manager", "teacher"), "OP001") for i in range(MANAGERS)]
    staff = [member(i, ("teacher",), f"L{i % MANAGERS:04d}") for i in range(MANAGERS, USERS)]
    return managers + staff


def _dynamodb(stack: Any) -> Any:
    import boto3

    endpoint = (stack.data_dir / "endpoint").read_text().strip()
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="eu-west-2",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto's
    )


def _table(dynamodb: Any) -> str:
    return str(dynamodb.list_tables()["TableNames"][0])


def _seed(stack: Any) -> list[Any]:
    from growthcycle.adapters.store import Store

    dynamodb = _dynamodb(stack)
    store = Store(_table(dynamodb), dynamodb=dynamodb)
    everyone = people()
    for person in everyone:
        store.put_person(person)
    return everyone


# A person opens their form, types for a while on their phone, saves, reads the page it returns
# and moves on. Seed 004 asks for a paragraph or two per field, so 20 to 60 s of typing is quick.
TYPING = (20.0, 60.0)
READING = (5.0, 15.0)


def _open(session: requests.Session, base: str, path: str, tally: Tally) -> tuple[str, str] | None:
    """GET the form: its CSRF token and version, or None when it failed."""
    started = time.perf_counter()
    try:
        page = session.get(base + path, timeout=TIMEOUT)
    except requests.RequestException:
        page = None
    tally.record(started, page, f"GET {path}", {200})
    if page is None or page.status_code != 200:
        return None
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page.text)
    version = re.search(r'name="_version" value="(\d+)"', page.text)
    return (csrf.group(1) if csrf else "", version.group(1) if version else "0")


def _save(
    session: requests.Session,
    base: str,
    path: str,
    form: dict[str, str],
    opened: tuple[str, str],
    tally: Tally,
    key: tuple[str, str],
) -> None:
    csrf, version = opened
    body = {**form, "_csrf": csrf, "_version": version, "_action": "save"}
    started = time.perf_counter()
    try:
        answer = session.post(base + path, data=body, allow_redirects=False, timeout=TIMEOUT)
    except requests.RequestException:
        answer = None
    tally.record(started, answer, f"POST {path}", {303, 409})
    if answer is not None and answer.status_code == 303:
        with tally.lock:
            tally.saved[key] = tally.saved.get(key, 0) + 1


def _user(
    base: str,
    person: Any,
    reviewees: list[Any],
    until: float,
    tally: Tally,
    seed: int,
    ramp: float,
) -> None:
    rng = random.Random(seed)
    time.sleep(ramp * seed / USERS)  # users arrive over the ramp-up, not all at once
    session = requests.Session()
    started = time.perf_counter()
    try:
        answer = session.post(
            f"{base}/_local/act-as",
            data={"person_id": person.person_id},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    except requests.RequestException as error:
        answer = None
        tally.errors.append(type(error).__name__)
    tally.record(started, answer, "POST /_local/act-as", {303})
    n = 0
    while time.monotonic() < until:
        n += 1
        if reviewees:  # a line manager reviews each of their reviewees' planning in turn
            subject = reviewees[n % len(reviewees)]
            path = f"/people/{subject.person_id}/forms/planning-review"
            key = (subject.person_id, "planning-review")
            form = {
                "assessment": f"Assessment, pass {n}.",
                "support": "Time with the phonics lead.",
                "monitoring": "One observation in spring.",
            }
        else:
            path = f"/people/{person.person_id}/forms/self-review"
            key = (person.person_id, "self-review")
            form = {
                "reflection": f"Looking back, pass {n}: reading went well.",
                "development_needs": "Coaching.",
            }
        opened = _open(session, base, path, tally)
        time.sleep(rng.uniform(*TYPING))
        if opened is not None:  # a form opened before the end is saved, even just after it
            _save(session, base, path, form, opened, tally, key)
        time.sleep(rng.uniform(*READING))


def _versions_in_table(stack: Any, keys: list[tuple[str, str]]) -> int:
    dynamodb = _dynamodb(stack)
    table = _table(dynamodb)
    total = 0
    for person_id, form_id in keys:
        paginator = dynamodb.get_paginator("query")
        for page in paginator.paginate(
            TableName=table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :c)",
            ExpressionAttributeValues={":pk": {"S": f"PERSON#{person_id}"}, ":c": {"S": "CYCLE#"}},
            Select="SPECIFIC_ATTRIBUTES",
            ProjectionExpression="sk",
        ):
            total += sum(1 for i in page["Items"] if f"#FORM#{form_id}#V#" in i["sk"]["S"])
    return total


def main(duration: int = 120) -> list[str]:
    from tests.e2e.conftest import Stack

    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-load-")) / "data")
    stack.start()
    try:
        everyone = _seed(stack)
        managers = everyone[:MANAGERS]
        reviewees = {
            m.person_id: [p for p in everyone[MANAGERS:] if p.line_manager_id == m.staff_id]
            for m in managers
        }
        tally = Tally()
        ramp = min(60.0, duration / 2)
        until = time.monotonic() + duration
        threads = [
            threading.Thread(
                target=_user,
                args=(stack.url, p, reviewees.get(p.person_id, []), until, tally, i, ramp),
                daemon=True,
            )
            for i, p in enumerate(everyone)
        ]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=duration + 120)
        elapsed = time.monotonic() - began
        stored = _versions_in_table(stack, list(tally.saved))
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):  # killed if saving its records is slow
            stack.stop()
    told = sum(tally.saved.values())
    lat = sorted(tally.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * p))]

    return [
        f"## Load: {USERS} staff saving and reviewing for {duration} s against the local stack",
        "",
        f"{len(lat):,} requests in {elapsed:.0f} s ({len(lat) / elapsed:.1f}/s) from {USERS} clients on 127.0.0.1 "
        "(the local stack: moto and the HTTP server in one process, the API handler in 2 worker "
        "processes; not Lambda's concurrency). "
        f"Pacing: {TYPING[0]:.0f} to {TYPING[1]:.0f} s typing before each save, "
        f"{READING[0]:.0f} to {READING[1]:.0f} s reading after it; arrivals over {ramp:.0f} s.",
        "",
        "| errors | conflicts (409, expected when two save one form) | p50 | p95 | p99 | versions saved (told) | versions in the table |",
        "|---|---|---|---|---|---|---|",
        f"| {len(tally.errors)} | {tally.conflicts} | {statistics.median(lat):.0f} ms | {pct(0.95):.0f} ms | "
        f"{pct(0.99):.0f} ms | {told:,} | {stored:,} {'(match)' if told == stored else '(MISMATCH)'} |",
        *(["", "Errors: " + "; ".join(tally.errors[:10])] if tally.errors else []),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=120, help="seconds (default 120)")
    print("\n".join(main(parser.parse_args().duration)))
