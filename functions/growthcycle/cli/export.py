"""`growthcycle export person PERSON_ID [--out DIR]`: everything held about one person (a subject
access request) as JSON and a readable HTML page that works on a phone. Never a Scan; what cannot be
found without one is listed in both files."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from growthcycle.adapters.export import export_person
from growthcycle.adapters.outbox import OUTBOX_DAYS
from growthcycle.cli.target import TargetUnknown, target_from_args
from growthcycle.web.templating import TEMPLATES_DIR, render

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def run(args: argparse.Namespace) -> int:
    try:
        target = target_from_args(args)
    except TargetUnknown as problem:
        print(f"growthcycle export: {problem}", file=sys.stderr)
        return 2
    export = export_person(target.store, args.person_id, target.clock.now())
    if not export.found:
        print(
            f"growthcycle export: nothing is held about person {args.person_id!r} in "
            f"{target.description}",
            file=sys.stderr,
        )
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"person-{_UNSAFE.sub('_', args.person_id)}"
    json_path, html_path = out / f"{stem}.json", out / f"{stem}.html"
    json_path.write_text(
        json.dumps(export.as_json(), ensure_ascii=False, indent=2, sort_keys=True, default=str),
        encoding="utf-8",
    )
    css = (TEMPLATES_DIR / "static" / "app.css").read_text(encoding="utf-8")
    html_path.write_text(
        render(
            "export/person.html",
            export=export,
            css=css,
            generated=export.generated_at.strftime("%-d %B %Y at %H:%M UTC"),
        ),
        encoding="utf-8",
    )
    counted = ", ".join(f"{n} {kind}" for kind, n in export.counts().items())
    print(f"{target.description}: {export.queries} queries (no Scan); {counted}")
    print(f"wrote {json_path} and {html_path}")
    print(
        f"emails: {len(export.emails)} still held in the outbox (copies are kept "
        f"{OUTBOX_DAYS} days after queueing; older ones are gone, as both files say)"
    )
    return 0
