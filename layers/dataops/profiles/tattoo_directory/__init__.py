"""The `tattoo_directory` profile: seed 004's Tattoo Directory (DynamoDB + OpenSearch artist search)."""

from __future__ import annotations

from pathlib import Path

from dataops.profiles.model import (
    DynamoPlacement,
    EntityDefinition,
    GlobalIndexDesign,
    KeyAttribute,
    OpenSearchPlacement,
    Profile,
    Reference,
    TableDesign,
)
from dataops.profiles.tattoo_directory import entities as e
from dataops.profiles.tattoo_directory.rules import RULES, UNIQUE_KEYS
from dataops.profiles.tattoo_directory.seed import SEEDING

ARTIST_SEARCH_MAPPINGS = {
    "properties": {
        "artistId": {"type": "keyword"},
        "artistName": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
        "instagramHandle": {"type": "keyword"},
        "styles": {"type": "keyword"},
        "primaryStyle": {"type": "keyword"},
        "locationDisplay": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
        "geohash": {"type": "keyword"},
        "location": {"type": "geo_point"},
        "latitude": {"type": "float"},
        "longitude": {"type": "float"},
        "studioId": {"type": "keyword"},
        "rating": {"type": "float"},
        "reviewCount": {"type": "integer"},
        "bookingOpen": {"type": "boolean"},
        "pricing": {"properties": {"hourlyRate": {"type": "integer"}, "minimumCharge": {"type": "integer"}}},
        "portfolioImages": {
            "properties": {"url": {"type": "keyword"}, "style": {"type": "keyword"}, "caption": {"type": "text"}}
        },
        "socialMedia": {
            "properties": {
                "instagram": {"type": "keyword"},
                "website": {"type": "keyword"},
                "tiktok": {"type": "keyword"},
            }
        },
        "schemaVersion": {"type": "keyword"},
        "createdAt": {"type": "date"},
        "updatedAt": {"type": "date"},
    }
}

PROFILE = Profile(
    name="tattoo_directory",
    title="Tattoo Directory",
    description="Artists, studios and styles in DynamoDB; the artist search index in OpenSearch.",
    table=TableDesign(
        base_name="tattoo-directory",
        updated_at_attribute="updatedAt",
        indexes=(
            # Style filter: artists of one style, best rated first.
            GlobalIndexDesign(
                name="GSI1", partition_key=KeyAttribute(name="GSI1PK"), sort_key=KeyAttribute(name="GSI1SK")
            ),
            # Location filter: artists and studios by 4-character geohash cell.
            GlobalIndexDesign(
                name="GSI2", partition_key=KeyAttribute(name="GSI2PK"), sort_key=KeyAttribute(name="GSI2SK")
            ),
        ),
    ),
    entities=(
        EntityDefinition(
            name="artist",
            description="A tattoo artist, searchable in OpenSearch.",
            model=e.Artist,
            dynamodb=DynamoPlacement(
                key_templates={"PK": "ARTIST#{artistId}", "SK": "PROFILE"},
                index_key_templates={
                    "GSI1PK": "STYLE#{primaryStyle}",
                    "GSI1SK": "ARTIST#{artistId}",
                    "GSI2PK": "GEO#{geohash:.4}",
                    "GSI2SK": "ARTIST#{artistId}",
                },
            ),
            opensearch=OpenSearchPlacement(
                index_base_name="artists",
                id_field="artistId",
                mappings=ARTIST_SEARCH_MAPPINGS,
                geo_point=("location", "latitude", "longitude"),
            ),
            pii_fields=("artistName", "instagramHandle"),
        ),
        EntityDefinition(
            name="studio",
            description="A tattoo studio with a UK address.",
            model=e.Studio,
            dynamodb=DynamoPlacement(
                key_templates={"PK": "STUDIO#{studioId}", "SK": "PROFILE"},
                index_key_templates={"GSI2PK": "GEO#{geohash:.4}", "GSI2SK": "STUDIO#{studioId}"},
            ),
        ),
        EntityDefinition(
            name="style",
            description="A tattoo style with difficulty and popularity.",
            model=e.Style,
            dynamodb=DynamoPlacement(key_templates={"PK": "STYLE#{styleId}", "SK": "METADATA"}),
        ),
    ),
    references=(
        Reference(child="artist", child_field="studioId", parent="studio", parent_field="studioId"),
        Reference(child="artist", child_field="styles", parent="style", parent_field="styleId", many=True),
        Reference(child="artist", child_field="primaryStyle", parent="style", parent_field="styleId"),
        Reference(child="studio", child_field="specialties", parent="style", parent_field="styleId", many=True),
    ),
    rules=RULES,
    unique_keys=UNIQUE_KEYS,
    migrations_dir=Path(__file__).parent / "migrations",
    seeding=SEEDING,
)
