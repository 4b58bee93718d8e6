"""`growthcycle deploy --trust NAME [--dry-run]`: check, build and deploy one trust's stack.

1. Checks, all reported together (any problem stops here, exit 1):
   - the trust file `infra/trusts/<NAME>.yaml` loads (domain/trust.py) and its `trust.id` is NAME;
   - `samconfig.toml` has the environment NAME with `stack_name` and `parameter_overrides`, and
     the parameters agree with the trust file: TrustName, SenderAddress, SenderDomain (the
     sender's domain), BaseUrl, and LinkExpiryDays, RetentionYears, EscalationWorkingDays (where
     samconfig leaves one out, the template's default must equal the trust file's value);
     BaseUrl follows DomainName: with a DomainName, links use https://<DomainName> (BaseUrl, if
     given, must say the same, and so must the trust file); without one and without BaseUrl,
     links use the API's own address, set after the first deploy (below);
   - `cfn-lint template.yaml`, when cfn-lint is installed.
2. `sam build --config-env NAME`, `python -m compileall` on the build (Lambda cannot write .pyc
   files, so a package without them compiles our modules on every cold start), then `sam deploy --config-env NAME --no-fail-on-empty-changeset`
   (which asks to confirm the change set, as samconfig says; with nothing to change it carries on).
   Without a DomainName or BaseUrl, a second `sam deploy` then passes BaseUrl=<the ApiUrl output>
   (a function cannot reference its own HTTP API in the template: a circular dependency).
3. The trust's school settings are written to the new stack's table (the SCHOOL items the
   functions read; `put_trust`), the table named by the stack's `TableName` output.

`--dry-run` does the file checks of step 1 and prints every command and the parameters; it runs
no command (not even cfn-lint) and calls no AWS API.

The AWS SAM CLI pins old boto3 and pydantic versions, so it lives in its own virtualenv, never in
the project's; `sam` only has to be on PATH.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from growthcycle.domain.trust import TrustConfig, TrustConfigInvalid, load_trust

PROJECT_ROOT = Path(__file__).resolve().parents[3]

SAM_MISSING = (
    "growthcycle deploy: `sam` (AWS SAM CLI) is not on PATH. Install it in its own virtualenv, "
    "never the project's (it pins old boto3 and pydantic): python3 -m venv ~/.venvs/sam && "
    '~/.venvs/sam/bin/pip install aws-sam-cli && export PATH="$HOME/.venvs/sam/bin:$PATH"'
)

Runner = Callable[[Sequence[str], Path], int]  # (argv, working folder) -> exit code
Which = Callable[[str], str | None]


class DeployConfigInvalid(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class DeployPlan:
    trust_name: str
    trust: TrustConfig
    stack_name: str
    region: str
    parameters: dict[str, str]
    root: Path

    @property
    def trust_file(self) -> Path:
        return self.root / "infra" / "trusts" / f"{self.trust_name}.yaml"

    @property
    def base_url_from_api(self) -> bool:
        """No custom domain and no BaseUrl: links use the API's own address (ApiUrl)."""
        return not self.parameters.get("DomainName") and not self.parameters.get("BaseUrl")

    def deploy_with_base_url(self, api_url: str) -> list[str]:
        """The second deploy: every samconfig parameter plus BaseUrl (sam's
        --parameter-overrides replaces samconfig's, so all of them are passed)."""
        overrides = {**self.parameters, "BaseUrl": api_url}
        text = " ".join(f'{name}="{value}"' for name, value in overrides.items())
        return [*self.commands[-1], "--parameter-overrides", text]

    @property
    def commands(self) -> list[list[str]]:
        return [
            ["sam", "build", "--config-env", self.trust_name],
            # Lambda's /var/task is read-only, so Python compiles every module of ours on every
            # cold start unless the package carries .pyc files. This interpreter is the
            # runtime's Python 3.11 (pyproject.toml); unchecked-hash pycs ignore zip mtimes.
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "--invalidation-mode",
                "unchecked-hash",
                ".aws-sam/build",
            ],
            # A trust-file-only change (a new school) changes no stack parameter: an empty change
            # set must not stop the SCHOOL items being written afterwards.
            ["sam", "deploy", "--config-env", self.trust_name, "--no-fail-on-empty-changeset"],
        ]

    @property
    def lint_command(self) -> list[str]:
        return ["cfn-lint", "template.yaml"]


