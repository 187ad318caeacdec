"""Full `dynamo-to-os` of the performance-test data set on the local target, against one index request per document.

Prints documents per second for the full sync (scan, compare, bulk with external versions); for the sync
workflow's path (plan, each unit, finalize), its per-invocation rate, slowest unit and the Map's projected wall
time; for the naive peer (a single-document index request each, on a sample); their ratios; and the peak memory
of the single call against one unit.
"""

from __future__ import annotations

import time
import tracemalloc
import uuid
from typing import Any

from dataops.config import load_settings
from dataops.local import load_endpoints, up
from dataops.operations.sync import SYNC
from dataops.profiles import load_profile
from dataops.records import document_for, item_for, record_from_item
from dataops.stores import aws
from dataops.stores.data_stores import DataStores

PEER_SAMPLE = 2_000
# The sync workflow's default Map concurrency.
FAN_OUT_SEGMENTS = 4
STYLES = ("traditional", "blackwork", "realism", "japanese", "geometric", "watercolour")


def _artist(number: int) -> dict[str, Any]:
    style = STYLES[number % len(STYLES)]
    stamp = f"2026-01-{1 + number % 28:02d}T{number % 24:02d}:{number % 60:02d}:00Z"
    return {
        "artistId": f"artist-{number:06d}",
        "artistName": f"Artist {number}",
        "instagramHandle": f"@artist{number}",
        "styles": [style, STYLES[(number + 1) % len(STYLES)]],
        "primaryStyle": style,
        "locationDisplay": "Shoreditch, London",
        "geohash": "gcpvj0d",
        "latitude": 51.5 + (number % 100) / 1000,
        "longitude": -0.1 + (number % 100) / 1000,
        "studioId": f"studio-{number % 500:04d}",
        "rating": round(3 + (number % 20) / 10, 1),
        "reviewCount": number % 300,
        "portfolioImages": [{"url": f"https://img.example/{number}.jpg", "style": style, "caption": "flash"}],
        "bookingOpen": number % 3 == 0,
        "pricing": {"hourlyRate": 80 + number % 70, "minimumCharge": 50, "currency": "GBP"},
        "createdAt": stamp,
        "updatedAt": stamp,
    }


def _create_tables(stores: DataStores) -> None:
    client = stores.table.client
    design = stores.profile.table
    for name, indexes in ((stores.table.name, design.indexes), (stores.control.name, ())):
        attributes = {"PK", "SK"} | {
            key.name for index in indexes for key in (index.partition_key, index.sort_key) if key
        }
        request: dict[str, Any] = {
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"} for key in sorted(attributes)],
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        }
        if indexes:
            request["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": index.partition_key.name, "KeyType": "HASH"},
                        *([{"AttributeName": index.sort_key.name, "KeyType": "RANGE"}] if index.sort_key else []),
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in indexes
            ]
        client.create_table(**request)
        client.get_waiter("table_exists").wait(TableName=name)


