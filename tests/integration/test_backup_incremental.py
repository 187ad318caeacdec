"""Incremental backups on real stores: a chain of increments restores to exactly the state each one saw,
deletions included."""

from __future__ import annotations

import uuid

import pytest

from dataops.errors import InvalidRequest
from dataops.models import utc_now
from dataops.operations.backup import BACKUP
from dataops.operations.restore import RESTORE
from tests.integration.backup_support import everything, fill_dynamodb, fill_opensearch, fill_postgres, migrate

pytestmark = pytest.mark.integration


def run(operation, payload, stores):
    return operation.run(operation.parse(payload), stores)


def change_rows(stores, tag):
    now = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
    attribute = stores.profile.table.updated_at_attribute
    stores.table.batch_write(
        [
            {"PK": f"NEW#{tag}#{i}", "SK": "PROFILE", "entity_type": stores.profile.entities[0].name, attribute: now}
            for i in range(5)
        ]
    )
    entities = [entity.name for entity in stores.profile.entities_in("dynamodb")]
    first = len(entities)  # the second item of the first entity, as fill_dynamodb keys it
    stores.table.batch_delete(
        [{"PK": f"{entities[0].upper()}#{first:06d}", "SK": "PROFILE" if first % 3 else f"VERSION#{first}"}]
    )
    item = stores.table.get({"PK": f"{entities[1].upper()}#000001", "SK": "PROFILE"})
    if item is not None:
        stores.table.put({**item, "label": f"changed {tag}", attribute: now})
    if stores.profile.uses_postgres:
        with stores.postgres.transaction() as cursor:
            cursor.execute("UPDATE services SET name = %s, updated_at = now() WHERE service_id < 'svc-00004'", (tag,))
            cursor.execute(
                "DELETE FROM dependencies WHERE dependency_id IN (SELECT min(dependency_id) FROM dependencies)"
            )
            cursor.execute("DELETE FROM policies WHERE policy_id IN (SELECT min(policy_id) FROM policies)")
            cursor.execute(
                "INSERT INTO policies VALUES (%s, %s, 'global', NULL, '{}', true, now(), now())",
                (f"pol-{tag}-{uuid.uuid4().hex[:6]}", tag),
            )


def test_a_chain_of_increments_restores_exactly_each_state(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 120)
    fill_postgres(stores, 30)
    full = run(BACKUP, {"action": "create"}, stores).backup["backup_id"]

    change_rows(stores, "one")
    first = run(BACKUP, {"action": "create", "kind": "incremental", "base": full}, stores).backup
    state_one = everything(stores)
    change_rows(stores, "two")
    second = run(BACKUP, {"action": "create", "kind": "incremental"}, stores).backup  # base: latest
    state_two = everything(stores)
    assert first["base"] == full and second["base"] == first["backup_id"]
    assert second["rows"]["policies"] == len(state_two["postgres"]["policies"])

    change_rows(stores, "three")
    restored = run(RESTORE, {"backup": second["backup_id"], "safety_backup": False}, stores)
    assert restored.backup["chain"] == [full, first["backup_id"], second["backup_id"]]
    assert everything(stores) == state_two
    run(RESTORE, {"backup": first["backup_id"], "safety_backup": False}, stores)
    assert everything(stores) == state_one


def test_an_increment_holds_only_changed_rows_and_every_key(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 90)
    fill_opensearch(stores, 30)
    full = run(BACKUP, {"action": "create"}, stores).backup["backup_id"]
    change_rows(stores, "one")
    increment = run(BACKUP, {"action": "create", "kind": "incremental", "base": full}, stores)
    manifest = stores.backups.get_json(f"{stores.settings.backup_prefix}/{increment.backup['backup_id']}/manifest.json")
    changed = sum(o["rows"] for o in manifest["objects"] if o["store"] == "dynamodb" and o["role"] == "data")
    keys = sum(o["rows"] for o in manifest["objects"] if o["store"] == "dynamodb" and o["role"] == "keys")
    assert changed == 6  # five new items and one changed; the rest were older than the base
    assert keys == 90 + 5 - 1
    state = everything(stores)
    fill_dynamodb(stores, 20, tag="later")
    # These stores hold synthetic items and documents that do not describe each other, so the index is kept
    # exactly as stored (settle_index false); test_index_settles.py proves the settling.
    run(RESTORE, {"backup": increment.backup["backup_id"], "safety_backup": False, "settle_index": False}, stores)
    assert everything(stores) == state


def test_an_increment_must_cover_its_base_tables(provisioned):
    stores = provisioned("tattoo_directory")
    full = run(BACKUP, {"action": "create", "tables": ["artist"]}, stores).backup["backup_id"]
    with pytest.raises(InvalidRequest, match="field 'base'"):
        run(BACKUP, {"action": "create", "kind": "incremental", "base": full}, stores)
    with pytest.raises(InvalidRequest, match="field 'base'"):
        run(BACKUP, {"action": "create", "kind": "incremental", "base": "no-such-snapshot"}, stores)
