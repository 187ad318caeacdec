"""Health's "Backup freshness" check and status's latest backup, on a real bucket."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dataops.models import utc_now
from dataops.operations.backup import BACKUP
from dataops.operations.health import HEALTH
from dataops.operations.status import STATUS

pytestmark = pytest.mark.integration


def freshness(stores):
    result = HEALTH.run(HEALTH.parse({"checks": ["Backup freshness"]}), stores)
    return result.checks[0]


def test_freshness_warns_without_backup_passes_after_one_and_warns_when_stale(provisioned):
    stores = provisioned("tattoo_directory")
    assert freshness(stores).status == "warn"
    assert STATUS.run(STATUS.parse({}), stores).details["latest_backup"] is None

    created = BACKUP.run(BACKUP.parse({"action": "create"}), stores).backup
    assert created is not None
    backup_id = created["backup_id"]
    check = freshness(stores)
    assert check.status == "pass" and check.details["backup_id"] == backup_id
    assert STATUS.run(STATUS.parse({}), stores).details["latest_backup"].startswith(backup_id)

    key = f"{stores.settings.backup_prefix}/{backup_id}/manifest.json"
    manifest = stores.backups.get_json(key)
    manifest["created"] = (utc_now() - timedelta(hours=30)).isoformat()
    stores.backups.put_json(key, manifest)
    stale = freshness(stores)
    assert stale.status == "warn" and "over 24 h" in stale.message
