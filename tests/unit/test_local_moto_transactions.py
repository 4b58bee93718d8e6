"""The local stack's TransactWriteItems (local/moto_transactions.py) keeps DynamoDB's rules:
all or nothing, and a failed condition is reported per item, as TransactionCanceledException."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from growthcycle.local import moto_transactions


@pytest.fixture
def ddb() -> Iterator[Any]:
    moto_transactions.install()
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="eu-west-2")
            client.create_table(
                TableName="t",
                KeySchema=[
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
            yield client
    finally:
        moto_transactions.uninstall()


def _put(pk: str, *, only_new: bool = False) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": "t", "Item": {"pk": {"S": pk}, "sk": {"S": "X"}}}
    if only_new:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"Put": put}


def _keys(ddb: Any) -> set[str]:
    return {i["pk"]["S"] for i in ddb.scan(TableName="t")["Items"]}


def test_a_transaction_whose_conditions_hold_writes_every_item(ddb: Any) -> None:
    ddb.transact_write_items(TransactItems=[_put("a", only_new=True), _put("b")])
    assert _keys(ddb) == {"a", "b"}


def test_a_failed_condition_writes_nothing_and_names_the_item_that_failed(ddb: Any) -> None:
    ddb.put_item(TableName="t", Item={"pk": {"S": "b"}, "sk": {"S": "X"}})
    with pytest.raises(ClientError) as raised:
        ddb.transact_write_items(
            TransactItems=[_put("a"), _put("b", only_new=True), _put("c", only_new=True)]
        )
    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    codes = [r["Code"] for r in error["CancellationReasons"]]
    assert codes == ["None", "ConditionalCheckFailed", "None"]
    assert _keys(ddb) == {"b"}  # neither a nor c was written