def _template_defaults(root: Path) -> dict[str, str]:
    from growthcycle.local.table import load_template

    parameters = load_template(root / "template.yaml").get("Parameters", {})
    return {
        name: str(spec["Default"])
        for name, spec in parameters.items()
        if isinstance(spec, dict) and "Default" in spec
    }


def _expected_parameters(trust: TrustConfig) -> dict[str, str]:
    """What the stack's parameters must be for this trust file."""
    settings = trust.trust
    return {
        "TrustName": settings.name,
        "SenderAddress": settings.sender_address,
        "SenderDomain": settings.sender_address.rsplit("@", 1)[1].lower(),
        "BaseUrl": settings.base_url,
        "LinkExpiryDays": str(settings.link_expiry_days),
        "RetentionYears": str(settings.retention_years),
        "EscalationWorkingDays": str(settings.escalation_working_days),
        # Issue 16: the nightly roster sync's schedule is on when a school syncs from Wonde.
        "RosterSync": "on" if any(s.wonde for s in trust.schools) else "off",
    }


def plan_deploy(trust_name: str, root: Path = PROJECT_ROOT) -> DeployPlan:
    """Check the trust file against samconfig.toml; raise `DeployConfigInvalid` listing every
    problem."""
    problems: list[str] = []
    trust_file = root / "infra" / "trusts" / f"{trust_name}.yaml"
    trust: TrustConfig | None = None
    try:
        trust = load_trust(trust_file)
    except TrustConfigInvalid as invalid:
        problems += [f"{trust_file.relative_to(root)}: {p}" for p in invalid.problems]
    if trust is not None and trust.trust.id != trust_name:
        problems.append(
            f"{trust_file.relative_to(root)}: trust.id is {trust.trust.id!r}, "
            f"but the file and the samconfig environment are {trust_name!r}"
        )

    samconfig = root / "samconfig.toml"
    deploy: dict[str, Any] = {}
    try:
        config = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        problems.append(f"samconfig.toml: cannot read it: {error}")
        config = {}
    environment = config.get(trust_name)
    if config and not isinstance(environment, dict):
        problems.append(
            f"samconfig.toml: no environment {trust_name!r}. Add [{trust_name}.build.parameters] "
            f"and [{trust_name}.deploy.parameters] (copy the demo-trust blocks and change "
            "stack_name and parameter_overrides)"
        )
    elif isinstance(environment, dict):
        deploy = environment.get("deploy", {}).get("parameters", {})
        if not deploy:
            problems.append(f"samconfig.toml: no [{trust_name}.deploy.parameters]")

    parameters: dict[str, str] = {}
    if deploy:
        try:
            parameters = dict(
                item.split("=", 1) for item in shlex.split(deploy.get("parameter_overrides", ""))
            )
        except ValueError as error:
            problems.append(
                f"samconfig.toml: [{trust_name}.deploy.parameters] parameter_overrides: {error}"
            )
        for key in ("stack_name", "region"):
            if not deploy.get(key):
                problems.append(f"samconfig.toml: [{trust_name}.deploy.parameters] has no {key}")

    if trust is not None and deploy:
        defaults = _template_defaults(root)
        expected = _expected_parameters(trust)
        domain = parameters.get("DomainName", "")
        if domain:
            derived = f"https://{domain}"
            if parameters.get("BaseUrl", derived) != derived:
                problems.append(
                    f"samconfig.toml: BaseUrl is {parameters['BaseUrl']!r} but DomainName "
                    f"{domain!r} makes it {derived!r}: leave BaseUrl out or make it agree"
                )
            parameters_with_base = {**parameters, "BaseUrl": derived}
        else:
            parameters_with_base = parameters
            if not parameters.get("BaseUrl"):
                expected.pop("BaseUrl")  # the API's own address, known after the first deploy
        for name, wanted in expected.items():
            given = parameters_with_base.get(name, defaults.get(name))
            if given is None:
                problems.append(
                    f"samconfig.toml: [{trust_name}.deploy.parameters] parameter_overrides has "
                    f"no {name}; the trust file says {wanted!r}"
                )
            elif given != wanted:
                where = "parameter_overrides" if name in parameters else "the template default"
                problems.append(
                    f"samconfig.toml: {name} is {given!r} ({where}) but "
                    f"{trust_file.relative_to(root)} says {wanted!r}"
                )

    if trust is not None and deploy:
        # Issue 16: the API may read only this stack's sign-in client secrets (template.yaml).
        from growthcycle.domain.sign_in_providers import SECRET_ARN

        for provider in trust.trust.sign_in:
            found = SECRET_ARN.match(provider.client_secret_arn or "")
            if found and found.group("stack") != deploy.get("stack_name"):
                problems.append(
                    f"{trust_file.relative_to(root)}: sign_in {provider.id}: client_secret_arn "
                    f"names stack {found.group('stack')!r}, but this stack is "
                    f"{deploy.get('stack_name')!r}: the API could not read it"
                )
        # The nightly roster sync may read only this stack's Wonde tokens (template.yaml).
        from growthcycle.domain.trust import WONDE_SECRET_ARN

        for school in trust.schools:
            found = WONDE_SECRET_ARN.match(school.wonde.token_secret_arn) if school.wonde else None
            if found and found.group("stack") != deploy.get("stack_name"):
                problems.append(
                    f"{trust_file.relative_to(root)}: school {school.id}: wonde.token_secret_arn "
                    f"names stack {found.group('stack')!r}, but this stack is "
                    f"{deploy.get('stack_name')!r}: the nightly sync could not read it"
                )
    if trust is not None:
        # The trust's and its schools' own forms, against the forms this release ships.
        from growthcycle.domain.form_layers import trust_forms
        from growthcycle.domain.forms import load_forms

        problems += trust_forms(load_forms(), trust_file, trust.schools)[1]
    if problems or trust is None:
        raise DeployConfigInvalid(problems)
    return DeployPlan(
        trust_name=trust_name,
        trust=trust,
        stack_name=str(deploy["stack_name"]),
        region=str(deploy["region"]),
        parameters=parameters,
        root=root,
    )


