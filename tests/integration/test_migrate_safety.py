"""Migrations that cannot take production down (agent_system, real PostgreSQL): a lock wait or a statement
that runs too long fails fast and rolls back, naming the session in the way; a non-transactional migration runs
CREATE INDEX CONCURRENTLY and is recorded as such; `lint` flags risky DDL before it runs and writes nothing.
"""

from __future__ import annotations

import time

import pytest

from dataops.errors import InvalidRequest
from dataops.operations.migrate import MigrationFailed
from tests.integration.conftest import with_migrations_path
from tests.integration.test_migrate_postgres import connect, history_rows, migrate, schema_of

pytestmark = pytest.mark.integration

LAST_SHIPPED = "20241203120000"


def migration_file(version: str, slug: str, body: str, header: str = "") -> str:
    return (
        f'version = "{version}"\nname = "{slug}"\ndescription = "test"\n{header}\n\n'
        f"def up(ctx):\n{body}\n\n\ndef down(ctx):\n    pass\n"
    )


def add_services(stores, count: int) -> None:
    with connect(stores) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO services VALUES (%s, %s, 'team-1', 'standard', 'https://git/x', now(), now())",
            [(f"svc-{n}", f"service {n}") for n in range(count)],
        )


def recorded(stores) -> list[tuple]:
    with connect(stores) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT version, outcome, transactional, error FROM schema_migrations ORDER BY version")
        return list(cursor.fetchall())


def test_a_lock_wait_times_out_rolls_back_and_names_the_holder(own_migrations):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    before = schema_of(stores)
    (folder / "20241204000000_add_region.py").write_text(
        migration_file(
            "20241204000000",
            "Add region",
            '    ctx.execute("ALTER TABLE services ADD COLUMN region text")',
            header="lock_timeout = 1",
        )
    )
    holder = connect(stores)
    try:
        with holder.cursor() as cursor:
            # An application transaction left open after a read: ALTER TABLE's ACCESS EXCLUSIVE lock must wait.
            cursor.execute("SELECT count(*) FROM services")
            cursor.execute("SELECT pg_backend_pid()")
            holder_pid = cursor.fetchone()[0]
        started = time.monotonic()
        with pytest.raises(MigrationFailed) as failure:
            migrate(stores, action="apply")
        waited = time.monotonic() - started
    finally:
        holder.close()
    message = str(failure.value)
    assert "rolled back" in message and "lock_timeout" in message
    assert f"AccessShareLock on services held by pid {holder_pid}" in message, message
    assert "SELECT pg_backend_pid()" in message, "the holder's last query is shown"
    assert waited < 10, f"gave up after {waited:.1f}s, not after its 1 s lock_timeout"
    assert schema_of(stores) == before
    assert recorded(stores)[-1][:3] == ("20241204000000", "failed", True)
    # Once the holder is gone, the same file applies.
    applied = migrate(stores, action="apply")
    assert [step.outcome for step in applied.steps] == ["applied"]
    assert "region" in {column for table, column, *_ in schema_of(stores)["columns"] if table == "services"}


def test_a_statement_over_its_statement_timeout_is_cancelled_and_rolled_back(own_migrations, monkeypatch):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    before = schema_of(stores)
    (folder / "20241204000000_slow.py").write_text(
        migration_file(
            "20241204000000",
            "Slow",
            '    ctx.execute("CREATE TABLE audit_trail (id int)")\n    ctx.execute("SELECT pg_sleep(5)")',
        )
    )
    # The limit from the environment, as a deployment sets it for every migration.
    monkeypatch.setenv("MIGRATION_STATEMENT_TIMEOUT", "0.5")
    from dataops.config import load_settings

    limited = with_migrations_path(stores, folder)
    limited = type(limited)(
        load_settings(**limited.settings.model_dump(exclude={"migration_statement_timeout"})), limited.profile
    )
    assert limited.settings.migration_statement_timeout == 0.5
    started = time.monotonic()
    with pytest.raises(MigrationFailed, match=r"Slow\) up failed and was rolled back: QueryCanceled"):
        migrate(limited, action="apply")
    assert time.monotonic() - started < 4
    assert schema_of(stores) == before, "the table created before the slow statement is rolled back too"


CONCURRENT_INDEX = '    ctx.execute("CREATE INDEX CONCURRENTLY services_name_idx ON services (name)")'


def test_a_non_transactional_migration_builds_an_index_concurrently_and_is_recorded_so(own_migrations):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    add_services(stores, 50)
    (folder / "20241204000000_index_names.py").write_text(
        migration_file("20241204000000", "Index names", CONCURRENT_INDEX, header="transactional = False")
    )
    planned = migrate(stores, action="apply", dry_run=True)
    assert planned.findings == [], "CONCURRENTLY outside a transaction is what lint asks for"
    applied = migrate(stores, action="apply")
    assert [(s.outcome, s.transactional) for s in applied.steps] == [("applied", False)]
    indexes = {name for _, name, _ in schema_of(stores)["indexes"]}
    assert "services_name_idx" in indexes
    assert recorded(stores)[-1] == ("20241204000000", "applied", False, None)
    status = migrate(stores, action="status")
    assert [(m.version, m.transactional) for m in status.migrations][-2:] == [
        (LAST_SHIPPED, True),
        ("20241204000000", False),
    ]


