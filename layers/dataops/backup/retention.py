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
    """Backups to delete. Never the newest complete backup, never a named snapshot unless asked, never one of
    the `keep_last` newest complete backups, and never the base of a backup that stays. Any order of summaries."""
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
    # A kept incremental backup needs its whole chain of bases.
    removed = {removal.backup_id for removal in removals}
    by_id = {summary.backup_id: summary for summary in summaries}
    needed: set[str] = set()
    for summary in summaries:
        if summary.backup_id not in removed:
            base = summary.base
            while base is not None and base not in needed:
                needed.add(base)
                base = by_id[base].base if base in by_id else None
    return [removal for removal in removals if removal.backup_id not in needed]
