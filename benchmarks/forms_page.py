"""The phone page and the server's time per request, in-process (AWS calls excluded).

Prints the self-review form page's bytes (HTML and CSS, raw and gzipped) and the time to render a
form page and to validate a submission (p50 and p99 over many runs). Measures; asserts nothing.
"""

from __future__ import annotations

import gzip
import statistics
import time
from collections.abc import Callable

from growthcycle.domain.forms import Choice, FormContext, load_forms, load_reference
from growthcycle.web.static import static_file
from growthcycle.web.templating import render

RUNS = 2000


def _context(style: str) -> FormContext:
    return FormContext(
        style=style,  # type: ignore[arg-type]
        references={
            "teachers_standards": load_reference("teachers_standards"),
            "school_priorities": [
                Choice("early-reading", "Early reading"),
                Choice("maths", "Maths"),
            ],
        },
    )


def _page(form_id: str, style: str) -> str:
    form = load_forms().get(form_id)
    ctx = _context(style)
    return render(
        "forms/form_page.html",
        form=form,
        ctx=ctx,
        values=form.blank_values(ctx),
        errors=[],
        action_url=f"/people/x/forms/{form_id}",
        csrf_token="t" * 43,
        saved=None,
        version=0,
        subject=None,
    )


def _percentiles(fn: Callable[[], object]) -> tuple[float, float]:
    for _ in range(50):
        fn()
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> list[str]:
    css = (static_file("app.css") or ("", ""))[1].encode()
    lines = ["## The phone page (self-review form, blank)", ""]
    lines.append("| page | HTML raw | HTML gzip | CSS raw | CSS gzip | HTML+CSS gzip |")
    lines.append("|---|---|---|---|---|---|")
    for form_id, style in (
        ("self-review", "performance"),
        ("planning-review", "performance"),
        ("planning-review", "growth"),
    ):
        html = _page(form_id, style).encode()
        h, c = len(gzip.compress(html)), len(gzip.compress(css))
        lines.append(
            f"| {form_id} ({style}) | {len(html):,} B | {h:,} B | {len(css):,} B | {c:,} B | {h + c:,} B |"
        )

    form = load_forms().get("planning-review")
    ctx = _context("performance")
    body = {
        "assessment": ["A good year; reading interventions worked."],
        "objectives-rows": ["1"],
        "objectives-0-title": ["Raise reading fluency of the Year 2 phonics catch-up group"],
        "objectives-0-success_criteria": ["8 of the 10 pupils read 60 words a minute by July"],
        "objectives-0-timescale": ["2027-07-16"],
        "objectives-0-priority": ["early-reading"],
        "pay_recommendation": ["progress"],
        "support": ["Release time to observe the Year 1 phonics lead."],
        "monitoring": ["One observation in the spring term, focused on phonics."],
        "_action": ["submit"],
    }

    def validate() -> object:
        entered = form.read(body, ctx)
        return form.validate(entered.values, ctx)

    render_p50, render_p99 = _percentiles(lambda: _page("self-review", "performance"))
    validate_p50, validate_p99 = _percentiles(validate)
    lines += [
        "",
        f"## Server time per request, in-process ({RUNS} runs, AWS calls excluded)",
        "",
        "| work | p50 | p99 |",
        "|---|---|---|",
        f"| render the self-review form page | {render_p50:.3f} ms | {render_p99:.3f} ms |",
        f"| read and validate a planning and review submission | {validate_p50:.3f} ms | {validate_p99:.3f} ms |",
    ]
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
