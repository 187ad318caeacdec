"""Seeding the `performance-test` state (the full directory x5: 50,000 artists) on the local target, against a
naive loop that writes each record with one PutItem and, for indexed entities, one index request.

Prints records per second for both (a record counts once, whatever stores it lands in) and their ratio.
"""

from __future__ import annotations

import time
import uuid
from itertools import islice

from benchmarks.sync import _create_tables
from dataops.config import load_settings
from dataops.local import load_endpoints, up
from dataops.operations.reset import RESET
from dataops.operations.seed.operation import DATASET_CLOCK, DEFAULT_SEED
from dataops.profiles import load_profile
from dataops.profiles.model import SeedContext
from dataops.records import document_for, item_for, record_values
from dataops.stores import aws
from dataops.stores.data_stores import DataStores

PEER_SAMPLE = 2_000


def run(copies: int = 5) -> None:
    up()
    endpoints = load_endpoints()
    stage = f"bench{uuid.uuid4().hex[:6]}"
    settings = load_settings(
        profile="tattoo_directory",
        stage=stage,
        target="local",
        endpoint_url=endpoints.aws_endpoint if endpoints else None,
    )
    profile = load_profile("tattoo_directory")
    stores = DataStores(settings, profile)
    [index] = stores.search_indexes().values()
    peer_index = f"{index}-peer"
    artist = profile.entity("artist")
    assert artist.opensearch is not None and profile.seeding is not None
    _create_tables(stores)
    for name in (index, peer_index):
        stores.search.ensure_index(name, artist.opensearch.mappings)
    try:
        print(f"seeding performance-test on the local target (full directory x{copies})")
        started = time.perf_counter()
        result = RESET.run(RESET.parse({"action": "state", "state": "performance-test"}), stores)
        seconds = time.perf_counter() - started
        records = sum(t.created for t in result.tallies if t.store == "dynamodb")
        writes = result.counts["created"]
        ours = records / seconds
        print(f"  reset state {ours:10,.0f} records/s ({records:,} records, {writes:,} store writes, {seconds:.1f} s)")

        scenario = profile.seeding.scenario("full")
        sample = list(islice(scenario.generate(SeedContext(seed=DEFAULT_SEED + 1, clock=DATASET_CLOCK)), PEER_SAMPLE))
        started = time.perf_counter()
        for entity_name, record in sample:
            entity = profile.entity(entity_name)
            values = record_values(record)
            stores.table.put(item_for(profile, entity, values))
            if entity.opensearch is not None:
                doc_id, document = document_for(entity, values)
                stores.search.client.index(index=peer_index, id=doc_id, body=document)
        peer = len(sample) / (time.perf_counter() - started)
        print(f"  naive PutItem + index request per record {peer:8,.0f} records/s  (sample of {len(sample):,})")
        print(f"  ratio: seeding is {ours / peer:.1f}x the naive loop")
    finally:
        client = aws.client(settings, "dynamodb")
        for name in (stores.table.name, stores.control.name):
            client.delete_table(TableName=name)
        for name in (index, peer_index):
            stores.search.client.indices.delete(index=name, ignore_unavailable=True)
