"""Retention cleanup on a real bucket: dry run lists, real run deletes exactly the expired backups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dataops.models import utc_now
from dataops.operations.backup import BACKUP
from tests.integration.backup_support import bucket_keys, fill_dynamodb, fill_opensearch

pytestmark = pytest.mark.integration


def run(payload, stores):
    return BACKUP.run(BACKUP.parse(payload), stores)


def age(stores, backup_id, days):
    key = f"{stores.settings.backup_prefix}/{backup_id}/manifest.json"
    manifest = stores.backups.get_json(key)
    manifest["created"] = (utc_now() - timedelta(days=days)).isoformat()
    stores.backups.put_json(key, manifest)


def test_cleanup_removes_expired_backups_but_keeps_newest_and_snapshots(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 40)
    fill_opensearch(stores, 20)
    expired = [run({"action": "create"}, stores).backup["backup_id"] for _ in range(2)]
    snapshot = run({"action": "create", "kind": "snapshot", "name": "keep-me"}, stores).backup["backup_id"]
    newest = run({"action": "create"}, stores).backup["backup_id"]
    for backup_id in (*expired, snapshot):
        age(stores, backup_id, 45)

    keys_before = bucket_keys(stores)
    preview = run({"action": "cleanup", "keep_last": 1, "dry_run": True}, stores)
    assert set(preview.details["would_remove"]) == set(expired)
    assert bucket_keys(stores) == keys_before

    run({"action": "cleanup", "keep_last": 1}, stores)
    remaining = {s.backup_id for s in run({"action": "list"}, stores).backups}
    assert remaining == {snapshot, newest}
    assert not [key for key in bucket_keys(stores) if any(backup_id in key for backup_id in expired)]

    run({"action": "cleanup", "keep_last": 1, "include_snapshots": True}, stores)
    assert {s.backup_id for s in run({"action": "list"}, stores).backups} == {newest}


def test_list_is_newest_first_and_paginated(provisioned):
    stores = provisioned("tattoo_directory")
    ids = [run({"action": "create"}, stores).backup["backup_id"] for _ in range(3)]
    first = run({"action": "list", "limit": 2}, stores)
    assert [s.backup_id for s in first.backups] == sorted(ids, reverse=True)[:2]
    second = run({"action": "list", "limit": 2, "next_token": first.next_token}, stores)
    assert [s.backup_id for s in second.backups] == [min(ids)]
    assert second.next_token is None
    assert all(s.complete and s.size_bytes > 0 for s in first.backups + second.backups)
