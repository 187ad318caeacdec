"""With PostgreSQL stopped, the deployed health check says critical, names PostgreSQL, and answers in time."""

import json
import time

import pytest

from dataops.local import down, up

pytestmark = pytest.mark.e2e

FUNCTION_TIMEOUT_SECONDS = 60


def test_health_is_critical_naming_postgres_while_it_is_stopped(invoke, local_endpoints):
    if local_endpoints.postgres.external:
        pytest.skip("PostgreSQL is external (DATAOPS_PG_DSN); this test stops only a server it started")
    _, before = invoke("agent_system", "health", {})
    assert before["overall"] == "healthy", "warm the container's PostgreSQL connection first"
    down(only=["postgres"])
    try:
        started = time.monotonic()
        response, report = invoke("agent_system", "health", {})
        elapsed = time.monotonic() - started
    finally:
        up(only=["postgres"])
    assert "FunctionError" not in response
    assert elapsed < FUNCTION_TIMEOUT_SECONDS
    assert report["overall"] == "critical"
    failed = {check["name"]: check["message"] for check in report["checks"] if check["status"] == "fail"}
    # The migration history and the validated rows live in PostgreSQL, so those checks cannot answer either.
    assert set(failed) == {"PostgreSQL", "Migrations", "Data Validation"}
    assert "PostgreSQL at" in failed["PostgreSQL"]
    assert "Traceback" not in json.dumps(report)
    _, after = invoke("agent_system", "health", {})
    assert after["overall"] == "healthy", "the cached connection is replaced once the server is back"
