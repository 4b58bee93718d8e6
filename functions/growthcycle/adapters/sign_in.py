"""Who an email address belongs to, for signing in: every person with it, in every school.

One person employed by two schools of the trust has two records (one per school) with the same
address; ByEmail (gsi1, `gsi1pk = EMAIL#<address, casefolded>`) returns both. One Query, never a
Scan; its cost is the handful of records sharing the address.
"""

from __future__ import annotations

from growthcycle.adapters.store import Store
from growthcycle.domain.people import Person


def people_with_email(store: Store, address: str) -> list[Person]:
    """Every person whose address is `address` (case does not matter), by person id."""
    found = [
        Person.model_validate_json(item["data"])
        for item in store._query_all(
            IndexName="ByEmail",
            KeyConditionExpression="gsi1pk = :e",
            ExpressionAttributeValues={":e": {"S": f"EMAIL#{address.strip().casefold()}"}},
        )
    ]
    return sorted(found, key=lambda p: p.person_id)
