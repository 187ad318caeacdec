"""migrate through the deployed functions: PostgreSQL schema (agent_system) and artist items (tattoo_directory)
change both ways through the Lambda path, and bad input fails the invocation naming the field.
"""

from __future__ import annotations

import pytest

from dataops.profiles import load_profile
from dataops.profiles.tattoo_directory.entities import Artist
from dataops.records import item_for, record_from_item
from dataops.stores.data_stores import DataStores
from tests.legacy_artists import legacy_artist

pytestmark = pytest.mark.e2e


def succeeded(invoke, profile: str, payload: dict):
    response, result = invoke(profile, "migrate", payload)
    assert "FunctionError" not in response, result
    return result


def test_agent_system_schema_migrates_rolls_back_and_reapplies(invoke):
    succeeded(invoke, "agent_system", {"action": "rollback", "target": "0"})
    planned = succeeded(invoke, "agent_system", {"action": "apply", "dry_run": True})
    assert planned["status"] == "dry_run"
    assert planned["steps"][-1]["sql"] == ["ALTER TABLE services ADD COLUMN metadata JSONB DEFAULT '{}'"]
    assert succeeded(invoke, "agent_system", {"action": "status"})["counts"]["pending"] == 4

    applied = succeeded(invoke, "agent_system", {"action": "apply"})
    assert [step["outcome"] for step in applied["steps"]] == ["applied"] * 4
    rolled = succeeded(invoke, "agent_system", {"action": "rollback", "target": "20241201000300"})
    assert [step["version"] for step in rolled["steps"]] == ["20241203120000"]
    assert rolled["current_version"] == "20241201000300"
    again = succeeded(invoke, "agent_system", {"action": "apply"})
    assert again["current_version"] == "20241203120000"
    assert succeeded(invoke, "agent_system", {"action": "validate"})["valid"] is True


def test_tattoo_directory_carries_a_legacy_artist_to_latest_and_back(invoke, settings):
    profile = load_profile("tattoo_directory")
    stores = DataStores(settings.model_copy(update={"profile": profile.name}), profile)
    artist = profile.entity("artist")
    legacy = legacy_artist(7, with_version=True)
    key = {"PK": f"ARTIST#{legacy['artistId']}", "SK": "PROFILE"}
    succeeded(invoke, "tattoo_directory", {"action": "rollback", "target": "0"})
    stores.table.put(item_for(profile, artist, legacy))
    try:
        applied = succeeded(invoke, "tattoo_directory", {"action": "apply"})
        assert [step["version"] for step in applied["steps"]] == ["1.1.0", "1.2.0", "1.3.0", "1.4.0"]
        assert all(step["items"]["changed"] == 1 for step in applied["steps"])
        latest = Artist.model_validate(record_from_item(profile, stores.table.get(key)))
        assert latest.schemaVersion == "1.4.0" and latest.socialMedia is not None

        rolled = succeeded(invoke, "tattoo_directory", {"action": "rollback", "target": "1.2.0"})
        assert [step["version"] for step in rolled["steps"]] == ["1.4.0", "1.3.0"]
        middle = stores.table.get(key)
        assert middle is not None
        assert middle["schemaVersion"] == "1.2.0" and "socialMedia" not in middle
        assert all(isinstance(image, str) for image in middle.get("portfolioImages", []))
    finally:
        succeeded(invoke, "tattoo_directory", {"action": "apply"})
        stores.table.batch_delete([key])


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"action": "apply", "target": "-1"}, "target"), ({"action": "run", "migration": "nope"}, "migration")],
)
def test_bad_input_fails_the_invocation_naming_the_field(invoke, payload, field):
    response, error = invoke("tattoo_directory", "migrate", payload)
    assert response.get("FunctionError")
    assert f"field '{field}'" in error["errorMessage"]
