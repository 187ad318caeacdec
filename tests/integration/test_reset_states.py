"""reset against real stores: states reach exactly what they promise, validate finds what differs, clear empties
exactly what it names (never backups, never the control table), snapshots round-trip, bad names write nothing.
"""

from __future__ import annotations

import pytest

from dataops.errors import ConfigurationError, InvalidRequest, UnknownName
from dataops.operations.reset import RESET
from dataops.operations.seed import SEED
from tests.integration.seed_support import (
    audit_count,
    contents,
    dynamodb_items,
    migrated,
    postgres_rows,
    search_documents,
)

pytestmark = pytest.mark.integration


def reset(stores, **payload):
    return RESET.run(RESET.parse(payload), stores)


def entity_counts(stores):
    counts: dict[str, int] = {}
    for item in dynamodb_items(stores):
        counts[item["entity_type"]] = counts.get(item["entity_type"], 0) + 1
    return counts


def test_tattoo_states_reach_their_data_and_validate(provisioned):
    stores = provisioned("tattoo_directory")
    SEED.run(SEED.parse({"action": "run", "scenario": "pricing-range"}), stores)
    minimal = reset(stores, action="state", state="minimal")
    assert minimal.cleared["dynamodb"] == {"style": 14, "studio": 25, "artist": 100}
    assert entity_counts(stores) == {"style": 14, "studio": 3, "artist": 10}
    assert [doc_id for doc_id, _ in search_documents(stores)] == [f"artist-minimal-{n:06d}" for n in range(1, 11)]
    assert reset(stores, action="validate").differences == []
    location = reset(stores, action="state", state="location-test")
    assert location.state == "location-test" and entity_counts(stores)["artist"] == 120
    assert all(item["locationDisplay"].endswith(", London") for item in dynamodb_items(stores) if "artistId" in item)
    style = reset(stores, action="state", state="style-test")
    assert {(t.entity, t.store): t.created for t in style.tallies}[("artist", "opensearch")] == 100
    assert {doc["primaryStyle"] for _, doc in search_documents(stores)} == {"traditional"}
    search = reset(stores, action="state", state="search-ready")
    assert search.counts["created"] == 14 + 20 + 60 + 60
    validated = reset(stores, action="validate", state="search-ready")
    assert validated.status == "succeeded" and validated.differences == []


def test_validate_says_what_differs(provisioned):
    stores = provisioned("tattoo_directory")
    reset(stores, action="state", state="minimal")
    [index] = stores.search_indexes().values()
    stores.search.client.delete(index=index, id="artist-minimal-000003", params={"refresh": "true"})
    key = {"PK": "STUDIO#studio-minimal-000001", "SK": "PROFILE"}
    moved = {**stores.table.get(key), "PK": "STUDIO#studio-renamed"}
    stores.table.batch_delete([key])
    stores.table.put(moved)
    result = reset(stores, action="validate")
    assert result.status == "failed"
    differences = {(d.entity, d.store): d for d in result.differences}
    assert set(differences) == {("artist", "opensearch"), ("studio", "dynamodb")}
    assert (differences[("artist", "opensearch")].expected, differences[("artist", "opensearch")].actual) == (10, 9)
    assert "not the same keys" in differences[("studio", "dynamodb")].detail
    assert reset(stores, action="validate", state="fresh").warnings


def test_clean_state_empties_data_stores_but_keeps_backups_and_control(provisioned):
    stores = migrated(provisioned("agent_system"))
    reset(stores, action="state", state="fresh")
    snapshot = reset(stores, action="snapshot", name="before-clean")
    backup_objects = sorted(obj["Key"] for obj in stores.backups.client.list_objects_v2(Bucket=stores.backups.bucket)
                            .get("Contents", []))  # fmt: skip
    audits = audit_count(stores)
    clean = reset(stores, action="state", state="clean")
    assert clean.cleared["postgres"] == {"services": 8, "dependencies": 9, "policies": 5}
    assert dynamodb_items(stores) == [] and all(rows == [] for rows in postgres_rows(stores).values())
    after = sorted(obj["Key"] for obj in stores.backups.client.list_objects_v2(Bucket=stores.backups.bucket)
                   .get("Contents", []))  # fmt: skip
    assert after == backup_objects and snapshot.backup is not None
    assert audit_count(stores) == audits + 1
    assert reset(stores, action="validate").differences == []


@pytest.mark.parametrize("store", ["dynamodb", "opensearch"])
def test_clear_one_store_empties_exactly_that_store(provisioned, store):
    stores = provisioned("tattoo_directory")
    reset(stores, action="state", state="minimal")
    before = contents(stores)
    result = reset(stores, action="clear", store=store)
    after = contents(stores)
    assert after[store] == [] and result.counts == {store: len(before[store])}
    other = "opensearch" if store == "dynamodb" else "dynamodb"
    assert after[other] == before[other]


