"""Precision and recall of the objective guidance on the labelled table `tests/data/objectives.tsv`.

Run: `.venv/bin/python benchmarks/guidance_accuracy.py`. It measures and prints; it asserts
nothing (`tests/unit/test_guidance.py` holds the floor). Each row has a policy style, an objective
or commitment as a teacher would write it, and the flags a careful reader expects from
`check_text`. Rows the checks get wrong are listed so the table can drive the next change.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions"))

from growthcycle.domain.guidance import FLAG_DEFINITIONS, check_text  # noqa: E402

TABLE = ROOT / "tests" / "data" / "objectives.tsv"


def load(path: Path = TABLE) -> list[tuple[str, str, frozenset[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            (
                row["style"],
                row["text"],
                frozenset(code for code in row["expected_flags"].split(",") if code),
            )
            for row in reader
        ]


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "  -  "


def main() -> int:
    rows = load()
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    wrong: list[str] = []
    started = time.perf_counter()
    for style, text, expected in rows:
        got = frozenset(flag.code for flag in check_text(text, style))
        for code in got & expected:
            tp[code] += 1
        for code in got - expected:
            fp[code] += 1
        for code in expected - got:
            fn[code] += 1
        if got != expected:
            missed = ",".join(sorted(expected - got)) or "-"
            extra = ",".join(sorted(got - expected)) or "-"
            wrong.append(f"  {style:<11} missed {missed:<28} extra {extra:<28} {text}")
    elapsed = time.perf_counter() - started

    styles = Counter(style for style, _, _ in rows)
    print(f"table: {TABLE.relative_to(ROOT)} ({len(rows)} rows: {dict(sorted(styles.items()))})")
    print(f"{'flag':<30}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}")
    for code in FLAG_DEFINITIONS:
        if FLAG_DEFINITIONS[code].checked_by != "text":
            continue
        t, f, n = tp[code], fp[code], fn[code]
        print(f"{code:<30}{t:>5}{f:>5}{n:>5}{_ratio(t, t + f):>11}{_ratio(t, t + n):>8}")
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'overall (micro)':<30}{t:>5}{f:>5}{n:>5}{_ratio(t, t + f):>11}{_ratio(t, t + n):>8}")
    print(f"rows exactly right: {len(rows) - len(wrong)}/{len(rows)}")
    print(f"time: {elapsed / len(rows) * 1e6:.0f} microseconds a row")
    if wrong:
        print("rows with a difference:")
        print("\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
