"""Continuous sync: DynamoDB Streams records of indexed entities become OpenSearch index and delete requests.

Each change carries the external version of `versions.py` (the item's update timestamp), so a replayed or
late record never regresses a document: OpenSearch answers 409 and that record counts as done. A record that
fails for any other reason is reported back to the event source mapping (ReportBatchItemFailures) through the
Powertools batch processor, so it is retried without blocking the rest of the batch.
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
from dataops.operations.sync.search_writes import SearchChange, SearchOutcome, apply_search_changes
from dataops.operations.sync.versions import VERSION_SCALE, deletion_version, document_version
from dataops.records import document_for, record_from_item
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb import from_dynamo

logger = Logger(child=True)


class StreamSync:
    """Applies one stream record at a time (records of one key arrive in order within a shard)."""

    def __init__(self, stores: DataStores) -> None:
        self.stores = stores
        self.entities = {entity.name: entity for entity, _ in stores.profile.search_indexes() if entity.dynamodb}
        self.outcomes: Counter[str] = Counter()

    def change_for(self, raw: dict[str, Any]) -> tuple[str, SearchChange] | None:
        """(index, change) for a stream record, or None when the item is not of an indexed entity."""
        images = raw.get("dynamodb", {})
        new_image = from_dynamo(images.get("NewImage") or {})
        old_image = from_dynamo(images.get("OldImage") or {})
        profile = self.stores.profile
        entity = self.entities.get(str((new_image or old_image).get(profile.table.entity_type_attribute)))
        if entity is None:
            return None
        updated_at = profile.table.updated_at_attribute
        index = entity_index(self.stores, entity)
        if raw.get("eventName") == "REMOVE":
            record = record_from_item(profile, old_image)
            doc_id, _ = document_for(entity, record)
            # Without an update timestamp there is no order to keep: the delete goes in unversioned.
            return index, SearchChange(doc_id, None, deletion_version(record, updated_at))
        record = record_from_item(profile, new_image)
        doc_id, document = document_for(entity, record)
        return index, SearchChange(doc_id, document, document_version(record, updated_at))

    def apply(self, record: DynamoDBRecord) -> SearchOutcome | None:
        planned = self.change_for(record.raw_event)
        if planned is None:
            self.outcomes["ignored"] += 1
            return None
        index, change = planned
        (result,) = apply_search_changes(self.stores.search, index, [change], force=False)
        if result.outcome == "stale" and self._recreated(record.raw_event, index, change):
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

    def _recreated(self, raw: dict[str, Any], index: str, change: SearchChange) -> bool:
        """A refused write whose document is gone while its item exists: a delete's tombstone blocked a re-creation.

        A replayed write of a deleted item finds no item, so it stays refused and never resurrects the document.
        """
        if change.document is None or change.version is None:
            return False
        if self.stores.search.stored_version(index, change.key) is not None:
            return False
        keys = from_dynamo(raw.get("dynamodb", {}).get("Keys") or {})
        return bool(keys) and self.stores.table.get(keys) is not None


def handle_stream_batch(event: dict[str, Any], context: LambdaContext | None, stores: DataStores) -> dict[str, Any]:
    sync = StreamSync(stores)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    response = process_partial_response(event=event, record_handler=sync.apply, processor=processor, context=context)
    logger.info("stream batch applied", extra={"outcomes": dict(sync.outcomes)})
    return dict(response)
