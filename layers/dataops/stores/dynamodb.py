"""DynamoDB adapter: batch writes with retry, parallel scan, paginated query, conditional put."""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from dataops.errors import StoreUnavailable
from dataops.stores.backoff import MAX_BATCH_ATTEMPTS, pause_before_retry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_WRITE_LIMIT = 25
BATCH_GET_LIMIT = 100

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


def _dynamo_safe(value: Any) -> Any:
    """DynamoDB numbers must be Decimal; floats are converted through their shortest repr, so 4.7 stays 4.7."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _dynamo_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_dynamo_safe(item) for item in value]
    return value


def to_dynamo(item: Item) -> dict[str, Any]:
    return {key: _serializer.serialize(_dynamo_safe(value)) for key, value in item.items()}


def from_dynamo(item: dict[str, Any]) -> Item:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class DynamoTable:
    """One table. Items cross this boundary as plain Python values; the wire format stays inside."""

    def __init__(self, client: DynamoDBClient, table_name: str, *, backoff_base: float = 0.05) -> None:
        self.client = client
        self.name = table_name
        self._backoff_base = backoff_base

    def describe(self) -> dict[str, Any]:
        try:
            return dict(self.client.describe_table(TableName=self.name)["Table"])
        except ClientError as exc:
            raise StoreUnavailable(f"DynamoDB table {self.name!r}: {exc.response['Error']['Message']}") from exc

    def exists(self) -> bool:
        try:
            self.client.describe_table(TableName=self.name)
        except self.client.exceptions.ResourceNotFoundException:
            return False
        return True

    def key_names(self) -> list[str]:
        return [element["AttributeName"] for element in self.describe()["KeySchema"]]

    def batch_write(self, items: Iterable[Item]) -> int:
        """Put items in batches of 25; UnprocessedItems are retried with jittered exponential backoff."""
        written = 0
        for chunk in _chunks(items, BATCH_WRITE_LIMIT):
            self._write_requests([{"PutRequest": {"Item": to_dynamo(item)}} for item in chunk])
            written += len(chunk)
        return written

    def batch_delete(self, keys: Iterable[Item]) -> int:
        deleted = 0
        for chunk in _chunks(keys, BATCH_WRITE_LIMIT):
            self._write_requests([{"DeleteRequest": {"Key": to_dynamo(key)}} for key in chunk])
            deleted += len(chunk)
        return deleted

    def _write_requests(self, requests: list[dict[str, Any]]) -> None:
        pending = requests
        for attempt in range(MAX_BATCH_ATTEMPTS):
            response = self.client.batch_write_item(RequestItems={self.name: pending})  # type: ignore[dict-item]
            pending = cast(list[dict[str, Any]], response.get("UnprocessedItems", {}).get(self.name, []))
            if not pending:
                return
            pause_before_retry(attempt, self._backoff_base)
        raise StoreUnavailable(
            f"DynamoDB table {self.name!r}: {len(pending)} items still unprocessed after {MAX_BATCH_ATTEMPTS} attempts"
        )

    def put_if(
        self, item: Item, condition: str, values: Item | None = None, names: dict[str, str] | None = None
    ) -> bool:
        """Conditional put; False (not an error) when the condition does not hold."""
        request: dict[str, Any] = {"TableName": self.name, "Item": to_dynamo(item), "ConditionExpression": condition}
        if values:
            request["ExpressionAttributeValues"] = to_dynamo(values)
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            self.client.put_item(**request)
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def delete_if(self, key: Item, condition: str, values: Item, names: dict[str, str] | None = None) -> bool:
        request: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_dynamo(key),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": to_dynamo(values),
        }
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            self.client.delete_item(**request)
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def get(self, key: Item, *, consistent: bool = True) -> Item | None:
        response = self.client.get_item(TableName=self.name, Key=to_dynamo(key), ConsistentRead=consistent)
        raw = response.get("Item")
        return from_dynamo(raw) if raw else None

    def put(self, item: Item) -> None:
        self.client.put_item(TableName=self.name, Item=to_dynamo(item))

    def existing_keys(self, keys: Iterable[Item]) -> list[Item]:
        """The given keys that exist, read key-only."""
        return self.get_many(keys, keys_only=True)

    def get_many(self, keys: Iterable[Item], *, keys_only: bool = False, consistent: bool = False) -> list[Item]:
        """The items of the given keys that exist (in no particular order), read as BatchGetItem pages of 100;
        UnprocessedKeys are retried."""
        found: list[Item] = []
        for chunk in _chunks(keys, BATCH_GET_LIMIT):
            request: dict[str, Any] = {"Keys": [to_dynamo(key) for key in chunk], "ConsistentRead": consistent}
            if keys_only:
                names = list(chunk[0])
                request["ProjectionExpression"] = ", ".join(f"#k{i}" for i in range(len(names)))
                request["ExpressionAttributeNames"] = {f"#k{i}": name for i, name in enumerate(names)}
            for attempt in range(MAX_BATCH_ATTEMPTS):
                response = self.client.batch_get_item(RequestItems={self.name: request})  # type: ignore[dict-item]
                found.extend(from_dynamo(raw) for raw in response.get("Responses", {}).get(self.name, []))
                unprocessed = response.get("UnprocessedKeys", {}).get(self.name)
                if not unprocessed:
                    break
                request["Keys"] = unprocessed["Keys"]
                pause_before_retry(attempt, self._backoff_base)
            else:
                raise StoreUnavailable(f"DynamoDB table {self.name!r}: keys still unprocessed after retries")
        return found

    def query(
        self,
        key_condition: str,
        values: Item,
        *,
        index: str | None = None,
        names: dict[str, str] | None = None,
        forward: bool = True,
        limit: int | None = None,
    ) -> Iterator[Item]:
        """Paginated query; stops after `limit` items when given."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeValues": to_dynamo(values),
            "ScanIndexForward": forward,
        }
        if index:
            request["IndexName"] = index
        if names:
            request["ExpressionAttributeNames"] = names
        if limit:
            request["PaginationConfig"] = {"MaxItems": limit}
        for page in self.client.get_paginator("query").paginate(**request):
            for raw in page["Items"]:
                yield from_dynamo(raw)

    def scan(
        self,
        *,
        segments: int = 4,
        projection: list[str] | None = None,
        buffer_pages: int = 2,
        page_size: int | None = None,
    ) -> Iterator[Item]:
        """Parallel scan, streamed: segment threads hand pages over a bounded queue, so memory stays flat."""
        pages: queue.Queue[list[dict[str, Any]] | BaseException | None] = queue.Queue(maxsize=buffer_pages)
        stop = threading.Event()

        def scan_segment(segment: int) -> None:
            request: dict[str, Any] = {"TableName": self.name, "Segment": segment, "TotalSegments": segments}
            if page_size:
                # DynamoDB caps a page at 1 MB; a smaller cap is for servers that do not.
                request["PaginationConfig"] = {"PageSize": page_size}
            if projection:
                request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(projection)))
                request["ExpressionAttributeNames"] = {f"#p{i}": name for i, name in enumerate(projection)}
            try:
                for page in self.client.get_paginator("scan").paginate(**request):
                    if stop.is_set():
                        return
                    pages.put(page["Items"])
            except ClientError as exc:
                pages.put(StoreUnavailable(f"DynamoDB table {self.name!r}: {exc.response['Error']['Message']}"))
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
                pages.put(exc)
            finally:
                pages.put(None)

        with ThreadPoolExecutor(max_workers=segments, thread_name_prefix=f"scan-{self.name}") as pool:
            for segment in range(segments):
                pool.submit(scan_segment, segment)
            finished = 0
            try:
                while finished < segments:
                    page = pages.get()
                    if page is None:
                        finished += 1
                    elif isinstance(page, BaseException):
                        raise page
                    else:
                        for raw in page:
                            yield from_dynamo(raw)
            finally:
                stop.set()
                # Unblock producers waiting on a full queue so the pool can shut down.
                while finished < segments:
                    try:
                        if pages.get(timeout=0.1) is None:
                            finished += 1
                    except queue.Empty:
                        continue

    def scan_segment(self, segment: int, segments: int, *, page_size: int | None = None) -> Iterator[Item]:
        """One segment of a parallel scan, streamed page by page: the share of one unit of a fanned-out job."""
        parameters: dict[str, Any] = {"Segment": segment, "TotalSegments": segments}
        if page_size:
            parameters["PaginationConfig"] = {"PageSize": page_size}
        for raw in self.scan_wire(**parameters):
            yield from_dynamo(raw)

    def item_count(self) -> int:
        """The table's item count as DynamoDB last measured it (about every six hours on AWS): for sizing work."""
        return int(self.describe().get("ItemCount", 0))

    def scan_wire(self, **parameters: Any) -> Iterator[dict[str, Any]]:
        """Items in DynamoDB's wire format, streamed page by page: for backup and restore, which keep that format
        end to end. `parameters` are Scan's (Segment, ProjectionExpression, FilterExpression, ...)."""
        try:
            for page in self.client.get_paginator("scan").paginate(TableName=self.name, **parameters):
                yield from page["Items"]
        except ClientError as exc:
            raise StoreUnavailable(f"DynamoDB table {self.name!r}: {exc.response['Error']['Message']}") from exc

    def count_by(self, attribute: str, *, segments: int = 4) -> Counter[str]:
        """Item counts per value of `attribute` (e.g. the entity type), with a projected parallel scan."""
        counts: Counter[str] = Counter()
        for item in self.scan(segments=segments, projection=[attribute]):
            counts[str(item.get(attribute, "(none)"))] += 1
        return counts
