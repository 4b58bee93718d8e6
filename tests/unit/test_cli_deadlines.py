"""`growthcycle deadlines explain`: the due date first, then the reasoning; bad input is one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from growthcycle.cli.main import main

CLOSURES = Path(__file__).parent.parent / "data" / "closures"


def explain(*extra: str) -> list[str]:
    return ["deadlines", "explain", *extra]


def test_draft_due_five_working_days_after_meeting_in_scotland_over_new_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        explain("--nation", "scotland", "--event", "draft-statement", "--date", "2026-12-23")
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "due: 2027-01-05"
    text = "\n".join(out)
    assert "policy 4.9" in text
    assert "2027-01-04 (Monday): New Year Holiday (observed) (public holiday, Scotland)" in text
    assert "2026-12-26 (Saturday): Saturday" in text


def test_meeting_notice_prints_the_last_day_notice_may_be_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(explain("--nation", "england", "--event", "meeting-notice", "--date", "2026-10-12"))
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "due: 2026-10-02"
    assert "policy 4.3" in out[1]
    assert any(line.startswith("definition:") for line in out)


def test_closures_file_days_are_skipped_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        explain(
            "--nation",
            "england",
            "--event",
            "draft-statement",
            "--date",
            "2026-10-23",
            "--closures",
            str(CLOSURES / "oakfield-2026-27.txt"),
        )
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "due: 2026-11-06"
    assert "skipped: 2026-10-26 (Monday): school closed: autumn half term" in out


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--nation", "mars", "--event", "draft-statement", "--date", "2026-10-05"), "mars"),
        (("--nation", "wales", "--event", "tea-break", "--date", "2026-10-05"), "tea-break"),
        (("--nation", "wales", "--event", "moderation", "--date", "2026-02-30"), "2026-02-30"),
        (("--nation", "wales", "--event", "moderation", "--date", "20261005"), "20261005"),
        (("--nation", "wales", "--event", "moderation", "--date", "soon"), "soon"),
        (
            ("--nation", "wales", "--event", "moderation", "--date", "2026-10-05", "--closures"),
            "closures",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    args: tuple[str, ...], mentions: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = list(args)
    if argv[-1] == "--closures":
        argv.append(str(tmp_path / "missing.txt"))
    code = main(explain(*argv))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert mentions in lines[0]
    assert "Traceback" not in captured.err


def test_an_invalid_closures_file_names_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        explain(
            "--nation",
            "england",
            "--event",
            "moderation",
            "--date",
            "2026-10-05",
            "--closures",
            str(CLOSURES / "invalid-date.txt"),
        )
    )
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert len(err) == 1
    assert "line 3" in err[0]


def test_a_closures_path_that_is_a_folder_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        explain(
            "--nation", "england", "--event", "moderation", "--date", "2026-10-05",
            "--closures", str(CLOSURES),
        )
    )  # fmt: skip
    assert code == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_the_installed_command_prints_the_due_date_first() -> None:
    command = Path(sys.executable).parent / "growthcycle"
    argv = explain(
        "--nation", "northern-ireland", "--event", "draft-statement", "--date", "2026-03-13"
    )
    result = subprocess.run(
        [str(command), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Fri 13 Mar 2026: St Patrick's Day (Tue 17) does not count; 16, 18, 19, 20, 23 March.
    assert result.stdout.splitlines()[0] == "due: 2026-03-23"
    assert "Saint Patrick's Day (public holiday, Northern Ireland)" in result.stdout


def test_the_installed_command_fails_bad_input_without_a_traceback() -> None:
    command = Path(sys.executable).parent / "growthcycle"
    argv = explain("--nation", "england", "--event", "moderation", "--date", "2026-02-30")
    result = subprocess.run(
        [str(command), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1


def test_4_1_planning_review_by_31_october_2027_a_sunday_says_it_moves_to_friday(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        explain("--nation", "england", "--event", "planning-review", "--date", "2027-10-31")
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "due: 2027-10-29"
    text = "\n".join(out)
    assert "policy 4.1" in text
    assert (
        "2027-10-31 (Sunday) is not a working day, so the date is brought back to the last "
        "working day before it: 2027-10-29 (Friday)"
    ) in text
    assert "2027-10-30 (Saturday): Saturday" in text
