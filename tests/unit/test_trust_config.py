"""Trust files: the demo trust loads, and each broken file names the exact setting that is wrong."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from growthcycle.cli.main import main
from growthcycle.domain.trust import (
    School,
    TrustConfig,
    TrustConfigInvalid,
    TrustFileUnreadable,
    UnknownSchool,
    load_trust,
    parse_trust,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO_TRUST = ROOT / "infra" / "trusts" / "demo-trust.yaml"
BROKEN = ROOT / "tests" / "data" / "trusts"

MINIMAL = """\
trust:
  id: test-trust
  name: Test Learning Trust
  sender_address: appraisal@test.example
  base_url: https://growth.test.example
  operations_contact: operations@test.example
schools:
  - id: first-school
    name: First School
    nation: england
    policy_style: performance
"""


def problems_in(path: Path) -> list[str]:
    with pytest.raises(TrustConfigInvalid) as raised:
        load_trust(path)
    return raised.value.problems


# --- the demo trust ---------------------------------------------------------------------------


def test_demo_trust_loads_with_two_schools() -> None:
    config = load_trust(DEMO_TRUST)

    assert config.trust.id == "demo-trust"
    assert config.trust.name == "Oak Valley Learning Trust"
    assert config.trust.base_url == "https://appraisal.oakvalley.example"
    assert [s.id for s in config.schools] == ["oakfield-primary", "riverside-academy"]


def test_demo_schools_use_both_policy_styles() -> None:
    config = load_trust(DEMO_TRUST)
    oakfield = config.school("oakfield-primary")
    riverside = config.school("riverside-academy")

    assert (oakfield.nation, oakfield.policy_style) == ("england", "performance")
    assert (oakfield.moderation.mode, oakfield.moderation.sample_percent) == ("sample", 50)
    assert (oakfield.reviewers.mode, oakfield.reviewers.max_reviewees) == ("line-managers", 6)
    assert (riverside.nation, riverside.policy_style) == ("wales", "growth")
    assert riverside.moderation.mode == "all"
    assert riverside.reflection_rhythm == "half-term"
    for school in config.schools:
        assert 3 <= len(school.priorities) <= 5


def test_demo_closures_count_against_working_days() -> None:
    calendar = load_trust(DEMO_TRUST).school("oakfield-primary").working_calendar()

    # Friday 18 December 2026 is the last day of term; 4 January 2027 is an INSET day.
    assert calendar.add_working_days(date(2026, 12, 18), 1) == date(2027, 1, 5)
    assert calendar.why_not_working(date(2027, 2, 16)) == "school closed: February half term"


def test_closures_do_not_count_unless_the_trust_says_so() -> None:
    config = parse_trust(
        MINIMAL
        + "    closures:\n      apply: false\n"
        + "      days: [{from: 2027-02-15, to: 2027-02-19, reason: February half term}]\n"
    )
    school = config.school("first-school")

    assert len(school.closures.reasons()) == 5
    assert len(school.closure_days()) == 0


def test_defaults_follow_the_model_policy() -> None:
    config = parse_trust(MINIMAL)
    school = config.school("first-school")

    assert config.trust.link_expiry_days == 14
    assert config.trust.escalation_working_days == 3
    assert config.trust.retention_years == 6  # 7
    assert school.cycle.teachers_due_on(2026) == date(2026, 10, 31)  # 4.1
    assert school.cycle.headteacher_due_on(2026) == date(2026, 12, 31)  # 4.1
    assert school.objectives.reasonable_max == 3  # 4.6
    assert school.guidance_action("numeric-target") == "advise"


def test_school_operations_contact_falls_back_to_the_trust() -> None:
    config = parse_trust(MINIMAL)

    assert config.operations_contact_for("first-school") == "operations@test.example"


def test_a_school_mirrored_as_json_reads_back_the_same() -> None:
    for school in load_trust(DEMO_TRUST).schools:
        assert School.model_validate_json(school.model_dump_json()) == school


def test_unknown_school_is_an_error() -> None:
    with pytest.raises(UnknownSchool):
        load_trust(DEMO_TRUST).school("no-such-school")


def test_config_is_frozen() -> None:
    config: TrustConfig = parse_trust(MINIMAL)

    with pytest.raises(ValueError, match="frozen"):
        config.trust.retention_years = 1  # type: ignore[misc]


# --- broken files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "problem"),
    [
        (
            "sample-percent-out-of-range.yaml",
            "schools[1].moderation.sample_percent: must be between 1 and 100",
        ),
        (
            "sample-percent-without-sample.yaml",
            "schools[0].moderation.sample_percent: only applies when mode is sample",
        ),
        (
            "unknown-key.yaml",
            "schools[0].moderaton: unknown setting (did you mean moderation?)",
        ),
        (
            "bad-nation.yaml",
            "schools[0].nation: must be one of: england, wales, scotland, northern-ireland",
        ),
        (
            "short-retention.yaml",
            "trust.retention_years: must be at least 6 "
            "(policy section 7: statements are kept six years from the end of the cycle)",
        ),
        (
            "duplicate-school.yaml",
            "schools[1].id: duplicate school id first-school (already used by schools[0])",
        ),
        (
            "duplicate-priority.yaml",
            "schools[0].priorities[2].id: duplicate priority id reading "
            "(already used by priorities[0])",
        ),
    ],
)
def test_broken_file_names_the_setting(fixture: str, problem: str) -> None:
    assert problems_in(BROKEN / fixture) == [problem]


def test_every_closure_problem_is_reported() -> None:
    assert problems_in(BROKEN / "bad-closures.yaml") == [
        "schools[0].closures.days[0].date: must be a real date, YYYY-MM-DD",
        "schools[0].closures.days[1].to: must not be before from",
        "schools[0].closures.days[2]: give either date, or from and to",
        "schools[0].closures.days[3]: give either date, or from and to, not both",
    ]


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    assert problems_in(BROKEN / "many-problems.yaml") == [
        "trust.id: must be a slug: lowercase letters, digits and hyphens, such as oak-valley",
        "trust.sender_address: is required",
        "trust.base_url: must be an https:// address, such as https://growth.trust.example "
        "(http:// only for 127.0.0.1 or localhost)",
        "trust.link_expiry_days: must be between 1 and 60",
        "trust.operations_contact: must be an email address, such as appraisal@school.example",
        "trust.sender_adress: unknown setting (did you mean sender_address?)",
        "schools[0].policy_style: must be one of: performance, growth",
        "schools[0].cycle.teachers_due: must be a month and day, MM-DD, such as 10-31",
        "schools[0].reviewers.max_reviewees: must be at least 1",
        "schools[0].guidance.numeric-targets: unknown check (did you mean numeric-target?)",
        "schools[0].guidance.no-timescale: must be one of: advise, block",
    ]


def test_yaml_syntax_error_is_one_problem_with_line_and_column() -> None:
    [problem] = problems_in(BROKEN / "syntax-error.yaml")

    assert problem.startswith("line 9, column 4: ")


def test_duplicate_yaml_key_is_refused() -> None:
    with pytest.raises(TrustConfigInvalid) as raised:
        parse_trust(MINIMAL + "    nation: wales\n")

    assert raised.value.problems == ["line 12, column 5: duplicate key nation"]


def test_a_yes_or_on_key_is_still_a_setting_name() -> None:
    with pytest.raises(TrustConfigInvalid) as raised:
        parse_trust(MINIMAL + "    on: true\n")

    assert raised.value.problems == [
        "schools[0].on: unknown setting; expected one of: " + ", ".join(School.model_fields)
    ]


def test_empty_file_is_one_problem() -> None:
    with pytest.raises(TrustConfigInvalid) as raised:
        parse_trust("# nothing here\n")

    assert raised.value.problems == ["the file: is empty"]


def test_a_list_instead_of_settings_is_one_problem() -> None:
    with pytest.raises(TrustConfigInvalid) as raised:
        parse_trust("- trust\n- schools\n")

    assert raised.value.problems == ["the file: must be a mapping of settings"]


def test_no_schools_is_a_problem() -> None:
    with pytest.raises(TrustConfigInvalid) as raised:
        parse_trust(MINIMAL.split("schools:")[0] + "schools: []\n")

    assert raised.value.problems == ["schools: must list at least one school"]


@pytest.mark.parametrize(
    "base_url",
    ["https://growth.trust.example", "http://127.0.0.1:8000", "http://localhost:8000/"],
)
def test_base_url_is_https_except_on_this_machine(base_url: str) -> None:
    config = parse_trust(MINIMAL.replace("https://growth.test.example", base_url))

    assert not config.trust.base_url.endswith("/")


def test_unreadable_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(TrustFileUnreadable) as raised:
        load_trust(tmp_path / "missing.yaml")

    assert raised.value.problems == ["cannot read the file: No such file or directory"]


# --- growthcycle config check ----------------------------------------------------------------


def test_check_prints_ok_for_the_demo_trust(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["config", "check", str(DEMO_TRUST)])

    assert code == 0
    assert capsys.readouterr().out == f"ok: {DEMO_TRUST}: 2 schools\n"


def test_check_prints_every_problem_prefixed_with_the_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = BROKEN / "many-problems.yaml"

    code = main(["config", "check", str(path)])

    assert code == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11
    assert (
        lines[0]
        == f"{path}: trust.id: must be a slug: lowercase letters, digits and hyphens, such as oak-valley"
    )
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_check_exits_2_when_the_file_cannot_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "missing.yaml"

    code = main(["config", "check", str(path)])

    assert code == 2
    assert capsys.readouterr().out == f"{path}: cannot read the file: No such file or directory\n"


def test_guidance_settings_name_exactly_the_guidance_checks() -> None:
    from growthcycle.domain.guidance import FLAG_CODES
    from growthcycle.domain.trust import GUIDANCE_CODES

    assert set(GUIDANCE_CODES) == set(FLAG_CODES)
