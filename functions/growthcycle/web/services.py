"""What a request needs, built once per cold start from the settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.keys import signer
from growthcycle.adapters.store import Store
from growthcycle.config import Settings, get_settings
from growthcycle.domain.tokens import Signer


@dataclass(frozen=True)
class SchoolView:
    """What pages need of a school's configuration (held on its SCHOOL item)."""

    school_id: str
    name: str
    policy_style: str
    priorities: tuple[tuple[str, str], ...]
    config: dict[str, Any]


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock

    @property
    def signer(self) -> Signer:
        return signer(self.settings.signing_key_secret_arn)

    def school(self, school_id: str) -> SchoolView | None:
        return _school(self.store, school_id)


@lru_cache(maxsize=64)
def _school(store: Store, school_id: str) -> SchoolView | None:
    item = store.get_school(school_id)
    if item is None:
        return None
    config = json.loads(item["config"])
    return SchoolView(
        school_id=school_id,
        name=config["name"],
        policy_style=config["policy_style"],
        priorities=tuple((p["id"], p["title"]) for p in config.get("priorities", [])),
        config=config,
    )


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
