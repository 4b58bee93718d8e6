"""Counting AWS calls, and schools of any size seeded the way a deployed school is (issue 14.1).

- `counting()`: every AWS call any boto3 client makes inside the block (botocore's
  `BaseClient._make_api_call`, which every client method and paginator goes through), by service
  and operation: DynamoDB, SES and Secrets Manager alike.
- `roster_csv(size)`: Oakfield Primary's roster (infra/trusts/demo-trust), so the demo's people
  and the tests' helpers that name them work unchanged, with generated staff added up to `size`
  rows: line managers (one per 20), teachers and support staff; one in ten of them is managed by
  Sarah (op003), so the list of people she reviews grows with the school too.
- `school_of_size(store, size, today)`: the trust's SCHOOL items (as `growthcycle deploy` mirrors
  them), the roster through the staff import (`plan_import`/`apply_import`, what
  `growthcycle staff import` runs), then records for the generated staff written by the
  adapters' own code (captured, then loaded with BatchWriteItem): a submitted self-review for
  every other one, a reviewer assigned for one in ten, a transfer that begins the cycle again for
  one in 25, a training need for one in five. Not the demo seed.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from growthcycle.adapters.store import Store
from growthcycle.domain.staff import person_id_for

DEMO_TRUST = Path(__file__).resolve().parents[2] / "infra" / "trusts" / "demo-trust.yaml"
SCHOOL = "oakfield-primary"
DEMO_ROSTER = DEMO_TRUST.with_suffix("") / f"staff-{SCHOOL}.csv"
SARAH = "OP003"  # a line manager in the demo roster


class Calls:
    """AWS calls by (service, operation)."""

    def __init__(self) -> None:
        self.by_operation: Counter[tuple[str, str]] = Counter()

    def add(self, service: str, operation: str) -> None:
        self.by_operation[(service, operation)] += 1

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def of(self, service: str) -> int:
        return sum(n for (s, _), n in self.by_operation.items() if s == service)

    def __getitem__(self, operation: str) -> int:
        return sum(n for (_, o), n in self.by_operation.items() if o == operation)

    def reset(self) -> None:
        self.by_operation.clear()

    def describe(self) -> str:
        return ", ".join(f"{s}.{o} {n}" for (s, o), n in sorted(self.by_operation.items()))


@contextmanager
def counting() -> Iterator[Calls]:
    """Count every AWS call made inside the block, whichever client makes it."""
    calls = Calls()
    original = BaseClient._make_api_call

    def counted(client: Any, operation: str, params: Any) -> Any:
        calls.add(client.meta.service_model.service_name, operation)
        return original(client, operation, params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


# -- a roster of any size ---------------------------------------------------------------------


def generated_ids(size: int) -> list[str]:
    """The staff ids `roster_csv(size)` adds to the demo roster (managers first)."""
    extra = max(0, size - _demo_rows())
    return [f"S{n:05d}" for n in range(1, extra + 1)]


def _demo_rows() -> int:
    return len(DEMO_ROSTER.read_text(encoding="utf-8").splitlines()) - 1


def _managers(extra: int) -> int:
    return max(1, extra // 20)


def roster_csv(size: int) -> str:
    """The demo school's roster with generated staff added up to `size` rows (at least the demo's)."""
    text = DEMO_ROSTER.read_text(encoding="utf-8")
    out = io.StringIO()
    out.write(text if text.endswith("\n") else text + "\n")
    writer = csv.writer(out, lineterminator="\n")
    ids = generated_ids(size)
    managers = _managers(len(ids))
    for n, staff_id in enumerate(ids, start=1):
        if n <= managers:
            roles, title, manager, qts = "line-manager;teacher", "Phase lead", "OP001", "yes"
        else:
            manager = SARAH if n % 10 == 0 else f"S{1 + n % managers:05d}"
            teacher = n % 3 != 0
            roles = "teacher" if teacher else "support"
            title = "Class teacher" if teacher else "Teaching assistant"
            qts = "yes" if teacher else "no"
        name = [f"First{n}", f"Last{n}", f"s{n}@oakfield.example"]
        writer.writerow([staff_id, *name, roles, title, manager, "1", qts, "2019-09-02", ""])
    return out.getvalue()


# -- a school seeded the way a deployed one is ---------------------------------------------------


class _Capture:
    """Stands in for the DynamoDB client: keeps what the adapters would write, sends nothing."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.items.append(request["Item"])
        return {}

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:
        self.items.extend(w["Put"]["Item"] for w in TransactItems if "Put" in w)
        return {}


