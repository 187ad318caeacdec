"""The deployed workflows, started with `awslocal stepfunctions start-execution` as the README shows, then polled.

Each profile goes through init -> backup -> restore -> reset -> maintenance; a failing step is seen as a message
on the alert topic (an SQS queue subscribed to it) naming the step.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import pytest

from dataops import naming
from dataops.stores import aws
from tests.e2e.conftest import BIN, STAGE, local_aws_env

pytestmark = pytest.mark.e2e

ACCOUNT, REGION = "000000000000", "us-east-1"


def awslocal(*args: str) -> dict:
    completed = subprocess.run(
        [str(BIN / "awslocal"), *args], env=local_aws_env(), capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    response: dict = json.loads(completed.stdout[completed.stdout.index("{") :])
    return response


def run_workflow(profile: str, workflow: str, execution_input: dict, timeout: float = 300) -> dict:
    """start-execution, then describe-execution until it ends; returns the description."""
    machine = naming.state_machine_name(profile, STAGE, workflow)
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine}"
    started = awslocal(
        "stepfunctions", "start-execution", "--state-machine-arn", arn, "--input", json.dumps(execution_input)
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = awslocal("stepfunctions", "describe-execution", "--execution-arn", started["executionArn"])
        if described["status"] != "RUNNING":
            return described
        time.sleep(2)
    pytest.fail(f"{workflow} still running after {timeout}s")


def succeeded(described: dict) -> dict:
    assert described["status"] == "SUCCEEDED", (described.get("error"), described.get("cause"))
    summary: dict = json.loads(described["output"])
    return summary


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_every_workflow_runs_to_a_readable_summary(deployed, invoke, profile):
    # tattoo_directory's default scenario is the full 10,000-artist directory; minimal keeps this test short.
    scenario = {"scenario": "minimal"} if profile == "tattoo_directory" else {}
    # Other e2e tests plant defects and hand edits in this shared stage; init is for a fresh environment.
    cleared, result = invoke(profile, "reset", {"action": "state", "state": "clean"})
    assert "FunctionError" not in cleared, result
    init = succeeded(run_workflow(profile, "init", scenario))
    assert list(init["steps"]) == ["migrate", "seed", "validate", "backup"]
    assert {step["status"] for step in init["steps"].values()} == {"succeeded"}
    assert sum(init["steps"]["seed"]["counts"].values()) > 0
    _, status = invoke(profile, "status", {"action": "show"})
    assert status["counts"]["dynamodb"] > 0

    dry = succeeded(run_workflow(profile, "init", {**scenario, "dry_run": True}))
    assert {step["status"] for step in dry["steps"].values()} == {"dry_run"}
    _, after_dry_run = invoke(profile, "status", {"action": "show"})
    assert after_dry_run["counts"] == status["counts"]

    backup = succeeded(run_workflow(profile, "backup", {}))
    assert backup["steps"]["backup"]["status"] == "succeeded"

    restore = succeeded(run_workflow(profile, "restore", {"backup": "latest"}))
    settling = ["settle-index"] if profile == "tattoo_directory" else []
    assert list(restore["steps"]) == ["verify-backup", "restore", *settling, "validate"]
    _, after_restore = invoke(profile, "status", {"action": "show"})
    assert after_restore["counts"] == status["counts"]

    snapshot = f"wf-{uuid.uuid4().hex[:8]}"
    reset = succeeded(run_workflow(profile, "reset", {"state": "minimal", "snapshot": snapshot}))
    assert [step["status"] for step in reset["steps"].values()] == ["dry_run"] + ["succeeded"] * 4
    skipped = succeeded(run_workflow(profile, "reset", {"state": "minimal"}))
    assert skipped["steps"]["snapshot"] == {"operation": "reset", "status": "skipped"}

    maintenance = succeeded(run_workflow(profile, "maintenance", {}))
    assert maintenance["steps"]["health"]["overall"] in {"healthy", "warning"}


@pytest.fixture
def alert_queue(deployed, settings):
    """An SQS queue subscribed to agent_system's alert topic, removed afterwards."""
    sqs, sns = aws.client(settings, "sqs"), aws.client(settings, "sns")
    url = sqs.create_queue(QueueName=f"{STAGE}-alerts-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{naming.alert_topic_name('agent_system', STAGE)}"
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    yield sqs, url
    sns.unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=url)


def test_a_failing_step_publishes_a_notice_naming_it_then_fails(alert_queue):
    sqs, url = alert_queue
    described = run_workflow("agent_system", "restore", {"backup": "no-such-backup"})
    assert described["status"] == "FAILED"
    assert described["cause"].startswith("restore failed at step verify-backup: ")
    assert "no-such-backup" in described["cause"]

    messages: list = []
    deadline = time.monotonic() + 30
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get("Messages", [])
    (message,) = messages
    envelope = json.loads(message["Body"])
    notice = json.loads(envelope["Message"])
    assert envelope["Subject"] == "dataops restore workflow failed at step verify-backup"
    assert (notice["workflow"], notice["step"]) == ("restore", "verify-backup")
    assert notice["input"] == {"dry_run": False, "backup": "no-such-backup"}
    assert "no-such-backup" in notice["cause"]
    assert notice["execution"].endswith(described["executionArn"].rsplit(":", 1)[-1])
