"""Continuous sync: DynamoDB Streams records of indexed entities become OpenSearch index and delete requests.

A record says which key changed; what the index gets is that key's item as the table holds it *now* (a
consistent read right before the write), not the record's image. A stream lags: a restore, a reset or an
import deletes and rewrites thousands of items, and their records arrive minutes after the writer has loaded
the index. Applying the images would delete restored documents and bring them back later; applying the current
item makes a late record a no-op, and a genuine change made meanwhile is in the item, so it is not lost either.

Each write carries the external version of `reconcile.versions` (the item's update timestamp), so a slower
writer never regresses a document: OpenSearch answers 409 and that record counts as done. A record that fails for
any other reason is reported back to the event source mapping (ReportBatchItemFailures) through the Powertools
batch processor, so it is retried without blocking the rest of the batch.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from dataops.compare import entity_index
from dataops.errors import StoreUnavailable
from dataops.reconcile.search_writes import SearchChange, SearchOutcome, apply_search_changes
from dataops.reconcile.versions import VERSION_SCALE, deletion_version, document_version
from dataops.records import document_for, record_from_item
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb import from_dynamo

logger = Logger(child=True)


class StreamSync:
    """Applies one stream record at a time: the key's current item, or a delete when the table no longer has it."""

    def __init__(self, stores: DataStores) -> None:
        self.stores = stores
        self.entities = {entity.name: entity for entity, _ in stores.profile.search_indexes() if entity.dynamodb}
        self.outcomes: Counter[str] = Counter()

    def _image(self, raw: dict[str, Any]) -> dict[str, Any]:
        images = raw.get("dynamodb", {})
        return dict(from_dynamo(images.get("NewImage") or {}) or from_dynamo(images.get("OldImage") or {}))

    def _keys(self, raw: dict[str, Any]) -> dict[str, Any]:
        return dict(from_dynamo(raw.get("dynamodb", {}).get("Keys") or {}))

    def current_item(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        """The key's item now, read (consistently) right before the record is acted on. Not once per batch: a batch
        read while a restore had cleared a key but not yet put it back would delete the document of an item that
        exists, and its put's own record, later in the same batch, would get the same stale answer."""
        keys = self._keys(raw)
        return self.stores.table.get(keys) if keys else None

    def change_for(self, raw: dict[str, Any]) -> tuple[str, SearchChange] | None:
        """(index, change) for a stream record, or None when the item is not of an indexed entity."""
        image = self._image(raw)
        profile = self.stores.profile
        # A key keeps its entity type, so a record of an unindexed entity costs no read.
        entity = self.entities.get(str(image.get(profile.table.entity_type_attribute)))
        if entity is None:
            return None
        current = self.current_item(raw)
        updated_at = profile.table.updated_at_attribute
        index = entity_index(self.stores, entity)
        if current is None:
            record = record_from_item(profile, image)
            doc_id, _ = document_for(entity, record)
            # Without an update timestamp there is no order to keep: the delete goes in unversioned.
            return index, SearchChange(doc_id, None, deletion_version(record, updated_at))
        record = record_from_item(profile, current)
        doc_id, document = document_for(entity, record)
        return index, SearchChange(doc_id, document, document_version(record, updated_at))

    def apply(self, record: DynamoDBRecord) -> SearchOutcome | None:
        planned = self.change_for(record.raw_event)
        if planned is None:
            self.outcomes["ignored"] += 1
            return None
        index, change = planned
        (result,) = apply_search_changes(self.stores.search, index, [change], force=False)
        if result.outcome == "stale" and self._blocked_by_tombstone(index, change):
            # A reset clears an item and seeds it again with the same update timestamp: the delete's tombstone
            # holds the last version of that block, so the re-creation takes that version too.
            assert change.version is not None  # noqa: S101 - only versioned writes are stale
            last_of_block = change.version - change.version % VERSION_SCALE + VERSION_SCALE - 1
            (result,) = apply_search_changes(
                self.stores.search, index, [SearchChange(change.key, change.document, last_of_block)], force=False
            )
        self.outcomes[result.outcome] += 1
        if result.outcome == "failed":
            raise StoreUnavailable(f"OpenSearch refused {change.key} in {index}: {result.error}")
        return result.outcome

    def _blocked_by_tombstone(self, index: str, change: SearchChange) -> bool:
        """A refused write of an existing item whose document is gone: a delete's tombstone blocked a re-creation.

        Only current items are written, so a deleted item is never resurrected by this."""
        if change.document is None or change.version is None:
            return False
        return self.stores.search.stored_version(index, change.key) is None


def handle_stream_batch(event: dict[str, Any], context: LambdaContext | None, stores: DataStores) -> dict[str, Any]:
    sync = StreamSync(stores)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    response = process_partial_response(event=event, record_handler=sync.apply, processor=processor, context=context)
    logger.info("stream batch applied", extra={"outcomes": dict(sync.outcomes)})
    return dict(response)
