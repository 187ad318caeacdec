"""Where migrations are recorded and how runs exclude each other. Reading the record alone (the current version)
needs no run: dataops.migration_history does that, below this operation.

PostgreSQL profiles: a `schema_migrations` table, written in the migration's own transaction, and a session
advisory lock, which dies with its connection, so a crashed run never leaves a stale lock.
DynamoDB-only profiles: one item per migration in the control table; the framework's lease lock (which
expires) keeps runs apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import psycopg2
import psycopg2.extensions
from psycopg2 import sql

from dataops.errors import LockHeld
from dataops.migration_history import (
    HISTORY_PARTITION,
    HISTORY_TABLE,
    HistoryEntry,
    Outcome,
    dynamo_entries,
    open_history_connection,
    postgres_entries,
)
from dataops.models import utc_now
from dataops.operations.migrate.context import WHOLE, MigrationContext, Part
from dataops.operations.migrate.safety import (
    DEFAULT_SAFETY,
    StepSafety,
    apply_limits,
    is_lock_timeout,
    lock_wait_error,
    reset_limits,
)
from dataops.stores.data_stores import DataStores

ADVISORY_LOCK_NAME = "dataops.schema_migrations"
LOCK_WAIT_SECONDS = 120.0
LOCK_POLL_SECONDS = 0.25

StepBody = Callable[[MigrationContext], None]

# Called once the body has run, so the entry carries the real applied time and duration.
EntryFactory = Callable[[], HistoryEntry]


class StepFailed(Exception):
    """A migration's body raised; its writes were rolled back where the store allows it (`rolled_back`)."""

    def __init__(self, error: BaseException, context: MigrationContext, *, rolled_back: bool = True) -> None:
        super().__init__(str(error))
        self.error = error
        self.context = context
        self.rolled_back = rolled_back


class MigrationHistory(Protocol):
    def entries(self) -> dict[str, HistoryEntry]: ...

    def exclusive(self) -> AbstractContextManager[None]: ...

    def run_step(
        self,
        body: StepBody,
        *,
        dry_run: bool,
        record: EntryFactory | None,
        forget: str | None,
        part: Part = WHOLE,
        safety: StepSafety = DEFAULT_SAFETY,
    ) -> MigrationContext: ...

    def record_failure(self, entry: HistoryEntry) -> None: ...

    def close(self) -> None: ...


