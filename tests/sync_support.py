"""Artists for the sync and comparison tests: records in the 1.4.0 shape, written the way the seeds write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dataops.records import document_for, item_for, record_from_item

BASE_TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def artist(number: int, **overrides: Any) -> dict[str, Any]:
    stamp = (BASE_TIME + timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
    record: dict[str, Any] = {
        "artistId": f"artist-{number:05d}",
        "artistName": f"Artist {number}",
        "instagramHandle": f"@artist{number}",
        "styles": ["traditional", "blackwork"],
        "primaryStyle": "traditional",
        "locationDisplay": "Shoreditch, London",
        "geohash": "gcpvj0d",
        "latitude": 51.52,
        "longitude": -0.08,
        "studioId": "studio-001",
        "rating": 4.5,
        "reviewCount": number % 200,
        "portfolioImages": [{"url": f"https://img.example/{number}.jpg", "style": "traditional", "caption": ""}],
        "bookingOpen": number % 2 == 0,
        "pricing": {"hourlyRate": 100, "minimumCharge": 60, "currency": "GBP"},
        "socialMedia": {"instagram": f"https://instagram.com/artist{number}"},
        "schemaVersion": "1.4.0",
        "createdAt": stamp,
        "updatedAt": stamp,
    }
    record.update(overrides)
    return record


def artist_item(stores: Any, record: dict[str, Any]) -> dict[str, Any]:
    entity = stores.profile.entity("artist")
    return item_for(stores.profile, entity, entity.model.model_validate(record))


def seed_artists(stores: Any, count: int, *, index: bool = True) -> list[dict[str, Any]]:
    """Write `count` artists to DynamoDB and (unless told not to) index the same records in OpenSearch."""
    entity = stores.profile.entity("artist")
    items = [artist_item(stores, artist(number)) for number in range(count)]
    stores.table.batch_write(items)
    if index:
        target = stores.search_indexes()["artist"]
        actions = []
        for item in items:
            doc_id, document = document_for(entity, record_from_item(stores.profile, item))
            actions.append({"_index": target, "_id": doc_id, "_source": document})
        stores.search.bulk(actions)
        stores.search.refresh(target)
    return items


def search_snapshot(stores: Any) -> dict[str, dict[str, Any]]:
    target = stores.search_indexes()["artist"]
    stores.search.refresh(target)
    return {hit["_id"]: hit["_source"] for hit in stores.search.scan(target)}


def table_snapshot(stores: Any) -> dict[str, dict[str, Any]]:
    return {f"{item['PK']}|{item['SK']}": item for item in stores.table.scan()}
