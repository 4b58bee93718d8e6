"""`growthcycle deploy`: the trust file and samconfig.toml agree, the dry run prints the commands
and parameters and runs nothing, and a missing environment or `sam` is a clear error. No AWS, no
subprocess: the runner, `which` and the stack outputs are fakes."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from growthcycle.cli import deploy as deploy_cli
from growthcycle.cli.deploy import DeployPlan, deploy
from growthcycle.cli.main import main

BUILD = ".aws-sam/build"

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED_URL = "https://appraisal.oakvalley.example"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's deploy files. The demo trust file's base_url is the local stack's
    (http://127.0.0.1:8000), so the copy carries the deployed address samconfig.toml passes."""
    shutil.copy(ROOT / "samconfig.toml", tmp_path / "samconfig.toml")
    shutil.copy(ROOT / "template.yaml", tmp_path / "template.yaml")
    trusts = tmp_path / "infra" / "trusts"
    trusts.mkdir(parents=True)
    text = (ROOT / "infra" / "trusts" / "demo-trust.yaml").read_text(encoding="utf-8")
    text = text.replace("base_url: http://127.0.0.1:8000", f"base_url: {DEPLOYED_URL}")
    (trusts / "demo-trust.yaml").write_text(text, encoding="utf-8")
    return tmp_path


class Recorder:
    def __init__(self, code: int = 0) -> None:
        self.code = code
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str], cwd: Path) -> int:
        self.commands.append(list(command))
        return self.code


def no_aws(stack: str, region: str) -> dict[str, str]:
    raise AssertionError("the dry run must call no AWS API")