def _print_plan(plan: DeployPlan, out: Callable[[str], None]) -> None:
    schools = ", ".join(s.id for s in plan.trust.schools)
    out(f"trust {plan.trust_name}: {plan.trust.trust.name} ({schools})")
    out(f"stack {plan.stack_name} in {plan.region}, parameters (samconfig.toml):")
    for name, value in plan.parameters.items():
        out(f"  {name}={value}")
    for line in _first_day_steps(plan):
        out(line)


def _first_day_steps(plan: DeployPlan) -> list[str]:
    """What the stack will do about the domain and SES, and what is left to do by hand
    (docs/operations.md walks each step)."""
    p = plan.parameters
    domain = p.get("DomainName", "")
    lines = ["domain:"]
    if domain:
        lines.append(f"  links use https://{domain}; the stack creates its API domain and mapping")
        if p.get("CertificateArn"):
            lines.append(f"  certificate: {p['CertificateArn']} (must be ISSUED, in {plan.region})")
        elif p.get("HostedZoneId"):
            lines.append("  certificate: the stack requests one, validated in the hosted zone")
        else:
            lines.append(
                "  certificate: the stack requests one and WAITS: add the validation CNAME the "
                "stack's events show (manual step)"
            )
        if p.get("HostedZoneId"):
            lines.append(f"  DNS: the stack adds {domain} to hosted zone {p['HostedZoneId']}")
        else:
            lines.append(
                f"  DNS: point {domain} at the ApiDomainTarget output (manual step, a CNAME)"
            )
    elif p.get("BaseUrl"):
        lines.append(f"  no custom domain; links use BaseUrl {p['BaseUrl']}")
    else:
        lines.append(
            "  no custom domain; links use the API's own address: after the first deploy, a "
            "second `sam deploy` passes BaseUrl=<ApiUrl output>"
        )
    sender_domain = p.get("SenderDomain", "")
    lines.append("email (SES):")
    if p.get("CreateEmailIdentity", "true") == "true":
        lines.append(
            f"  the stack creates the SES identity for {sender_domain}: add the three DkimRecords "
            "CNAMEs to DNS (manual step)"
        )
    else:
        lines.append(
            f"  uses the SES identity {sender_domain} already verified in {plan.region} "
            "(CreateEmailIdentity=false)"
        )
    if p.get("MailFromDomain"):
        lines.append(
            f"  MAIL FROM {p['MailFromDomain']}: add the MX and TXT records of the MailFromRecords "
            "output (manual step)"
        )
    else:
        lines.append(
            "  no custom MAIL FROM domain: SPF will not align with the From domain (DMARC)"
        )
    lines.append(
        f"  a DMARC TXT record _dmarc.{sender_domain} (p=none to start), then SES production "
        "access (manual steps; in the sandbox only verified addresses receive mail)"
    )
    return lines


