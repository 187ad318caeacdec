"""Records become items and documents the same way everywhere."""

from datetime import UTC, datetime

from dataops.profiles import load_profile
from dataops.records import document_for, item_for, record_from_item

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ARTIST = {
    "artistId": "artist-00001",
    "artistName": "Sam Rivers",
    "instagramHandle": "@samrivers.ink",
    "styles": ["traditional", "blackwork"],
    "primaryStyle": "traditional",
    "locationDisplay": "Shoreditch, London",
    "geohash": "gcpvj0d",
    "latitude": 51.52,
    "longitude": -0.08,
    "studioId": "studio-001",
    "rating": 4.7,
    "reviewCount": 120,
    "createdAt": NOW,
    "updatedAt": NOW,
}


def test_item_carries_keys_entity_type_and_iso_timestamps():
    profile = load_profile("tattoo_directory")
    entity = profile.entity("artist")
    item = item_for(profile, entity, entity.model.model_validate(ARTIST))
    assert item["PK"] == "ARTIST#artist-00001" and item["GSI2PK"] == "GEO#gcpv"
    assert item["entity_type"] == "artist"
    assert item["createdAt"] == "2026-01-02T03:04:05Z"
    assert record_from_item(profile, item) == {
        **ARTIST,
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
        "portfolioImages": [],
        "bookingOpen": False,
        "schemaVersion": "1.4.0",
    }


def test_document_has_mapped_fields_and_a_geo_point():
    profile = load_profile("tattoo_directory")
    entity = profile.entity("artist")
    record = record_from_item(profile, item_for(profile, entity, entity.model.model_validate(ARTIST)))
    doc_id, document = document_for(entity, record)
    assert doc_id == "artist-00001"
    assert document["location"] == {"lat": 51.52, "lon": -0.08}
    assert "PK" not in document and document["styles"] == ["traditional", "blackwork"]
