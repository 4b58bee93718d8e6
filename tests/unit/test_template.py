"""template.yaml: lint-clean, translatable, least privilege, and in step with the code.

Unit layer: no network and no AWS account. cfn-lint and samtranslator run in-process; the one table
test uses moto.
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.api import lint
from moto import mock_aws
from samtranslator.public.parser import Parser
from samtranslator.public.translator import Translator

from growthcycle.local.table import (
    TEMPLATE_PATH,
    TemplateError,
    create_table,
    load_template,
    table_definition,
)

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
REGION = "eu-west-2"
TABLE = "growthcycle-test"

SAMCONFIG = ROOT / "samconfig.toml"
TRUSTS = [
    env
    for env, config in tomllib.loads(SAMCONFIG.read_text(encoding="utf-8")).items()
    if env != "default" and isinstance(config, dict)
]


def _deploy_parameters(env: str) -> dict[str, Any]:
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    parameters: dict[str, Any] = config[env]["deploy"]["parameters"]
    return parameters


def _parameter_overrides(env: str) -> dict[str, str]:
    text = _deploy_parameters(env)["parameter_overrides"]
    return dict(item.split("=", 1) for item in shlex.split(text))


# What `sam deploy --config-env demo-trust` passes; the rest keep their defaults.
PARAMETERS = _parameter_overrides("demo-trust")

# The environment every function gets (docs/architecture.md), with stand-in values for imports.
ENVIRONMENT = {
    "TABLE_NAME": TABLE,
    "TRUST_NAME": "Oak Valley Learning Trust",
    "SENDER_ADDRESS": "appraisal@oakvalley.example",
    "BASE_URL": "http://127.0.0.1:8000",
    "SIGNING_KEY_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:123456789012:secret:signing-key",
    "SES_CONFIGURATION_SET": "growthcycle-test",
    "LINK_EXPIRY_DAYS": "14",
    "RETENTION_YEARS": "6",
    "ESCALATION_WORKING_DAYS": "3",
    "POWERTOOLS_SERVICE_NAME": "growthcycle",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
    "LOG_LEVEL": "INFO",
}

FUNCTION_NAMES = (
    "ApiFunction",
    "MailerFunction",
    "DeadlineCheckFunction",
    "BounceFunction",
    "TrainingDigestFunction",
    "RosterSyncFunction",
)


# ---------------------------------------------------------------- helpers


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if resource["Type"] == kind
    }


def _handlers(template: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, handler) for the Globals and every function that names a handler."""
    found = []
    global_handler = template.get("Globals", {}).get("Function", {}).get("Handler")
    if global_handler:
        found.append(("Globals", global_handler))
    for name, resource in _resources(template, "AWS::Serverless::Function").items():
        handler = resource.get("Properties", {}).get("Handler")
        if handler:
            found.append((name, handler))
    return found