def test_clear_postgres_leaves_dynamodb(provisioned):
    stores = migrated(provisioned("agent_system"))
    reset(stores, action="state", state="minimal")
    before = contents(stores)
    reset(stores, action="clear", store="postgres")
    after = contents(stores)
    assert after["dynamodb"] == before["dynamodb"] and all(rows == [] for rows in after["postgres"].values())
    assert [d.store for d in reset(stores, action="validate").differences] == ["postgres"] * 3


def test_dry_run_state_and_clear_write_nothing(provisioned):
    stores = provisioned("tattoo_directory")
    reset(stores, action="state", state="minimal")
    before, audits = contents(stores), audit_count(stores)
    fresh = reset(stores, action="state", state="fresh", dry_run=True)
    assert fresh.status == "dry_run" and fresh.counts["created"] == 14 + 1250 + 20_000
    assert fresh.cleared["dynamodb"] == {"style": 14, "studio": 3, "artist": 10}
    cleared = reset(stores, action="clear", store="all", dry_run=True)
    assert cleared.counts == {"dynamodb": 27, "opensearch": 10}
    assert contents(stores) == before and audit_count(stores) == audits
    assert reset(stores, action="validate").differences == []


def test_seed_state_adds_without_clearing(provisioned):
    stores = provisioned("tattoo_directory")
    SEED.run(SEED.parse({"action": "run", "scenario": "high-rating"}), stores)
    result = reset(stores, action="seed-state", state="minimal")
    assert result.cleared == {} and entity_counts(stores)["artist"] == 110
    assert {(d.entity, d.store) for d in reset(stores, action="validate").differences} == {
        ("artist", "dynamodb"), ("artist", "opensearch"), ("studio", "dynamodb")
    }  # fmt: skip


def test_snapshot_restore_and_backup_restore_state_round_trip(provisioned):
    stores = provisioned("tattoo_directory")
    reset(stores, action="state", state="minimal")
    before = contents(stores)
    reset(stores, action="snapshot", name="minimal-snap")
    reset(stores, action="state", state="location-test")
    restored = reset(stores, action="restore", name="minimal-snap")
    assert contents(stores) == before and restored.promise.state == "snapshot:minimal-snap"
    assert reset(stores, action="validate").differences == []
    reset(stores, action="state", state="clean")
    back = reset(stores, action="state", state="backup-restore")
    assert back.backup is not None and entity_counts(stores)["artist"] > 0
    assert reset(stores, action="validate").differences == []


def test_backup_restore_without_a_backup_clears_nothing(provisioned):
    stores = provisioned("tattoo_directory")
    reset(stores, action="state", state="minimal")
    before = contents(stores)
    with pytest.raises(InvalidRequest, match="no complete backup"):
        reset(stores, action="state", state="backup-restore")
    assert contents(stores) == before


@pytest.mark.parametrize(
    ("payload", "field", "valid"),
    [
        ({"action": "state", "state": "fressh"}, "state", "fresh"),
        ({"action": "seed-state", "state": "nope"}, "state", "performance-test"),
        ({"action": "clear", "store": "postgres"}, "store", "opensearch"),
    ],
)
def test_bad_names_list_valid_ones_and_write_nothing(provisioned, payload, field, valid):
    stores = provisioned("tattoo_directory")
    with pytest.raises(UnknownName) as error:
        reset(stores, **payload)
    assert f"unknown {field}" in error.value.message and valid in error.value.message
    assert dynamodb_items(stores) == [] and audit_count(stores) == 0


def test_bad_clear_type_is_refused_at_parse(provisioned):
    with pytest.raises(InvalidRequest, match="'dynamodb', 'postgres', 'opensearch' or 'all'"):
        RESET.parse({"action": "clear", "store": "s3"})
    with pytest.raises(InvalidRequest, match="needs 'state'"):
        RESET.parse({"action": "state"})


def test_performance_test_state_holds_50000_unique_artists_in_both_stores(provisioned):
    stores = provisioned("tattoo_directory")
    result = reset(stores, action="state", state="performance-test")
    created = {(t.entity, t.store): t.created for t in result.tallies}
    assert created[("artist", "dynamodb")] == created[("artist", "opensearch")] == 50_000
    counts = stores.table.count_by("entity_type")
    assert counts == {"style": 14, "studio": 6_250, "artist": 50_000}
    [index] = stores.search_indexes().values()
    assert stores.search.count(index) == 50_000
    # Unique keys are proven by the counts (a repeated key would overwrite, not add); validate re-reads every key.
    assert reset(stores, action="validate", state="performance-test").differences == []


def test_state_refused_before_clearing_when_postgres_schema_is_missing(provisioned):
    stores = provisioned("agent_system")
    stores.table.put({"PK": "PERSONA#kept", "SK": "PROFILE", "entity_type": "persona", "persona_id": "kept"})
    with pytest.raises(ConfigurationError, match="migrate apply"):
        reset(stores, action="state", state="fresh")
    assert [item["PK"] for item in dynamodb_items(stores)] == ["PERSONA#kept"]
