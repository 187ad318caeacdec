"""The restore writer: parallel BatchWriteItem of requests already in DynamoDB's wire format.

A backup keeps items in the wire format end to end, so each request body is one C-speed json.dumps, sent by a
client of its own that skips botocore's validation and serializer (which cost more client CPU than the server
spent storing). botocore still signs, retries throttling and parses the response.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any

from dataops.errors import StoreUnavailable
from dataops.stores.backoff import MAX_BATCH_ATTEMPTS, pause_before_retry

BATCH = 25
WRITERS = 16

_prebuilt = threading.local()


def wire_json(value: Any) -> Any:
    """json.dumps default for wire-format values: binary travels base64, as on the wire."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def batch_body(name: str, requests: list[dict[str, Any]]) -> bytes:
    """The BatchWriteItem request body for wire-format Put/Delete requests."""
    body = {"RequestItems": {name: requests}}
    return json.dumps(body, separators=(",", ":"), default=wire_json).encode()


def _send_prebuilt_body(request: Any, **_kwargs: Any) -> None:
    """`before-sign` hook: the body built by `batch_body` goes out as it is (and is what gets signed)."""
    body = getattr(_prebuilt, "body", None)
    if body is not None:
        request.data = body


class WireBatchWriter:
    """Writes wire-format requests to one table with a bounded number of batches in flight, so memory stays flat.

    `client` must be one of its own (botocore validation off): the hook registered on it replaces the body of
    every BatchWriteItem it sends while a batch is prepared on the calling thread."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.name = table_name
        client.meta.events.register(
            "before-sign.dynamodb.BatchWriteItem", _send_prebuilt_body, unique_id="dataops-restore-prebuilt-body"
        )

    def write_batch(self, requests: list[dict[str, Any]]) -> None:
        pending = requests
        for attempt in range(MAX_BATCH_ATTEMPTS):
            _prebuilt.body = batch_body(self.name, pending)
            try:
                # The real requests travel in the prebuilt body; the empty list only keeps the serializer idle.
                response = self.client.batch_write_item(RequestItems={self.name: []})
            finally:
                _prebuilt.body = None
            pending = response.get("UnprocessedItems", {}).get(self.name, [])
            if not pending:
                return
            pause_before_retry(attempt)
        raise StoreUnavailable(
            f"DynamoDB table {self.name!r}: {len(pending)} items unprocessed after {MAX_BATCH_ATTEMPTS} attempts"
        )

    def write_in(self, pool: ThreadPoolExecutor, requests: Iterable[dict[str, Any]]) -> int:
        """Submit batches of 25 to `pool` (shared by the calls of one restore); the count sent."""
        in_flight: deque[Future[None]] = deque()
        written = 0
        iterator = iter(requests)
        while batch := list(islice(iterator, BATCH)):
            in_flight.append(pool.submit(self.write_batch, batch))
            written += len(batch)
            if len(in_flight) >= WRITERS * 2:
                in_flight.popleft().result()
        for future in in_flight:
            future.result()
        return written

    def write(self, requests: Iterable[dict[str, Any]]) -> int:
        with ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="restore-dynamodb") as pool:
            return self.write_in(pool, requests)
