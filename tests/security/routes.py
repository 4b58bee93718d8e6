"""Every registered route as a concrete request, so new route modules are covered without a list.

Path parameters get real values where the name is known (a person, a form, a link token, the
stylesheet) and a harmless placeholder otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from growthcycle.web.openapi import _routes

KNOWN_PARAMS = {"person_id", "form_id", "token", "name"}


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # /people/<person_id>/forms/<form_id>

    @property
    def params(self) -> list[str]:
        return re.findall(r"<(\w+)>", self.template)

    @property
    def only_known_params(self) -> bool:
        return set(self.params) <= KNOWN_PARAMS

    def path(self, **values: str) -> str:
        defaults = {"name": "app.css", "form_id": "self-review", "token": "not-a-token"}
        return re.sub(
            r"<(\w+)>",
            lambda m: values.get(m.group(1)) or defaults.get(m.group(1), "unknown-id"),
            self.template,
        )

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def registered_routes() -> list[Route]:
    return [Route(method, path) for method, path, _ in _routes()]


def post_routes() -> list[Route]:
    return [r for r in registered_routes() if r.method == "POST"]
