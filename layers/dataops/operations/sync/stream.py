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
from dataops.operations.sync.versions import deletion_version, document_version
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
        self.outcomes[result.outcome] += 1
        if result.outcome == "failed":
            raise StoreUnavailable(f"OpenSearch refused {change.key} in {index}: {result.error}")
        return result.outcome


def handle_stream_batch(event: dict[str, Any], context: LambdaContext | None, stores: DataStores) -> dict[str, Any]:
    sync = StreamSync(stores)
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    response = process_partial_response(event=event, record_handler=sync.apply, processor=processor, context=context)
    logger.info("stream batch applied", extra={"outcomes": dict(sync.outcomes)})
    return dict(response)