class PostgresHistory:
    """History and lock on a connection of the run's own, so its transactions and lock are never shared."""

    def __init__(self, stores: DataStores) -> None:
        self.stores = stores
        self.connection = open_history_connection(stores)

    def close(self) -> None:
        if not self.connection.closed:
            self.connection.close()

    def entries(self) -> dict[str, HistoryEntry]:
        return postgres_entries(self.connection)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Wait (up to LOCK_WAIT_SECONDS) for the advisory lock, then make sure the history table exists."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            with self.connection, self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (ADVISORY_LOCK_NAME,))
                row = cursor.fetchone()
            if row and row[0]:
                break
            if time.monotonic() > deadline:
                raise LockHeld(
                    f"another migration run has held the PostgreSQL advisory lock for over {LOCK_WAIT_SECONDS:.0f}s; "
                    "it is released when that run's connection ends, retry then"
                )
            time.sleep(LOCK_POLL_SECONDS)
        try:
            with self.connection, self.connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} (version text PRIMARY KEY, name text NOT NULL, "
                        "checksum text NOT NULL, applied_at timestamptz NOT NULL, duration_ms integer NOT NULL, "
                        "outcome text NOT NULL CHECK (outcome IN ('applied', 'failed')), error text)"
                    ).format(sql.Identifier(HISTORY_TABLE))
                )
                # Added after the table's first release: a table made before it gains the column here.
                cursor.execute(
                    sql.SQL(
                        "ALTER TABLE {} ADD COLUMN IF NOT EXISTS transactional boolean NOT NULL DEFAULT true"
                    ).format(sql.Identifier(HISTORY_TABLE))
                )
            yield
        finally:
            try:
                self.connection.rollback()
                with self.connection, self.connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", (ADVISORY_LOCK_NAME,))
            except psycopg2.Error:
                # A broken connection has already dropped its session lock; closing it finishes the job.
                self.close()

    def run_step(
        self,
        body: StepBody,
        *,
        dry_run: bool,
        record: EntryFactory | None,
        forget: str | None,
        part: Part = WHOLE,
        safety: StepSafety = DEFAULT_SAFETY,
    ) -> MigrationContext:
        """One transaction: the migration's statements and its history row commit together or not at all."""
        if not safety.transactional and not dry_run:
            return self._run_outside_transaction(body, record, forget, part, safety)
        cursor = self.connection.cursor()
        context = MigrationContext(self.stores, dry_run=dry_run, cursor=cursor, part=part)
        try:
            apply_limits(cursor, safety)
            body(context)
            context.finish()
            if not dry_run:
                if record is not None:
                    self._upsert(cursor, record())
                if forget is not None:
                    self._forget(cursor, forget)
        except Exception as exc:
            self.connection.rollback()
            raise StepFailed(self._explained(exc, context, safety), context) from exc
        finally:
            cursor.close()
        if dry_run:
            self.connection.rollback()
        else:
            self.connection.commit()
        return context

    def _run_outside_transaction(
        self, body: StepBody, record: EntryFactory | None, forget: str | None, part: Part, safety: StepSafety
    ) -> MigrationContext:
        """A non-transactional migration (CREATE INDEX CONCURRENTLY cannot run in a transaction): each statement
        commits on its own, and the history row is written once all of them did."""
        self.connection.rollback()
        self.connection.autocommit = True
        cursor = self.connection.cursor()
        context = MigrationContext(self.stores, dry_run=False, cursor=cursor, part=part)
        try:
            apply_limits(cursor, safety)
            body(context)
            context.finish()
        except Exception as exc:
            raise StepFailed(self._explained(exc, context, safety), context, rolled_back=False) from exc
        finally:
            try:
                reset_limits(cursor)
                cursor.close()
                self.connection.autocommit = False
            except psycopg2.Error:
                self.close()
        with self.connection, self.connection.cursor() as history_cursor:
            if record is not None:
                self._upsert(history_cursor, record())
            if forget is not None:
                self._forget(history_cursor, forget)
        return context

    def _explained(self, error: Exception, context: MigrationContext, safety: StepSafety) -> Exception:
        """A lock wait that timed out is told with the sessions that held the lock."""
        if not is_lock_timeout(error) or self.connection.closed:
            return error
        with self.connection.cursor() as probe:
            explained = lock_wait_error(probe, context.failed_statement, safety)
        self.connection.rollback()
        return explained

    def _forget(self, cursor: psycopg2.extensions.cursor, version: str) -> None:
        cursor.execute(sql.SQL("DELETE FROM {} WHERE version = %s").format(sql.Identifier(HISTORY_TABLE)), (version,))

    def record_failure(self, entry: HistoryEntry) -> None:
        with self.connection, self.connection.cursor() as cursor:
            self._upsert(cursor, entry)

    def _upsert(self, cursor: psycopg2.extensions.cursor, entry: HistoryEntry) -> None:
        cursor.execute(
            sql.SQL(
                "INSERT INTO {} (version, name, checksum, applied_at, duration_ms, outcome, error, transactional) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (version) DO UPDATE SET name = EXCLUDED.name, "
                "checksum = EXCLUDED.checksum, applied_at = EXCLUDED.applied_at, "
                "duration_ms = EXCLUDED.duration_ms, outcome = EXCLUDED.outcome, error = EXCLUDED.error, "
                "transactional = EXCLUDED.transactional"
            ).format(sql.Identifier(HISTORY_TABLE)),
            (
                entry.version,
                entry.name,
                entry.checksum,
                entry.applied_at,
                entry.duration_ms,
                entry.outcome,
                entry.error,
                entry.transactional,
            ),
        )


class DynamoHistory:
    """History items in the control table. Item migrations are idempotent, so no transaction is needed:
    a step that dies before its history item is written is simply run again and finds its work done.
    """

    def __init__(self, stores: DataStores) -> None:
        self.stores = stores

    def close(self) -> None:
        return None

    def entries(self) -> dict[str, HistoryEntry]:
        return dynamo_entries(self.stores.control)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        # The operation framework already holds the control table's lease lock for every mutating run.
        yield

    def run_step(
        self,
        body: StepBody,
        *,
        dry_run: bool,
        record: EntryFactory | None,
        forget: str | None,
        part: Part = WHOLE,
        safety: StepSafety = DEFAULT_SAFETY,
    ) -> MigrationContext:
        # DynamoDB has no locks to wait on nor transactions to leave: the limits are PostgreSQL's.
        context = MigrationContext(self.stores, dry_run=dry_run, part=part)
        try:
            body(context)
            context.finish()
        except Exception as exc:
            raise StepFailed(exc, context) from exc
        if not dry_run:
            if record is not None:
                self._put(record())
            if forget is not None:
                self.stores.control.batch_delete([self._key(forget)])
        return context

    def record_failure(self, entry: HistoryEntry) -> None:
        self._put(entry)

    def _key(self, version: str) -> dict[str, str]:
        return {"PK": HISTORY_PARTITION, "SK": f"VERSION#{version}"}

    def _put(self, entry: HistoryEntry) -> None:
        self.stores.control.put({**self._key(entry.version), **entry.model_dump(mode="json", exclude_none=True)})


def history_for(stores: DataStores) -> MigrationHistory:
    return PostgresHistory(stores) if stores.profile.uses_postgres else DynamoHistory(stores)


def recorded(entry: HistoryEntry) -> EntryFactory:
    """A factory for an entry known in advance (a repaired checksum)."""
    return lambda: entry


def now_entry(
    version: str,
    name: str,
    checksum: str,
    duration_ms: int,
    outcome: Outcome,
    error: str | None = None,
    *,
    transactional: bool = True,
) -> HistoryEntry:
    return HistoryEntry(
        version=version,
        name=name,
        checksum=checksum,
        applied_at=utc_now(),
        duration_ms=duration_ms,
        outcome=outcome,
        error=error,
        transactional=transactional,
    )
