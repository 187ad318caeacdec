"""The fast PostgreSQL load (keys, indexes and foreign keys dropped for the COPY, rebuilt in the same transaction)
leaves the schema exactly as it was and still refuses data that breaks a key."""

from __future__ import annotations

from typing import Any

import pytest

from dataops.errors import StoreUnavailable
from dataops.operations.backup import BACKUP
from dataops.operations.restore import RESTORE
from dataops.stores.data_stores import DataStores
from tests.integration.backup_support import fill_postgres, migrate, postgres_snapshot

pytestmark = pytest.mark.integration


def run(operation: Any, payload: dict[str, Any], stores: DataStores) -> Any:
    return operation.run(operation.parse(payload), stores)


@pytest.fixture(scope="module")
def agent(provisioned: Any) -> DataStores:
    stores: DataStores = provisioned("agent_system")
    migrate(stores)
    fill_postgres(stores, 30)
    return stores


def schema(stores: DataStores) -> dict[str, list[tuple[Any, ...]]]:
    """Every constraint (with its definition and validated flag) and index definition of the public tables."""
    with stores.postgres.transaction() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, convalidated, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0 ORDER BY 1, 2"
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 2")
        indexes = cursor.fetchall()
    return {"constraints": constraints, "indexes": indexes}


def test_restore_leaves_every_key_index_and_foreign_key_as_it_was(agent: DataStores) -> None:
    before_schema = schema(agent)
    assert any(row[2] == "p" for row in before_schema["constraints"])
    backup_id = run(BACKUP, {"action": "create", "tables": ["postgres"]}, agent).backup["backup_id"]
    expected = postgres_snapshot(agent)
    with agent.postgres.transaction() as cursor:
        cursor.execute("DELETE FROM dependencies WHERE dependency_id LIKE 'dep-0000%'")
    run(RESTORE, {"backup": backup_id, "safety_backup": False}, agent)
    assert postgres_snapshot(agent) == expected
    assert schema(agent) == before_schema
    # The rebuilt primary key is live: a duplicate is refused.
    with pytest.raises(Exception, match="services_pkey"), agent.postgres.transaction() as cursor:
        cursor.execute("INSERT INTO services SELECT * FROM services LIMIT 1")


def test_backup_with_a_duplicate_key_rolls_back_and_changes_nothing(agent: DataStores) -> None:
    """Keys are checked when they are rebuilt after the load: a duplicate still fails the whole restore."""
    with agent.postgres.transaction() as cursor:
        # A backup holding a duplicate service id: the key (and the foreign keys on it) are lifted for a moment.
        cursor.execute("ALTER TABLE services DROP CONSTRAINT services_pkey CASCADE")
        cursor.execute("INSERT INTO services SELECT * FROM services WHERE service_id = 'svc-00001'")
    try:
        bad = run(BACKUP, {"action": "create", "tables": ["services"]}, agent).backup["backup_id"]
    finally:
        with agent.postgres.transaction() as cursor:
            cursor.execute(
                "DELETE FROM services WHERE ctid = (SELECT max(ctid) FROM services WHERE service_id = 'svc-00001')"
            )
            cursor.execute("ALTER TABLE services ADD CONSTRAINT services_pkey PRIMARY KEY (service_id)")
            for column in ("service_id", "depends_on_service_id"):
                cursor.execute(
                    f"ALTER TABLE dependencies ADD CONSTRAINT dependencies_{column}_fkey "
                    f"FOREIGN KEY ({column}) REFERENCES services (service_id)"
                )
            cursor.execute(
                "ALTER TABLE policies ADD CONSTRAINT policies_service_id_fkey "
                "FOREIGN KEY (service_id) REFERENCES services (service_id)"
            )
    before, before_schema = postgres_snapshot(agent), schema(agent)
    with pytest.raises(StoreUnavailable, match=r"rolled back.*services_pkey"):
        run(RESTORE, {"backup": bad, "safety_backup": False}, agent)
    assert postgres_snapshot(agent) == before
    assert schema(agent) == before_schema
