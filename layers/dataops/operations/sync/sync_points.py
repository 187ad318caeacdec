"""Sync points: per store, the count and a content hash of each key range of every indexed entity, kept in S3.

A key range is a hash bucket of the document id (bucket = first byte of the id's digest mod `ranges`), so any
store can be summarised in one streaming pass without sorting. A range's hash is the XOR of the digests of its
(id, normalised document) pairs: independent of scan order, and both stores hash the same normalised document,
so equal hashes mean equal content.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from dataops.compare import digest, entity_index, entity_items, search_documents
from dataops.errors import InvalidRequest
from dataops.models import utc_now
from dataops.naming import SYNC_POINT_PREFIX
from dataops.profiles.model import EntityDefinition
from dataops.records import document_for, record_from_item
from dataops.stores.data_stores import DataStores

STORES = ("dynamodb", "opensearch")


class RangeSummary(BaseModel):
    range: int
    count: int
    hash: str


class StoreSummary(BaseModel):
    count: int
    ranges: list[RangeSummary]


class SyncPoint(BaseModel):
    name: str
    profile: str
    created_at: datetime
    ranges: int
    # entity -> store -> summary
    entities: dict[str, dict[str, StoreSummary]]

    def stores_agree(self) -> bool:
        return all(summaries["dynamodb"] == summaries["opensearch"] for summaries in self.entities.values())


class RangeDrift(BaseModel):
    entity: str
    store: str
    range: int
    recorded_count: int
    current_count: int
    change: str


def sync_point_key(name: str) -> str:
    return f"{SYNC_POINT_PREFIX}/{name}.json"


def summarise(pairs: Iterable[tuple[str, dict[str, Any]]], ranges: int) -> StoreSummary:
    counts = [0] * ranges
    hashes = [0] * ranges
    for key, document in pairs:
        key_digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        bucket = key_digest[0] % ranges
        counts[bucket] += 1
        hashes[bucket] ^= int.from_bytes(hashlib.blake2b(key_digest + digest(document), digest_size=16).digest())
    return StoreSummary(
        count=sum(counts),
        ranges=[RangeSummary(range=i, count=counts[i], hash=f"{hashes[i]:032x}") for i in range(ranges)],
    )


def _dynamodb_documents(stores: DataStores, entity: EntityDefinition) -> Iterator[tuple[str, dict[str, Any]]]:
    for item in entity_items(stores, entity):
        yield document_for(entity, record_from_item(stores.profile, item))


def take_sync_point(stores: DataStores, entities: list[EntityDefinition], name: str, ranges: int) -> SyncPoint:
    summaries = {
        entity.name: {
            "dynamodb": summarise(_dynamodb_documents(stores, entity), ranges),
            "opensearch": summarise(search_documents(stores, entity_index(stores, entity)), ranges),
        }
        for entity in entities
    }
    return SyncPoint(name=name, profile=stores.profile.name, created_at=utc_now(), ranges=ranges, entities=summaries)


def load_sync_point(stores: DataStores, name: str) -> SyncPoint:
    key = sync_point_key(name)
    if not stores.backups.exists(key):
        raise InvalidRequest.for_field(
            "name", f"no sync point named {name!r} (s3://{stores.backups.bucket}/{key} does not exist)"
        )
    return SyncPoint.model_validate(stores.backups.get_json(key))


def drift(recorded: SyncPoint, current: SyncPoint) -> list[RangeDrift]:
    """Every (entity, store, range) whose count or content changed since the sync point."""
    found: list[RangeDrift] = []
    for entity, stores in recorded.entities.items():
        for store in STORES:
            before = stores[store].ranges
            now = current.entities.get(entity, {}).get(store)
            after = now.ranges if now else [RangeSummary(range=r.range, count=0, hash="") for r in before]
            for old, new in zip(before, after, strict=True):
                if old.hash != new.hash:
                    change = "count" if old.count != new.count else "content"
                    found.append(
                        RangeDrift(
                            entity=entity,
                            store=store,
                            range=old.range,
                            recorded_count=old.count,
                            current_count=new.count,
                            change=change,
                        )
                    )
    return found