def captured(write: Callable[[Store], Any]) -> list[dict[str, Any]]:
    fake = _Capture()
    write(Store("captured", dynamodb=fake))
    return fake.items


def school_of_size(store: Store, size: int, today: date) -> list[str]:
    """Seed Oakfield Primary with `size` people, as deployed (see the module docstring), in
    `store`'s (empty) table. Returns the generated people's ids."""
    from growthcycle.adapters.reviewers import assign_reviewer
    from growthcycle.adapters.roster_sync import apply_import, batch_write, plan_import
    from growthcycle.adapters.special_cases import record_transfer
    from growthcycle.adapters.training import add_needs
    from growthcycle.domain.cycles import current_cycle, cycle_ends
    from growthcycle.domain.records import Submission
    from growthcycle.domain.retention import MINIMUM_YEARS, expires_at
    from growthcycle.domain.special_cases import plan_transfer
    from growthcycle.domain.staff import parse_roster
    from growthcycle.domain.training import TrainingNeed
    from growthcycle.domain.trust import load_trust
    from growthcycle.local.seed import put_trust

    trust = load_trust(DEMO_TRUST)
    put_trust(store, trust, DEMO_TRUST)
    school = trust.school(SCHOOL)
    roster = parse_roster(roster_csv(size), school_id=SCHOOL)
    changes = plan_import(store, roster, today=today, settings=school.cycle)
    apply_import(store, changes, school=school, today=today, retention_years=MINIMUM_YEARS)

    members = {m.person_id: m for m in roster.members}
    generated = [person_id_for(SCHOOL, s) for s in generated_ids(size)]
    at = datetime.combine(today, time(9), tzinfo=UTC)
    items: list[dict[str, Any]] = []

    def write(step: Callable[[Store], Any]) -> None:
        items.extend(captured(step))

    for n, person_id in enumerate(generated, start=1):
        member = members[person_id]
        cycle = current_cycle(member.roles, today, school.cycle)
        ttl = expires_at(cycle.ends, MINIMUM_YEARS)
        if n % 25 == 0 and member.has_role("teacher"):
            transfer = plan_transfer(
                person_id, cycle, cycle.starts, "restart", cycle_ends(school.cycle)
            )
            write(
                lambda s, t=transfer: record_transfer(  # type: ignore[misc]
                    s, t, school_id=SCHOOL, actor_id="seed", at=at, retention_years=MINIMUM_YEARS
                )
            )
            assert transfer.new_cycle is not None
            cycle = transfer.new_cycle
        if n % 2 == 0:
            submission = Submission(
                person_id=person_id,
                cycle_id=cycle.cycle_id,
                form_id="self-review",
                version=1,
                status="submitted",
                values={},
                saved_by=person_id,
                saved_at=at,
            )
            items.extend(
                p["Put"]["Item"] for p in store.submission_puts(submission, expires_at=ttl)
            )
        if n % 10 == 0:
            write(
                lambda s, p=person_id, c=cycle.cycle_id, e=ttl: assign_reviewer(  # type: ignore[misc]
                    s,
                    school_id=SCHOOL,
                    reviewee_id=p,
                    cycle_id=c,
                    reviewer_id=person_id_for(SCHOOL, "OP002"),
                    actor_id=person_id_for(SCHOOL, "OP001"),
                    at=at,
                    why="seed",
                    expires_at=e,
                )
            )
        if n % 5 == 0:
            need = TrainingNeed(
                need_id=f"seed-{person_id}",
                school_id=SCHOOL,
                person_id=person_id,
                cycle_id=cycle.cycle_id,
                source="planning-review",
                source_ref="planning-review:training_needs",
                theme="send",
                text="Adapting lessons for pupils with SEND",
                created_at=at,
            )
            write(lambda s, nd=need, e=ttl: add_needs(s, [nd], expires_at=e))  # type: ignore[misc]
    batch_write(store, items)  # the adapters' audit entries and all
    return generated


