"""Issue 14.1: no GET route's AWS calls grow with the school's size.

A school of 20 staff and one of 400, each seeded as deployed (tests/helpers/calls.py: the trust's
SCHOOL items, the staff import, records written by the adapters), built once for this module.
Every GET route the API registers is visited as each kind of person who has a page there, and
the AWS calls of a warm request are counted (counts, never times). A list that must grow is paged
(web/paging.py), so its calls per page are constant too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.calls import (
    LARGE,
    PEOPLE,
    REFUSED_ON_PURPOSE,
    SMALL,
    VISITS,
    Calls,
    Visit,
    World,
    counting,
    get_routes,
    measure,
    two_schools,
    visits,
)

# Routes whose calls may still grow with the school, each with the reason. This list may only
# shrink; docs/performance.md reports it beside the table.
STILL_GROWING: dict[str, str] = {
    "/report": "the governors' report (10) is an anonymised count over every member of staff, not "
    "a list to page: it reads each one's planning and review versions (one Query a person) and "
    "each statement's events; to be served from a school-level summary written on submission",
    "/report.csv": "the same report as a CSV (see /report)",
}

pytestmark = pytest.mark.xdist_group("calls-per-route")


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[World]]:
    with two_schools(Path(tmp_path_factory.mktemp("calls")) / "today") as built:
        yield built


@pytest.fixture(scope="module")
def measured(worlds: list[World]) -> list[dict[Visit, tuple[int, Calls]]]:
    """Every visit counted once in each school (the report's, still growing, left out)."""
    chosen = [v for v in visits() if v.template not in STILL_GROWING]
    return [measure(world, chosen) for world in worlds]


def test_every_get_route_is_visited() -> None:
    assert sorted(VISITS) == get_routes(), "add the new route to tests/helpers/calls.py VISITS"


def test_still_growing_names_only_routes_that_exist() -> None:
    assert set(STILL_GROWING) <= set(VISITS)


@pytest.mark.parametrize("one", visits(), ids=str)
def test_calls_at_400_staff_are_no_more_than_at_20(
    measured: list[dict[Visit, tuple[int, Calls]]], one: Visit
) -> None:
    if one.template in STILL_GROWING:
        pytest.xfail(STILL_GROWING[one.template])  # measured by the benchmark, not here
    small, large = measured
    status_small, at_small = small[one]
    status_large, at_large = large[one]
    assert status_small == status_large, (one.path, status_small, status_large)
    assert status_large < 400 or one.template in REFUSED_ON_PURPOSE, (one.path, status_large)
    assert at_large.total <= at_small.total, (
        f"{one}: {at_small.total} calls at {SMALL} staff ({at_small.describe()}), "
        f"{at_large.total} at {LARGE} ({at_large.describe()})"
    )


def _home_as(world: World, who: str, query: str = "") -> tuple[str, Calls]:
    from tests.conftest import Browser
    from tests.helpers.calls import use

    use(world)
    browser = Browser()
    browser.act_as(PEOPLE[who])
    browser.get("/" + query)
    with counting() as calls:
        body = browser.get("/" + query)["body"]
    return body, calls


def test_the_people_you_review_are_paged_with_the_same_calls_on_every_page(
    worlds: list[World],
) -> None:
    _, large = worlds
    # The headteacher reviews 20+ people at 400 staff (the line managers who report to them).
    first, first_calls = _home_as(large, "headteacher")
    assert 'rel="next"' in first and 'href="/?page=2"' in first
    second, second_calls = _home_as(large, "headteacher", "?page=2")
    assert 'rel="prev"' in second
    assert second_calls.total <= first_calls.total
    assert first.count('class="card"><span class="name">') == 20