def _statements(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(resource, statement) for every identity policy statement in a translated template."""
    found = []
    for name, role in _resources(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                found.append((name, statement))
    for name, policy in _resources(template, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            found.append((name, statement))
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _lint_messages(text: str) -> list[str]:
    return [f"{match.rule.id} {match.message} (line {match.linenumber})" for match in lint(text)]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    """The template as CloudFormation would see it after the SAM transform, computed offline."""
    sam = load_template()
    # `sam package` swaps the local CodeUri for an S3 location; the translator insists on one.
    sam["Globals"]["Function"]["CodeUri"] = "s3://growthcycle-artifacts/functions.zip"
    for resource in _resources(sam, "AWS::Serverless::Function").values():
        if "CodeUri" in resource["Properties"]:
            resource["Properties"]["CodeUri"] = "s3://growthcycle-artifacts/functions.zip"
    # A session with a region and no credentials: the translator needs the region (for the
    # partition) and makes no calls. The empty managed-policy map fails loudly if the template
    # ever names an AWS managed policy that would need looking up.
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    return translator.translate(sam, parameter_values=dict(PARAMETERS), get_managed_policy_map=dict)


# ---------------------------------------------------------------- linters


def test_template_is_cfn_lint_clean() -> None:
    assert _lint_messages(TEMPLATE_PATH.read_text(encoding="utf-8")) == []


def test_translated_template_is_cfn_lint_clean(translated: dict[str, Any]) -> None:
    # cfn-lint checks SAM resources against SAM's schema only; the translated template is where
    # a bad !Ref in a policy template or an environment variable shows up.
    assert _lint_messages(json.dumps(translated)) == []


def test_translation_keeps_every_function(translated: dict[str, Any]) -> None:
    functions = _resources(translated, "AWS::Lambda::Function")
    assert set(functions) == set(FUNCTION_NAMES)


# ---------------------------------------------------------------- samconfig.toml


@pytest.mark.parametrize("trust", TRUSTS)
def test_each_trust_deploys_its_own_stack_with_every_required_parameter(
    template: dict[str, Any], trust: str
) -> None:
    deploy = _deploy_parameters(trust)
    assert deploy["stack_name"] == f"growthcycle-{trust}"
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert deploy["region"] == "eu-west-2"
    overrides = _parameter_overrides(trust)
    parameters = template["Parameters"]
    assert set(overrides) <= set(parameters)
    assert {name for name, p in parameters.items() if "Default" not in p} <= set(overrides)
    for name, value in overrides.items():
        pattern = parameters[name].get("AllowedPattern")
        assert pattern is None or re.fullmatch(pattern, value), (name, value)


def test_demo_trust_is_in_the_deploy_config() -> None:
    assert "demo-trust" in TRUSTS


# ---------------------------------------------------------------- the contract with the code


HANDLERS = _handlers(load_template())


# Expected to fail until the handler modules exist: this is the contract they must meet.
@pytest.mark.parametrize(("where", "handler"), HANDLERS, ids=[where for where, _ in HANDLERS])
def test_handler_is_a_callable_in_the_package(
    where: str, handler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module_name, _, attribute = handler.rpartition(".")
    source = FUNCTIONS / (module_name.replace(".", "/") + ".py")
    assert source.is_file(), f"{where}: {handler} needs {source.relative_to(ROOT)}"
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute, None)), f"{where}: {handler} is not a function"


def test_every_function_named_in_the_architecture_has_its_handler(template: dict[str, Any]) -> None:
    handlers = dict(_handlers(template))
    assert handlers == {
        "ApiFunction": "growthcycle.handlers.api.lambda_handler",
        "MailerFunction": "growthcycle.handlers.mailer.lambda_handler",
        "DeadlineCheckFunction": "growthcycle.handlers.deadline_check.lambda_handler",
        "BounceFunction": "growthcycle.handlers.email_events.lambda_handler",
        "TrainingDigestFunction": "growthcycle.handlers.training_digest.lambda_handler",
        "RosterSyncFunction": "growthcycle.handlers.roster_sync.lambda_handler",
    }


def test_every_function_gets_the_documented_environment(template: dict[str, Any]) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert set(variables) == set(ENVIRONMENT)
    assert variables["TABLE_NAME"] == {"Ref": "Table"}
    assert variables["SIGNING_KEY_SECRET_ARN"] == {"Ref": "SigningKeySecret"}
    assert variables["SES_CONFIGURATION_SET"] == {"Ref": "ConfigurationSet"}
    assert variables["POWERTOOLS_SERVICE_NAME"] == "growthcycle"
    for resource in _resources(template, "AWS::Serverless::Function").values():
        # A function-level Environment would merge over the Globals; none is needed.
        assert "Environment" not in resource["Properties"]


def test_every_required_setting_is_set_by_the_template(template: dict[str, Any]) -> None:
    from growthcycle.config import Settings

    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    required = {
        name.upper() for name, field in Settings.model_fields.items() if field.is_required()
    }
    assert required <= set(variables)


def test_functions_run_python311_on_arm64_with_tracing_and_json_logs(
    template: dict[str, Any],
) -> None:
    function = template["Globals"]["Function"]
    assert function["Runtime"] == "python3.11"
    assert function["Architectures"] == ["arm64"]
    assert function["Tracing"] == "Active"
    assert function["LoggingConfig"]["LogFormat"] == "JSON"


def test_traces_keep_no_responses_or_exceptions_as_they_hold_personal_data_7(
    template: dict[str, Any],
) -> None:
    """A page's HTML (names, statement text) must not land in X-Ray as trace metadata."""
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"


# ---------------------------------------------------------------- the table


def test_table_from_the_template_builds_in_moto_with_its_indexes_and_ttl() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)

        create_table(client, TABLE)

        table = client.describe_table(TableName=TABLE)["Table"]
        assert [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]] == [
            ("pk", "HASH"),
            ("sk", "RANGE"),
        ]
        indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
        index_keys = {
            name: [key["AttributeName"] for key in index["KeySchema"]]
            for name, index in indexes.items()
        }
        assert index_keys == {
            "ByEmail": ["gsi1pk", "gsi1sk"],
            "BySchool": ["gsi2pk", "gsi2sk"],
            "DueIndex": ["due_pk", "due_sk"],
            "ToPerson": ["to_person_pk", "queued_at"],
            "Unsent": ["unsent_pk", "queued_at"],
        }
        assert {name: i["Projection"]["ProjectionType"] for name, i in indexes.items()} == {
            "ByEmail": "ALL",
            "BySchool": "ALL",
            "DueIndex": "ALL",
            "ToPerson": "INCLUDE",
            "Unsent": "INCLUDE",
        }
        ttl = client.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_due_index_holds_only_open_items_and_answers_the_daily_query() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, TABLE)
        pk, sk = "PERSON#p1", "DUE#2026-27#statement_final"
        open_item = {
            "pk": {"S": pk},
            "sk": {"S": sk},
            "due_pk": {"S": "OPEN#s1"},
            "due_sk": {"S": f"2026-11-23#{pk}#{sk}"},
        }
        client.put_item(TableName=TABLE, Item=open_item)
        client.put_item(TableName=TABLE, Item={"pk": {"S": pk}, "sk": {"S": "PROFILE"}})

        # "due on or before today": "~" sorts after the "#" that follows the date.
        found = client.query(
            TableName=TABLE,
            IndexName="DueIndex",
            KeyConditionExpression="due_pk = :school AND due_sk <= :last",
            ExpressionAttributeValues={
                ":school": {"S": "OPEN#s1"},
                ":last": {"S": "2026-11-23~"},
            },
        )["Items"]

        assert [item["sk"]["S"] for item in found] == [sk]