# -- two schools side by side, and every GET route visited as each kind of person ---------------

SMALL, LARGE = 20, 400
MONDAY = date(2026, 11, 9)  # the teachers' 2026-27 cycle (4.1)
RECORD_DAY = date(2026, 11, 18)  # after the booked observation, so its record can be written

PEOPLE = {
    "reviewee": person_id_for(SCHOOL, "OP004"),  # Emma, reviewed by Sarah
    "reviewer": person_id_for(SCHOOL, "OP003"),  # Sarah, a line manager
    "headteacher": person_id_for(SCHOOL, "OP001"),
    "cpd-lead": person_id_for(SCHOOL, "OP002"),  # David
    "governor": person_id_for(SCHOOL, "OP010"),  # the chair of governors
    "anonymous": "",
}


@dataclass(frozen=True)
class Visit:
    template: str  # the route as registered, /people/<person_id>/forms/<form_id>
    who: str  # a key of PEOPLE
    path: str  # the template with this visit's values

    def __str__(self) -> str:
        return f"GET {self.path} as {self.who}"


@dataclass
class World:
    """A school's table with the records a visit needs (a statement, an observation, ...)."""

    size: int
    table: str
    values: dict[str, str] = field(default_factory=dict)


ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_REGION": "eu-west-2",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "GrowthCycle",
    "TRUST_NAME": "Oak Valley Learning Trust",
    "SENDER_ADDRESS": "appraisal@oakvalley.example",
    "BASE_URL": "https://appraisal.oakvalley.example",
}


def use(world: World) -> None:
    """Point the API handler at `world`'s table (settings and per-process caches afresh)."""
    import os

    from growthcycle.config import get_settings
    from growthcycle.web.services import reset_services

    os.environ["TABLE_NAME"] = world.table
    get_settings.cache_clear()
    reset_services()


@contextmanager
def two_schools(clock_file: Path, sizes: tuple[int, ...] = (SMALL, LARGE)) -> Iterator[list[World]]:
    """moto with one table per size, each seeded by `school_of_size` plus the records the visits
    need, made through the API as people would. The environment is restored afterwards."""
    import os

    from moto import mock_aws

    saved = dict(os.environ)
    os.environ.update(ENV | {"GROWTHCYCLE_LOCAL_CLOCK_FILE": str(clock_file)})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from growthcycle.adapters.aws import client, reset_clients
    from growthcycle.adapters.keys import signer
    from growthcycle.config import get_settings
    from growthcycle.local.table import create_table
    from growthcycle.web.services import reset_services

    try:
        with mock_aws():
            reset_clients()
            signer.cache_clear()
            arn = client("secretsmanager").create_secret(Name="signing-key", SecretString="k" * 48)[
                "ARN"
            ]
            os.environ["SIGNING_KEY_SECRET_ARN"] = arn
            client("ses").verify_email_identity(EmailAddress=ENV["SENDER_ADDRESS"])
            worlds = []
            for size in sizes:
                world = World(size=size, table=f"growthcycle-calls-{size}")
                create_table(client("dynamodb"), world.table)
                use(world)
                clock_file.write_text(MONDAY.isoformat())
                school_of_size(Store(world.table), size, MONDAY)
                _records_for_visits(world)
                worlds.append(world)
            yield worlds
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_clients()
        get_settings.cache_clear()
        reset_services()
        signer.cache_clear()


