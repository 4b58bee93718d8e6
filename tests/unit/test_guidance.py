"""Guidance on objectives and commitments (growthcycle.domain.guidance) and its CLI."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import date
from pathlib import Path

import pytest

from growthcycle.cli.main import main
from growthcycle.domain.guidance import (
    FLAG_CODES,
    FLAG_DEFINITIONS,
    Flag,
    UnknownGuidanceSetting,
    UnknownPolicyStyle,
    apply_school_policy,
    check_item,
    check_set,
    check_text,
)

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "tests" / "data" / "objectives.tsv"


def codes(flags: list[Flag]) -> list[str]:
    return [flag.code for flag in flags]


def good_objective(**changes: object) -> dict[str, object]:
    item: dict[str, object] = {
        "title": (
            "Improve the inference skills of the six Year 4 boys in my guided reading group "
            "through weekly reciprocal reading"
        ),
        "success_criteria": "They can explain a character's motive using evidence from the text",
        "timescale": "by the end of the spring term",
        "priority": "sip-2026-reading",
        "standards": ["TS2", "TS5"],
        "multi_cycle": False,
        "end_of_cycle_expectation": "",
    }
    item.update(changes)
    return item


# --- broad-pupil-target (seed 001, risk 3) ---------------------------------------------------


@pytest.mark.parametrize("style", ["performance", "growth"])
def test_broad_pupil_target_flagged_seed_001_risk_3(style: str) -> None:
    assert "broad-pupil-target" in codes(check_text("80% of pupils to achieve A*-C", style))


@pytest.mark.parametrize(
    "text",
    [
        "Improve outcomes in science",
        "Year 6 pupils to reach the expected standard in reading by July 2027",
        "Ensure every child in my class makes expected progress",
    ],
)
def test_broad_pupil_target_without_which_pupils_or_approach_seed_001_risk_3(text: str) -> None:
    assert "broad-pupil-target" in codes(check_text(text, "performance"))


def test_pupil_target_naming_group_need_and_approach_not_flagged_seed_001_risk_3() -> None:
    text = (
        "Raise attendance of Year 9 pupil premium pupils from 89% to 94% by July 2027 through "
        "weekly mentoring and first-day calls home"
    )
    assert codes(check_text(text, "performance")) == []


def test_broad_pupil_target_in_success_criteria_read_with_title_seed_001_risk_3() -> None:
    specific = good_objective(success_criteria="At least 5 of them reach age-related expectations")
    broad = good_objective(
        title="Raise standards in reading", success_criteria="80% of pupils reach ARE"
    )
    assert "broad-pupil-target" not in codes(check_item(specific, "performance"))
    flags = [f for f in check_item(broad, "performance") if f.code == "broad-pupil-target"]
    assert [f.field for f in flags] == ["title"]


# --- numeric-target (seed 003, point 1) --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Raise attendance of our Year 9 pupil premium pupils to 95% through weekly mentoring",
        "Achieve a Progress 8 score of +0.5 for my Year 11 group",
        "Pupils to make at least 2 sub-levels of progress",
        "Halve the number of pupils on the SEND register who are below ARE in reading",
        "Help 10 more students to pass GCSE maths",
    ],
)
def test_numeric_target_in_commitment_flagged_seed_003_point_1(text: str) -> None:
    assert "numeric-target" in codes(check_text(text, "growth"))


@pytest.mark.parametrize(
    "text",
    [
        "Explore how retrieval practice can help my Year 6 pupils remember key vocabulary",
        "Team-teach with a KS2 colleague to improve how pupils explain their reasoning",
        "Observe colleagues for 3 hours across the year to collect ideas for adaptive teaching",
        "By July 2027, have trialled two new approaches to vocabulary with my Year 9 class",
        "Build my understanding of Teachers' Standard 5 by shadowing our SENCo",
        "Improve my subject knowledge of the GCSE (9-1) chemistry required practicals",
        "Take part in the coaching programme, with 6 coaching sessions in 2026-27",
    ],
)
def test_numbers_describing_the_process_are_not_numeric_targets_seed_003(text: str) -> None:
    assert "numeric-target" not in codes(check_text(text, "growth"))


def test_numeric_target_not_checked_in_performance_style_4_6() -> None:
    flags = check_text(
        "Raise attendance of the Year 9 PP pupils to 95% by July 2027", "performance"
    )
    assert "numeric-target" not in codes(flags)


# --- no-timescale (4.6) -------------------------------------------------------------------


def test_objective_without_timescale_flagged_4_6() -> None:
    assert codes(check_text("Develop my questioning in lessons", "performance")) == ["no-timescale"]


@pytest.mark.parametrize(
    "text",
    [
        "Complete the NPQLT by June 2027",
        "Process supplier invoices within 10 working days of receipt",
        "Check the single central record every half term",
        "Embed the new phonics scheme by the end of the autumn term",
    ],
)
def test_objective_with_timescale_not_flagged_4_6(text: str) -> None:
    assert "no-timescale" not in codes(check_text(text, "performance"))


def test_commitment_has_no_timescale_check_seed_003_point_2() -> None:
    assert check_text("Develop my questioning in lessons", "growth") == []


@pytest.mark.parametrize("timescale", ["July 2027", date(2027, 7, 20)])
def test_timescale_field_satisfies_timescale_check_4_6(timescale: object) -> None:
    item = good_objective(title="Develop my questioning", timescale=timescale)
    assert "no-timescale" not in codes(check_item(item, "performance"))


def test_vague_timescale_field_flagged_4_6() -> None:
    flags = check_item(good_objective(timescale="ongoing"), "performance")
    assert [f.field for f in flags if f.code == "no-timescale"] == ["timescale"]


# --- no-end-of-cycle-expectation (4.6) ----------------------------------------------------


def test_multi_cycle_objective_without_end_of_cycle_expectation_flagged_4_6() -> None:
    item = good_objective(multi_cycle=True)
    assert "no-end-of-cycle-expectation" in codes(check_item(item, "performance"))
    item = good_objective(multi_cycle=True, end_of_cycle_expectation="Units 1-4 complete")
    assert "no-end-of-cycle-expectation" not in codes(check_item(item, "performance"))


def test_multi_cycle_wording_without_expectation_flagged_4_6() -> None:
    text = "Lead the whole-school move to a new MIS over the next two years"
    assert codes(check_text(text, "performance")) == ["no-end-of-cycle-expectation"]
    text += ", with the pupil records moved by the end of this cycle"
    assert codes(check_text(text, "performance")) == []


# --- no-success-criteria and no-priority (4.4, 4.6; seeds 002, 003) ------------------------


def test_good_objective_has_no_flags_4_6() -> None:
    assert check_item(good_objective(), "performance") == []


def test_objective_without_success_criteria_flagged_4_4() -> None:
    flags = check_item(good_objective(success_criteria="  "), "performance")
    assert codes(flags) == ["no-success-criteria"]
    assert flags[0].field == "success_criteria"


def test_objective_without_priority_flagged_4_6() -> None:
    flags = check_item(good_objective(priority=""), "performance")
    assert codes(flags) == ["no-priority"]


def test_commitment_linked_to_teachers_standard_needs_no_priority_seed_002() -> None:
    item = good_objective(priority=None, success_criteria="")
    assert check_item(item, "growth") == []
    flags = check_item({**item, "standards": []}, "growth")
    assert codes(flags) == ["no-priority"]
    assert "Teachers' Standard" in flags[0].message


def test_empty_item_has_no_flags() -> None:
    assert check_item({}, "performance") == []


# --- too-many-objectives (4.6, work-life balance) ------------------------------------------


def test_more_objectives_than_reasonable_flagged_4_6() -> None:
    items = [good_objective() for _ in range(4)] + [{"title": "  "}]
    assert check_set(items, "performance", reasonable_max=4) == []
    flags = check_set([*items, good_objective()], "growth", reasonable_max=4)
    assert codes(flags) == ["too-many-objectives"]
    assert "5 commitments" in flags[0].message and "4" in flags[0].message
    assert flags[0].field is None


def test_reasonable_max_must_be_positive() -> None:
    with pytest.raises(ValueError):
        check_set([], "performance", reasonable_max=0)


# --- school policy: advise or block -----------------------------------------------------


def test_school_sets_each_check_to_advise_or_block() -> None:
    flags = check_text("80% of pupils to achieve A*-C", "growth")
    resolved = apply_school_policy(flags, {"numeric-target": "block"})
    assert {f.code: f.severity for f in resolved} == {
        "broad-pupil-target": "advise",
        "numeric-target": "block",
    }
    assert [f.blocks for f in resolved] == [False, True]


@pytest.mark.parametrize("settings", [{"numeric-targets": "block"}, {"numeric-target": "warn"}])
def test_unknown_guidance_setting_fails_loudly(settings: dict[str, str]) -> None:
    with pytest.raises(UnknownGuidanceSetting):
        apply_school_policy([], settings)  # type: ignore[arg-type]


def test_unknown_style_fails_loudly() -> None:
    with pytest.raises(UnknownPolicyStyle):
        check_text("anything", "appraisal")


def test_every_flag_has_a_kind_message_and_a_source() -> None:
    for definition in FLAG_DEFINITIONS.values():
        assert definition.styles <= {"performance", "growth"}
        assert definition.source and definition.message.endswith((".", "?", '"'))
        assert len(definition.message) < 240  # fits beside a field on a phone


def test_every_flag_code_is_documented() -> None:
    documented = (ROOT / "docs" / "guidance.md").read_text(encoding="utf-8")
    for code in FLAG_CODES:
        assert f"`{code}`" in documented


# --- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "1 " * 50_000,
        "80% of pupils " * 7_000,
        "<" * 100_000,
        "by " * 33_000 + "spring",
        "学生の80%が合格する " * 9_000,
        "<script>alert(1)</script>" * 4_000,
        "A*-" * 33_000,
    ],
)
def test_hostile_100kb_text_is_checked_quickly(text: str) -> None:
    started = time.perf_counter()
    for style in ("performance", "growth"):
        check_text(text, style)
    assert time.perf_counter() - started < 1.0  # generous: backtracking would take minutes


def test_html_and_non_latin_text_are_read_as_text() -> None:
    assert "numeric-target" in codes(check_text("<b>80&#37;</b> of pupils pass", "growth"))
    assert check_text("Développer mon enseignement de la lecture", "growth") == []


# --- the labelled table ------------------------------------------------------------------


def load_table() -> list[tuple[str, str, set[str]]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [
            (row["style"], row["text"], {c for c in row["expected_flags"].split(",") if c})
            for row in reader
        ]


def test_table_has_at_least_40_realistic_rows_per_style() -> None:
    rows = load_table()
    for style in ("performance", "growth"):
        assert sum(1 for s, _, _ in rows if s == style) >= 40
    assert {code for _, _, expected in rows for code in expected} <= FLAG_CODES


@pytest.mark.parametrize("code", ["broad-pupil-target", "numeric-target"])
def test_table_precision_and_recall_at_least_0_9(code: str) -> None:
    tp = fp = fn = 0
    for style, text, expected in load_table():
        got = code in codes(check_text(text, style))
        tp += got and code in expected
        fp += got and code not in expected
        fn += not got and code in expected
    assert tp / (tp + fp) >= 0.9
    assert tp / (tp + fn) >= 0.9


# --- the CLI --------------------------------------------------------------------------------


def test_cli_prints_one_json_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "objectives.txt"
    path.write_text(
        "80% of pupils to achieve A*-C\n\n   \nObserve colleagues for 3 hours — “café”\n",
        encoding="utf-8",
    )
    assert main(["objectives", "check", "--style", "growth", str(path)]) == 0
    out = capsys.readouterr().out
    assert "“café”" in out  # ensure_ascii=False
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == [
        {
            "text": "80% of pupils to achieve A*-C",
            "flags": ["broad-pupil-target", "numeric-target"],
        },
        {"text": "Observe colleagues for 3 hours — “café”", "flags": []},
    ]


def test_cli_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Develop my questioning in lessons\n"))
    assert main(["objectives", "check", "--style", "performance"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "text": "Develop my questioning in lessons",
        "flags": ["no-timescale"],
    }


def test_cli_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["objectives", "check", "--style", "growth", str(tmp_path / "missing")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