def test_table_definition_is_everything_create_table_needs_but_the_name() -> None:
    definition = table_definition()
    assert set(definition) == {
        "KeySchema",
        "AttributeDefinitions",
        "GlobalSecondaryIndexes",
        "BillingMode",
        "StreamSpecification",
    }
    assert definition["BillingMode"] == "PAY_PER_REQUEST"


def test_table_definition_refuses_a_key_schema_it_cannot_resolve(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Table:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "    Properties:\n"
        "      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n"
        "      KeySchema: [{AttributeName: !Ref KeyName, KeyType: HASH}]\n",
        encoding="utf-8",
    )
    with pytest.raises(TemplateError, match="KeySchema uses Ref"):
        table_definition(path)


def test_template_loader_reads_short_tags_as_their_long_form(template: dict[str, Any]) -> None:
    dimensions = template["Resources"]["OutboxDeadLetterQueueAlarm"]["Properties"]["Dimensions"]
    assert dimensions[0]["Value"] == {"Fn::GetAtt": ["OutboxDeadLetterQueue", "QueueName"]}
    assert template["Conditions"]["UseCustomerKey"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "KmsKeyArn"}, ""]}]
    }


def test_table_keeps_records_safe(template: dict[str, Any]) -> None:
    table = template["Resources"]["Table"]
    properties = table["Properties"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    sse = properties["SSESpecification"]
    assert sse["SSEEnabled"] == {"Fn::If": ["UseCustomerKey", True, False]}
    assert sse["KMSMasterKeyId"] == {
        "Fn::If": ["UseCustomerKey", {"Ref": "KmsKeyArn"}, {"Ref": "AWS::NoValue"}]
    }


def test_records_are_kept_at_least_six_years(template: dict[str, Any]) -> None:
    # 7: statements kept at least six years from the end of the cycle.
    retention = template["Parameters"]["RetentionYears"]
    assert retention["Default"] == 6
    assert retention["MinValue"] == 6


# ---------------------------------------------------------------- least privilege


def test_no_statement_grants_ses_or_dynamodb_on_every_resource(translated: dict[str, Any]) -> None:
    for name, statement in _statements(translated):
        actions = _as_list(statement["Action"])
        if any(a == "*" or a.startswith(("ses:", "dynamodb:")) for a in actions):
            assert "*" not in _as_list(statement["Resource"]), (name, statement)
            assert "*" not in actions and "ses:*" not in actions and "dynamodb:*" not in actions


def test_only_the_mailer_sends_email_and_only_as_the_trust(translated: dict[str, Any]) -> None:
    senders = {
        name: statement
        for name, statement in _statements(translated)
        if any(a.startswith("ses:") for a in _as_list(statement["Action"]))
    }
    assert set(senders) == {"MailerFunctionRole"}
    resources = [r["Fn::Sub"] for r in _as_list(senders["MailerFunctionRole"]["Resource"])]
    # Issue 13, item 2: SES also authorises against the (sandbox-verified) recipient identity,
    # so any identity, on condition that the From address is the trust's.
    assert "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*" in resources
    assert senders["MailerFunctionRole"]["Condition"] == {
        "StringEquals": {"ses:FromAddress": {"Ref": "SenderAddress"}}
    }
    assert any(r.endswith(":configuration-set/${ConfigurationSet}") for r in resources)


def test_deadline_check_queries_but_never_scans(translated: dict[str, Any]) -> None:
    actions = {
        action
        for name, statement in _statements(translated)
        if name == "DeadlineCheckFunctionRole"
        for action in _as_list(statement["Action"])
    }
    assert "dynamodb:Query" in actions
    assert "dynamodb:Scan" not in actions


def test_only_the_functions_that_sign_links_read_the_signing_key(
    translated: dict[str, Any],
) -> None:
    readers = {
        name: _as_list(statement["Resource"])
        for name, statement in _statements(translated)
        if "secretsmanager:GetSecretValue" in _as_list(statement["Action"])
    }
    # Issue 13, item 4: the mailer sends what is already written and the daily check's digests
    # link to pages, not signed actions; only the web signs (links and sessions). Issue 16: the
    # nightly roster sync reads only this stack's Wonde tokens, never the signing key.
    assert set(readers) == {"ApiFunctionRole", "RosterSyncFunctionRole"}
    assert readers["RosterSyncFunctionRole"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:"
            "secret:growthcycle/${AWS::StackName}/wonde/*"
        }
    ]


