"""Metric history in the control table (one item per check) and the trend report over it."""

from __future__ import annotations

from statistics import median
from typing import Any

from dataops.models import utc_now
from dataops.stores.dynamodb import DynamoTable

METRICS_PK = "MONITOR"
HISTORY_DAYS = 30


def record_metrics(table: DynamoTable, metrics: dict[str, float | None]) -> str:
    at = utc_now()
    table.put(
        {
            "PK": METRICS_PK,
            "SK": at.isoformat(),
            "record_type": "metrics",
            "metrics": {name: value for name, value in metrics.items() if value is not None},
            "expires_at": int(at.timestamp()) + HISTORY_DAYS * 86400,
        }
    )
    return at.isoformat()


def trend_report(table: DynamoTable, limit: int) -> dict[str, Any]:
    """min / median / max / latest per metric over the newest `limit` checks."""
    series: dict[str, list[float]] = {}
    times: list[str] = []
    for item in table.query("PK = :pk", {":pk": METRICS_PK}, forward=False, limit=limit):
        times.append(str(item["SK"]))
        for name, value in item.get("metrics", {}).items():
            series.setdefault(name, []).append(float(value))
    return {
        "checks": len(times),
        "from": times[-1] if times else None,
        "to": times[0] if times else None,
        "metrics": {
            name: {
                "min": min(values),
                "median": median(values),
                "max": max(values),
                "latest": values[0],
                "samples": len(values),
            }
            for name, values in sorted(series.items())
        },
    }
