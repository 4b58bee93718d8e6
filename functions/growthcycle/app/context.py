"""What a use case needs from the request's world: the settings, the table, the clock, and the
two questions every page asks (a school's configuration, a person's current cycle).

A Protocol, so the application layer imports nothing from `web/`: `web.services.Services` fits it
as it is, and a test may pass any object with these members.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Protocol

from growthcycle.adapters.clock import Clock
from growthcycle.adapters.store import Store
from growthcycle.config import Settings
from growthcycle.domain.cycles import Cycle
from growthcycle.domain.forms import FormRegistry
from growthcycle.domain.people import Person
from growthcycle.domain.tokens import Signer
from growthcycle.domain.trust import School

# A dict that lives for one request (web passes `web.services.request_cache()`): a use case asked
# the same question twice in one request reads the table once. None: no memo, read each time.
Memo = MutableMapping[str, Any] | None


class Services(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def clock(self) -> Clock: ...

    def school(self, school_id: str) -> School | None: ...

    def forms(self, school_id: str) -> FormRegistry: ...

    def cycle(self, person: Person) -> Cycle: ...


class SigningServices(Services, Protocol):
    """Services that also sign tokens (sign-in links, single sign-on's flow)."""

    @property
    def signer(self) -> Signer: ...


def remembered(memo: Memo, key: str, compute: Any) -> Any:
    """`compute()`, once per request when a memo is given."""
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
