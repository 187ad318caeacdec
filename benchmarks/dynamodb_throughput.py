"""DynamoDB adapter throughput on the local target, against the naive approaches the seeds' scripts use.

- writes: our BatchWriteItem with UnprocessedItems retry vs one PutItem per item;
- reads: our streamed parallel scan (1, 4, 8 segments) vs a single-threaded paginated scan (dynamodump's way);
- memory: peak Python allocation while streaming a scan vs materialising it as a list.
"""

from __future__ import annotations

import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any

from dataops.config import load_settings
from dataops.local import load_endpoints, up
from dataops.stores import aws
from dataops.stores.dynamodb import DynamoTable, from_dynamo, to_dynamo

PEER_SAMPLE = 1_000


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def _item(n: int) -> dict[str, Any]:
    return {"PK": f"ARTIST#{n:07d}", "SK": "PROFILE", "entity_type": "artist", "name": f"Artist {n}", "rating": 4.5}


def _peak_bytes(action: Callable[[], Any]) -> int:
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _serial_scan(client: Any, table: str) -> int:
    """One thread, every page in turn, each item decoded: the same work our scan does per item."""
    count = 0
    request: dict[str, Any] = {"TableName": table}
    while True:
        page = client.scan(**request)
        count += sum(1 for item in page["Items"] if from_dynamo(item))
        if "LastEvaluatedKey" not in page:
            return count
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def run(items: int) -> None:
    up()
    endpoints = load_endpoints()
    settings = load_settings(target="local", endpoint_url=endpoints.aws_endpoint if endpoints else None)
    client = aws.client(settings, "dynamodb")
    name = f"bench-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("PK", "SK")],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    )
    table = DynamoTable(client, name)
    try:
        print(f"DynamoDB on MiniStack, {items:,} items")
        seconds, _ = _timed(lambda: table.batch_write(_item(n) for n in range(items)))
        ours = items / seconds
        peer_seconds, _ = _timed(
            lambda: [client.put_item(TableName=name, Item=to_dynamo(_item(items + n))) for n in range(PEER_SAMPLE)]
        )
        peer = PEER_SAMPLE / peer_seconds
        ratio = ours / peer
        print(f"  write  batch_write          {ours:10,.0f} items/s   ({ratio:.1f}x one PutItem each: {peer:,.0f}/s)")
        baseline_seconds, total = _timed(lambda: _serial_scan(client, name))
        baseline = total / baseline_seconds
        print(f"  read   serial paginated scan {baseline:9,.0f} items/s   (dynamodump's approach)")
        for segments in (1, 4, 8):

            def scan_all(segments: int = segments) -> int:
                return sum(1 for _ in table.scan(segments=segments))

            seconds, count = _timed(scan_all)
            rate = count / seconds
            print(f"  read   parallel scan x{segments:<2}     {rate:10,.0f} items/s   ({rate / baseline:.1f}x serial)")
        # One segment, one buffered page: the peak is a few pages whatever the table's size.
        streamed = _peak_bytes(lambda: sum(1 for _ in table.scan(segments=1, buffer_pages=1)))
        listed = _peak_bytes(lambda: len(list(table.scan(segments=1))))
        print(f"  memory streamed scan peak    {streamed / 1e6:8.1f} MB   (list of all items: {listed / 1e6:.1f} MB)")
    finally:
        client.delete_table(TableName=name)


if __name__ == "__main__":
    run(20_000)
