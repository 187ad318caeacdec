"""`--remote` sends one Invoke, however long the function runs.

The shared client config reads for 30 s and retries 8 times; botocore retries a read timeout, so an invocation
longer than that used to be sent again and again, each copy running the operation. The function below counts its
invocations in a file (MiniStack runs Lambda as a subprocess on this machine) and runs past 30 s.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile

import pytest

from dataops import naming
from dataops.cli.runner import CliTarget, run_remote
from dataops.errors import DataOpsError
from dataops.operations.status import STATUS
from dataops.stores import aws
from dataops.stores.functions import DeployedFunctions

pytestmark = pytest.mark.integration

HANDLER = """
import time

def handler(event, context):
    if "tally" in event:
        with open(event["tally"], "a") as tally:
            tally.write("invoked\\n")
    time.sleep(event.get("seconds", 5))
    return {"slept": event.get("seconds", 5)}
"""
PAST_THE_READ_TIMEOUT = 35


def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", HANDLER)
    return buffer.getvalue()


def deploy_sleeper(local_settings, name: str, timeout: int) -> None:
    functions = aws.client(local_settings, "lambda")
    functions.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role="arn:aws:iam::000000000000:role/sleeper",
        Handler="index.handler",
        Code={"ZipFile": function_zip()},
        Timeout=timeout,
    )
    functions.get_waiter("function_active_v2").wait(FunctionName=name)


@pytest.fixture
def sleeper(local_settings):
    name = f"dataops-sleeper-{uuid.uuid4().hex[:8]}"
    deploy_sleeper(local_settings, name, timeout=120)
    yield name
    aws.client(local_settings, "lambda").delete_function(FunctionName=name)


def test_an_invocation_longer_than_the_read_timeout_is_sent_once(local_settings, sleeper, tmp_path):
    tally = tmp_path / "invocations"
    started = time.monotonic()
    body, error = DeployedFunctions(local_settings).invoke(
        sleeper, {"tally": str(tally), "seconds": PAST_THE_READ_TIMEOUT}
    )
    took = time.monotonic() - started
    assert error is None and body == {"slept": PAST_THE_READ_TIMEOUT}
    assert took >= PAST_THE_READ_TIMEOUT
    time.sleep(2)  # a re-sent Invoke would have started by now
    assert tally.read_text().splitlines() == ["invoked"]


def test_a_remote_call_that_outlives_its_function_points_to_the_workflows(local_settings):
    """A function's timeout is the end of one call: the message says where large work goes instead."""
    target = CliTarget("agent_system", f"it{uuid.uuid4().hex[:8]}", "local")
    name = naming.function_name(target.profile, target.stage, STATUS.name)
    deploy_sleeper(local_settings, name, timeout=2)
    try:
        with pytest.raises(DataOpsError, match=r"timed out.*runs as a workflow, in units"):
            run_remote(STATUS, {"action": "show"}, target)
    finally:
        aws.client(local_settings, "lambda").delete_function(FunctionName=name)
