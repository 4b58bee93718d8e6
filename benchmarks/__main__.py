"""`make bench`: run the benchmarks, print their figures and write them to docs/performance.md.

Benchmarks measure; they are not tests and assert nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    cold_start,
    daily_check,
    forms_page,
    guidance_accuracy,
    load,
    package_size,
    phone_page,
)

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
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
