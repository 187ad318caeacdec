"""Health check "Backup freshness": seed 000's recommended monitoring, a complete backup within the last day."""

from __future__ import annotations

from datetime import timedelta

from dataops.backup.catalog import latest_complete
from dataops.checks import CheckOutcome
from dataops.models import utc_now
from dataops.stores.data_stores import DataStores

MAX_BACKUP_AGE = timedelta(hours=24)


def backup_freshness(stores: DataStores) -> CheckOutcome:
    latest = latest_complete(stores)
    if latest is None:
        return CheckOutcome("warn", "no complete backup exists; run `dataops backup create`")
    age = utc_now() - latest.created
    hours = round(age.total_seconds() / 3600, 1)
    details = {"backup_id": latest.backup_id, "created": latest.created.isoformat(), "age_hours": hours}
    if age > MAX_BACKUP_AGE:
        message = f"the latest complete backup {latest.backup_id} is {hours} h old (over 24 h)"
        return CheckOutcome("warn", message, details)
    return CheckOutcome("pass", f"the latest complete backup {latest.backup_id} is {hours} h old", details)