def test_every_function_that_reads_the_table_may_use_its_customer_key(
    template: dict[str, Any],
) -> None:
    roles = {r["Ref"] for r in template["Resources"]["TableKeyPolicy"]["Properties"]["Roles"]}
    assert roles == {f"{name}Role" for name in FUNCTION_NAMES}


def test_no_function_may_scan_the_table(translated: dict[str, Any]) -> None:
    for name, statement in _statements(translated):
        assert "dynamodb:Scan" not in _as_list(statement["Action"]), name


# ---------------------------------------------------------------- the daily check


def test_daily_check_runs_at_seven_uk_time_with_retries_and_a_dead_letter_queue(
    translated: dict[str, Any],
) -> None:
    schedules = _resources(translated, "AWS::Scheduler::Schedule").values()
    (schedule,) = [
        s
        for s in schedules
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["DeadlineCheckFunction", "Arn"]}
    ]
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == "cron(0 7 * * ? *)"
    assert properties["ScheduleExpressionTimezone"] == "Europe/London"
    assert "Name" not in properties  # generated, so trusts can share an account
    target = properties["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["DeadlineCheckFunction", "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert target["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": ["DeadlineCheckDeadLetterQueue", "Arn"]}
    }


def test_alarm_fires_when_the_daily_check_has_not_run_for_26_hours(
    template: dict[str, Any],
) -> None:
    alarm = template["Resources"]["DeadlineCheckNotRunAlarm"]["Properties"]
    assert alarm["MetricName"] == "Invocations"
    assert alarm["Dimensions"] == [
        {"Name": "FunctionName", "Value": {"Ref": "DeadlineCheckFunction"}}
    ]
    assert alarm["Period"] * alarm["EvaluationPeriods"] == 26 * 3600
    assert alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]
    assert alarm["TreatMissingData"] == "breaching"
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    # CloudWatch accepts at most seven days of evaluation for hourly periods.
    assert alarm["Period"] >= 3600
    assert alarm["Period"] * alarm["EvaluationPeriods"] <= 7 * 86400


