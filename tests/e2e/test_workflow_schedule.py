"""The EventBridge schedules really start the backup workflow and the health check on the local target.

A stage of its own, with both schedules every minute: a backup every minute would hold the mutation lock
against the other e2e tests if it ran in the shared stage.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from dataops import naming
from dataops.operations.health.history import HEALTH_PK
from dataops.stores import aws
from dataops.stores.dynamodb import DynamoTable
from tests.e2e.conftest import LAYER_DIR, ROOT, STAGE, awslocal_invoke, local_aws_env

pytestmark = pytest.mark.e2e

PROFILE = "agent_system"
SCHEDULE_STAGE = f"{STAGE[:11]}-sched"
# MiniStack fires a rate(1 minute) rule about 67 s after it is created; allow two periods more.
WAIT_SECONDS = 200


def cdklocal(*args: str) -> None:
    command = [
        str(ROOT / "node_modules" / ".bin" / "cdklocal"), *args,
        "-c", "target=local", "-c", f"profile={PROFILE}", "-c", f"stage={SCHEDULE_STAGE}",
        "-c", "health_schedule_minutes=1", "-c", "backup_schedule_minutes=1",
        "-c", "maintenance_schedule_enabled=false",
        "-c", f"layer_dir={LAYER_DIR}", "-o", str(ROOT / "build" / f"cdk.out.{SCHEDULE_STAGE}"),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=ROOT, env=local_aws_env(), capture_output=True, text=True, timeout=540)
    assert completed.returncode == 0, f"cdklocal {args[0]}:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"


@pytest.fixture(scope="module")
def scheduled_stage(local_endpoints, tmp_path_factory):
    cdklocal("bootstrap", "aws://000000000000/us-east-1")
    cdklocal("deploy", "--all", "--require-approval", "never")
    # The stage has a database of its own: its schema must exist before the first scheduled backup (~67 s).
    migrate = naming.function_name(PROFILE, SCHEDULE_STAGE, "migrate")
    response, result = awslocal_invoke(migrate, {"action": "apply"}, tmp_path_factory.mktemp("sched"))
    assert "FunctionError" not in response, result
    yield SCHEDULE_STAGE
    cdklocal("destroy", "--all", "--force")


def test_schedules_start_the_backup_workflow_and_record_a_health_check(scheduled_stage, settings):
    machine = naming.state_machine_name(PROFILE, scheduled_stage, "backup")
    machine_arn = f"arn:aws:states:us-east-1:000000000000:stateMachine:{machine}"
    stepfunctions = aws.client(settings, "stepfunctions")
    control = DynamoTable(aws.client(settings, "dynamodb"), naming.control_table_name(PROFILE, scheduled_stage))
    deadline = time.monotonic() + WAIT_SECONDS
    executions: list = []
    history: list = []
    ended: list = []
    while time.monotonic() < deadline and not (ended and history):
        executions = stepfunctions.list_executions(stateMachineArn=machine_arn)["executions"]
        ended = [execution for execution in executions if execution["status"] != "RUNNING"]
        history = list(control.query("PK = :pk", {":pk": HEALTH_PK}))
        time.sleep(5)
    assert executions, f"the backup schedule started no execution within {WAIT_SECONDS}s"
    assert ended and ended[-1]["status"] == "SUCCEEDED", ended
    assert history, f"the health schedule recorded no check within {WAIT_SECONDS}s"
    assert history[-1]["record_type"] == "health"