def _records_for_visits(world: World) -> None:
    """Through the API, as in tests/integration: the reviewer issues Emma's statement (with a
    training need) and books an observation of her; links signed as the emails would be."""
    import os

    from growthcycle.adapters.statements import statements_in_school
    from growthcycle.adapters.training import training_needs
    from growthcycle.domain.links import make_link
    from growthcycle.domain.records import AuditEntry, Submission
    from growthcycle.domain.retention import expires_at_for_cycle_id
    from growthcycle.web.services import services
    from tests.conftest import Browser
    from tests.integration.test_observations import book, obs_id_of
    from tests.integration.test_training_queue import submit_statement

    emma = PEOPLE["reviewee"]
    svc = services()
    now = svc.clock.now()
    cycle_id = svc.cycle(person_of(svc, emma)).cycle_id
    svc.store.save_submission(
        Submission(
            person_id=emma,
            cycle_id=cycle_id,
            form_id="self-review",
            version=1,
            status="submitted",
            values={},
            saved_by=emma,
            saved_at=now,
        ),
        AuditEntry(
            subject_id=emma,
            actor_id=emma,
            action="form.submitted",
            target="self-review@1",
            channel="page",
            at=now,
        ),
        expires_at=expires_at_for_cycle_id(svc.settings, cycle_id),
    )
    browser = Browser()
    submitted = submit_statement(browser, "Maths mastery course", "Coaching")
    assert submitted["statusCode"] == 303, submitted["body"][:500]
    obs_id = obs_id_of(book(browser, PEOPLE["reviewer"], emma))
    [statement] = [
        s for s in statements_in_school(Store(world.table), SCHOOL) if s.reviewee_id == emma
    ]
    [need] = [n for n in training_needs(Store(world.table), SCHOOL) if n.person_id == emma]
    Path(os.environ["GROWTHCYCLE_LOCAL_CLOCK_FILE"]).write_text(RECORD_DAY.isoformat())
    now = svc.clock.now()
    world.values = {
        "obs_id": obs_id,
        "statement_id": statement.statement_id,
        "need_id": need.need_id,
        "sign_in_token": svc.signer.sign(
            "sign-in", {"p": emma}, now=now, ttl=timedelta(minutes=30)
        ),
        "link_token": make_link(
            svc.signer,
            person_id=emma,
            statement_id=statement.statement_id,
            statement_version=statement.statement_version,
            action="agree",
            now=now,
            days=14,
        ),
    }


def person_of(svc: Any, person_id: str) -> Any:
    found = svc.store.get_person(person_id)
    assert found is not None, person_id
    return found


def visits() -> list[Visit]:
    """Every GET route, as each kind of person who has a page there (see `VISITS`). A path may
    hold `{obs_id}` and the like: each world's own values (`World.values`)."""
    found = []
    for template, whos in VISITS.items():
        for who, params in whos:
            path = params.get("<template>", template)
            for name, value in (DEFAULTS | params).items():
                path = path.replace(f"<{name}>", value)
            found.append(Visit(template, who, path))
    return found


DEFAULTS = {
    "person_id": PEOPLE["reviewee"],
    "form_id": "self-review",
    "statement_id": "{statement_id}",
    "obs_id": "{obs_id}",
    "need_id": "{need_id}",
    "name": "app.css",
}


_ALL = ("reviewee", "reviewer", "headteacher", "cpd-lead", "governor")

