"""What a request needs, built once per cold start from the settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.keys import signer
from growthcycle.adapters.special_cases import restarts_in_school
from growthcycle.adapters.store import Store
from growthcycle.config import Settings, get_settings
from growthcycle.domain.cycles import Cycle, current_cycle, fixed_term_of
from growthcycle.domain.form_layers import layers_from_json, resolve
from growthcycle.domain.forms import FormRegistry, load_forms
from growthcycle.domain.people import Person
from growthcycle.domain.tokens import Signer
from growthcycle.domain.trust import School
from growthcycle.web.request import request_cache

__all__ = ["Services", "request_cache", "reset_services", "services"]


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock

    @property
    def signer(self) -> Signer:
        return signer(self.settings.signing_key_secret_arn)

    def school(self, school_id: str) -> School | None:
        return _school(self.store, school_id)

    def forms(self, school_id: str) -> FormRegistry:
        """The school's forms: shipped, then its trust's and its own layers (form_layers)."""
        return _forms(self.store, school_id)

    def cycle(self, person: Person) -> Cycle:
        """The person's current cycle (4.1): the regular one by their school's review dates, or
        the one that began again on a transfer to a new post (domain/special_cases.py). The
        school's restarts are one Query, read once per request whoever and however many people
        it is asked about (issue 14.1: a page about 400 people makes the same one call)."""
        school = self.school(person.school_id)
        settings = school.cycle if school else None
        today = self.clock.today()
        if not person.is_staff:
            return current_cycle(person.roles, today, settings)
        cache = request_cache()
        key = f"restarts-in-school:{person.school_id}"
        if key not in cache:
            cache[key] = restarts_in_school(self.store, person.school_id)
        restarted = cache[key].get(person.person_id, [])
        return current_cycle(
            person.roles, today, settings, restarted, fixed_term=fixed_term_of(person)
        )


@lru_cache(maxsize=64)
def _school_item(store: Store, school_id: str) -> dict[str, Any] | None:
    return store.get_school(school_id)


@lru_cache(maxsize=64)
def _school(store: Store, school_id: str) -> School | None:
    """A school's configuration, as mirrored from the trust file onto its SCHOOL item."""
    item = _school_item(store, school_id)
    return School.model_validate_json(item["config"]) if item else None


@lru_cache(maxsize=64)
def _forms(store: Store, school_id: str) -> FormRegistry:
    """A school's forms, from the layers mirrored onto its SCHOOL item (checked before they were
    written: local/seed.py put_trust); none there, the shipped forms."""
    item = _school_item(store, school_id)
    layers = item.get("forms") if item else None
    if not layers:
        return load_forms()
    return resolve(load_forms(), layers_from_json(json.loads(layers)))


@lru_cache(maxsize=1)
def services() -> Services:
    settings = get_settings()
    return Services(
        settings=settings,
        store=Store(settings.table_name),
        clock=Clock(settings.local_clock_file),
    )


def reset_services() -> None:
    services.cache_clear()
    _school.cache_clear()
    _school_item.cache_clear()
    _forms.cache_clear()
