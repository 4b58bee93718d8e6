"""AWS calls per request, for every GET route, at a school of 20 staff and one of 400 (issue 14.1).

Both schools are seeded the way a deployed school is (tests/helpers/calls.py `school_of_size`:
the trust's SCHOOL items, the staff import, records written by the adapters' own code), in moto,
in-process. Each route is visited as each kind of person who has a page there (reviewee, reviewer,
headteacher, CPD lead, governor, or nobody signed in) and the calls of a warm request are counted by service and operation: DynamoDB, SES, Secrets Manager. Counts carry over
to AWS; moto's times do not, so none are shown. Measures; asserts nothing:
tests/integration/test_calls_per_route.py asserts.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

HEADING = "## Calls per route"

# The same benchmark against the read paths of commit 86a4fef, before issue 14.1 (route, as, calls at 20, calls at 400).
BEFORE = (
    ("/", "headteacher", 86, 1837),
    ("/", "reviewer", 34, 417),
    ("/", "reviewee", 22, 405),
    ("/", "cpd-lead", 30, 565),
    ("/", "governor", 21, 404),
    ("/reviewers", "headteacher", 21, 404),
    ("/statements", "headteacher", 22, 405),
    ("/mid-year-reviews", "headteacher", 19, 402),
    ("/report", "headteacher", 23, 403),
)


def main() -> list[str]:
    from tests.helpers.calls import LARGE, SMALL, measure, two_schools, visits
    from tests.integration.test_calls_per_route import STILL_GROWING

    quiet = io.StringIO()  # the API's request log lines
    with (
        tempfile.TemporaryDirectory() as scratch,
        contextlib.redirect_stdout(quiet),
        two_schools(Path(scratch) / "today") as worlds,
    ):
        small, large = (measure(world) for world in worlds)
    rows = [(one, *small[one], *large[one]) for one in visits()]
    lines = [
        HEADING,
        "",
        f"Warm requests, in-process against moto, at a school of {SMALL} staff "
        f"and one of {LARGE}, each seeded as deployed (`tests/helpers/calls.py`). A call is one "
        "AWS API request (a paginated Query counts each page). Aim: no route's calls grow with "
        "the school (issue 14.1); `tests/integration/test_calls_per_route.py` fails if one does.",
        "",
        f"| route | as | status | calls at {SMALL} | calls at {LARGE} | at {LARGE}, by operation |",
        "|---|---|---|---|---|---|",
    ]
    for one, status_small, at_small, status_large, at_large in rows:
        grows = " (grows)" if at_large.total > at_small.total else ""
        status = (
            str(status_large) if status_small == status_large else f"{status_small}/{status_large}"
        )
        lines.append(
            f"| `{one.template}` | {one.who} | {status} | {at_small.total} | "
            f"{at_large.total}{grows} | {at_large.describe() or '-'} |"
        )
    now = {(one.template, one.who): (a.total, b.total) for one, _, a, _, b in rows}
    lines += [
        "",
        "Before and after issue 14.1 (the same benchmark against the read paths of commit 86a4fef, then now):",
        "",
        f"| route | as | before, at {SMALL} | before, at {LARGE} | now, at {SMALL} | now, at {LARGE} |",
        "|---|---|---|---|---|---|",
    ]
    for route, who, small_before, large_before in BEFORE:
        small_now, large_now = now.get((route, who), ("-", "-"))
        lines.append(
            f"| `{route}` | {who} | {small_before} | {large_before} | {small_now} | {large_now} |"
        )
    still = sorted(STILL_GROWING.items())
    lines += ["", "Routes still allowed to grow (`STILL_GROWING`), and why:", ""]
    lines += [f"- `{route}`: {why}" for route, why in still] or ["- none"]
    return lines
