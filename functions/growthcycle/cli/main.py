"""The `growthcycle` command: one entry point, a module per subcommand.

Each subcommand's arguments are declared here; its work lives in `growthcycle.cli.<module>.run`,
imported only when that subcommand runs so `growthcycle --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from growthcycle.domain.calendar import NATION_SUBDIVISIONS
from growthcycle.domain.clocks import EVENTS
from growthcycle.domain.styles import STYLES

# Derived from the domain's tables, so a new clock, nation or style reaches --help by itself.
NATIONS: tuple[str, ...] = tuple(NATION_SUBDIVISIONS)
DEADLINE_EVENTS: tuple[str, ...] = EVENTS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="growthcycle",
        description="Growth Cycle: appraisal and professional growth for schools and trusts.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", help="run the whole system locally (no AWS account)")
    demo.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    demo.add_argument("--data", default=".local", help="where records are kept (default .local/)")
    demo.add_argument("--trust", default=None, help="trust file to run (default: the demo trust)")
    demo.add_argument(
        "--workers",
        type=int,
        default=2,
        help="API handler processes, like Lambda instances (default 2)",
    )
    demo.set_defaults(module="demo")

    forms = commands.add_parser("forms", help="form definitions")
    forms_cmds = forms.add_subparsers(dest="forms_command", metavar="ACTION", required=True)
    forms_check = forms_cmds.add_parser("check", help="validate form files")
    forms_check.add_argument("paths", nargs="*", help="form files or folders (default: forms/)")
    forms_check.add_argument(
        "--trust",
        default=None,
        help="a trust's name or file: check each school's forms with its trust's and its own",
    )
    forms_check.set_defaults(module="forms")
    forms_schema = forms_cmds.add_parser(
        "schema", help="write the form file's JSON Schema (forms/form.schema.json)"
    )
    forms_schema.add_argument(
        "--check", action="store_true", help="change nothing; fail if the schema files are stale"
    )
    forms_schema.add_argument("--dir", default=None, help="where to write (default: forms/)")
    forms_schema.set_defaults(module="forms")
    preview = forms_cmds.add_parser(
        "preview", help="write a form's phone page, read-only page and text, as a school sees it"
    )
    preview.add_argument("file", help="a form file: shipped, a trust's or a school's")
    preview.add_argument("--school", default=None, help="the school (default: from FILE's path)")
    preview.add_argument("--style", default=None, choices=[str(s) for s in STYLES])
    preview.add_argument("--trust", default=None, help="the trust file (default: from FILE's path)")
    preview.add_argument("--out", required=True, help="folder to write the preview to")
    preview.set_defaults(module="forms")

    deadlines = commands.add_parser("deadlines", help="working-day deadlines")
    deadlines_cmds = deadlines.add_subparsers(
        dest="deadlines_command", metavar="ACTION", required=True
    )
    explain = deadlines_cmds.add_parser("explain", help="print a due date and its reasoning")
    explain.add_argument("--nation", required=True, help=f"one of {', '.join(NATIONS)}")
    explain.add_argument("--event", required=True, help=f"one of {', '.join(DEADLINE_EVENTS)}")
    explain.add_argument("--date", required=True, help="YYYY-MM-DD")
    explain.add_argument("--closures", default=None, help="file of school closure days")
    explain.set_defaults(module="deadlines")
    open_cmd = deadlines_cmds.add_parser(
        "open",
        help="open the current cycle's deadlines of a school's staff loaded before they opened",
    )
    open_cmd.add_argument("--trust", required=True, help="the trust file")
    open_cmd.add_argument("--school", required=True, help="the school's id")
    open_cmd.add_argument("--table", default=None, help="the stack's TableName output")
    open_cmd.add_argument("--endpoint-url", default=None, help="`local` for the running demo")
    open_cmd.set_defaults(module="deadlines")

    objectives = commands.add_parser("objectives", help="guidance on objectives and commitments")
    objectives_cmds = objectives.add_subparsers(
        dest="objectives_command", metavar="ACTION", required=True
    )
    check = objectives_cmds.add_parser("check", help="flag objectives, one per line")
    check.add_argument("--style", required=True, choices=[str(s) for s in STYLES])
    check.add_argument("file", nargs="?", default=None, help="file (default: standard input)")
    check.set_defaults(module="objectives")

    config = commands.add_parser("config", help="trust configuration")
    config_cmds = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_check = config_cmds.add_parser("check", help="validate a trust file")
    config_check.add_argument("file")
    config_check.set_defaults(module="config")

    staff = commands.add_parser("staff", help="staff rosters")
    staff_cmds = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    staff_import = staff_cmds.add_parser(
        "import", help="import a school's roster (CSV from the MIS)"
    )
    staff_import.add_argument("--trust", required=True, help="the trust file")
    staff_import.add_argument("--school", required=True, help="the school's id in the trust file")
    staff_import.add_argument("csv", help="the roster CSV")
    staff_import.add_argument(
        "--dry-run", action="store_true", help="check and show, change nothing"
    )
    _add_target(staff_import)
    staff_import.set_defaults(module="staff")
    staff_sync = staff_cmds.add_parser(
        "sync", help="sync a school's roster from its MIS through Wonde"
    )
    staff_sync.add_argument("--trust", required=True, help="the trust file")
    staff_sync.add_argument("--school", required=True, help="the school's id in the trust file")
    staff_sync.add_argument(
        "--dry-run", action="store_true", help="read Wonde and show, change nothing"
    )
    staff_sync.add_argument(
        "--allow-leavers",
        action="store_true",
        help="apply even when more staff would leave than wonde.max_leavers_percent allows",
    )
    staff_sync.add_argument(
        "--wonde-url",
        default=None,
        help="Wonde's API address (default https://api.wonde.com/v1.0; a fake one in tests)",
    )
    _add_target(staff_sync)
    staff_sync.set_defaults(module="staff")

    deploy = commands.add_parser("deploy", help="check, build and deploy one trust's stack")
    deploy.add_argument("--trust", required=True, help="the trust's name in samconfig.toml")
    deploy.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    deploy.set_defaults(module="deploy")

    export = commands.add_parser("export", help="export records")
    export_cmds = export.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    export_person = export_cmds.add_parser(
        "person", help="everything held about one person (a subject access request)"
    )
    export_person.add_argument("person_id")
    export_person.add_argument("--out", default=".", help="folder for the JSON and HTML files")
    _add_target(export_person)
    export_person.set_defaults(module="export")

    report = commands.add_parser("report", help="reports")
    report_cmds = report.add_subparsers(dest="report_command", metavar="WHAT", required=True)
    governors = report_cmds.add_parser("governors", help="the annual anonymised report (10)")
    governors.add_argument("--school", required=True)
    governors.add_argument("--year", required=True, help="the cycle, e.g. 2026-27")
    governors.add_argument("--out", default=".", help="folder for the HTML and CSV files")
    _add_target(governors)
    governors.set_defaults(module="report")

    outbox = commands.add_parser("outbox", help="emails not yet sent (operations)")
    outbox_cmds = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    outbox_list = outbox_cmds.add_parser(
        "list", help="emails waiting to be sent, and those the mailer gave up on"
    )
    _add_target(outbox_list)
    outbox_list.set_defaults(module="outbox")
    outbox_retry = outbox_cmds.add_parser(
        "retry", help="give emails the mailer gave up on back to the sweep"
    )
    outbox_retry.add_argument("ids", nargs="*", help="outbox ids from `outbox list`")
    outbox_retry.add_argument("--failed", action="store_true", help="every failed email")
    _add_target(outbox_retry)
    outbox_retry.set_defaults(module="outbox")

    keys = commands.add_parser("keys", help="the link- and session-signing key (operations)")
    keys_cmds = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    rotate = keys_cmds.add_parser(
        "rotate",
        help="a new signing key; links and sessions made before stay valid for --keep-days",
    )
    rotate.add_argument(
        "--secret-arn",
        default=None,
        help="the stack's SigningKeySecretArn output (default: $SIGNING_KEY_SECRET_ARN, or the "
        "local stack's with --endpoint-url local)",
    )
    rotate.add_argument(
        "--keep-days",
        type=int,
        default=14,
        help="how long the old key still verifies: at least the trust's link_expiry_days (14)",
    )
    rotate.add_argument(
        "--emergency",
        action="store_true",
        help="the key may have leaked: keep nothing old, so every link and session ends now",
    )
    rotate.add_argument("--endpoint-url", default=None, help="local: the running demo's moto")
    rotate.set_defaults(module="keys")

    backfill = commands.add_parser("backfill", help="one-off data steps after an upgrade")
    backfill_cmds = backfill.add_subparsers(dest="backfill_command", metavar="WHAT", required=True)
    school_copies = backfill_cmds.add_parser(
        "school-copies",
        help="the school's copies of restarts and reviewer assignments (once, after upgrading)",
    )
    school_copies.add_argument(
        "--school", action="append", help="only this school (repeat for more; default: all)"
    )
    _add_target(school_copies)
    school_copies.set_defaults(module="backfill")

    return parser


def _add_target(parser: argparse.ArgumentParser) -> None:
    """Which table a command works on: a deployed trust's, or a running local stack's."""
    parser.add_argument("--table", default=None, help="table name (default: $TABLE_NAME)")
    parser.add_argument(
        "--endpoint-url", default=None, help="e.g. the local stack's moto (default: AWS itself)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module = importlib.import_module(f"growthcycle.cli.{args.module}")
    code: int = module.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
