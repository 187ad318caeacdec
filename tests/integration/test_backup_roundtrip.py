"""Backup then restore on real stores gives back every row exactly, for both profiles."""

from __future__ import annotations

import uuid

import pytest

from dataops.operations.backup import BACKUP
from dataops.operations.restore import RESTORE
from tests.integration.backup_support import (
    bucket_keys,
    dynamodb_snapshot,
    everything,
    fill_dynamodb,
    fill_opensearch,
    fill_postgres,
    migrate,
    postgres_snapshot,
)

pytestmark = pytest.mark.integration


def run(operation, payload, stores):
    return operation.run(operation.parse(payload), stores)


@pytest.fixture(scope="module")
def agent(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    return stores


@pytest.fixture(scope="module")
def tattoo(provisioned):
    return provisioned("tattoo_directory")


def mutate_everything(stores):
    fill_dynamodb(stores, 120, tag="v2")  # overwrites 120 items, the rest stay
    fill_dynamodb(stores, 7, tag="extra")
    keys = [{"PK": "PERSONA#000000", "SK": "VERSION#0"}]
    stores.table.batch_delete(keys)
    if stores.profile.uses_postgres:
        with stores.postgres.transaction() as cursor:
            cursor.execute("DELETE FROM dependencies WHERE dependency_id LIKE 'dep-0000%'")
            cursor.execute("UPDATE services SET name = 'changed', metadata = '{}' WHERE service_id < 'svc-00010'")
            cursor.execute(
                "INSERT INTO policies VALUES (%s, 'new', 'global', NULL, '{}', true, now(), now())",
                (f"pol-new-{uuid.uuid4().hex}",),
            )


def test_agent_system_round_trip_restores_every_row(agent):
    fill_dynamodb(agent, 300)
    fill_postgres(agent, 60)
    before = everything(agent)
    created = run(BACKUP, {"action": "create", "name": "nightly"}, agent)
    assert created.status == "succeeded"
    backup_id = created.backup["backup_id"]
    assert created.counts["services"] == 60
    assert created.counts["dependencies"] == 120
    assert sum(created.counts[e] for e in ("persona", "team", "audit_log")) > 0

    validated = run(BACKUP, {"action": "validate", "backup": backup_id}, agent)
    assert validated.details["valid"] is True
    assert validated.problems == []

    mutate_everything(agent)
    assert everything(agent) != before
    restored = run(RESTORE, {"backup": backup_id}, agent)
    assert restored.status == "succeeded"
    assert restored.safety_backup_id is not None
    assert everything(agent) == before

    # Restoring again converges on the same state.
    run(RESTORE, {"backup": backup_id, "safety_backup": False}, agent)
    assert everything(agent) == before


def test_tattoo_directory_round_trip_restores_items_documents_and_mappings(tattoo):
    fill_dynamodb(tattoo, 250)
    fill_opensearch(tattoo, 180)
    before = everything(tattoo)
    created = run(BACKUP, {"action": "create", "compression_level": 9}, tattoo)
    backup_id = created.backup["backup_id"]
    assert created.counts["artists"] == 180

    mutate_everything(tattoo)
    index = next(iter(tattoo.search_indexes().values()))
    tattoo.search.client.delete(index=index, id="artist-00001", refresh=True)
    fill_opensearch(tattoo, 3, tag="v2")
    assert everything(tattoo) != before

    # These stores hold synthetic items and documents that do not describe each other, so the index is kept
    # exactly as stored (settle_index false); test_index_settles.py proves the settling.
    run(RESTORE, {"backup": backup_id, "safety_backup": False, "settle_index": False}, tattoo)
    assert everything(tattoo) == before


def test_plain_backup_without_compression_or_encryption_round_trips(agent):
    before = everything(agent)
    created = run(BACKUP, {"action": "create", "compression_enabled": False, "encryption_enabled": False}, agent)
    assert created.backup["encrypted"] is False and created.backup["compression"] == "none"
    mutate_everything(agent)
    run(RESTORE, {"backup": created.backup["backup_id"], "safety_backup": False}, agent)
    assert everything(agent) == before


def test_selective_restore_touches_only_the_named_tables(agent):
    created = run(BACKUP, {"action": "create"}, agent)
    backed_up = everything(agent)
    mutate_everything(agent)
    mutated = everything(agent)
    run(
        RESTORE,
        {"backup": created.backup["backup_id"], "tables": ["policies", "persona"], "safety_backup": False},
        agent,
    )
    after = everything(agent)
    assert after["postgres"]["policies"] == backed_up["postgres"]["policies"]
    assert after["postgres"]["services"] == mutated["postgres"]["services"]
    assert after["postgres"]["dependencies"] == mutated["postgres"]["dependencies"]
    personas = [item for item in after["dynamodb"] if '"entity_type": {"S": "persona"}' in item]
    assert personas == [item for item in backed_up["dynamodb"] if '"entity_type": {"S": "persona"}' in item]
    teams = [item for item in after["dynamodb"] if '"entity_type": {"S": "team"}' in item]
    assert teams == [item for item in mutated["dynamodb"] if '"entity_type": {"S": "team"}' in item]


def test_restore_tables_from_environment(agent, monkeypatch):
    created = run(BACKUP, {"action": "create"}, agent)
    backed_up = postgres_snapshot(agent)
    mutate_everything(agent)
    dynamo_before = dynamodb_snapshot(agent)
    monkeypatch.setenv("RESTORE_TABLES", "services,dependencies,policies")
    run(RESTORE, {"backup": created.backup["backup_id"], "safety_backup": False}, agent)
    assert postgres_snapshot(agent) == backed_up
    assert dynamodb_snapshot(agent) == dynamo_before


def test_partial_backup_holds_only_the_named_tables(agent):
    created = run(BACKUP, {"action": "create", "tables": ["services", "team"]}, agent)
    assert created.backup["tables"] == ["team", "services"]
    assert set(created.counts) == {"team", "services"}
    teams = [item for item in dynamodb_snapshot(agent) if '"entity_type": {"S": "team"}' in item]
    assert created.counts["team"] == len(teams)
    assert created.counts["services"] == len(postgres_snapshot(agent)["services"])


def test_dry_run_restore_previews_rows_and_writes_nothing(agent):
    created = run(BACKUP, {"action": "create"}, agent)
    rows = created.backup["rows"]
    mutate_everything(agent)
    before, keys_before = everything(agent), bucket_keys(agent)
    preview = run(RESTORE, {"backup": created.backup["backup_id"], "dry_run": True}, agent)
    assert preview.status == "dry_run"
    by_name = {table.name: table for table in preview.tables}
    assert by_name["services"].rows_after == rows["services"]
    assert by_name["policies"].rows_now == rows["policies"] + 1
    assert everything(agent) == before
    assert bucket_keys(agent) == keys_before


def test_snapshot_by_name_and_latest(agent):
    snapshot = run(BACKUP, {"action": "create", "kind": "snapshot", "name": "before-demo"}, agent)
    state = everything(agent)
    mutate_everything(agent)
    restored = run(RESTORE, {"backup": "before-demo", "safety_backup": False}, agent)
    assert restored.backup["backup_id"] == snapshot.backup["backup_id"]
    assert everything(agent) == state
    latest = run(BACKUP, {"action": "list", "limit": 1}, agent)
    assert latest.backups[0].complete is True
