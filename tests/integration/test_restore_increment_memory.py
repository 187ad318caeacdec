"""A DynamoDB increment's key list (every key of the table) is kept on disk while it is applied, not in memory."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest

from dataops.backup import catalog, loaders
from dataops.backup.keys import open_data_key
from dataops.operations.backup import BACKUP
from dataops.stores.data_stores import DataStores

pytestmark = pytest.mark.integration
KEYS = 10_000


def run(operation: Any, payload: dict[str, Any], stores: DataStores) -> Any:
    return operation.run(operation.parse(payload), stores)


def test_applying_an_increment_holds_its_key_list_on_disk(provisioned: Any) -> None:
    stores: DataStores = provisioned("tattoo_directory")
    attribute = stores.profile.table.updated_at_attribute
    # Unchanged since long before the base: the increment holds every key and no item.
    stores.table.batch_write(
        {"PK": f"ARTIST#{n:06d}", "SK": "PROFILE", "entity_type": "artist", attribute: "2020-01-01T00:00:00Z"}
        for n in range(KEYS)
    )
    run(BACKUP, {"action": "create", "tables": ["dynamodb"]}, stores)
    increment = run(BACKUP, {"action": "create", "kind": "incremental", "tables": ["dynamodb"]}, stores)
    manifest = catalog.resolve(stores, increment.backup["backup_id"])
    entries = [e for e in manifest.objects if e.store == "dynamodb"]
    assert sum(e.rows for e in entries if e.role == "keys") == KEYS
    assert sum(e.rows for e in entries if e.role == "data") == 0
    # An item the increment does not list, and an empty table otherwise: the scan is small, the key list is not.
    loaders.replace_items(stores, iter(()), None)
    stores.table.batch_write([{"PK": "ARTIST#gone", "SK": "PROFILE", "entity_type": "artist"}])
    opener = loaders.object_opener(stores, manifest, open_data_key(stores, manifest.encryption))

    tracemalloc.start()
    try:
        loaders.apply_dynamodb_increment(stores, entries, None, opener)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert stores.table.get({"PK": "ARTIST#gone", "SK": "PROFILE"}) is None
    # 10,000 keys in a Python set take about 2 MB; streamed to disk, the peak is a few frames and batches.
    assert peak < 1_000_000, f"peak {peak / 1e6:.1f} MB"
