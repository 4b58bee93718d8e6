"""`make bench`: run the benchmarks, print their figures and write them to docs/performance.md.

Benchmarks measure; they are not tests and assert nothing.
"""

from __future__ import annotations

import contextlib
import io
import platform
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import forms_page, guidance_accuracy

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    sections = ["# Performance", ""]
    sections.append(
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"Python {platform.python_version()}, by `make bench`."
    )
    sections.append("")
    sections += forms_page.main()
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
