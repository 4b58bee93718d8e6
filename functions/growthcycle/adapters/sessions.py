"""Session items (domain/sessions.py): pk=SESSION#<hash of the cookie's nonce>, sk=SESSION,
person_id, idle_until, expires_at (TTL: the end of the session's school day)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from growthcycle.adapters.store import Store
from growthcycle.domain.sessions import Session


def _key(key: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"SESSION#{key}"}, "sk": {"S": "SESSION"}}


def put(store: Store, session: Session) -> None:
    store.db.put_item(
        TableName=store.table_name,
        Item={
            **_key(session.key),
            "kind": {"S": "session"},
            "person_id": {"S": session.person_id},
            "idle_until": {"N": str(session.idle_until)},
            "expires_at": {"N": str(session.ends_at)},
        },
    )


def get(store: Store, key: str) -> Session | None:
    """One small, strongly consistent read: a session ended a moment ago is ended."""
    found = store.db.get_item(
        TableName=store.table_name,
        Key=_key(key),
        ConsistentRead=True,
        ProjectionExpression="person_id, idle_until, expires_at",
    ).get("Item")
    if found is None:
        return None
    return Session(
        key=key,
        person_id=found["person_id"]["S"],
        idle_until=int(found["idle_until"]["N"]),
        ends_at=int(found["expires_at"]["N"]),
    )


def touch(store: Store, session: Session) -> None:
    """Restart the idle clock, unless the session was ended meanwhile (then nothing is written)."""
    try:
        store.db.update_item(
            TableName=store.table_name,
            Key=_key(session.key),
            UpdateExpression="SET idle_until = :idle",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":idle": {"N": str(session.idle_until)}},
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise


def end(store: Store, key: str) -> None:
    store.db.delete_item(TableName=store.table_name, Key=_key(key))
