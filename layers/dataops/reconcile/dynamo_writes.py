"""What OpenSearch can give back to DynamoDB.

A document holds only the index's mapped fields, so it cannot always rebuild an item:
- an item that exists is updated: its mapped fields take the document's values (a mapped field the document
  lacks is removed), every other attribute of the item is kept;
- an item that does not exist is created only when the document holds every field the entity's model
  requires; otherwise it is skipped and reported as incomplete;
- either way the resulting record must validate against the entity's model, or it is skipped.
The derived geo point (e.g. `location`) is not a record field and is never copied back.
Writes are conditional (see resolve.py): an update only replaces the item that was compared (same update
timestamp) and a create only happens where no item exists, so a newer DynamoDB write is never overwritten.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from dataops.profiles.model import EntityDefinition


def mapped_record_fields(entity: EntityDefinition) -> set[str]:
    assert entity.opensearch is not None  # noqa: S101 - only indexed entities are synced
    names = set(entity.opensearch.mappings.get("properties", {}))
    if entity.opensearch.geo_point is not None:
        names.discard(entity.opensearch.geo_point[0])
    return names


def record_from_document(
    entity: EntityDefinition, document: dict[str, Any], existing: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, str | None]:
    """(record to write, None) or (None, why it cannot be written)."""
    mapped = mapped_record_fields(entity)
    if existing is None:
        record = {name: value for name, value in document.items() if name in mapped}
    else:
        record = {name: value for name, value in existing.items() if name not in mapped}
        record.update({name: value for name, value in document.items() if name in mapped})
    try:
        entity.model.model_validate(record)
    except ValidationError as exc:
        missing = sorted(str(error["loc"][0]) for error in exc.errors() if error["type"] == "missing")
        if existing is None and missing:
            return None, f"document lacks required fields {', '.join(missing)}; cannot create the item"
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        return None, f"document does not make a valid {entity.name}: {problems}"
    return record, None


def item_key(entity: EntityDefinition, record: dict[str, Any]) -> dict[str, Any]:
    """The table key of the entity's item, from the record's key fields."""
    assert entity.dynamodb is not None  # noqa: S101 - only DynamoDB entities are synced
    return dict(entity.dynamodb.render(record, include_index_keys=False))


def key_record(entity: EntityDefinition, key: str, document: dict[str, Any] | None) -> dict[str, Any]:
    """Enough of a record to render the item key of a document id."""
    assert entity.opensearch is not None  # noqa: S101 - only indexed entities are synced
    return {**(document or {}), entity.opensearch.id_field: key}
