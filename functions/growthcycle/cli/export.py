"""`growthcycle export person PERSON_ID [--out DIR]`: everything held about one person (a subject
access request) as JSON and a readable HTML page that works on a phone. Never a Scan; what cannot be
found without one is listed in both files."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from growthcycle.adapters.export import PersonExport, export_person
from growthcycle.adapters.outbox import OUTBOX_DAYS
from growthcycle.cli.target import Target, TargetUnknown, target_from_args
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
    pdfs = _statement_pdfs(target, export, out, stem)
    counted = ", ".join(f"{n} {kind}" for kind, n in export.counts().items())
    print(f"{target.description}: {export.queries} queries (no Scan); {counted}")
    print(f"wrote {json_path} and {html_path}")
    for path in pdfs:
        print(f"wrote {path} (a final statement with its audit trail)")
    print(
        f"emails: {len(export.emails)} still held in the outbox (copies are kept "
        f"{OUTBOX_DAYS} days after queueing; older ones are gone, as both files say)"
    )
    return 0


def _statement_pdfs(target: Target, export: PersonExport, out: Path, stem: str) -> list[Path]:
    """Issue 16: each of the person's final statements as the PDF the statement page offers."""
    from growthcycle.app import statement_pdf as pdf
    from growthcycle.app.statements import load
    from growthcycle.config import Settings
    from growthcycle.web.core import form_context
    from growthcycle.web.services import Services

    # The export signs, sends and records nothing: of the settings, only the table is read, and
    # the rest say so.
    unused = "(not used by the export)"
    settings = Settings(
        table_name=target.store.table_name,
        trust_name=unused,
        sender_address=unused,
        base_url=unused,
        signing_key_secret_arn=unused,
    )
    svc = Services(settings=settings, store=target.store, clock=target.clock)
    written: list[Path] = []
    for held in export.statements:
        statement_id = str(held["statement"]["data"]["statement_id"])
        loaded = load(svc, statement_id, context_for=form_context)
        if loaded is None or not pdf.may_download(loaded.statement.state):
            continue
        path = out / f"{stem}-statement-{_UNSAFE.sub('_', loaded.statement.cycle_id)}.pdf"
        path.write_bytes(pdf.render(pdf.document(svc, loaded)))
        written.append(path)
    return written
