"""Time from the start of a restore to a consistent search index, with the stream running: before against after.

A tattoo_directory stage of N artists, its table's DynamoDB stream on, is backed up; then the damage of the report
that found the problem: 5 items and 3 documents deleted. The restore runs while a follower works through the
table's stream in a thread, 100 records per batch through the stream function's handler, as the deployed event
source mapping feeds it (batch_size 100, one shard in order).

- before: the handler applies each record's image (what it did until it read the key's current item), and the
  restore returns without settling the index. The clock stops when a comparison first finds the index equal to
  the table, checked over and over once the restore has returned.
- after: the handler indexes each key's current item and the restore settles the index before it returns. The
  clock stops when the restore returns; the index is compared again once the follower has drained the stream, to
  show that the late records undid nothing.

`python -m benchmarks.restore_index --artists 10000 50000`
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from benchmarks.backup import BenchStores
from benchmarks.sync import _artist
from dataops.compare import compare_entity
from dataops.operations.backup import BACKUP
from dataops.operations.restore import RESTORE
from dataops.operations.sync.stream import StreamSync, handle_stream_batch
from dataops.records import document_for, item_for, record_from_item
from dataops.stores import aws
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb import from_dynamo

BATCH = 100
GIVE_UP_SECONDS = 900.0


class ImageStreamSync(StreamSync):
    """The handler as it was: a record's own image is what the index gets (a REMOVE deletes the document)."""

    def __init__(self, stores: DataStores) -> None:
        super().__init__(stores)
        self._keys_of_change: dict[str, Any] = {}

    def current_item(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        if raw.get("eventName") == "REMOVE":
            return None
        return dict(from_dynamo(raw.get("dynamodb", {}).get("NewImage") or {}))

    def _blocked_by_tombstone(self, index: str, change: Any) -> bool:
        # It re-created a document blocked by a tombstone only when the item existed, as it read it then.
        keys = self._keys_of_change
        return super()._blocked_by_tombstone(index, change) and self.stores.table.get(keys) is not None

    def apply(self, record: Any) -> Any:
        self._keys_of_change = dict(from_dynamo(record.raw_event.get("dynamodb", {}).get("Keys") or {}))
        return super().apply(record)


class StreamFollower(threading.Thread):
    """Reads the table's stream from where it is now, and hands every batch to the handler until told to stop
    and the stream is drained."""

    def __init__(self, bench: BenchStores, stream_arn: str, *, by_image: bool) -> None:
        super().__init__(daemon=True)
        self.stores, self.by_image = bench.stores, by_image
        self.streams = aws.client(bench.settings, "dynamodbstreams")
        shards = self.streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        self.iterators = [
            self.streams.get_shard_iterator(StreamArn=stream_arn, ShardId=s["ShardId"], ShardIteratorType="LATEST")[
                "ShardIterator"
            ]
            for s in shards
        ]
        self.stop, self.applied, self.failures = threading.Event(), 0, 0
        # True while the last read of every shard found nothing: the follower has caught up with the stream.
        self.idle = False

    def run(self) -> None:
        while True:
            got = 0
            for position, iterator in enumerate(self.iterators):
                page = self.streams.get_records(ShardIterator=iterator, Limit=BATCH)
                self.iterators[position] = page["NextShardIterator"]
                records = [_as_lambda_record(r) for r in page["Records"]]
                got += len(records)
                if records:
                    self._apply(records)
            self.idle = not got
            if not got:
                if self.stop.is_set():
                    return
                time.sleep(0.2)

    def _apply(self, records: list[dict[str, Any]]) -> None:
        event = {"Records": records}
        response: dict[str, Any]
        if self.by_image:
            sync = ImageStreamSync(self.stores)
            processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
            response = dict(process_partial_response(event=event, record_handler=sync.apply, processor=processor))
        else:
            response = handle_stream_batch(event, None, self.stores)
        self.applied += len(records)
        self.failures += len(response.get("batchItemFailures", []))


def _as_lambda_record(record: dict[str, Any]) -> dict[str, Any]:
    """A GetRecords record as the event source mapping hands it to Lambda (a number, not a datetime)."""
    body = dict(record["dynamodb"])
    stamp = body.get("ApproximateCreationDateTime")
    if isinstance(stamp, datetime):
        body["ApproximateCreationDateTime"] = stamp.timestamp()
    return {**record, "dynamodb": body}


def _agree(stores: DataStores) -> bool:
    return next(iter(compare_entity(stores, "artist")), None) is None


def _prepare(artists: int) -> tuple[BenchStores, str, str]:
    bench = BenchStores("tattoo_directory")
    stores = bench.stores
    bench.dynamodb.delete_table(TableName=stores.table.name)
    arn = bench.create_table(stores.table.name, stream=True)
    assert arn is not None
    entity = stores.profile.entity("artist")
    assert entity.opensearch is not None
    index = stores.search_indexes()["artist"]
    stores.search.recreate_index(index, entity.opensearch.mappings)
    items = [item_for(stores.profile, entity, _artist(n)) for n in range(artists)]
    stores.table.batch_write(items)
    stores.search.bulk(
        {"_index": index, "_id": doc_id, "_source": document}
        for doc_id, document in (document_for(entity, record_from_item(stores.profile, item)) for item in items)
    )
    stores.search.refresh(index)
    created = BACKUP.run(BACKUP.parse({"action": "create"}), stores).backup
    assert created is not None
    return bench, arn, str(created["backup_id"])


def _damage(stores: DataStores) -> None:
    index = stores.search_indexes()["artist"]
    stores.table.batch_delete({"PK": f"ARTIST#artist-{n:06d}", "SK": "PROFILE"} for n in range(5))
    for n in range(5, 8):
        stores.search.client.delete(index=index, id=f"artist-{n:06d}")
    stores.search.refresh(index)


def _before(bench: BenchStores, arn: str, backup: str) -> tuple[float | None, float, int]:
    stores = bench.stores
    _damage(stores)
    follower = StreamFollower(bench, arn, by_image=True)
    follower.start()
    started = time.perf_counter()
    RESTORE.run(RESTORE.parse({"backup": backup, "safety_backup": False, "settle_index": False}), stores)
    returned = time.perf_counter() - started
    # Consistent for good: the index equals the table once the follower has caught up with the restore's records
    # (before that, a late delete can still take a document away).
    consistent = None
    while time.perf_counter() - started < GIVE_UP_SECONDS:
        caught_up = follower.idle
        stores.search.refresh(stores.search_indexes()["artist"])
        if caught_up and _agree(stores):
            consistent = time.perf_counter() - started
            break
        time.sleep(1)
    follower.stop.set()
    follower.join()
    return consistent, returned, follower.applied


def _after(bench: BenchStores, arn: str, backup: str) -> tuple[float, bool, int]:
    stores = bench.stores
    _damage(stores)
    follower = StreamFollower(bench, arn, by_image=False)
    follower.start()
    started = time.perf_counter()
    result = RESTORE.run(RESTORE.parse({"backup": backup, "safety_backup": False}), stores)
    returned = time.perf_counter() - started
    assert result.details["index"]["agreed"], result.details
    follower.stop.set()
    follower.join()
    stores.search.refresh(stores.search_indexes()["artist"])
    return returned, _agree(stores), follower.applied


def run(artists: int) -> None:
    print(f"restore to a consistent index, tattoo_directory, {artists:,} artists, stream followed in-process")
    bench, arn, backup = _prepare(artists)
    try:
        consistent, returned, applied = _before(bench, arn, backup)
        settled, still, applied_after = _after(bench, arn, backup)
    finally:
        bench.remove()
        bench.stores.search.client.indices.delete(
            index=bench.stores.search_indexes()["artist"], ignore_unavailable=True
        )
    shown = f"{consistent:.1f} s" if consistent is not None else f"not within {GIVE_UP_SECONDS:.0f} s"
    print(f"  before: returned after {returned:.1f} s; index consistent after {shown} ({applied:,} stream records)")
    print(
        f"  after:  returned after {settled:.1f} s with the index consistent; still consistent once the stream "
        f"drained ({applied_after:,} records): {still}"
    )
    if consistent is not None:
        print(f"  ratio: consistent {consistent / settled:.1f}x sooner")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artists", type=int, nargs="+", default=[10_000, 50_000])
    for artists in parser.parse_args().artists:
        run(artists)


if __name__ == "__main__":
    main()
