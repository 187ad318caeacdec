"""Which backups retention removes. Pure logic over summaries, so every rule is tested without stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from dataops.backup.catalog import BackupSummary

# An incomplete backup younger than this may still be running (a Lambda lasts at most 15 minutes).
ABANDONED_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class RetentionPolicy:
    retention_days: int
    keep_last: int
    include_snapshots: bool


@dataclass(frozen=True)
class Removal:
    backup_id: str
    reason: str


def plan_cleanup(summaries: list[BackupSummary], policy: RetentionPolicy, now: datetime) -> list[Removal]:
    """Backups to delete. Never the newest complete backup, never a named snapshot unless asked, and never
    one of the `keep_last` newest complete backups. `summaries` may come in any order."""
    cutoff = now - timedelta(days=policy.retention_days)
    complete = sorted((s for s in summaries if s.complete), key=lambda s: s.backup_id, reverse=True)
    protected = {s.backup_id for s in complete[: max(1, policy.keep_last)]}
    removals: list[Removal] = []
    for summary in sorted(summaries, key=lambda s: s.backup_id):
        created = summary.created
        if summary.backup_id in protected:
            continue
        if not summary.complete:
            if created < now - ABANDONED_AFTER:
                removals.append(Removal(summary.backup_id, "incomplete (interrupted) backup"))
            continue
        if summary.kind == "snapshot" and not policy.include_snapshots:
            continue
        if created < cutoff:
            removals.append(Removal(summary.backup_id, f"older than {policy.retention_days} days"))
    return removals
