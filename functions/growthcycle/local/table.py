"""The table as `template.yaml` defines it, for the tests and the local stack.

Deployment creates the table from the `Table` resource in `template.yaml`; the tests and the local
stack build their moto table from that same resource through `table_definition`, so the two cannot
drift. The template is read with a YAML loader that understands CloudFormation's short tags
(`!Ref`, `!Sub`, `!GetAtt`, `!If` ...), turning each into its long form (`{"Ref": ...}`,
`{"Fn::Sub": ...}`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).resolve().parents[3] / "template.yaml"
TABLE_RESOURCE = "Table"

# The properties `create_table` takes that the template's table also declares. The rest of the
# resource (PITR, deletion protection, SSE) is deployment-only and has no meaning in moto.
_CREATE_TABLE_PROPERTIES = (
    "KeySchema",
    "AttributeDefinitions",
    "GlobalSecondaryIndexes",
    "BillingMode",
    "StreamSpecification",  # the stream feeds the mailer
)
_INDEX_PROPERTIES = ("IndexName", "KeySchema", "Projection")


class TemplateError(ValueError):
    """`template.yaml` lacks the table, or declares it in a form the local table cannot use."""


class CloudFormationLoader(yaml.SafeLoader):
    """A safe YAML loader that reads CloudFormation's short-form intrinsic functions."""


def _construct_intrinsic(
    loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node
) -> dict[str, Any]:
    if tag_suffix == "Ref":
        key = "Ref"
    elif tag_suffix == "Condition":
        key = "Condition"
    else:
        key = f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise TemplateError(f"unexpected YAML node for !{tag_suffix}: {node!r}")
    return {key: value}


CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(template_path: Path | None = None) -> dict[str, Any]:
    """The whole template as plain data, short tags in their long form."""
    path = template_path or TEMPLATE_PATH
    with path.open(encoding="utf-8") as stream:
        # A SafeLoader subclass: it only adds constructors for the short tags.
        template = yaml.load(stream, Loader=CloudFormationLoader)  # noqa: S506
    if not isinstance(template, dict):
        raise TemplateError(f"{path}: not a CloudFormation template")
    return template


def _table_properties(template_path: Path | None) -> dict[str, Any]:
    template = load_template(template_path)
    resource = template.get("Resources", {}).get(TABLE_RESOURCE)
    if not isinstance(resource, dict) or resource.get("Type") != "AWS::DynamoDB::Table":
        raise TemplateError(f"template has no AWS::DynamoDB::Table named {TABLE_RESOURCE!r}")
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        raise TemplateError(f"{TABLE_RESOURCE} has no Properties")
    return properties


def _require_literal(name: str, value: Any) -> None:
    """The local table cannot resolve intrinsics: the key design must be written out in full."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" or key.startswith("Fn::"):
                raise TemplateError(f"{TABLE_RESOURCE}.{name} uses {key}; keep it literal")
            _require_literal(name, item)
    elif isinstance(value, list):
        for item in value:
            _require_literal(name, item)


def table_definition(template_path: Path | None = None) -> dict[str, Any]:
    """Keyword arguments for boto3's `create_table`, everything but `TableName`.

    KeySchema, AttributeDefinitions, GlobalSecondaryIndexes (name, keys, projection) and
    BillingMode, read from the `Table` resource of `template.yaml` (the project's own unless
    `template_path` names another).
    """
    properties = _table_properties(template_path)
    definition: dict[str, Any] = {}
    for name in _CREATE_TABLE_PROPERTIES:
        if name not in properties:
            continue
        _require_literal(name, properties[name])
        definition[name] = copy.deepcopy(properties[name])
    for required in ("KeySchema", "AttributeDefinitions"):
        if required not in definition:
            raise TemplateError(f"{TABLE_RESOURCE} has no {required}")
    if "GlobalSecondaryIndexes" in definition:
        definition["GlobalSecondaryIndexes"] = [
            {key: index[key] for key in _INDEX_PROPERTIES if key in index}
            for index in definition["GlobalSecondaryIndexes"]
        ]
    definition.setdefault("BillingMode", "PROVISIONED")
    if "StreamSpecification" in definition:
        definition["StreamSpecification"] = {
            "StreamEnabled": True,
            **definition["StreamSpecification"],
        }
    return definition


def time_to_live_attribute(template_path: Path | None = None) -> str | None:
    """The attribute the template's table expires items on, or None if TTL is off."""
    specification = _table_properties(template_path).get("TimeToLiveSpecification")
    if not isinstance(specification, dict) or specification.get("Enabled") is not True:
        return None
    attribute = specification.get("AttributeName")
    if not isinstance(attribute, str):
        raise TemplateError(f"{TABLE_RESOURCE}: the TTL AttributeName must be literal")
    return attribute


def create_table(client: Any, name: str, template_path: Path | None = None) -> None:
    """Create the table `name` as the template defines it, wait for it, and switch on its TTL.

    `client` is a boto3 DynamoDB client (moto's, for the tests and the local stack).
    """
    client.create_table(TableName=name, **table_definition(template_path))
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )
    attribute = time_to_live_attribute(template_path)
    if attribute is not None:
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute},
        )