def test_dry_run_prints_sam_build_and_deploy_with_the_parameters_and_runs_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(deploy_cli, "PROJECT_ROOT", project)
    monkeypatch.setattr(deploy_cli, "_run_command", Recorder())
    monkeypatch.setattr(deploy_cli, "stack_outputs", no_aws)

    assert main(["deploy", "--trust", "demo-trust", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "sam build --config-env demo-trust" in out
    assert "sam deploy --config-env demo-trust" in out
    assert "stack growthcycle-demo-trust in eu-west-2" in out
    for parameter in (
        "TrustName=Oak Valley Learning Trust",
        "SenderAddress=appraisal@oakvalley.example",
        "SenderDomain=oakvalley.example",
        f"BaseUrl={DEPLOYED_URL}",
    ):
        assert f"  {parameter}\n" in out
    assert "write 2 SCHOOL items" in out
    assert "TableName output" in out


def test_dry_run_runs_no_command(project: Path) -> None:
    runner = Recorder()
    lines: list[str] = []
    code = deploy(
        "demo-trust",
        dry_run=True,
        root=project,
        runner=runner,
        which=lambda name: f"/usr/bin/{name}",
        out=lines.append,
        outputs=no_aws,
    )
    assert code == 0
    assert runner.commands == []
    assert "  cfn-lint template.yaml" in lines


def test_missing_environment_is_a_clear_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(
        project / "infra" / "trusts" / "demo-trust.yaml",
        project / "infra" / "trusts" / "new-trust.yaml",
    )
    code = deploy("new-trust", dry_run=True, root=project, runner=Recorder(), outputs=no_aws)
    assert code == 1
    err = capsys.readouterr().err
    assert "samconfig.toml: no environment 'new-trust'" in err
    assert "copy the demo-trust blocks" in err


def test_missing_trust_file_is_a_clear_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deploy("no-such-trust", dry_run=True, root=project, outputs=no_aws) == 1
    assert "infra/trusts/no-such-trust.yaml: cannot read the file" in capsys.readouterr().err


def test_parameters_that_disagree_with_the_trust_file_are_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust_file = project / "infra" / "trusts" / "demo-trust.yaml"
    text = trust_file.read_text(encoding="utf-8")
    text = text.replace("name: Oak Valley Learning Trust", "name: Oak Valley Trust")
    text = text.replace("link_expiry_days: 14", "link_expiry_days: 7")
    trust_file.write_text(text, encoding="utf-8")

    assert deploy("demo-trust", dry_run=True, root=project, outputs=no_aws) == 1
    err = capsys.readouterr().err
    assert "TrustName is 'Oak Valley Learning Trust' (parameter_overrides)" in err
    assert "says 'Oak Valley Trust'" in err
    # samconfig leaves LinkExpiryDays to the template's default, which no longer matches.
    assert "LinkExpiryDays is '14' (the template default)" in err


def test_without_sam_on_path_the_error_says_how_to_install_it_in_its_own_venv(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runner = Recorder()
    code = deploy("demo-trust", dry_run=False, root=project, runner=runner, which=lambda _: None)
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "pip install aws-sam-cli" in err
    assert "never the project's" in err
    assert runner.commands == []


def test_deploy_lints_builds_deploys_then_writes_the_schools_to_the_stacks_table(
    project: Path,
) -> None:
    runner = Recorder()
    written: list[tuple[str, str]] = []

    def schools_writer(plan: DeployPlan, table: str) -> int:
        written.append((plan.trust.trust.id, table))
        return len(plan.trust.schools)

    lines: list[str] = []
    code = deploy(
        "demo-trust",
        dry_run=False,
        root=project,
        runner=runner,
        which=lambda name: f"/usr/bin/{name}",
        out=lines.append,
        outputs=lambda stack, region: {"TableName": f"{stack}-Table", "DkimRecords": "a=b"},
        schools_writer=schools_writer,
    )
    assert code == 0
    assert runner.commands == [
        ["cfn-lint", "template.yaml"],
        ["sam", "build", "--config-env", "demo-trust"],
        [sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", BUILD],
        ["sam", "deploy", "--config-env", "demo-trust", "--no-fail-on-empty-changeset"],
    ]
    assert written == [("demo-trust", "growthcycle-demo-trust-Table")]
    assert "wrote 2 SCHOOL items to growthcycle-demo-trust-Table" in lines


def test_a_failed_sam_deploy_stops_before_the_schools_are_written(project: Path) -> None:
    def schools_writer(plan: DeployPlan, table: str) -> int:
        raise AssertionError("must not write after a failed deploy")

    code = deploy(
        "demo-trust",
        dry_run=False,
        root=project,
        runner=Recorder(code=2),
        which=lambda name: "/usr/bin/sam" if name == "sam" else None,
        outputs=no_aws,
        schools_writer=schools_writer,
    )
    assert code == 2


def test_schools_written_after_deploy_are_the_items_the_functions_read(
    project: Path, aws: object
) -> None:
    """write_schools reuses put_trust: the SCHOOL items the web functions read (services.py)."""
    from growthcycle.adapters.store import Store
    from growthcycle.cli.deploy import plan_deploy, write_schools
    from growthcycle.domain.trust import School
    from tests.conftest import TABLE

    plan = plan_deploy("demo-trust", project)
    assert write_schools(plan, TABLE) == 2
    item = Store(TABLE).get_school("riverside-academy")
    assert item is not None
    assert School.model_validate_json(item["config"]).policy_style == "growth"


# ---------------------------------------------------------------- the first day (issue 13, 1 and 2)


def _overrides(project: Path, old: str, new: str) -> None:
    samconfig = project / "samconfig.toml"
    text = samconfig.read_text(encoding="utf-8")
    assert old in text
    samconfig.write_text(text.replace(old, new), encoding="utf-8")


def test_dry_run_shows_the_domain_and_ses_steps_and_names_the_manual_ones(project: Path) -> None:
    lines: list[str] = []
    assert deploy("demo-trust", dry_run=True, root=project, out=lines.append, outputs=no_aws) == 0
    text = "\n".join(lines)
    assert "links use https://appraisal.oakvalley.example" in text
    assert "add the validation CNAME" in text and "ApiDomainTarget" in text
    assert "SES identity for oakvalley.example" in text and "DkimRecords" in text
    assert "MAIL FROM bounce.oakvalley.example" in text
    assert "production access" in text
    assert text.count("(manual step") >= 4


def test_without_a_domain_links_use_the_api_url_set_by_a_second_deploy(project: Path) -> None:
    _overrides(
        project,
        'DomainName=\\"appraisal.oakvalley.example\\" BaseUrl=\\"https://appraisal.oakvalley.example\\" ',
        "",
    )
    runner = Recorder()
    lines: list[str] = []
    api = "https://abc123.execute-api.eu-west-2.amazonaws.com"
    code = deploy(
        "demo-trust",
        dry_run=False,
        root=project,
        runner=runner,
        which=lambda name: f"/usr/bin/{name}" if name == "sam" else None,
        out=lines.append,
        outputs=lambda stack, region: {"TableName": "t", "ApiUrl": api},
        schools_writer=lambda plan, table: 2,
    )
    assert code == 0
    second = runner.commands[-1]
    assert second[:4] == ["sam", "deploy", "--config-env", "demo-trust"]
    assert second[-2] == "--parameter-overrides"
    assert f'BaseUrl="{api}"' in second[-1]
    assert 'TrustName="Oak Valley Learning Trust"' in second[-1]
    assert f"links use: {api}" in lines


def test_a_base_url_that_disagrees_with_the_domain_is_named(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _overrides(
        project,
        'BaseUrl=\\"https://appraisal.oakvalley.example\\"',
        'BaseUrl=\\"https://x.example\\"',
    )
    assert deploy("demo-trust", dry_run=True, root=project, outputs=no_aws) == 1
    assert "DomainName 'appraisal.oakvalley.example' makes it" in capsys.readouterr().err


def test_an_existing_ses_identity_is_used_not_created(project: Path) -> None:
    _overrides(
        project, 'MailFromDomain=\\"bounce.oakvalley.example\\"', 'CreateEmailIdentity=\\"false\\"'
    )
    lines: list[str] = []
    assert deploy("demo-trust", dry_run=True, root=project, out=lines.append, outputs=no_aws) == 0
    assert any("already verified" in line for line in lines)


def test_a_broken_trust_form_stops_the_deploy_before_anything_runs(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12, item 1: the trust's own forms are checked against the forms this release ships;
    a broken one is named with its file, field and problem, and nothing is built or written."""
    forms = project / "infra" / "trusts" / "demo-trust" / "forms"
    forms.mkdir(parents=True)
    (forms / "planning-review.yaml").write_text(
        "extends: planning-review\nfields: {remove: [training_needs]}\n", encoding="utf-8"
    )
    runner = Recorder()
    assert deploy("demo-trust", dry_run=False, root=project, runner=runner, outputs=no_aws) == 1
    err = capsys.readouterr().err
    assert "demo-trust/forms/planning-review.yaml: form 'planning-review'" in err
    assert "has no field with role 'training_needs'" in err
    assert runner.commands == []


def test_a_wonde_token_named_for_another_stack_stops_the_deploy(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 16, section 2: the nightly sync may read only growthcycle/<this stack>/wonde/*.
    trust_file = project / "infra" / "trusts" / "demo-trust.yaml"
    text = trust_file.read_text(encoding="utf-8")
    arn = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:growthcycle/other/wonde/op-AbC"
    text = text.replace(
        "    name: Oakfield Primary School\n",
        "    name: Oakfield Primary School\n"
        f"    wonde: {{school_id: A1930499544, token_secret_arn: '{arn}'}}\n",
        1,
    )
    trust_file.write_text(text, encoding="utf-8")
    assert deploy("demo-trust", dry_run=True, root=project, outputs=no_aws) == 1
    err = capsys.readouterr().err
    assert "school oakfield-primary: wonde.token_secret_arn names stack 'other'" in err
    assert "'growthcycle-demo-trust'" in err
    # A school syncs from Wonde: the nightly sync's schedule must be on for this stack.
    assert "RosterSync is 'off' (the template default)" in err and "says 'on'" in err