# ---------------------------------------------------------------- queues, logs, alarms


def test_the_tables_stream_feeds_new_outbox_items_to_the_mailer_with_a_dead_letter_queue(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    assert resources["Table"]["Properties"]["StreamSpecification"] == {
        "StreamViewType": "NEW_IMAGE"
    }
    event = resources["MailerFunction"]["Properties"]["Events"]["Outbox"]
    assert event["Type"] == "DynamoDB"
    properties = event["Properties"]
    assert properties["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "OUTBOX#" in properties["FilterCriteria"]["Filters"][0]["Pattern"]
    assert properties["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["OutboxDeadLetterQueue", "Arn"]
    }


def test_every_dead_letter_queue_has_an_alarm(template: dict[str, Any]) -> None:
    dead_letter_queues = {
        name for name in _resources(template, "AWS::SQS::Queue") if name.endswith("DeadLetterQueue")
    }
    assert dead_letter_queues == {
        "OutboxDeadLetterQueue",
        "DeadlineCheckDeadLetterQueue",
        "EmailEventsDeadLetterQueue",
        "TrainingDigestDeadLetterQueue",
        "RosterSyncDeadLetterQueue",
    }
    watched = set()
    for alarm in _resources(template, "AWS::CloudWatch::Alarm").values():
        properties = alarm["Properties"]
        if properties.get("MetricName") != "ApproximateNumberOfMessagesVisible":
            continue
        assert properties["Namespace"] == "AWS/SQS"
        assert (properties["ComparisonOperator"], properties["Threshold"]) == (
            "GreaterThanThreshold",
            0,
        )
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        for dimension in properties["Dimensions"]:
            watched.add(dimension["Value"]["Fn::GetAtt"][0])
    assert watched == dead_letter_queues


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_alarm_on(template: dict[str, Any], metric: str) -> None:
    watched = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for alarm in _resources(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == metric
        and alarm["Properties"]["Namespace"] == "AWS/Lambda"
    }
    assert watched == set(FUNCTION_NAMES)


def test_every_function_has_a_log_group_with_retention(template: dict[str, Any]) -> None:
    groups = {
        resource["Properties"]["LogGroupName"]["Fn::Sub"]: resource["Properties"]
        for resource in _resources(template, "AWS::Logs::LogGroup").values()
    }
    for function in FUNCTION_NAMES:
        group = groups[f"/aws/lambda/${{{function}}}"]
        assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 90


def test_api_sends_every_route_to_the_one_function_with_access_logs(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    routes = {
        (event["Properties"]["Method"], event["Properties"]["Path"])
        for event in resources["ApiFunction"]["Properties"]["Events"].values()
        if event["Type"] == "HttpApi" and event["Properties"]["ApiId"] == {"Ref": "HttpApi"}
    }
    assert routes == {("ANY", "/"), ("ANY", "/{proxy+}")}
    access_logs = resources["HttpApi"]["Properties"]["AccessLogSettings"]
    assert access_logs["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogGroup", "Arn"]}


def test_bounces_and_complaints_reach_the_bounce_function(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    destination = resources["ConfigurationSetEventDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "ConfigurationSet"}
    event_destination = destination["EventDestination"]
    assert set(event_destination["MatchingEventTypes"]) >= {"bounce", "complaint"}
    assert event_destination["SnsDestination"]["TopicARN"] == {"Ref": "EmailEventsTopic"}
    events = resources["BounceFunction"]["Properties"]["Events"]
    assert [e["Properties"]["Topic"] for e in events.values() if e["Type"] == "SNS"] == [
        {"Ref": "EmailEventsTopic"}
    ]
    identity = resources["EmailIdentity"]["Properties"]
    assert identity["EmailIdentity"] == {"Ref": "SenderDomain"}
    assert identity["ConfigurationSetAttributes"] == {
        "ConfigurationSetName": {"Ref": "ConfigurationSet"}
    }


def test_outputs_name_what_operations_need(template: dict[str, Any]) -> None:
    assert {
        "ApiUrl",
        "TableName",
        "OutboxDeadLetterQueueUrl",
        "DeadlineCheckDeadLetterQueueUrl",
        "AlarmTopic",
    } <= set(template["Outputs"])


# ---------------------------------------------------------------- first day in AWS (issue 13)


def test_links_use_the_custom_domain_when_given_and_base_url_otherwise(
    template: dict[str, Any],
) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["BASE_URL"] == {
        "Fn::If": ["HasDomain", {"Fn::Sub": "https://${DomainName}"}, {"Ref": "BaseUrl"}]
    }
    assert template["Parameters"]["BaseUrl"]["Default"] == ""


def test_the_custom_domain_is_created_mapped_and_named_in_dns_only_when_asked(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    assert resources["ApiDomainName"]["Condition"] == "HasDomain"
    assert resources["ApiMapping"]["Condition"] == "HasDomain"
    assert resources["ApiMapping"]["Properties"]["ApiId"] == {"Ref": "HttpApi"}
    assert resources["ApiMapping"]["Properties"]["Stage"] == "$default"
    assert resources["ApiDnsRecord"]["Condition"] == "HasHostedZone"
    assert resources["ApiCertificate"]["Condition"] == "CreateCertificate"
    configuration = resources["ApiDomainName"]["Properties"]["DomainNameConfigurations"][0]
    assert configuration["EndpointType"] == "REGIONAL"


def test_an_existing_ses_identity_can_be_used_and_mail_from_is_optional(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    assert resources["EmailIdentity"]["Condition"] == "CreateIdentity"
    assert template["Outputs"]["DkimRecords"]["Condition"] == "CreateIdentity"
    assert template["Outputs"]["MailFromRecords"]["Condition"] == "HasMailFrom"
    mail_from = resources["EmailIdentity"]["Properties"]["MailFromAttributes"]
    assert mail_from["Fn::If"][0] == "HasMailFrom"


@pytest.mark.parametrize(
    "overrides",
    [
        {"DomainName": "", "BaseUrl": "https://abc123.execute-api.eu-west-2.amazonaws.com"},
        {"CreateEmailIdentity": "false", "MailFromDomain": ""},
        {"HostedZoneId": "Z0123456789ABC", "MailFromDomain": "bounce.oakvalley.example"},
    ],
    ids=["no-domain", "existing-identity", "hosted-zone-and-mail-from"],
)
def test_the_template_translates_with_each_choice_of_domain_and_identity(
    overrides: dict[str, str],
) -> None:
    sam = load_template()
    sam["Globals"]["Function"]["CodeUri"] = "s3://growthcycle-artifacts/functions.zip"
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    parameters = {**PARAMETERS, **overrides}
    translated = translator.translate(sam, parameter_values=parameters, get_managed_policy_map=dict)
    assert _lint_messages(json.dumps(translated)) == []


def test_the_outbox_sweep_runs_every_five_minutes_without_retries(
    translated: dict[str, Any],
) -> None:
    schedules = _resources(translated, "AWS::Scheduler::Schedule").values()
    (sweep,) = [
        s
        for s in schedules
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["MailerFunction", "Arn"]}
    ]
    assert sweep["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    assert json.loads(sweep["Properties"]["Target"]["Input"]) == {
        "outbox": "sweep",
        "older_than_seconds": 300,
    }


def test_the_email_alarms_watch_failed_and_stuck_emails(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    failed = resources["OutboxEmailFailedAlarm"]["Properties"]
    assert (failed["Namespace"], failed["MetricName"]) == ("GrowthCycle", "EmailFailed")
    stuck = resources["OutboxEmailsStuckAlarm"]["Properties"]
    assert (stuck["MetricName"], stuck["EvaluationPeriods"]) == ("OutboxStuck", 3)
    dead_letter = resources["OutboxDeadLetterQueueAlarm"]["Properties"]["AlarmDescription"]
    retries = resources["MailerFunction"]["Properties"]["Events"]["Outbox"]["Properties"][
        "MaximumRetryAttempts"
    ]
    assert f"MaximumRetryAttempts {retries}" in dead_letter
    assert "five times" not in dead_letter  # the old text, when the template set eight
