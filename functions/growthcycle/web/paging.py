"""Lists that grow with the school are shown a page at a time (issue 14.1).

The headteacher's staff list, the people a reviewer reviews, the mid-year audit, the statements
and the training queue hold one row per member of staff (or per need), so a page shows
`PAGE_SIZE` of them and links to the next and previous pages (`?page=N`,
templates/pager.html). What a route reads per row is read for the rows of its page only, so its
AWS calls per page stay the same whatever the school's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from growthcycle.web.request import current_event

PAGE_SIZE = 20

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # from 1
    pages: int  # at least 1
    total: int  # rows in the whole list
    path: str  # the list's address, without ?page=

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, number: int) -> str:
        return self.path if number <= 1 else f"{self.path}?{urlencode({'page': number})}"

    @property
    def previous_url(self) -> str:
        return self.url(self.number - 1)

    @property
    def next_url(self) -> str:
        return self.url(self.number + 1)


def requested_page() -> int:
    """The `?page=N` asked for (1 when absent or not a number)."""
    raw = current_event().get_query_string_value("page") or ""
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def page_of(rows: Sequence[T], path: str, number: int | None = None) -> Page[T]:
    """Page `number` (by default the one asked for) of `rows`; past the end: the last page."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    wanted = min(requested_page() if number is None else max(1, number), pages)
    start = (wanted - 1) * PAGE_SIZE
    return Page(list(rows[start : start + PAGE_SIZE]), wanted, pages, len(rows), path)
