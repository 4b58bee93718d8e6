"""`growthcycle report governors --school ID --year CYCLE [--out DIR]`: the annual anonymised report
(10) as an HTML file (prints cleanly) and a CSV, the same as the headteacher's /report page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from growthcycle.adapters.report import SchoolUnknown, report_input
from growthcycle.app.report import report_csv
from growthcycle.cli.target import TargetUnknown, target_from_args
from growthcycle.domain.report import YearInvalid, build_report, end_year
from growthcycle.web.templating import TEMPLATES_DIR, render


def run(args: argparse.Namespace) -> int:
    try:
        end_year(args.year)
        target = target_from_args(args)
        data = report_input(target.store, args.school, args.year, target.clock.today())
    except (YearInvalid, TargetUnknown) as problem:
        print(f"growthcycle report: {problem}", file=sys.stderr)
        return 2
    except SchoolUnknown:
        print(
            f"growthcycle report: no school {args.school!r} in {target.description}",
            file=sys.stderr,
        )
        return 2
    report = build_report(data.input)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"governors-report-{args.school}-{args.year}"
    css = (TEMPLATES_DIR / "static" / "app.css").read_text(encoding="utf-8")
    html_path, csv_path = out / f"{stem}.html", out / f"{stem}.csv"
    html_path.write_text(
        render(
            "report/standalone.html",
            report=report,
            css=css,
            as_of=report.as_of.strftime("%-d %B %Y"),
        ),
        encoding="utf-8",
    )
    csv_path.write_text(report_csv(report), encoding="utf-8", newline="")
    print(
        f"{target.description}: {data.people} staff, {data.statements} statements, "
        f"{data.queries} queries (no Scan)"
    )
    withheld = "some numbers withheld (10)" if report.any_withheld else "nothing withheld"
    print(f"wrote {html_path} and {csv_path}: {withheld}")
    return 0
