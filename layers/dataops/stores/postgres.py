"""PostgreSQL adapter: a cached connection per container thread, COPY helpers, SQL built only with psycopg2.sql."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import psycopg2
import psycopg2.errors
import psycopg2.extensions
from psycopg2 import sql

from dataops.errors import StoreUnavailable

ConnectionParams = dict[str, Any]


class ConnectionDropped(StoreUnavailable):
    """The server closed a connection we had cached; a fresh one may work."""


class _ThreadConnections(threading.local):
    """Each thread gets its own cached connections. Threads that share one connection share its transaction: a
    health check's commit or failed statement in one thread would end or abort another thread's work. A pool
    thread's connections are closed when the thread ends and its locals are collected."""

    def __init__(self) -> None:
        self.by_key: dict[str, psycopg2.extensions.connection] = {}
        self.last_used: dict[str, float] = {}


_cached = _ThreadConnections()
# A cached connection idle this long is pinged before reuse: a server restart, a failover or an idle timeout
# closes it on the server's side, and the caller would otherwise meet that on its first statement.
IDLE_PING_SECONDS = 5.0


def params_from_secret(secret: dict[str, Any], connect_timeout: int) -> ConnectionParams:
    """The RDS secret shape (host, port, dbname, username, password); `engine` and extras are ignored."""
    missing = [field for field in ("host", "username", "password") if not secret.get(field)]
    if missing:
        raise StoreUnavailable(f"PostgreSQL secret is missing {', '.join(missing)}")
    return {
        "host": secret["host"],
        "port": int(secret.get("port", 5432)),
        "dbname": secret.get("dbname") or secret.get("database") or "postgres",
        "user": secret["username"],
        "password": secret["password"],
        "connect_timeout": connect_timeout,
    }


def params_from_dsn(dsn: str, connect_timeout: int) -> ConnectionParams:
    params: ConnectionParams = dict(psycopg2.extensions.parse_dsn(dsn))
    params.setdefault("connect_timeout", connect_timeout)
    return params


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def describe_params(params: ConnectionParams) -> str:
    """Where we connect, without the password."""
    host = params.get("host", "(socket)")
    return f"{params.get('user', '?')}@{host}:{params.get('port', 5432)}/{params.get('dbname', '?')}"


def _answers(conn: psycopg2.extensions.connection) -> bool:
    """One round trip on an idle connection; a connection inside a transaction is in use, so it is left alone."""
    if conn.status != psycopg2.extensions.STATUS_READY:
        return True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        conn.rollback()
    except (psycopg2.OperationalError, psycopg2.InterfaceError):
        return False
    return True


def _is_missing_database(error: psycopg2.OperationalError, params: ConnectionParams) -> bool:
    # A connection refused at startup carries no SQLSTATE, only the server's message.
    return bool(params.get("dbname")) and f'database "{params["dbname"]}" does not exist' in str(error)


def create_database(params: ConnectionParams) -> None:
    """CREATE DATABASE `params`' dbname, connected to the server's `postgres` database as the same user."""
    conn = psycopg2.connect(application_name="dataops", **{**params, "dbname": "postgres"})
    try:
        conn.autocommit = True  # CREATE DATABASE cannot run inside a transaction
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["dbname"])))
    except psycopg2.errors.DuplicateDatabase:
        pass  # another container created it first
    finally:
        conn.close()