def _fanned_out(stores: DataStores, index: str, artists: int, single_seconds: float, single_peak: int) -> None:
    """The sync workflow's path: plan, every unit, finalize, as the state machine calls them.

    On the local target every store shares the machine's cores (MiniStack serves one request at a time), so units
    run one after another here and the rate printed is one invocation's; the Map runs them side by side on AWS, so
    its wall time is about the plan, then the slowest unit per wave of `sync_map_concurrency`, then finalize.
    """
    # A fresh index, as the single call had (deleting the documents would leave tombstones to outrank).
    entity = stores.profile.entity("artist")
    assert entity.opensearch is not None
    stores.search.recreate_index(index, entity.opensearch.mappings)
    started = time.perf_counter()
    planned = SYNC.run(SYNC.parse({"action": "plan", "segments": FAN_OUT_SEGMENTS}), stores)
    plan_seconds = time.perf_counter() - started
    assert planned.job is not None
    leased = {"job": planned.job["job_id"], "lease": planned.job["lease"], "direction": "dynamo-to-os"}

    def unit(share: Any) -> Any:
        return SYNC.run(SYNC.parse({"action": "unit", **leased, "unit": share.model_dump()}), stores).outcome

    outcomes, durations = [], []
    for share in planned.units:
        began = time.perf_counter()
        outcomes.append(unit(share))
        durations.append(time.perf_counter() - began)
    began = time.perf_counter()
    finalized = SYNC.run(
        SYNC.parse({"action": "finalize", **leased, "outcomes": [o.model_dump() for o in outcomes]}), stores
    )
    finalize_seconds = time.perf_counter() - began
    in_units = sum(durations)
    waves = -(-len(durations) // FAN_OUT_SEGMENTS)
    projected = plan_seconds + waves * max(durations) + finalize_seconds
    print(
        f"  fanned out     {artists / in_units:10,.0f} docs/s   per invocation "
        f"({len(durations)} units in {in_units:.1f} s, slowest unit {max(durations):.1f} s; counts {finalized.counts})"
    )
    print(
        f"  ratio: a unit syncs at {single_seconds / in_units:.2f}x the single call's rate; with {FAN_OUT_SEGMENTS} "
        f"units at a time (the Map's default) the workflow would take ~{projected:.1f} s, "
        f"{single_seconds / projected:.1f}x the single call"
    )
    # A unit's memory, alone: it holds one batch, whatever the table's size.
    share = next(u for u in planned.units if u.side == "dynamodb")
    again = SYNC.run(SYNC.parse({"action": "plan", "segments": FAN_OUT_SEGMENTS}), stores)
    assert again.job is not None
    leased = {"job": again.job["job_id"], "lease": again.job["lease"], "direction": "dynamo-to-os"}
    tracemalloc.start()
    unit(share)
    _, unit_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    SYNC.run(SYNC.parse({"action": "abort", **leased, "reason": "benchmark done"}), stores)
    print(
        f"  peak Python memory of one no-op unit {unit_peak / 2**20:.1f} MiB, against {single_peak / 2**20:.1f} MiB "
        f"for the no-op single call ({single_peak / max(unit_peak, 1):.1f}x less; the unit keeps one batch)"
    )


def run(artists: int) -> None:
    up()
    endpoints = load_endpoints()
    stage = f"bench{uuid.uuid4().hex[:6]}"
    settings = load_settings(
        profile="tattoo_directory",
        stage=stage,
        target="local",
        endpoint_url=endpoints.aws_endpoint if endpoints else None,
    )
    stores = DataStores(settings, load_profile("tattoo_directory"))
    entity = stores.profile.entity("artist")
    index = stores.search_indexes()["artist"]
    peer_index = f"{index}-peer"
    assert entity.opensearch is not None
    _create_tables(stores)
    for name in (index, peer_index):
        stores.search.ensure_index(name, entity.opensearch.mappings)
    try:
        print(f"sync dynamo-to-os on the local target, {artists:,} artists")
        started = time.perf_counter()
        stores.table.batch_write(item_for(stores.profile, entity, _artist(n)) for n in range(artists))
        print(f"  seeded DynamoDB in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        result = SYNC.run(SYNC.parse({"action": "dynamo-to-os", "dry_run": False, "report_limit": 0}), stores)
        seconds = time.perf_counter() - started
        ours = artists / seconds
        print(f"  full sync      {ours:10,.0f} docs/s   ({seconds:.1f} s, counts {result.counts})")

        started = time.perf_counter()
        tracemalloc.start()
        again = SYNC.run(SYNC.parse({"action": "dynamo-to-os", "dry_run": False, "report_limit": 0}), stores)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  re-run (no-op) {artists / (time.perf_counter() - started):10,.0f} docs/s compared ({again.counts})")
        print(f"  peak Python memory of the no-op run {peak / 2**20:.1f} MiB ({peak / artists:.0f} bytes per document;")
        print("  the comparison keeps id -> digest for one side, never whole documents; traced, so slower)")

        _fanned_out(stores, index, artists, seconds, peak)

        sample = []
        for item in stores.table.scan():
            sample.append(document_for(entity, record_from_item(stores.profile, item)))
            if len(sample) == PEER_SAMPLE:
                break
        started = time.perf_counter()
        for doc_id, document in sample:
            stores.search.client.index(index=peer_index, id=doc_id, body=document)
        peer = len(sample) / (time.perf_counter() - started)
        print(f"  one request per document {peer:8,.0f} docs/s   (sample of {len(sample):,})")
        print(f"  ratio: full sync is {ours / peer:.1f}x one index request per document")
    finally:
        client = aws.client(settings, "dynamodb")
        for name in (stores.table.name, stores.control.name):
            client.delete_table(TableName=name)
        for name in (index, peer_index):
            stores.search.client.indices.delete(index=name, ignore_unavailable=True)