def stack_outputs(stack_name: str, region: str) -> dict[str, str]:
    import boto3

    stacks = boto3.client("cloudformation", region_name=region).describe_stacks(
        StackName=stack_name
    )["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def write_schools(plan: DeployPlan, table_name: str) -> int:
    import boto3

    from growthcycle.adapters.store import Store
    from growthcycle.local.seed import put_trust

    dynamodb = boto3.client("dynamodb", region_name=plan.region)
    put_trust(Store(table_name, dynamodb), plan.trust, plan.trust_file)
    return len(plan.trust.schools)


def _run_command(command: Sequence[str], cwd: Path) -> int:
    return subprocess.run(list(command), cwd=cwd, check=False).returncode  # noqa: S603 - fixed argv


def deploy(
    trust_name: str,
    *,
    dry_run: bool,
    root: Path = PROJECT_ROOT,
    runner: Runner = _run_command,
    which: Which = shutil.which,
    out: Callable[[str], None] = print,
    outputs: Callable[[str, str], dict[str, str]] = stack_outputs,
    schools_writer: Callable[[DeployPlan, str], int] = write_schools,
) -> int:
    try:
        plan = plan_deploy(trust_name, root)
    except DeployConfigInvalid as invalid:
        for problem in invalid.problems:
            print(f"growthcycle deploy: {problem}", file=sys.stderr)
        return 1
    _print_plan(plan, out)
    has_sam = which("sam") is not None
    if dry_run:
        out("dry run: would run, in " + str(plan.root) + ":")
        if which("cfn-lint"):
            out("  " + shlex.join(plan.lint_command))
        for command in plan.commands:
            out("  " + shlex.join(command))
        if plan.base_url_from_api:
            out("  " + shlex.join(plan.deploy_with_base_url("<ApiUrl output>")))
        out(
            f"  then write {len(plan.trust.schools)} SCHOOL items (the trust file's school "
            f"settings) to the table in stack {plan.stack_name}'s TableName output"
        )
        if not has_sam:
            out("note: " + SAM_MISSING.removeprefix("growthcycle deploy: "))
        return 0
    if not has_sam:
        print(SAM_MISSING, file=sys.stderr)
        return 1

    if which("cfn-lint"):
        out("$ " + shlex.join(plan.lint_command))
        if runner(plan.lint_command, plan.root) != 0:
            print("growthcycle deploy: cfn-lint found problems in template.yaml", file=sys.stderr)
            return 1
    for command in plan.commands:
        out("$ " + shlex.join(command))
        code = runner(command, plan.root)
        if code != 0:
            print(f"growthcycle deploy: {shlex.join(command)} failed ({code})", file=sys.stderr)
            return code
    found = outputs(plan.stack_name, plan.region)
    if plan.base_url_from_api and found.get("ApiUrl"):
        command = plan.deploy_with_base_url(found["ApiUrl"])
        out("$ " + shlex.join(command))
        code = runner(command, plan.root)
        if code != 0:
            print(f"growthcycle deploy: the BaseUrl deploy failed ({code})", file=sys.stderr)
            return code
    table = found.get("TableName")
    if not table:
        print(
            f"growthcycle deploy: stack {plan.stack_name} has no TableName output", file=sys.stderr
        )
        return 1
    count = schools_writer(plan, table)
    out(f"wrote {count} SCHOOL items to {table}")
    if "ApiUrl" in found:
        out(f"API: {found['ApiUrl']}")
    if "BaseUrl" in found or plan.base_url_from_api:
        out(f"links use: {found.get('BaseUrl') or found.get('ApiUrl')}")
    if "ApiDomainTarget" in found:
        out(f"point the domain at (unless the stack's hosted zone did): {found['ApiDomainTarget']}")
    if "DkimRecords" in found:
        out(f"SES DKIM records to add to DNS (docs/operations.md): {found['DkimRecords']}")
    if "MailFromRecords" in found:
        out(f"MAIL FROM records to add to DNS: {found['MailFromRecords']}")
    return 0


def run(args: argparse.Namespace) -> int:
    trust_name: str = args.trust
    # Module globals looked up now, not bound as defaults, so a test can point them elsewhere.
    return deploy(
        trust_name,
        dry_run=args.dry_run,
        root=PROJECT_ROOT,
        runner=_run_command,
        outputs=stack_outputs,
        schools_writer=write_schools,
    )
