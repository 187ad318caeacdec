"""migrate on PostgreSQL (agent_system): schema really changes both ways, failures leave it as it was,
edits show as drift, and concurrent runs never interleave.
"""

from __future__ import annotations

import threading
import time

import psycopg2
import pytest

from dataops.errors import InvalidRequest, LockHeld
from dataops.operations.migrate import MIGRATE, MigrationFailed, run_migrate
from dataops.operations.migrate.history import ADVISORY_LOCK_NAME

pytestmark = pytest.mark.integration

ALL_VERSIONS = ["20241201000100", "20241201000200", "20241201000300", "20241203120000"]


def migrate(stores, **payload):
    return MIGRATE.run(MIGRATE.parse(payload), stores)


def connect(stores):
    return psycopg2.connect(**stores.postgres.params)


def schema_of(stores) -> dict:
    """Every user table's columns, constraints and indexes, except the migration history itself."""
    with connect(stores) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' "
            "ORDER BY 1, 2"
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename <> 'schema_migrations' ORDER BY 1, 2"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'schema_migrations' "
            "ORDER BY 1, 2"
        )
        constraints = cursor.fetchall()
    return {"columns": columns, "indexes": indexes, "constraints": constraints}


def columns_of(stores, table: str) -> set[str]:
    return {column for name, column, *_ in schema_of(stores)["columns"] if name == table}


def history_rows(stores) -> list[tuple]:
    with connect(stores) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return []
        cursor.execute("SELECT version, outcome FROM schema_migrations ORDER BY version")
        return list(cursor.fetchall())


def test_apply_from_empty_builds_the_entity_tables_then_rollback_to_a_middle_version(agent_stores):
    result = migrate(agent_stores, action="apply")
    assert [step.version for step in result.steps] == ALL_VERSIONS
    assert result.current_version == ALL_VERSIONS[-1]
    profile = agent_stores.profile
    for entity, placement in profile.postgres_tables():
        assert columns_of(agent_stores, placement.table) == set(entity.model.model_fields), placement.table
    indexed = {
        (table, definition.split("(")[-1].rstrip(")")) for table, _, definition in schema_of(agent_stores)["indexes"]
    }
    for foreign_key in [
        ("services", "owner_team_id"),
        ("dependencies", "service_id"),
        ("dependencies", "depends_on_service_id"),
        ("policies", "service_id"),
    ]:
        assert foreign_key in indexed

    status = migrate(agent_stores, action="status")
    assert [(m.version, m.state) for m in status.migrations] == [(v, "applied") for v in ALL_VERSIONS]
    # Recorded after each body ran: the history holds the real time and duration of every step.
    recorded = {m.version: (m.applied_at, m.duration_ms) for m in status.migrations}
    assert sorted(recorded.values()) == list(recorded.values()), "applied one after another, in order"
    for step in result.steps:
        applied_at, duration_ms = recorded[step.version]
        assert applied_at >= result.started_at and duration_ms <= step.duration_ms

    rolled = migrate(agent_stores, action="rollback", target="20241201000200")
    assert [(s.version, s.outcome) for s in rolled.steps] == [
        ("20241203120000", "rolled_back"),
        ("20241201000300", "rolled_back"),
    ]
    assert "metadata" not in columns_of(agent_stores, "services")
    assert columns_of(agent_stores, "policies") == set()
    assert columns_of(agent_stores, "dependencies")
    assert rolled.current_version == "20241201000200"
    assert [v for v, _ in history_rows(agent_stores)] == ALL_VERSIONS[:2]

    last = migrate(agent_stores, action="rollback")
    assert [s.version for s in last.steps] == ["20241201000200"]
    assert columns_of(agent_stores, "dependencies") == set()

    again = migrate(agent_stores, action="apply")
    assert [s.version for s in again.steps] == ALL_VERSIONS[1:]
    assert "metadata" in columns_of(agent_stores, "services")


def test_apply_to_a_target_stops_there_and_run_applies_one_by_name(agent_stores):
    migrate(agent_stores, action="apply", target="20241201000200")
    assert [v for v, _ in history_rows(agent_stores)] == ALL_VERSIONS[:2]
    ran = migrate(agent_stores, action="run", migration="add service metadata")
    assert [s.version for s in ran.steps] == ["20241203120000"]
    assert "metadata" in columns_of(agent_stores, "services")
    assert columns_of(agent_stores, "policies") == set()
    again = migrate(agent_stores, action="run", migration="20241203120000")
    assert again.steps == [] and "already applied" in again.warnings[0]


def test_dry_run_reports_the_exact_sql_and_changes_nothing(agent_stores):
    before = schema_of(agent_stores)
    result = migrate(agent_stores, action="apply", dry_run=True)
    assert result.status == "dry_run"
    assert [s.outcome for s in result.steps] == ["planned"] * 4
    assert any("CREATE TABLE services" in statement for statement in result.steps[0].sql)
    assert result.steps[-1].sql == ["ALTER TABLE services ADD COLUMN metadata JSONB DEFAULT '{}'"]
    assert schema_of(agent_stores) == before
    assert history_rows(agent_stores) == []

    migrate(agent_stores, action="apply")
    applied = schema_of(agent_stores)
    rollback = migrate(agent_stores, action="rollback", target="0", dry_run=True)
    assert [s.sql for s in rollback.steps][-1] == ["DROP TABLE services"]
    assert schema_of(agent_stores) == applied
    assert len(history_rows(agent_stores)) == 4


