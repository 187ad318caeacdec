"""What keeps a PostgreSQL migration from taking production down: time limits on every statement and on every lock
wait, and, when a lock wait times out, who held the lock.

Without `lock_timeout` an `ALTER TABLE` queues behind one long read, and every query after it queues behind the
ALTER: the outage Flyway and Alembic users report. With it the migration fails within seconds, rolls back, and
says which session to look at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg2.errors
import psycopg2.extensions

from dataops.config import Settings
from dataops.errors import DataOpsError
from dataops.operations.migrate.files import MigrationFile

# Sessions listed in a lock-timeout message; more only repeat the point.
BLOCKERS_SHOWN = 3
QUERY_SHOWN = 120


@dataclass(frozen=True)
class StepSafety:
    """The limits one migration runs under, and whether it runs in one transaction."""

    lock_timeout: float
    statement_timeout: float
    transactional: bool = True

    @classmethod
    def of(cls, migration: MigrationFile, settings: Settings) -> StepSafety:
        return cls(
            lock_timeout=migration.lock_timeout or settings.migration_lock_timeout,
            statement_timeout=migration.statement_timeout or settings.migration_statement_timeout,
            transactional=migration.transactional,
        )


DEFAULT_SAFETY = StepSafety(lock_timeout=5.0, statement_timeout=300.0)


class LockWaitTimedOut(DataOpsError):
    """A statement waited longer than `lock_timeout` for a lock; nothing of the migration stays applied."""

    code = "LockWaitTimedOut"


def apply_limits(cursor: psycopg2.extensions.cursor, safety: StepSafety) -> None:
    """Set both limits for the transaction (or, outside one, the session) the migration runs in."""
    local = safety.transactional
    for setting, seconds in (("lock_timeout", safety.lock_timeout), ("statement_timeout", safety.statement_timeout)):
        cursor.execute("SELECT set_config(%s, %s, %s)", (setting, f"{round(seconds * 1000)}ms", local))


def reset_limits(cursor: psycopg2.extensions.cursor) -> None:
    cursor.execute("RESET lock_timeout; RESET statement_timeout")


def lock_wait_error(cursor: psycopg2.extensions.cursor, statement: str | None, safety: StepSafety) -> LockWaitTimedOut:
    """Name the sessions that hold locks on the tables the statement names (read right after the timeout, so the
    holder is usually still there)."""
    cursor.execute(
        """
        SELECT c.relname, l.mode, a.pid, a.state, extract(epoch FROM now() - a.xact_start)::int, a.query
        FROM pg_locks l
        JOIN pg_class c ON c.oid = l.relation
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.granted AND l.pid <> pg_backend_pid() AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        ORDER BY a.xact_start
        """
    )
    rows = cursor.fetchall()
    text = (statement or "").lower()
    named = [row for row in rows if re.search(rf"\b{re.escape(row[0].lower())}\b", text)]
    holders = [
        f"{mode} on {table} held by pid {pid} ({state}, transaction open {age}s: "
        f"{' '.join(str(query).split())[:QUERY_SHOWN]})"
        for table, mode, pid, state, age, query in (named or rows)[:BLOCKERS_SHOWN]
    ]
    waited = f"waited over {safety.lock_timeout:g}s (lock_timeout) for a lock"
    where = f" for: {' '.join((statement or '').split())[:QUERY_SHOWN]}" if statement else ""
    held = "; ".join(holders) if holders else "the holder had already gone"
    applied = "Nothing was applied" if safety.transactional else "The statements before this one stay applied"
    return LockWaitTimedOut(
        f"{waited}{where}; {held}. {applied}: retry when that session ends, or raise the migration's lock_timeout"
    )


def is_lock_timeout(error: BaseException) -> bool:
    return isinstance(error, psycopg2.errors.LockNotAvailable)
