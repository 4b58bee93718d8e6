"""Least privilege, checked without AWS (issue 13, item 4): every AWS call each function makes in
a run through its work is recorded (botocore's `before-parameter-build` hook), mapped to the IAM action and
resource it needs, and evaluated against that function's role in the template as the SAM
translator turns it into CloudFormation. A call the deployed function would be denied fails; so
does a permission no call used, unless UNUSED lists it with a reason.

The run: the API signs someone in, shows pages and saves a form; the mailer sends from the stream
and sweeps; the daily check and the weekly digest run; the bounce recorder records a bounce.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from samtranslator.public.parser import Parser
from samtranslator.public.translator import Translator

from growthcycle.local.table import load_template
from tests.conftest import SENDER, TABLE, Browser
from tests.faults.mail import queue_one, stream_event
from tests.helpers.aws import set_today
from tests.helpers.events import FakeContext
from tests.helpers.wonde import TOKEN, FakeWonde, employees_from_csv, serve, sync_from_wonde
from tests.unit.test_template import PARAMETERS

ACCOUNT, REGION = "123456789012", "eu-west-2"
DEMO_ROSTER = (
    Path(__file__).resolve().parents[2] / "infra/trusts/demo-trust/staff-oakfield-primary.csv"
)
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
CONFIGURATION_SET = "growthcycle-test"
EMMA = "oakfield-primary.op004"
STACK = "growthcycle-test"

# (role, action, resource pattern as the template writes it once resolved) -> why it is kept.
UNUSED: dict[tuple[str, str], str] = {
    ("MailerFunctionRole", "ses:SendRawEmail"): "emails with attachments (calendar invitations) "
    "go as raw MIME; kept beside ses:SendEmail, under the same ses:FromAddress condition",
    ("ApiFunctionRole", "dynamodb:DeleteItem"): "a transaction's Delete (a training need's "
    "pointer when its outcome is recorded: adapters/training.py), not reached in this run",
    ("TrainingDigestFunctionRole", "dynamodb:PutItem"): "queues a CPD lead's digest; no lead "
    "has a new or open need in this run",
    ("RosterSyncFunctionRole", "dynamodb:PutItem"): "records a new headteacher when the roster "
    "changes them (adapters/deadlines.record_headteacher); the head stays in this run",
    ("RosterSyncFunctionRole", "dynamodb:DeleteItem"): "forgets the headteacher when none is in "
    "post any more (adapters/deadlines.record_headteacher); the head stays in this run",
    ("TrainingDigestFunctionRole", "dynamodb:GetItem"): "reads a need's lead and school when a "
    "digest is due (adapters/training.py); none is due in this run",
}


# What Lambda itself uses on the function's behalf, not the code: the on-failure destinations
# (SQS), traces (X-Ray), logs, and reading the table's stream (the event source mapping).
SERVICE_ACTIONS = ("sqs:", "xray:", "logs:", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
SERVICE_ACTIONS += ("dynamodb:DescribeStream", "dynamodb:ListStreams")


# ---------------------------------------------------------------- recording


class Recorder:
    def __init__(self) -> None:
        self.function = ""
        self.calls: dict[str, set[tuple[str, str, str]]] = {}  # function -> (action, res, from)

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if not self.function:
            return
        for action, resource in needed(model.service_model.signing_name, model.name, params):
            sender = str(params.get("FromEmailAddress", ""))
            self.calls.setdefault(self.function, set()).add((action, resource, sender))

    @contextmanager
    def running(self, function: str) -> Iterator[None]:
        self.function = function
        try:
            yield
        finally:
            self.function = ""


def _table_resource(params: dict[str, Any]) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{params.get('TableName', TABLE)}"
    return f"{arn}/index/{params['IndexName']}" if params.get("IndexName") else arn


def needed(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """The (IAM action, resource ARN) pairs one API call needs."""
    if service == "dynamodb" and operation == "TransactWriteItems":
        kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
        kinds["ConditionCheck"] = "ConditionCheckItem"
        return [
            (f"dynamodb:{kinds[kind]}", _table_resource(body))
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if service == "dynamodb" and operation == "BatchWriteItem":
        return [
            ("dynamodb:BatchWriteItem", _table_resource({"TableName": t}))
            for t in params["RequestItems"]
        ]
    if service == "dynamodb":
        return [(f"dynamodb:{operation}", _table_resource(params))]
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", str(params["SecretId"]))]
    if service == "ses" and operation == "SendEmail":
        domain = str(params["FromEmailAddress"]).rsplit("@", 1)[1]
        identity = f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{domain}"
        resources = [identity]
        if params.get("ConfigurationSetName"):
            name = params["ConfigurationSetName"]
            resources.append(f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{name}")
        return [("ses:SendEmail", r) for r in resources]
    return [(f"{service}:{operation}", "*")]


# ---------------------------------------------------------------- the template's roles


def _resolve(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, str):
        return value
    # Resources no recorded call reaches (queues, topics) keep a name of their own.
    if "Ref" in value:
        return names.get(value["Ref"], f"arn:other:{value['Ref']}")
    if "Fn::GetAtt" in value:
        name = ".".join(value["Fn::GetAtt"])
        return names.get(name, f"arn:other:{name}")
    if "Fn::Sub" in value:
        text, local = (
            (value["Fn::Sub"], {})
            if isinstance(value["Fn::Sub"], str)
            else (value["Fn::Sub"][0], value["Fn::Sub"][1])
        )
        scope = {**names, **{k: _resolve(v, names) for k, v in local.items()}}
        for name, replacement in scope.items():
            text = text.replace("${" + name + "}", replacement)
        return text
    raise AssertionError(f"cannot resolve {value}")


def roles(secret_arn: str) -> dict[str, list[dict[str, Any]]]:
    sam = load_template()
    sam["Globals"]["Function"]["CodeUri"] = "s3://growthcycle-artifacts/functions.zip"
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    translated = translator.translate(
        sam, parameter_values=dict(PARAMETERS), get_managed_policy_map=dict
    )
    names = {
        "AWS::Partition": "aws",
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
        "Table": TABLE,
        "Table.Arn": TABLE_ARN,
        "SigningKeySecret": secret_arn,
        "ConfigurationSet": CONFIGURATION_SET,
        "AWS::StackName": STACK,
        **PARAMETERS,
    }
    found: dict[str, list[dict[str, Any]]] = {}
    for name, resource in translated["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                resources = statement["Resource"]
                found.setdefault(name, []).append(
                    {
                        "actions": actions if isinstance(actions, list) else [actions],
                        "resources": [
                            _resolve(r, names)
                            for r in (resources if isinstance(resources, list) else [resources])
                        ],
                        "condition": json.loads(
                            json.dumps(statement.get("Condition", {})).replace(
                                '{"Ref": "SenderAddress"}', json.dumps(PARAMETERS["SenderAddress"])
                            )
                        ),
                    }
                )
    return found


def allowed(statements: list[dict[str, Any]], action: str, resource: str, sender: str) -> bool:
    for statement in statements:
        if not any(fnmatch.fnmatchcase(action, a) for a in statement["actions"]):
            continue
        if not any(fnmatch.fnmatchcase(resource, r) for r in statement["resources"]):
            continue
        wanted = statement["condition"].get("StringEquals", {}).get("ses:FromAddress")
        if wanted is not None and wanted != sender:
            continue
        return True
    return False


# ---------------------------------------------------------------- the run


@pytest.fixture
def recorded(demo: Any, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    from growthcycle.adapters.aws import reset_clients

    recorder = Recorder()
    boto3.setup_default_session()
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-parameter-build", recorder)
    monkeypatch.setenv("SES_CONFIGURATION_SET", CONFIGURATION_SET)
    from growthcycle.config import get_settings

    get_settings.cache_clear()
    reset_clients()
    from growthcycle.adapters.aws import client

    client("sesv2").create_configuration_set(ConfigurationSetName=CONFIGURATION_SET)
    client("sesv2").create_email_identity(EmailIdentity=SENDER.split("@")[1])
    run_every_function(demo, recorder)
    return recorder


def run_every_function(demo: Any, recorder: Recorder) -> None:
    from growthcycle.handlers.deadline_check import lambda_handler as daily_check
    from growthcycle.handlers.email_events import lambda_handler as bounces
    from growthcycle.handlers.mailer import lambda_handler as mailer
    from growthcycle.handlers.training_digest import lambda_handler as digest

    browser = Browser()
    with recorder.running("ApiFunction"):
        csrf = browser.csrf("/sign-in")
        browser.post("/sign-in", form={"_csrf": csrf, "email": demo.people[EMMA].email})
        browser.act_as(EMMA)
        browser.get("/")
        url = f"/people/{EMMA}/forms/self-review"
        form = {"reflection": "Phonics went well.", "_action": "submit", "_version": "0"}
        browser.post(url, form={**form, "_csrf": browser.csrf(url)})
    key = queue_one(demo)
    with recorder.running("MailerFunction"):
        mailer(stream_event(key), FakeContext(function_name="MailerFunction"))
        mailer({"outbox": "sweep", "older_than_seconds": 0}, FakeContext())
    set_today(date(2027, 10, 28))
    with recorder.running("DeadlineCheckFunction"):
        daily_check({"source": "aws.scheduler"}, FakeContext())
    with recorder.running("TrainingDigestFunction"):
        digest({"source": "aws.scheduler"}, FakeContext())
    bounce = {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": demo.people[EMMA].email}],
        },
    }
    with recorder.running("BounceFunction"):
        bounces({"Records": [{"Sns": {"Message": json.dumps(bounce)}}]}, FakeContext())
    run_roster_sync(demo, recorder)


def run_roster_sync(demo: Any, recorder: Recorder) -> None:
    """The nightly sync of a school with Wonde settings: a leaver and a new starter."""
    from growthcycle.adapters.aws import client
    from growthcycle.config import get_settings
    from growthcycle.handlers.roster_sync import lambda_handler as roster_sync

    name = f"growthcycle/{STACK}/wonde/oakfield-primary"
    arn = client("secretsmanager").create_secret(Name=name, SecretString=TOKEN)["ARN"]
    sync_from_wonde(demo.store, "oakfield-primary", arn)
    staff = [e for e in employees_from_csv(DEMO_ROSTER) if e["employee_code"] != "OP007"]
    starter = {**staff[-1], "id": "A2000", "employee_code": "OP013"}
    starter["contact_details"] = {"data": {"emails": {"work": "l.patel@oakfield.example"}}}
    starter["employment_details"] = {"data": {**staff[-1]["employment_details"]["data"], "fte": 1}}
    for fake in serve(FakeWonde(employees=[*staff, starter])):
        os.environ["GROWTHCYCLE_WONDE_API_URL"] = f"{fake.url}/v1.0"
        get_settings.cache_clear()
        try:
            with recorder.running("RosterSyncFunction"):
                assert roster_sync({"source": "aws.scheduler"}, FakeContext())["synced"] == 1
        finally:
            del os.environ["GROWTHCYCLE_WONDE_API_URL"]
            get_settings.cache_clear()


def test_every_call_each_function_makes_is_allowed_by_its_role(recorded: Recorder) -> None:
    granted = roles(os.environ["SIGNING_KEY_SECRET_ARN"])
    denied = [
        (function, action, resource)
        for function, calls in recorded.calls.items()
        for action, resource, sender in sorted(calls)
        if not allowed(granted.get(f"{function}Role", []), action, resource, sender)
    ]
    assert set(recorded.calls) == {
        "ApiFunction",
        "MailerFunction",
        "DeadlineCheckFunction",
        "TrainingDigestFunction",
        "BounceFunction",
        "RosterSyncFunction",
    }
    assert denied == []


def test_every_permission_is_used_or_kept_for_a_stated_reason(recorded: Recorder) -> None:
    granted = roles(os.environ["SIGNING_KEY_SECRET_ARN"])
    unused = []
    for role, statements in granted.items():
        function = role.removesuffix("Role")
        if function not in recorded.calls:
            continue  # the Scheduler's roles and other service roles
        used = {action for action, _, _ in recorded.calls[function]}
        for statement in statements:
            for action in statement["actions"]:
                if action.startswith(SERVICE_ACTIONS):
                    continue
                if "*" in action:
                    unused.append((role, action, "a wildcard action"))
                elif action not in used and (role, action) not in UNUSED:
                    unused.append((role, action, "no call used it"))
    assert unused == [], unused