class PostgresStore:
    def __init__(self, params: ConnectionParams, *, create_missing_database: bool = False) -> None:
        """`create_missing_database`: the local target gives each stage its own database on one server, created
        on first use; on AWS the database is provisioned with the server and a missing one is an error."""
        self.params = params
        self._key = describe_params(params)
        self._create_missing_database = create_missing_database

    def open_connection(self, application_name: str = "dataops") -> psycopg2.extensions.connection:
        """A new connection, not cached: for work that needs a session of its own (a migration run's lock, a
        server-side cursor). Raises psycopg2.OperationalError if the server cannot be reached."""
        conn: psycopg2.extensions.connection
        try:
            conn = psycopg2.connect(application_name=application_name, **self.params)
        except psycopg2.OperationalError as exc:
            if not (self._create_missing_database and _is_missing_database(exc, self.params)):
                raise
            create_database(self.params)
            conn = psycopg2.connect(application_name=application_name, **self.params)
        return conn

    def connection(self) -> psycopg2.extensions.connection:
        """This thread's connection, reopened if the server dropped it."""
        conn = _cached.by_key.get(self._key)
        idle = time.monotonic() - _cached.last_used.get(self._key, 0.0)
        if conn is not None and not conn.closed and idle >= IDLE_PING_SECONDS and not _answers(conn):
            conn.close()
        if conn is None or conn.closed:
            try:
                conn = self.open_connection()
            except psycopg2.OperationalError as exc:
                raise StoreUnavailable(f"PostgreSQL at {self._key} is unreachable: {_first_line(exc)}") from None
            _cached.by_key[self._key] = conn
        _cached.last_used[self._key] = time.monotonic()
        return conn

    def close(self) -> None:
        """Closes this thread's connection."""
        conn = _cached.by_key.pop(self._key, None)
        if conn is not None and not conn.closed:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[psycopg2.extensions.cursor]:
        """A cursor inside one transaction: commit on success, roll back on any error."""
        conn = self.connection()
        try:
            with conn, conn.cursor() as cursor:
                yield cursor
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            if not conn.closed:
                raise
            # The server went away under a cached connection: drop it so the next call reconnects.
            self.close()
            raise ConnectionDropped(f"PostgreSQL at {self._key} dropped the connection: {_first_line(exc)}") from None

    def server_version(self) -> str:
        """Also the liveness probe: a connection cached from before a server restart gets one fresh retry."""
        try:
            return self._show_version()
        except ConnectionDropped:
            return self._show_version()

    def _show_version(self) -> str:
        with self.transaction() as cursor:
            cursor.execute("SHOW server_version")
            row = cursor.fetchone()
        return str(row[0]) if row else "unknown"

    def table_exists(self, table: str, schema: str = "public") -> bool:
        with self.transaction() as cursor:
            cursor.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s", (schema, table)
            )
            return cursor.fetchone() is not None

    def count_rows(self, table: str, schema: str = "public") -> int:
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        with self.transaction() as cursor:
            cursor.execute(query)
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def stream(
        self, query: sql.Composable, params: tuple[Any, ...] = (), *, cursor_factory: Any = None, page: int = 2000
    ) -> Iterator[Any]:
        """Rows from a server-side cursor, a page at a time, on a connection of its own.

        The caller may run other statements on its own connection while it reads (and commit them), and a
        commit would end the transaction a named cursor lives in; a separate connection keeps the stream apart.
        """
        try:
            conn = self.open_connection("dataops-stream")
        except psycopg2.OperationalError as exc:
            raise StoreUnavailable(f"PostgreSQL at {self._key} is unreachable: {_first_line(exc)}") from None
        try:
            with conn, conn.cursor(name="dataops_stream", cursor_factory=cursor_factory) as cursor:
                cursor.itersize = page
                cursor.execute(query, params)
                yield from cursor
        finally:
            conn.close()

    def copy_out(self, cursor: psycopg2.extensions.cursor, table: str, sink: IO[bytes], schema: str = "public") -> None:
        """COPY a table to `sink` as CSV with header, inside the caller's transaction (for one snapshot)."""
        statement = sql.SQL("COPY {}.{} TO STDOUT WITH (FORMAT csv, HEADER true)").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        cursor.copy_expert(statement.as_string(cursor), sink)

    def copy_in(
        self,
        cursor: psycopg2.extensions.cursor,
        table: str,
        source: IO[bytes],
        columns: list[str],
        schema: str = "public",
    ) -> None:
        statement = sql.SQL("COPY {}.{} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
            sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        cursor.copy_expert(statement.as_string(cursor), source)
