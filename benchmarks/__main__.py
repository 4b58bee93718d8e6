"""`make bench`: run the benchmarks, print their figures and write them to docs/performance.md.

`python -m benchmarks coldstart` runs only the cold-start benchmark and replaces only its section
of docs/performance.md; `python -m benchmarks calls` (AWS calls per route at 20 and 400 staff) and
`python -m benchmarks load` likewise. Benchmarks measure; they are not tests and assert nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    big_trust,
    calls_per_route,
    cold_start,
    daily_check,
    forms_page,
    guidance_accuracy,
    load,
    package_size,
    phone_page,
)

ROOT = Path(__file__).resolve().parent.parent


def replace_section(text: str, heading: str, lines: list[str]) -> str:
    """`text` with the `## heading...` section (up to the next `## `) replaced by `lines`."""
    kept = text.splitlines()
    start = next((i for i, line in enumerate(kept) if line.startswith(heading)), None)
    if start is None:
        return text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    end = next((i for i in range(start + 1, len(kept)) if kept[i].startswith("## ")), len(kept))
    tail = ["", *kept[end:]] if end < len(kept) else []
    return "\n".join([*kept[:start], *lines, *tail]) + "\n"


def cold_start_only() -> int:
    lines = cold_start.main()
    lines.insert(
        1,
        f"\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, by `python -m benchmarks coldstart`.",
    )
    path = ROOT / "docs" / "performance.md"
    path.write_text(replace_section(path.read_text(), "## Cold start", lines))
    print("\n".join(lines))
    return 0


def calls_only() -> int:
    lines = calls_per_route.main()
    lines.insert(
        1,
        f"\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, by `python -m benchmarks calls` (`make bench-calls`).",
    )
    path = ROOT / "docs" / "performance.md"
    path.write_text(replace_section(path.read_text(), calls_per_route.HEADING, lines))
    print("\n".join(lines))
    return 0


def trust_only() -> int:
    lines = big_trust.main()
    lines.insert(
        1,
        f"\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, by `python -m benchmarks trust` (`make bench-trust`).",
    )
    path = ROOT / "docs" / "performance.md"
    path.write_text(replace_section(path.read_text(), big_trust.HEADING, lines))
    print("\n".join(lines))
    return 0


def load_only() -> int:
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "120"))
    lines = load.main(seconds)
    lines.insert(
        1,
        f"\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, by `python -m benchmarks load`.",
    )
    path = ROOT / "docs" / "performance.md"
    path.write_text(replace_section(path.read_text(), "## Load", lines))
    print("\n".join(lines))
    return 0


def main() -> int:
    if sys.argv[1:] == ["coldstart"]:
        return cold_start_only()
    if sys.argv[1:] == ["load"]:
        return load_only()
    if sys.argv[1:] == ["calls"]:
        return calls_only()
    if sys.argv[1:] == ["trust"]:
        return trust_only()
    sections = ["# Performance", ""]
    sections.append(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, by `make bench`."
    )
    sections.append("")
    sections += forms_page.main()
    sections += ["", *phone_page.main()]
    sections += ["", *cold_start.main()]
    sections += ["", *daily_check.main()]
    sections += ["", *calls_per_route.main()]
    sections += ["", *big_trust.main()]
    sections += ["", *package_size.main()]
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
    print(
        f"make bench: load test for {seconds} s (BENCH_LOAD_SECONDS=120 for the full two minutes)"
    )
    sections += ["", *load.main(seconds)]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        guidance_accuracy.main()
    sections += ["", "## Guidance checks: precision and recall on tests/data/objectives.tsv", ""]
    sections += ["```", captured.getvalue().rstrip(), "```"]
    text = "\n".join(sections) + "\n"
    print(text)
    (ROOT / "docs" / "performance.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
