"""Health history in the control table, so schedules leave evidence and monitors can read trends."""

from __future__ import annotations

from typing import Any

from dataops.models import utc_now
from dataops.stores.dynamodb import DynamoTable

HEALTH_PK = "HEALTH"
HISTORY_DAYS = 30


def record_health(table: DynamoTable, overall: str, checks: list[Any]) -> str:
    at = utc_now()
    summary = {
        check.name: {"status": check.status, "latency_ms": check.latency_ms, "message": check.message}
        for check in checks
    }
    table.put(
        {
            "PK": HEALTH_PK,
            "SK": at.isoformat(),
            "record_type": "health",
            "overall": overall,
            "checks": summary,
            "expires_at": int(at.timestamp()) + HISTORY_DAYS * 86400,
        }
    )
    return at.isoformat()


def recent_health(table: DynamoTable, limit: int = 20) -> list[dict[str, Any]]:
    return list(table.query("PK = :pk", {":pk": HEALTH_PK}, forward=False, limit=limit))
