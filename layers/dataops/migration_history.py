"""The record of applied migrations, read side: which versions `migrate` applied, for anyone who only reads it.

`migrate` writes this record (operations/migrate/history.py); status, health and backups read the current
version from it here, so none of them imports the migrate operation.

PostgreSQL profiles keep it in a `schema_migrations` table; DynamoDB-only profiles keep one item per migration in
the control table, under the `MIGRATIONS` partition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import psycopg2
import psycopg2.extensions
from psycopg2 import sql
from pydantic import BaseModel

from dataops.errors import StoreUnavailable
from dataops.stores.data_stores import DataStores
from dataops.stores.dynamodb import DynamoTable

HISTORY_TABLE = "schema_migrations"
HISTORY_PARTITION = "MIGRATIONS"
HISTORY_COLUMNS = ("version", "name", "checksum", "applied_at", "duration_ms", "outcome", "error", "transactional")

Outcome = Literal["applied", "failed"]


class HistoryEntry(BaseModel):
    version: str
    name: str
    checksum: str
    applied_at: datetime
    duration_ms: int
    outcome: Outcome
    error: str | None = None
    # False: the migration ran outside a transaction (statement by statement), so a failure may leave part of it.
    transactional: bool = True


def version_key(version: str) -> tuple[int, ...]:
    """Timestamps (20241203120000) and semver (1.4.0) both order numerically, part by part."""
    return tuple(int(part) for part in version.split("."))


def error_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def open_history_connection(stores: DataStores) -> psycopg2.extensions.connection:
    """A connection of its own, so reading or writing the record never shares another caller's transaction."""
    try:
        return stores.postgres.open_connection("dataops-migrate")
    except psycopg2.OperationalError as exc:
        raise StoreUnavailable(f"PostgreSQL is unreachable for migrations: {error_line(exc)}") from None


def postgres_entries(connection: psycopg2.extensions.connection) -> dict[str, HistoryEntry]:
    """Every row of `schema_migrations` by version; none before the first migration created the table."""
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", (HISTORY_TABLE,))
        row = cursor.fetchone()
        if not (row and row[0]):
            return {}
        # Every column there is: a table made before a column was added lacks it, and the entry's default holds.
        cursor.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(HISTORY_TABLE)))
        columns = [column.name for column in cursor.description or ()]
        rows = (dict(zip(columns, row, strict=True)) for row in cursor.fetchall())
        return {row["version"]: HistoryEntry(**{k: v for k, v in row.items() if k in HISTORY_COLUMNS}) for row in rows}


def dynamo_entries(control: DynamoTable) -> dict[str, HistoryEntry]:
    """Every migration item in the control table, by version."""
    items = control.query("PK = :pk", {":pk": HISTORY_PARTITION})
    return {
        entry.version: entry
        for entry in (HistoryEntry(**{k: v for k, v in item.items() if k not in {"PK", "SK"}}) for item in items)
    }


def recorded_entries(stores: DataStores) -> dict[str, HistoryEntry]:
    if not stores.profile.uses_postgres:
        return dynamo_entries(stores.control)
    connection = open_history_connection(stores)
    try:
        return postgres_entries(connection)
    finally:
        connection.close()


def current_version_of(entries: dict[str, HistoryEntry]) -> str | None:
    applied = [version for version, entry in entries.items() if entry.outcome == "applied"]
    return max(applied, key=version_key) if applied else None


def current_version(stores: DataStores) -> str | None:
    """The highest applied version, for status, health and backup manifests; None before the first migration."""
    return current_version_of(recorded_entries(stores))
