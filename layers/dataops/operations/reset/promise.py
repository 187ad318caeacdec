"""What the last reset state promised the stores hold, and what they hold now.

The promise is, per entity and store, a key fingerprint (count + XOR of key hashes). It is stored in the control
table when a state is reached; `validate` reads the stores again, streaming, and compares.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql
from pydantic import BaseModel

from dataops.models import utc_now
from dataops.operations.seed.engine import StoreTally
from dataops.operations.seed.fingerprint import KeyFingerprint, dynamodb_key
from dataops.stores.data_stores import DataStores

PROMISE_KEY = {"PK": "RESET#STATE", "SK": "CURRENT"}

Placement = tuple[str, str]  # (entity, store)


class PromisedSet(BaseModel):
    entity: str
    store: str
    count: int
    digest: str


class StatePromise(BaseModel):
    state: str
    seed: int | None = None
    reached_at: str
    sets: list[PromisedSet]


class Difference(BaseModel):
    entity: str
    store: str
    expected: int
    actual: int
    detail: str


def placements(stores: DataStores) -> list[Placement]:
    return [(entity.name, store) for entity in stores.profile.entities for store in entity.stores]


def promise_from_tallies(state: str, seed: int | None, stores: DataStores, tallies: list[StoreTally]) -> StatePromise:
    by_placement = {(tally.entity, tally.store): tally.fingerprint for tally in tallies}
    return _promise(state, seed, stores, by_placement)


def promise_from_stores(state: str, stores: DataStores) -> StatePromise:
    """For states reached by restoring a backup: whatever the stores hold now is the state."""
    return _promise(state, None, stores, observe(stores))


def _promise(
    state: str, seed: int | None, stores: DataStores, fingerprints: dict[Placement, KeyFingerprint]
) -> StatePromise:
    sets = []
    for placement in placements(stores):
        fingerprint = fingerprints.get(placement, KeyFingerprint())
        sets.append(
            PromisedSet(entity=placement[0], store=placement[1], count=fingerprint.count, digest=fingerprint.digest)
        )
    return StatePromise(state=state, seed=seed, reached_at=utc_now().isoformat(), sets=sets)


def record_promise(stores: DataStores, promise: StatePromise) -> None:
    stores.control.put({**PROMISE_KEY, "record_type": "reset_state", **promise.model_dump(mode="json")})


def load_promise(stores: DataStores) -> StatePromise | None:
    item = stores.control.get(PROMISE_KEY)
    if item is None:
        return None
    return StatePromise.model_validate({key: item[key] for key in StatePromise.model_fields if key in item})


def observe(stores: DataStores) -> dict[Placement, KeyFingerprint]:
    """Fingerprints of what every store holds now, read as streams (keys only)."""
    seen: dict[Placement, KeyFingerprint] = {}

    def add(entity: str, store: str, key: str) -> None:
        seen.setdefault((entity, store), KeyFingerprint()).add(key)

    design = stores.profile.table
    profile = stores.profile
    if profile.uses_dynamodb:
        sort = design.sort_key.name if design.sort_key else None
        projection = [design.partition_key.name, *([sort] if sort else []), design.entity_type_attribute]
        for item in stores.table.scan(projection=projection):
            key = dynamodb_key(item[design.partition_key.name], item.get(sort) if sort else None)
            add(str(item.get(design.entity_type_attribute, "(untyped)")), "dynamodb", key)
    if profile.uses_postgres:
        for entity, placement in profile.postgres_tables():
            if not stores.postgres.table_exists(placement.table):
                continue
            columns = sql.SQL(", ").join(map(sql.Identifier, placement.primary_key))
            with stores.postgres.transaction() as cursor:
                cursor.execute(sql.SQL("SELECT {} FROM {}").format(columns, sql.Identifier(placement.table)))
                for row in cursor:
                    add(entity.name, "postgres", "|".join(str(value) for value in row))
    if profile.uses_opensearch:
        for entity_name, index in stores.search_indexes().items():
            if not stores.search.index_exists(index):
                continue
            stores.search.refresh(index)
            query: dict[str, Any] = {"query": {"match_all": {}}, "_source": False}
            for hit in stores.search.scan(index, query):
                add(entity_name, "opensearch", str(hit["_id"]))
    return seen


def compare(promise: StatePromise, actual: dict[Placement, KeyFingerprint]) -> list[Difference]:
    differences: list[Difference] = []
    promised = {(entry.entity, entry.store): entry for entry in promise.sets}
    for placement in sorted(set(promised) | set(actual)):
        expected = promised.get(placement)
        found = actual.get(placement, KeyFingerprint())
        expected_count = expected.count if expected else 0
        expected_digest = expected.digest if expected else KeyFingerprint().digest
        if found.digest == expected_digest and found.count == expected_count:
            continue
        if found.count != expected_count:
            detail = f"expected {expected_count} records, found {found.count}"
        else:
            detail = f"{found.count} records as promised, but not the same keys"
        differences.append(
            Difference(
                entity=placement[0],
                store=placement[1],
                expected=expected_count,
                actual=found.count,
                detail=detail,
            )
        )
    return differences