FAILING = '''"""Creates a table and changes services, then fails: none of it may remain."""

from dataops.migrations import MigrationContext

version = "20241204000000"
name = "Broken"
description = "Fails halfway"


def up(ctx: MigrationContext) -> None:
    ctx.execute("CREATE TABLE half_done (id int)")
    ctx.execute("ALTER TABLE services ADD COLUMN half_done text")
    ctx.execute("ALTER TABLE no_such_table ADD COLUMN x int")


def down(ctx: MigrationContext) -> None:
    ctx.execute("DROP TABLE half_done")
'''


def test_a_failing_migration_leaves_postgres_exactly_as_before(own_migrations):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    with connect(stores) as connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO services VALUES ('svc-1', 'billing', 'team-1', 'critical', 'https://git/x', now(), now())"
        )
    before = schema_of(stores)
    (folder / "20241204000000_broken.py").write_text(FAILING)
    with pytest.raises(MigrationFailed, match=r"20241204000000 \(Broken\) up failed.*no_such_table"):
        migrate(stores, action="apply")
    assert schema_of(stores) == before
    with connect(stores) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT service_id, name FROM services")
        assert cursor.fetchall() == [("svc-1", "billing")]
    status = migrate(stores, action="status")
    broken = status.migrations[-1]
    assert (broken.version, broken.state) == ("20241204000000", "failed")
    assert "no_such_table" in broken.error
    assert status.current_version == ALL_VERSIONS[-1]


def test_an_edited_applied_file_is_drifted_and_apply_refuses_until_repair(own_migrations):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    edited = folder / "20241201000300_create_policies.py"
    edited.write_text(edited.read_text() + "\n# an edit after the fact\n")
    status = migrate(stores, action="status")
    drifted = [m for m in status.migrations if m.state == "drifted"]
    assert [m.version for m in drifted] == ["20241201000300"]
    assert drifted[0].checksum != drifted[0].recorded_checksum
    assert status.counts["drifted"] == 1
    with pytest.raises(InvalidRequest, match=r"field 'repair'.*20241201000300"):
        migrate(stores, action="apply")
    validated = migrate(stores, action="validate")
    assert validated.valid is False
    repaired = migrate(stores, action="apply", repair=True)
    assert [(s.version, s.direction) for s in repaired.steps] == [("20241201000300", "repair")]
    assert {m.state for m in migrate(stores, action="status").migrations} == {"applied"}
    assert migrate(stores, action="validate").valid is True


def test_two_applies_started_together_never_both_migrate(agent_stores):
    outcomes: list = []

    def apply() -> None:
        try:
            outcomes.append(migrate(agent_stores, action="apply"))
        except LockHeld as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    applied_steps = [len(o.steps) for o in outcomes if not isinstance(o, LockHeld)]
    assert sorted(applied_steps + [0] * sum(isinstance(o, LockHeld) for o in outcomes)) == [0, 4]
    assert [v for v, _ in history_rows(agent_stores)] == ALL_VERSIONS


def test_apply_waits_for_the_advisory_lock_and_then_finds_nothing_twice(agent_stores):
    holder = connect(agent_stores)
    holder.autocommit = True
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", (ADVISORY_LOCK_NAME,))
    results: list = []
    waiting = threading.Thread(
        target=lambda: results.append(run_migrate(MIGRATE.parse({"action": "apply"}), agent_stores))
    )
    waiting.start()
    time.sleep(1.5)
    assert waiting.is_alive(), "apply did not wait for the lock"
    assert history_rows(agent_stores) == []
    holder.close()  # a crashed holder's session ends the same way: the lock goes with it
    waiting.join(timeout=60)
    assert [len(r.steps) for r in results] == [4]
    second = run_migrate(MIGRATE.parse({"action": "apply"}), agent_stores)
    assert second.steps == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "apply", "target": "-1"}, "target"),
        ({"action": "rollback", "target": "20990101000000"}, "target"),
        ({"action": "run", "migration": "no-such-migration"}, "migration"),
        ({"action": "run"}, "migration"),
        ({"action": "status", "target": "1"}, "target"),
        ({"action": "upgrade"}, "action"),
    ],
)
def test_bad_requests_name_the_field_and_apply_nothing(agent_stores, payload, field):
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        migrate(agent_stores, **payload)
    assert history_rows(agent_stores) == []
    assert schema_of(agent_stores)["columns"] == []


def test_a_malformed_file_is_refused_with_its_path_and_line_before_anything_runs(own_migrations):
    stores, folder = own_migrations
    (folder / "20241205000000_typo.py").write_text(
        'version = "20241205000000"\nname = "Typo"\n\ndef up(ctx)\n    pass\n'
    )
    with pytest.raises(InvalidRequest, match=r"20241205000000_typo\.py:4: syntax error"):
        migrate(stores, action="apply")
    assert history_rows(stores) == []
    assert schema_of(stores)["columns"] == []


def test_rollback_refuses_when_an_applied_file_is_gone_and_changes_nothing(own_migrations):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    (folder / "20241203120000_add_service_metadata.py").unlink()
    status = migrate(stores, action="status")
    assert status.migrations[-1].state == "missing_file"
    before = schema_of(stores)
    with pytest.raises(InvalidRequest, match=r"field 'target'.*20241203120000 have no file"):
        migrate(stores, action="rollback")
    assert schema_of(stores) == before
    assert len(history_rows(stores)) == 4
