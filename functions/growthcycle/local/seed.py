"""Seed the local stack from a trust file and its staff rosters (the same formats operations use)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from growthcycle.adapters import oidc
from growthcycle.adapters.clock import Clock
from growthcycle.adapters.deadlines import open_cycle_deadlines
from growthcycle.adapters.store import Store
from growthcycle.domain.form_layers import FormsRefused, layers_to_json, trust_forms
from growthcycle.domain.forms import load_forms
from growthcycle.domain.people import Person
from growthcycle.domain.retention import MINIMUM_YEARS
from growthcycle.domain.staff import parse_roster
from growthcycle.domain.trust import TrustConfig, load_trust

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEMO_TRUST = PROJECT_ROOT / "infra" / "trusts" / "demo-trust.yaml"


def roster_path(trust_file: Path, school_id: str) -> Path:
    return trust_file.with_suffix("") / f"staff-{school_id}.csv"


def put_trust(store: Store, trust: TrustConfig, trust_file: Path) -> None:
    """Mirror each school's configuration and its forms' layers (the trust's and its own, beside
    the trust file: domain/form_layers.py) onto its SCHOOL item, where the functions read them.

    Every school's forms are checked first: a broken or incomplete one raises FormsRefused with
    every problem, and nothing is written."""
    found, problems = trust_forms(load_forms(), trust_file, trust.schools)
    if problems:
        raise FormsRefused(problems)
    layers = {s.school_id: s.layers for s in found}
    oidc.put_providers(store, trust.trust.sign_in)  # issue 16: Microsoft or Google sign-in
    for school in trust.schools:
        store.put_school(
            school.id,
            {
                "config": school.model_dump_json(),
                "trust_id": trust.trust.id,
                "operations_contact": trust.operations_contact_for(school.id),
                "forms": json.dumps(layers_to_json(layers[school.id])),
            },
        )


def seed(
    store: Store, trust_file: Path = DEMO_TRUST, today: date | None = None
) -> tuple[TrustConfig, list[Person]]:
    trust = load_trust(trust_file)
    put_trust(store, trust, trust_file)
    people: list[Person] = []
    for school in trust.schools:
        path = roster_path(trust_file, school.id)
        if not path.exists():
            continue
        roster = parse_roster(path.read_text(encoding="utf-8-sig"), school_id=school.id)
        for member in roster.members:
            person = Person.from_member(member)
            store.put_person(person)
            people.append(person)
    # Each member of staff's planning and review is due (4.1): the daily check reminds about it.
    # 7: the local stack keeps the default retention (six years), like RETENTION_YEARS unset.
    open_cycle_deadlines(
        store, trust, people, today or Clock().today(), retention_years=MINIMUM_YEARS
    )
    return trust, people
