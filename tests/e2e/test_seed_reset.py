"""seed and reset through the deployed functions: a few invocations per profile, with counts read back from
DynamoDB, PostgreSQL and OpenSearch, a dry run that changes nothing, a clear of one store, and a bad name.
"""

from __future__ import annotations

from collections import Counter

import pytest

from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores

pytestmark = pytest.mark.e2e


def stores_for(settings, profile_name: str) -> DataStores:
    return DataStores(settings.model_copy(update={"profile": profile_name}), load_profile(profile_name))


def succeeded(invoke, profile: str, operation: str, payload: dict) -> dict:
    response, result = invoke(profile, operation, payload)
    assert "FunctionError" not in response, result
    assert isinstance(result, dict)
    return result


def dynamodb_counts(stores: DataStores) -> Counter[str]:
    return stores.table.count_by("entity_type")


def search_count(stores: DataStores) -> int:
    [index] = stores.search_indexes().values()
    stores.search.refresh(index)
    return stores.search.count(index) or 0


def test_tattoo_minimal_state_dry_run_and_clear_through_lambda(invoke, settings):
    stores = stores_for(settings, "tattoo_directory")
    result = succeeded(invoke, "tattoo_directory", "reset", {"action": "state", "state": "minimal"})
    assert result["state"] == "minimal" and result["status"] == "succeeded"
    assert dynamodb_counts(stores) == {"style": 14, "studio": 3, "artist": 10} and search_count(stores) == 10
    assert succeeded(invoke, "tattoo_directory", "reset", {"action": "validate"})["differences"] == []

    before = sorted(map(repr, stores.table.scan()))
    planned = succeeded(invoke, "tattoo_directory", "seed", {"action": "run", "scenario": "location-london",
                                                             "dry_run": True})  # fmt: skip
    assert planned["status"] == "dry_run" and planned["counts"] == {"created": 30 + 120 + 120, "updated": 0,
                                                                    "skipped": 14}  # fmt: skip
    assert sorted(map(repr, stores.table.scan())) == before and search_count(stores) == 10

    cleared = succeeded(invoke, "tattoo_directory", "reset", {"action": "clear", "store": "opensearch"})
    assert cleared["counts"] == {"opensearch": 10}
    assert search_count(stores) == 0 and sorted(map(repr, stores.table.scan())) == before


def test_tattoo_bad_scenario_fails_the_invocation_listing_valid_names(invoke):
    response, result = invoke("tattoo_directory", "seed", {"action": "run", "scenario": "londn"})
    assert response.get("FunctionError") and "location-london" in result["errorMessage"]


def test_agent_system_fresh_state_then_skip_existing_through_lambda(invoke, settings):
    stores = stores_for(settings, "agent_system")
    succeeded(invoke, "agent_system", "migrate", {"action": "apply"})
    fresh = succeeded(invoke, "agent_system", "reset", {"action": "state", "state": "fresh"})
    assert fresh["counts"]["created"] == 59
    assert dynamodb_counts(stores) == {"persona": 5, "team": 3, "team_member": 8, "artifact_template": 5,
                                       "validation_rule": 11, "security_rule": 5}  # fmt: skip
    assert {table: stores.postgres.count_rows(table) for table in ("services", "dependencies", "policies")} == {
        "services": 8, "dependencies": 9, "policies": 5
    }  # fmt: skip
    again = succeeded(invoke, "agent_system", "seed", {"action": "run", "skip_existing": True})
    assert again["counts"] == {"created": 0, "updated": 0, "skipped": 59}
