"""DynamoDB adapter against MiniStack: batch writes, parallel scan, paginated query, conditional put."""

import hashlib
import json
from decimal import Decimal

import pytest

from dataops.stores.dynamodb import DynamoTable, to_dynamo

pytestmark = pytest.mark.integration


def checksum(items) -> str:
    """Over the wire form, so 5 and Decimal(5) hash alike but 5 and "5" do not."""
    lines = sorted(json.dumps(to_dynamo(item), sort_keys=True) for item in items)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def make_items(count: int, partition: str | None = None):
    return [
        {
            "PK": partition or f"ITEM#{n:05d}",
            "SK": f"ROW#{n:05d}",
            "entity_type": "widget" if n % 3 else "gadget",
            "rating": Decimal("4.5"),
            "tags": ["a", "b"],
            "n": n,
        }
        for n in range(count)
    ]


def test_batch_write_then_parallel_scan_returns_exactly_what_was_written(dynamodb, scratch_table):
    table = DynamoTable(dynamodb, scratch_table)
    items = make_items(1234)
    assert table.batch_write(iter(items)) == 1234
    scanned_parallel = list(table.scan(segments=4))
    scanned_serial = list(table.scan(segments=1))
    assert len(scanned_parallel) == 1234
    assert checksum(scanned_parallel) == checksum(items) == checksum(scanned_serial)


def test_count_by_counts_each_entity_type(dynamodb, scratch_table):
    table = DynamoTable(dynamodb, scratch_table)
    table.batch_write(make_items(300))
    assert table.count_by("entity_type") == {"widget": 200, "gadget": 100}


def test_paginated_query_reads_every_page_and_respects_limit(dynamodb, scratch_table):
    table = DynamoTable(dynamodb, scratch_table)
    table.batch_write(make_items(2500, partition="TEAM#t1"))
    everything = list(table.query("PK = :pk", {":pk": "TEAM#t1"}))
    assert len(everything) == 2500
    newest = list(table.query("PK = :pk", {":pk": "TEAM#t1"}, forward=False, limit=7))
    assert [item["SK"] for item in newest] == [f"ROW#{n:05d}" for n in range(2499, 2492, -1)]


def test_conditional_put_refuses_to_overwrite(dynamodb, scratch_table):
    table = DynamoTable(dynamodb, scratch_table)
    item = {"PK": "A", "SK": "B", "version": 1}
    assert table.put_if(item, "attribute_not_exists(PK)") is True
    assert table.put_if({**item, "version": 2}, "attribute_not_exists(PK)") is False
    assert (table.get({"PK": "A", "SK": "B"}) or {})["version"] == 1


def test_batch_delete_removes_only_the_given_keys(dynamodb, scratch_table):
    table = DynamoTable(dynamodb, scratch_table)
    table.batch_write(make_items(60))
    assert table.batch_delete({"PK": f"ITEM#{n:05d}", "SK": f"ROW#{n:05d}"} for n in range(50)) == 50
    assert sorted(item["n"] for item in table.scan()) == list(range(50, 60))


def test_abandoning_a_scan_early_does_not_hang(dynamodb, scratch_table):
    table = DynamoTable(dynamodb, scratch_table)
    table.batch_write(make_items(500))
    scan = table.scan(segments=4, buffer_pages=1)
    first = [next(scan) for _ in range(3)]
    scan.close()  # type: ignore[attr-defined]
    assert len(first) == 3


def test_scan_of_a_missing_table_is_a_clear_store_error(dynamodb):
    from dataops.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="DynamoDB table 'no-such-table'"):
        list(DynamoTable(dynamodb, "no-such-table").scan())
