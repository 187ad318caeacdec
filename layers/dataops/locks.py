"""A lease lock in the control table: a conditional put with an expiry, renewed while the work runs.

A crashed run stops renewing, so its lease simply expires; nobody has to clear a stale lock by hand.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from dataops.errors import LeaseLost, LockHeld
from dataops.stores.dynamodb import DynamoTable

LOCK_SK = "LOCK"


@dataclass
class LeaseLock:
    table: DynamoTable
    name: str
    owner: str
    lease_seconds: int = 120
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def key(self) -> dict[str, str]:
        return {"PK": f"LOCK#{self.name}", "SK": LOCK_SK}

    def acquire(self) -> None:
        now = int(time.time())
        acquired = self.table.put_if(
            {
                **self.key,
                "owner": self.owner,
                "token": self.token,
                "acquired_at": now,
                "expires_at": now + self.lease_seconds,
            },
            "attribute_not_exists(PK) OR expires_at < :now OR #token = :token",
            {":now": now, ":token": self.token},
            {"#token": "token"},
        )
        if not acquired:
            holder = self.table.get(self.key) or {}
            remaining = max(0, int(holder.get("expires_at", now)) - now)
            raise LockHeld(
                f"lock {self.name!r} is held by {holder.get('owner', 'another run')} for up to {remaining}s more; "
                "mutating operations never overlap, retry when it finishes"
            )

    def renew(self) -> bool:
        """Extend the lease; False when we no longer hold it (it expired and someone else took it)."""
        now = int(time.time())
        return self.table.put_if(
            {
                **self.key,
                "owner": self.owner,
                "token": self.token,
                "acquired_at": now,
                "expires_at": now + self.lease_seconds,
            },
            "#token = :token",
            {":token": self.token},
            {"#token": "token"},
        )

    def holds(self) -> bool:
        """Whether the lock in the table is still this lease's."""
        return (self.table.get(self.key) or {}).get("token") == self.token

    def release(self) -> None:
        """Delete the lock only if it is still ours; an expired-and-taken lease belongs to someone else now."""
        self.table.delete_if(self.key, "#token = :token", {":token": self.token}, {"#token": "token"})


@contextmanager
def renewing(lock: LeaseLock) -> Iterator[None]:
    """Renew the lease at a third of its length while the block runs (a crashed run stops, so it expires)."""
    stop = threading.Event()

    def keep_renewing() -> None:
        while not stop.wait(lock.lease_seconds / 3):
            if not lock.renew():
                return

    renewer = threading.Thread(target=keep_renewing, name=f"lease-{lock.name}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join(timeout=5)


@contextmanager
def hold_lock(table: DynamoTable, name: str, owner: str, lease_seconds: int = 120) -> Iterator[LeaseLock]:
    """Hold the lock for the duration of the block, renewing at a third of the lease."""
    lock = LeaseLock(table, name, owner, lease_seconds)
    lock.acquire()
    try:
        with renewing(lock):
            yield lock
    finally:
        lock.release()


@contextmanager
def keep_lease(lock: LeaseLock) -> Iterator[None]:
    """Renew a lease taken by an earlier invocation now (refusing if it is gone), and while the block runs."""
    if not lock.renew():
        raise LeaseLost(
            f"the workflow's lock lease on {lock.name!r} is no longer held (the workflow was aborted, or the lease "
            "expired and another run took the lock); nothing was written by this step"
        )
    with renewing(lock):
        yield
