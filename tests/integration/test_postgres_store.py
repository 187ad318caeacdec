"""PostgreSQL adapter against the local server: COPY round trip, counts, clear errors when unreachable."""

import io
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg2.errors
import pytest
from psycopg2 import sql

from dataops.errors import StoreUnavailable
from dataops.stores.postgres import PostgresStore, params_from_secret

pytestmark = pytest.mark.integration


@pytest.fixture
def scratch_pg_table(pg_connection):
    name = f"it_{uuid.uuid4().hex[:10]}"
    with pg_connection, pg_connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("CREATE TABLE {} (id integer PRIMARY KEY, name text NOT NULL, meta jsonb)").format(
                sql.Identifier(name)
            )
        )
    yield name
    with pg_connection, pg_connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))


def test_copy_out_and_back_in_preserves_every_row(postgres_params, scratch_pg_table):
    store = PostgresStore(postgres_params)
    with store.transaction() as cursor:
        cursor.executemany(
            sql.SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(sql.Identifier(scratch_pg_table)),
            [(n, f"name, with comma {n}", '{"k": "v\\"q"}') for n in range(2000)],
        )
    dump = io.BytesIO()
    with store.transaction() as cursor:
        store.copy_out(cursor, scratch_pg_table, dump)
    with store.transaction() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(scratch_pg_table)))
        dump.seek(0)
        store.copy_in(cursor, scratch_pg_table, dump, ["id", "name", "meta"])
    assert store.count_rows(scratch_pg_table) == 2000
    again = io.BytesIO()
    with store.transaction() as cursor:
        store.copy_out(cursor, scratch_pg_table, again)
    assert again.getvalue() == dump.getvalue()


def test_failed_transaction_rolls_back(postgres_params, scratch_pg_table):
    store = PostgresStore(postgres_params)
    with pytest.raises(Exception, match="duplicate key"), store.transaction() as cursor:
        insert = sql.SQL("INSERT INTO {} VALUES (1, %s, NULL)").format(sql.Identifier(scratch_pg_table))
        cursor.execute(insert, ("a",))
        cursor.execute(insert, ("b",))
    assert store.count_rows(scratch_pg_table) == 0


def test_table_exists_and_identifier_quoting(postgres_params, scratch_pg_table):
    store = PostgresStore(postgres_params)
    assert store.table_exists(scratch_pg_table)
    assert not store.table_exists('services"; DROP TABLE x; --')


def test_unreachable_server_fails_fast_with_a_one_line_reason(postgres_params):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    store = PostgresStore({**postgres_params, "port": closed_port})
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as caught:
        store.server_version()
    assert time.monotonic() - started < 5
    assert f"127.0.0.1:{closed_port}" in caught.value.message
    assert "\n" not in caught.value.message


def test_secret_missing_fields_is_named():
    with pytest.raises(StoreUnavailable, match="missing username, password"):
        params_from_secret({"host": "db"}, 3)


def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(postgres_params, pg_connection, monkeypatch):
    """A server restart (or an RDS failover) between invocations must not fail the next operation."""
    store = PostgresStore(postgres_params)
    with store.transaction() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        cached_pid = cursor.fetchone()[0]  # type: ignore[index]
    with pg_connection, pg_connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (cached_pid,))
    monkeypatch.setattr("dataops.stores.postgres.IDLE_PING_SECONDS", 0.0)
    with store.transaction() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        fresh_pid = cursor.fetchone()[0]  # type: ignore[index]
    assert fresh_pid != cached_pid
    store.close()


def test_threads_get_their_own_transactions(postgres_params, scratch_pg_table):
    """Health checks run in parallel threads on one store. On a shared connection a second thread's transaction
    was refused ("cannot be re-entered recursively") and one thread's failure would roll back another's writes."""
    store = PostgresStore(postgres_params)
    inserted, failed = threading.Event(), threading.Event()
    table = sql.Identifier(scratch_pg_table)
    insert = sql.SQL("INSERT INTO {} VALUES (%s, 'kept', NULL)").format(table)
    seen_by_reader: list[int] = []

    def writer() -> None:
        with store.transaction() as cursor:
            cursor.execute(insert, (1,))
            inserted.set()
            assert failed.wait(10)
            cursor.execute(insert, (2,))

    def reader() -> None:
        assert inserted.wait(10)
        with store.transaction() as cursor:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table))
            seen_by_reader.append(cursor.fetchone()[0])  # type: ignore[index]
        with pytest.raises(psycopg2.errors.DivisionByZero), store.transaction() as cursor:
            cursor.execute("SELECT 1 / 0")
        failed.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [pool.submit(writer), pool.submit(reader)]
        for outcome in outcomes:
            outcome.result()
    assert seen_by_reader == [0]  # its own session: the writer's row was not yet committed
    assert store.count_rows(scratch_pg_table) == 2


@pytest.mark.parametrize("first_use", ["cached connection", "own connection"])
def test_the_local_target_creates_a_stages_database_on_first_use(postgres_params, pg_connection, first_use):
    """A migration run's own session may be the first to reach a new stage's database, as may any query."""
    name = f"it_stage_{uuid.uuid4().hex[:8]}"
    with pytest.raises(StoreUnavailable, match=f'database "{name}" does not exist'):
        PostgresStore({**postgres_params, "dbname": name}).server_version()
    store = PostgresStore({**postgres_params, "dbname": name}, create_missing_database=True)
    try:
        if first_use == "own connection":
            own = store.open_connection("dataops-migrate")
            own.close()
        with store.transaction() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone() == (name,)
    finally:
        store.close()
        pg_connection.autocommit = True
        with pg_connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        pg_connection.autocommit = False
