"""The policy style, defined once: a school runs `performance` management (seed 004) or
`professional growth` (seeds 000, 002, 003), side by side in one deployment (DOMAIN.md)."""

from __future__ import annotations

from enum import StrEnum


class PolicyStyle(StrEnum):
    PERFORMANCE = "performance"
    GROWTH = "growth"


# In the order forms, choices and messages list them.
STYLES: tuple[PolicyStyle, ...] = tuple(PolicyStyle)
