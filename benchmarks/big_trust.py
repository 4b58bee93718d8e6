"""A big trust's scheduled work (issue 14.2): 40 schools of 200 staff, in moto, in-process.

Each school is Oakfield Primary's configuration under its own id, its staff loaded through the
staff import (tests/helpers/calls.py `roster_csv`, `plan_import`/`apply_import`, which opens
their deadlines) with training needs for one in five. Then, on 25 October 2027 (every teacher's
planning and review is due by 31 October, 4.1), the daily check and the weekly CPD digest run:

- once over the whole trust, as deployed today (one invocation loops over every school);
- once per school (the same code with `schools()` answering that one school: what a fan-out of
  one invocation per school would run), for the calls and CPU time each school costs.

Counts AWS calls by operation and the CPU time (`time.process_time`) of this process, which
includes moto's own work: moto is far slower per call than DynamoDB, so the CPU time is a
ceiling on the code's own, not a forecast; the call counts carry over. Measures; asserts nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import Any
from unittest import mock

SCHOOLS = 40
STAFF = 200
SEEDED = date(2026, 11, 9)
CHECK_DAY = date(2027, 10, 25)  # a Monday: the teachers' planning and review is due by 31 October
LAMBDA_LIMIT_S = 15 * 60

HEADING = "## A big trust's scheduled work"


@contextlib.contextmanager
def _moto(clock_file: str) -> Iterator[None]:
    from moto import mock_aws
    from tests.helpers.calls import ENV

    saved = dict(os.environ)
    os.environ.update(ENV | {"GROWTHCYCLE_LOCAL_CLOCK_FILE": clock_file})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from growthcycle.adapters.aws import reset_clients

    try:
        with mock_aws():
            reset_clients()
            yield
    finally:
        reset_clients()
        os.environ.clear()
        os.environ.update(saved)


def _seed(store: Any) -> list[Any]:
    from tests.helpers.calls import DEMO_TRUST, SCHOOL, captured, roster_csv

    from growthcycle.adapters.roster_sync import apply_import, batch_write, plan_import
    from growthcycle.adapters.training import add_needs
    from growthcycle.domain.cycles import current_cycle
    from growthcycle.domain.retention import MINIMUM_YEARS, expires_at
    from growthcycle.domain.staff import parse_roster
    from growthcycle.domain.training import TrainingNeed
    from growthcycle.domain.trust import load_trust

    template = load_trust(DEMO_TRUST).school(SCHOOL)
    schools = []
    csv = roster_csv(STAFF)
    for n in range(1, SCHOOLS + 1):
        school = template.model_copy(update={"id": f"school-{n:02d}", "name": f"School {n}"})
        store.put_school(school.id, {"config": school.model_dump_json(), "trust_id": "big-trust"})
        roster = parse_roster(csv, school_id=school.id)
        changes = plan_import(store, roster, today=SEEDED, settings=school.cycle)
        apply_import(store, changes, school=school, today=SEEDED, retention_years=MINIMUM_YEARS)
        items: list[dict[str, Any]] = []
        for i, member in enumerate(roster.members):
            if i % 5 or not member.is_staff:
                continue
            cycle = current_cycle(member.roles, SEEDED, school.cycle)
            need = TrainingNeed(
                need_id=f"seed-{member.person_id}",
                school_id=school.id,
                person_id=member.person_id,
                cycle_id=cycle.cycle_id,
                source="planning-review",
                source_ref="planning-review:training_needs",
                theme="send",
                text="Adapting lessons for pupils with SEND",
                created_at=time_of(SEEDED),
            )
            ttl = expires_at(cycle.ends, MINIMUM_YEARS)
            items += captured(lambda s, nd=need, e=ttl: add_needs(s, [nd], expires_at=e))
        batch_write(store, items)
        schools.append(school)
    return schools


def time_of(day: date) -> Any:
    from datetime import UTC, datetime, time

    return datetime.combine(day, time(9), tzinfo=UTC)


def _run(step: Callable[[], Any]) -> tuple[Any, Any, float]:
    from tests.helpers.calls import counting

    quiet = io.StringIO()
    with counting() as calls, contextlib.redirect_stdout(quiet):
        started = time.process_time()
        result = step()
        cpu = time.process_time() - started
    return result, calls, cpu


def main() -> list[str]:
    from growthcycle.adapters import deadlines, training
    from growthcycle.adapters.deadlines import CheckOptions, run_daily_check
    from growthcycle.adapters.store import Store
    from growthcycle.adapters.training import run_weekly_digest
    from growthcycle.handlers.deadline_check import digest_email
    from growthcycle.handlers.training_digest import training_digest_email
    from growthcycle.local.table import create_table

    compose = partial(digest_email, base_url="https://bench.example.org", trust_name="Bench")
    compose_cpd = partial(
        training_digest_email, base_url="https://bench.example.org", trust_name="Bench"
    )
    options = CheckOptions(escalation_working_days=3)
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch, _moto(os.path.join(scratch, "today")):
        from growthcycle.adapters.aws import client

        seeded_at = time.process_time()
        tables = {}
        for mode in ("whole", "per-school"):
            tables[mode] = f"growthcycle-big-{mode}"
            create_table(client("dynamodb"), tables[mode])
            schools = _seed(Store(tables[mode]))
        seed_cpu = time.process_time() - seeded_at

        store = Store(tables["whole"])
        check, check_calls, check_cpu = _run(
            lambda: run_daily_check(store, CHECK_DAY, options, compose)
        )
        digest, digest_calls, digest_cpu = _run(
            lambda: run_weekly_digest(store, CHECK_DAY, compose_cpd)
        )
        rows["whole"] = {
            "check": (check.as_dict(), check_calls, check_cpu),
            "digest": (digest.as_dict(), digest_calls, digest_cpu),
        }

        store = Store(tables["per-school"])
        per_school: list[tuple[str, Any, float, Any, float]] = []
        for school in schools:
            only = [school]
            with (
                mock.patch.object(deadlines, "schools", lambda _store, o=only: o),
                mock.patch.object(training, "schools", lambda _store, o=only: o),
            ):
                _, c_calls, c_cpu = _run(
                    lambda: run_daily_check(store, CHECK_DAY, options, compose)
                )
                _, d_calls, d_cpu = _run(lambda: run_weekly_digest(store, CHECK_DAY, compose_cpd))
            per_school.append((school.id, c_calls, c_cpu, d_calls, d_cpu))

    people = SCHOOLS * len(_roster_ids())
    lines = [
        HEADING,
        "",
        f"{SCHOOLS} schools of {len(_roster_ids())} people ({people:,} in all), seeded through the "
        f"staff import on {SEEDED:%-d %B %Y} ({seed_cpu:.0f} s of CPU for both copies of the "
        f"table); the daily check and the weekly CPD digest run on {CHECK_DAY:%-d %B %Y}, when "
        "every teacher's planning and review is due (4.1). CPU time is this process's, moto "
        "included, so a ceiling on the code's own; the calls carry over to AWS.",
        "",
        "### One invocation over the whole trust (as deployed)",
        "",
        "| run | what it did | AWS calls | by operation | CPU |",
        "|---|---|---|---|---|",
    ]
    for name, key in (("daily check", "check"), ("weekly CPD digest", "digest")):
        counts, calls, cpu = rows["whole"][key]
        did = ", ".join(
            f"{k} {v}" for k, v in counts.items() if k in _SHOWN and not isinstance(v, list)
        )
        lines.append(f"| {name} | {did} | {calls.total:,} | {calls.describe()} | {cpu:.1f} s |")
    check_cpu_all = rows["whole"]["check"][2] + rows["whole"]["digest"][2]
    lines += [
        "",
        "### One school at a time (what a fan-out per school would run)",
        "",
        "| run | calls per school: median (min-max) | CPU per school: median (max) | "
        f"total over {SCHOOLS} |",
        "|---|---|---|---|",
    ]
    for name, calls_at, cpu_at in (("daily check", 1, 2), ("weekly CPD digest", 3, 4)):
        totals = [r[calls_at].total for r in per_school]
        cpus = [r[cpu_at] for r in per_school]
        lines.append(
            f"| {name} | {statistics.median(totals):.0f} ({min(totals)}-{max(totals)}) | "
            f"{statistics.median(cpus):.2f} s ({max(cpus):.2f} s) | {sum(totals):,} calls, "
            f"{sum(cpus):.1f} s |"
        )
    per_school_cpu = statistics.median(r[2] + r[4] for r in per_school)
    fifty = per_school_cpu * 50
    lines += [
        "",
        f"Both runs together took {check_cpu_all:.0f} s of CPU for {SCHOOLS} schools in one "
        f"invocation; at the per-school median ({per_school_cpu:.2f} s), a 50-school trust would "
        f"take about {fifty:.0f} s, against Lambda's limit of {LAMBDA_LIMIT_S} s "
        f"({fifty / LAMBDA_LIMIT_S:.0%} of it), with moto's cost included: no fan-out is needed "
        "for the time limit. A school's calls do not depend on how many schools there are: one "
        "Query of DueIndex (paginated), a BatchGetItem for the people due, one PutItem per digest "
        "queued, and on a day cycles end, an UpdateItem and the next cycle's items (PutItem) "
        "per cycle rolled. This day is a heavy one: the check has not run since the seed, so "
        "each school's support staff cycles (ended 31 August) roll as well as every teacher's "
        "planning and review being due.",
        "",
        "Not done (issue 14.2): one invocation still loops over every school, so an exception "
        "at one school stops the schools after it (the alarm sees the failed invocation); a "
        "fan-out of one invocation per school would cost what the per-school rows show.",
    ]
    return lines


_SHOWN = {
    "schools",
    "items",
    "digests_queued",
    "escalations",
    "cycles_rolled",
    "open_needs",
    "queued",
}


def _roster_ids() -> list[str]:
    from tests.helpers.calls import roster_csv

    return roster_csv(STAFF).splitlines()[1:]


if __name__ == "__main__":
    print("\n".join(main()))
