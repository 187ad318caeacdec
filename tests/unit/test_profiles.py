"""Both built-in profiles are complete and self-consistent; user profiles load by dotted path."""

import sys
import textwrap
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from dataops.errors import InvalidRequest, UnknownName
from dataops.profiles import BUILTIN_PROFILES, Profile, load_profile
from dataops.profiles.model import DynamoPlacement, EntityDefinition, Reference, TableDesign

SEED_ENTITIES = {
    "agent_system": {
        "persona",
        "team",
        "team_member",
        "artifact_template",
        "validation_rule",
        "security_rule",
        "audit_log",
        "service",
        "dependency",
        "policy",
    },
    "tattoo_directory": {"artist", "studio", "style"},
}


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_builtin_profile_covers_every_entity_the_seed_names(name):
    profile = load_profile(name)
    assert {entity.name for entity in profile.entities} == SEED_ENTITIES[name]


def test_agent_system_splits_dynamodb_and_postgres_as_the_seed_does():
    profile = load_profile("agent_system")
    assert {entity.name for entity, _ in profile.postgres_tables()} == {"service", "dependency", "policy"}
    assert {placement.table for _, placement in profile.postgres_tables()} == {"services", "dependencies", "policies"}
    assert not profile.uses_opensearch


def test_tattoo_directory_indexes_artists_in_opensearch():
    profile = load_profile("tattoo_directory")
    [(entity, placement)] = profile.search_indexes()
    assert entity.name == "artist" and placement.id_field == "artistId"
    assert placement.mappings["properties"]["location"]["type"] == "geo_point"
    assert not profile.uses_postgres


def test_artist_keys_render_with_index_keys_from_a_valid_record():
    profile = load_profile("tattoo_directory")
    now = datetime.now(UTC)
    artist = profile.entity("artist").model.model_validate(
        {
            "artistId": "artist-00001",
            "artistName": "Sam Rivers",
            "instagramHandle": "@samrivers.ink",
            "styles": ["traditional"],
            "primaryStyle": "traditional",
            "locationDisplay": "Shoreditch, London",
            "geohash": "gcpvj0d",
            "latitude": 51.52,
            "longitude": -0.08,
            "studioId": "studio-001",
            "rating": 4.7,
            "reviewCount": 120,
            "createdAt": now,
            "updatedAt": now,
        }
    )
    placement = profile.entity("artist").dynamodb
    assert placement is not None
    keys = placement.render(artist.model_dump())
    assert keys == {
        "PK": "ARTIST#artist-00001",
        "SK": "PROFILE",
        "GSI1PK": "STYLE#traditional",
        "GSI1SK": "ARTIST#artist-00001",
        "GSI2PK": "GEO#gcpv",
        "GSI2SK": "ARTIST#artist-00001",
    }


def test_studio_model_rejects_a_non_uk_postcode():
    profile = load_profile("tattoo_directory")
    now = datetime.now(UTC).isoformat()
    with pytest.raises(ValidationError, match="postcode"):
        profile.entity("studio").model.model_validate(
            {
                "studioId": "s1",
                "studioName": "Ink",
                "address": "1 High St",
                "postcode": "90210",
                "geohash": "gcpvj0d",
                "latitude": 51.5,
                "longitude": -0.1,
                "createdAt": now,
                "updatedAt": now,
            }
        )


def test_unknown_profile_lists_the_valid_ones():
    with pytest.raises(UnknownName, match="unknown profile 'tatoo'; valid: agent_system, tattoo_directory"):
        load_profile("tatoo")


def test_unknown_entity_lists_the_valid_ones():
    with pytest.raises(UnknownName, match="valid: artist, studio, style"):
        load_profile("tattoo_directory").entity("tattoo")


def test_user_profile_loads_by_dotted_path(tmp_path, monkeypatch):
    package = tmp_path / "shop_data"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from pydantic import BaseModel
            from dataops.profiles.model import DynamoPlacement, EntityDefinition, Profile, TableDesign

            class Order(BaseModel):
                order_id: str

            PROFILE = Profile(
                name="shop", title="Shop", description="Orders",
                table=TableDesign(base_name="shop"),
                entities=(EntityDefinition(name="order", description="An order", model=Order,
                          dynamodb=DynamoPlacement(key_templates={"PK": "ORDER#{order_id}", "SK": "ORDER"})),),
            )
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        assert load_profile("shop_data").name == "shop"
    finally:
        sys.modules.pop("shop_data", None)


def test_dotted_path_without_profile_is_refused():
    with pytest.raises(InvalidRequest, match="has no PROFILE"):
        load_profile("dataops.naming")


def test_reference_to_a_missing_entity_is_refused_when_the_profile_is_built():
    from pydantic import BaseModel

    class Thing(BaseModel):
        thing_id: str

    entity = EntityDefinition(
        name="thing", description="t", model=Thing, dynamodb=DynamoPlacement(key_templates={"PK": "T#{thing_id}"})
    )
    with pytest.raises(ValidationError, match="'ghost' is not an entity"):
        Profile(
            name="p",
            title="P",
            description="d",
            table=TableDesign(base_name="p"),
            entities=(entity,),
            references=(Reference(child="thing", child_field="thing_id", parent="ghost", parent_field="id"),),
        )


def test_key_template_with_unknown_field_is_refused():
    from pydantic import BaseModel

    class Thing(BaseModel):
        thing_id: str

    with pytest.raises(ValidationError, match="unknown fields"):
        EntityDefinition(
            name="thing", description="t", model=Thing, dynamodb=DynamoPlacement(key_templates={"PK": "T#{id}"})
        )
