"""Retention rules, on plain summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dataops.backup.catalog import BackupSummary
from dataops.backup.retention import RetentionPolicy, plan_cleanup

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def summary(days_old: float, *, complete: bool = True, kind: str = "full", name: str | None = None) -> BackupSummary:
    created = NOW - timedelta(days=days_old)
    return BackupSummary(
        backup_id=f"{created.strftime('%Y%m%dT%H%M%S000Z')}-{int(days_old * 1000) % 0xFFFFFF:06x}",
        name=name,
        kind=kind,
        created=created,
        complete=complete,
        size_bytes=1,
        tables=[],
        rows={},
    )


def removed(summaries, **policy):
    rules = RetentionPolicy(**{"retention_days": 30, "keep_last": 1, "include_snapshots": False, **policy})
    return {r.backup_id for r in plan_cleanup(summaries, rules, NOW)}


def test_old_backups_go_and_recent_ones_stay():
    old, recent = summary(45), summary(2)
    assert removed([old, recent]) == {old.backup_id}


def test_newest_complete_backup_is_never_removed_however_old():
    only = summary(400)
    incomplete_newer = summary(300, complete=False)
    assert removed([only, incomplete_newer]) == {incomplete_newer.backup_id}


def test_keep_last_protects_the_newest_complete_backups():
    backups = [summary(days) for days in (40, 50, 60, 70)]
    assert removed(backups, keep_last=3) == {backups[3].backup_id}


def test_named_snapshots_stay_unless_asked():
    snapshot, newest = summary(90, kind="snapshot", name="before-demo"), summary(1)
    assert removed([snapshot, newest]) == set()
    assert removed([snapshot, newest], include_snapshots=True) == {snapshot.backup_id}


def test_incomplete_backup_that_may_still_be_running_stays():
    running, abandoned, newest = summary(0.01, complete=False), summary(0.5, complete=False), summary(3)
    assert removed([running, abandoned, newest]) == {abandoned.backup_id}


def test_the_bases_of_a_kept_incremental_backup_stay():
    base, middle = summary(60), summary(50)
    middle = middle.model_copy(update={"base": base.backup_id})
    newest = summary(1).model_copy(update={"base": middle.backup_id})
    assert removed([base, middle, newest]) == set()
    unrelated = summary(70)
    assert removed([unrelated, base, middle, newest]) == {unrelated.backup_id}