# Each GET route and who visits it (with any path values besides the defaults above).
VISITS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "/": [(who, {}) for who in _ALL],
    "/healthz": [("anonymous", {})],
    "/static/<name>": [("anonymous", {})],
    "/sign-in": [("anonymous", {})],
    "/sign-in/<token>": [("anonymous", {"token": "{sign_in_token}"})],
    "/sign-in/with/<provider_id>": [("anonymous", {"provider_id": "entra"})],
    "/sign-in/with/<provider_id>/callback": [("anonymous", {"provider_id": "entra"})],
    "/forms/<form_id>": [("reviewee", {})],
    "/people/<person_id>/forms/<form_id>": [
        ("reviewee", {}),
        ("reviewer", {"form_id": "planning-review"}),
        ("headteacher", {}),
    ],
    "/people/<person_id>/forms/<form_id>/saved": [("reviewee", {})],
    "/forms/reflection": [("reviewee", {})],
    "/reflections/new": [("reviewee", {})],
    "/people/<person_id>/reflections": [("reviewee", {}), ("reviewer", {})],
    "/mid-year-reviews": [("headteacher", {})],
    "/people/<person_id>/observations/new": [("reviewer", {})],
    "/people/<person_id>/observations": [("reviewee", {}), ("reviewer", {}), ("headteacher", {})],
    "/observations/<obs_id>": [("reviewee", {}), ("reviewer", {})],
    "/observations/<obs_id>/record": [("reviewer", {})],
    "/people/<person_id>/meeting": [("reviewer", {})],
    "/people/<person_id>/cycle": [("headteacher", {})],
    "/reviewers": [("headteacher", {})],
    "/reviewer-change": [("reviewee", {})],
    "/headteacher-review/reviewers": [("governor", {}), ("headteacher", {})],
    "/statements": [("reviewee", {}), ("reviewer", {}), ("headteacher", {}), ("governor", {})],
    "/statements/<statement_id>": [("reviewee", {}), ("reviewer", {}), ("headteacher", {})],
    "/statements/<statement_id>/compare": [
        ("reviewer", {"statement_id": "{statement_id}?a=1&b=1"})
    ],
    "/statements/<statement_id>/views": [("reviewee", {})],
    "/statements/<statement_id>/pdf": [("reviewee", {}), ("headteacher", {})],
    "/statements/<statement_id>/governor": [("headteacher", {})],
    "/statement-links/<token>": [("anonymous", {"token": "{link_token}"})],
    "/statement-links/<token>/done": [("anonymous", {"token": "{link_token}"})],
    "/training": [("cpd-lead", {}), ("headteacher", {})],
    "/training/<need_id>": [("cpd-lead", {})],
    "/report": [("headteacher", {})],
    "/report.csv": [("headteacher", {"<template>": "/report.csv?year=2026-27"})],
}


# Visits refused on purpose (a 4xx page), and why; their calls up to that answer still count.
REFUSED_ON_PURPOSE = {
    "/statements/<statement_id>/pdf": "a PDF is only for a final statement; the seeded one is issued",
    "/sign-in/with/<provider_id>": "the demo trust has no single sign-on provider",
    "/sign-in/with/<provider_id>/callback": "the demo trust has no single sign-on provider",
}


def get_routes() -> list[str]:
    """Every GET route the API registers (web/app.py's Routers)."""
    from growthcycle.web.openapi import _routes

    return sorted(path for method, path, _ in _routes() if method == "GET")


def measure(world: World, chosen: list[Visit] | None = None) -> dict[Visit, tuple[int, Calls]]:
    """Each visit's status and the AWS calls its request made, in `world`, warm: one request
    first fills what a warm Lambda holds across requests (the school's configuration, the
    signing key), then each visit is one request with its own session."""
    from growthcycle.web.services import services
    from tests.conftest import Browser

    use(world)
    warm = Browser()
    warm.act_as(PEOPLE["headteacher"])
    warm.get("/")
    found = {}
    for one in visits() if chosen is None else chosen:
        # A warm Lambda reads the key ring every five minutes (adapters/keys.py); a slow run
        # must not count that read against whichever route comes next.
        services().signer  # noqa: B018 - read for its side effect: a fresh ring
        browser = Browser()
        if PEOPLE[one.who]:
            browser.act_as(PEOPLE[one.who])
        with counting() as calls:
            status = int(browser.get(one.path.format(**world.values))["statusCode"])
        found[one] = (status, calls)
    return found
