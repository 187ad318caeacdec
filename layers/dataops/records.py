"""How an entity record becomes a DynamoDB item and an OpenSearch document, and back. One place, used by
seeding, migrations, backup, validation and sync, so every store agrees on the shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dataops.profiles.model import EntityDefinition, Profile


def record_values(record: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """JSON-mode values: datetimes as ISO strings, so items and documents compare equal across stores."""
    if isinstance(record, BaseModel):
        return record.model_dump(mode="json", exclude_none=True)
    return dict(record)


def item_for(profile: Profile, entity: EntityDefinition, record: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """The DynamoDB item: the record's fields, its key attributes and the entity-type attribute."""
    if entity.dynamodb is None:
        raise ValueError(f"entity {entity.name!r} does not live in DynamoDB")
    values = record_values(record)
    return {**values, **entity.dynamodb.render(values), profile.table.entity_type_attribute: entity.name}


def key_attributes(profile: Profile) -> set[str]:
    """Attributes that exist only for DynamoDB's sake: table and index keys, and the entity type."""
    names = {profile.table.partition_key.name, profile.table.entity_type_attribute}
    if profile.table.sort_key:
        names.add(profile.table.sort_key.name)
    for index in profile.table.indexes:
        names.add(index.partition_key.name)
        if index.sort_key:
            names.add(index.sort_key.name)
    return names


def record_from_item(profile: Profile, item: dict[str, Any]) -> dict[str, Any]:
    """An item without its DynamoDB-only attributes: the record as the entity model sees it."""
    internal = key_attributes(profile)
    return {name: value for name, value in item.items() if name not in internal}


def document_for(entity: EntityDefinition, record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(document id, source) for the entity's search index; a geo point is derived from the coordinates."""
    if entity.opensearch is None:
        raise ValueError(f"entity {entity.name!r} is not indexed in OpenSearch")
    placement = entity.opensearch
    document = {name: value for name, value in record.items() if name in placement.mappings.get("properties", {})}
    if placement.geo_point is not None:
        field, latitude, longitude = placement.geo_point
        if record.get(latitude) is not None and record.get(longitude) is not None:
            document[field] = {"lat": float(record[latitude]), "lon": float(record[longitude])}
    return str(record[placement.id_field]), document


def item_key_of_document(entity: EntityDefinition, doc_id: str, document: dict[str, Any]) -> dict[str, Any]:
    """The table key of the item a document was made from: its id and the document's key fields rendered."""
    if entity.dynamodb is None or entity.opensearch is None:
        raise ValueError(f"entity {entity.name!r} does not live in both DynamoDB and OpenSearch")
    return dict(entity.dynamodb.render({**document, entity.opensearch.id_field: doc_id}, include_index_keys=False))
