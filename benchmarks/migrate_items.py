"""Item migration throughput and memory on the local target, against the seed 004 script's approach.

- ours: MigrationContext.migrate_items: streamed parallel scan, transform, BatchWriteItem in 25s;
- naive peer: scan the whole table into a list, then one PutItem per changed item.
"""

from __future__ import annotations

import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any

from dataops.config import load_settings
from dataops.local import load_endpoints, up
from dataops.operations.migrate.context import MigrationContext
from dataops.profiles import load_profile
from dataops.records import item_for
from dataops.stores import aws
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb import from_dynamo, to_dynamo
from tests.legacy_artists import legacy_artist

PEER_SAMPLE = 1_000


def add_missing_fields(artist: dict[str, Any]) -> dict[str, Any]:
    artist.setdefault("bookingOpen", False)
    artist.setdefault("reviewCount", 0)
    return artist


def _seconds(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _peak_bytes(action: Callable[[], Any]) -> int:
    """Measured apart from the timing: tracemalloc slows Python down several times."""
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _scan_to_list(client: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table}
    while True:
        page = client.scan(**request)
        items.extend(from_dynamo(raw) for raw in page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _naive(client: Any, table: str, limit: int, timings: dict[str, float]) -> None:
    """Read every item into memory, then PutItem the changed ones one at a time (stopping after `limit`)."""
    started = time.perf_counter()
    items = _scan_to_list(client, table)
    timings["scan"] = time.perf_counter() - started
    started = time.perf_counter()
    changed = 0
    for item in items:
        if item.get("schemaVersion", "1.0.0") != "1.0.0" or changed >= limit:
            continue
        client.put_item(TableName=table, Item=to_dynamo({**add_missing_fields(item), "schemaVersion": "1.1.0"}))
        changed += 1
    timings["puts"] = time.perf_counter() - started


def run(artists: int) -> None:
    up()
    endpoints = load_endpoints()
    profile = load_profile("tattoo_directory")
    name = f"bench-{uuid.uuid4().hex[:8]}"
    settings = load_settings(
        profile=profile.name,
        stage="bench",
        target="local",
        endpoint_url=endpoints.aws_endpoint if endpoints else None,
        table_name=name,
    )
    stores = DataStores(settings, profile)
    client = aws.client(settings, "dynamodb")
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("PK", "SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    )
    artist = profile.entity("artist")
    try:
        stores.table.batch_write(item_for(profile, artist, legacy_artist(n, with_version=True)) for n in range(artists))
        print(f"Item migration on MiniStack, {artists:,} legacy artists (search index absent: DynamoDB only)")
        timings: dict[str, float] = {}
        _naive(client, name, PEER_SAMPLE, timings)
        # The peer puts a sample; its whole-table time is its scan plus the sample's put rate over every item.
        peer_seconds = timings["scan"] + timings["puts"] * artists / PEER_SAMPLE
        # Put the sample back so ours migrates the whole table.
        stores.table.batch_write(item_for(profile, artist, legacy_artist(n, with_version=True)) for n in range(artists))
        context = MigrationContext(stores, dry_run=False)
        seconds = _seconds(
            lambda: context.migrate_items(
                "artist", from_version="1.0.0", to_version="1.1.0", transform=add_missing_fields
            )
        )
        ours = context.items["changed"] / seconds
        peer = artists / peer_seconds
        print(
            f"  ours   scan + batch_write   {ours:10,.0f} items/s   ({ours / peer:.1f}x the naive peer: {peer:,.0f}/s)"
        )
        back = MigrationContext(stores, dry_run=False)
        peak = _peak_bytes(
            lambda: back.migrate_items("artist", from_version="1.1.0", to_version="1.0.0", transform=dict)
        )
        listed = _peak_bytes(lambda: _scan_to_list(client, name))
        print(f"  memory ours peak            {peak / 1e6:8.1f} MB   (naive list of all items: {listed / 1e6:.1f} MB)")
    finally:
        client.delete_table(TableName=name)


if __name__ == "__main__":
    run(10_000)
