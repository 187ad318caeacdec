"""The EventBridge schedule (1 minute in the e2e stage) really runs the deployed health check."""

import time

import pytest

from dataops import naming
from dataops.operations.health.history import HEALTH_PK
from dataops.stores import aws
from dataops.stores.dynamodb import DynamoTable
from tests.e2e.conftest import STAGE

pytestmark = pytest.mark.e2e

# MiniStack fires a rate(1 minute) rule about 67 s after it is created; allow two periods more.
WAIT_SECONDS = 200


@pytest.mark.parametrize("profile", ["tattoo_directory", "agent_system"])
def test_scheduled_health_check_fires_and_records_its_report(deployed, settings, profile):
    control = DynamoTable(aws.client(settings, "dynamodb"), naming.control_table_name(profile, STAGE))
    deadline = time.monotonic() + WAIT_SECONDS
    history: list = []
    while time.monotonic() < deadline:
        history = list(control.query("PK = :pk", {":pk": HEALTH_PK}))
        if history:
            break
        time.sleep(5)
    assert history, f"no scheduled health report within {WAIT_SECONDS}s"
    assert history[-1]["record_type"] == "health"
    assert history[-1]["overall"] in {"healthy", "warning", "critical"}