def test_a_non_transactional_failure_is_failed_with_the_statement_and_keeps_what_ran(own_migrations):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    body = CONCURRENT_INDEX + '\n    ctx.execute("CREATE INDEX CONCURRENTLY ghost_idx ON no_such_table (id)")'
    (folder / "20241204000000_two_indexes.py").write_text(
        migration_file("20241204000000", "Two indexes", body, header="transactional = False")
    )
    with pytest.raises(MigrationFailed) as failure:
        migrate(stores, action="apply")
    message = str(failure.value)
    assert "failed outside a transaction" in message
    assert "failing statement: CREATE INDEX CONCURRENTLY ghost_idx ON no_such_table (id)" in message
    assert "INVALID index" in message
    version, outcome, transactional, error = recorded(stores)[-1]
    assert (version, outcome, transactional) == ("20241204000000", "failed", False)
    assert "ghost_idx" in error
    assert "services_name_idx" in {name for _, name, _ in schema_of(stores)["indexes"]}, "the first one stays"
    status = migrate(stores, action="status")
    assert status.migrations[-1].state == "failed"


RISKY = "\n".join(
    f"    ctx.execute({statement!r})"
    for statement in [
        "CREATE INDEX services_team_name_idx ON services (owner_team_id, name)",
        "ALTER TABLE services ADD COLUMN flagged boolean NOT NULL",
        "ALTER TABLE services ADD COLUMN token uuid DEFAULT gen_random_uuid()",
        "ALTER TABLE services ADD COLUMN note text DEFAULT 'none'",
        "ALTER TABLE services DROP COLUMN repository_url",
        "ALTER TABLE services ALTER COLUMN created_at TYPE timestamp",
        "ALTER TABLE services ALTER COLUMN name TYPE varchar",
        "CREATE INDEX CONCURRENTLY services_tier_idx ON services (tier)",
    ]
)


def test_lint_flags_each_risky_statement_with_a_fix_and_writes_nothing(own_migrations):
    stores, folder = own_migrations
    migrate(stores, action="apply")
    add_services(stores, 20)
    (folder / "20241204000000_risky.py").write_text(migration_file("20241204000000", "Risky", RISKY))
    before, history = schema_of(stores), history_rows(stores)

    linted = migrate(stores, action="lint", large_table_rows=10)
    found = {(finding.rule, finding.statement.split()[-1]) for finding in linted.findings}
    assert found == {
        ("index_not_concurrent", "name)"),
        ("not_null_without_default", "NULL"),
        ("volatile_default", "gen_random_uuid()"),
        ("dropped_column_in_use", "repository_url"),
        ("rewriting_type_change", "timestamp"),
        ("concurrently_in_transaction", "(tier)"),
    }, found
    assert all(finding.fix and finding.version == "20241204000000" for finding in linted.findings)
    assert linted.valid is False and len(linted.warnings) == len(linted.findings)
    # Size-bound rules go quiet on a table under the threshold; the others do not depend on size.
    small = migrate(stores, action="lint", large_table_rows=1000)
    assert {finding.rule for finding in small.findings} == {
        "not_null_without_default",
        "dropped_column_in_use",
        "concurrently_in_transaction",
    }
    # apply's dry run lints too, at the default threshold.
    planned = migrate(stores, action="apply", dry_run=True)
    assert {finding.rule for finding in planned.findings} == {finding.rule for finding in small.findings}
    assert schema_of(stores) == before and history_rows(stores) == history


def test_lint_of_the_shipped_migrations_from_empty_finds_nothing(agent_stores):
    linted = migrate(agent_stores, action="lint")
    assert [step.outcome for step in linted.steps] == ["planned"] * 4
    assert (linted.findings, linted.valid) == ([], True)
    assert history_rows(agent_stores) == []


def test_bad_lint_threshold_and_bad_file_settings_are_refused(own_migrations):
    stores, folder = own_migrations
    with pytest.raises(InvalidRequest, match=r"field 'large_table_rows'.*valid integer"):
        migrate(stores, action="lint", large_table_rows="many")
    (folder / "20241204000000_bad.py").write_text(
        migration_file("20241204000000", "Bad", "    pass", header='lock_timeout = "5s"')
    )
    with pytest.raises(InvalidRequest, match=r"20241204000000_bad\.py: `lock_timeout` must be a number of seconds"):
        migrate(stores, action="apply")
    assert history_rows(stores) == [] and schema_of(stores)["columns"] == []
