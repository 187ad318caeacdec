"""A provision that cannot reach its store fails `cdk deploy` at once, with the store's own reason, instead of
leaving CloudFormation to wait an hour for a custom-resource answer that never comes."""

from __future__ import annotations

import subprocess
import time

import boto3
import pytest

from tests.e2e.conftest import LAYER_DIR, ROOT, local_aws_env

pytestmark = pytest.mark.e2e

STAGE = "provfail"
PROFILE = "tattoo_directory"
# Nothing listens on port 1: the search-index custom resource's provision must fail.
UNREACHABLE_SEARCH = "http://127.0.0.1:1"
# CloudFormation's own wait for a silent custom resource is an hour; an answered failure takes seconds.
ANSWERED_WITHIN_SECONDS = 300


def cdklocal(*args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(ROOT / "node_modules" / ".bin" / "cdklocal"), *args,
        "-c", "target=local", "-c", f"profile={PROFILE}", "-c", f"stage={STAGE}", "-c", f"layer_dir={LAYER_DIR}",
        "-c", f"opensearch_endpoint={UNREACHABLE_SEARCH}", "-o", str(ROOT / "build" / f"cdk.out.{STAGE}"),
    ]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, env=local_aws_env(), capture_output=True, text=True, timeout=540)


@pytest.fixture
def failed_deploy(local_endpoints):
    bootstrap = cdklocal("bootstrap", "aws://000000000000/us-east-1")
    assert bootstrap.returncode == 0, bootstrap.stderr[-2000:]
    started = time.monotonic()
    deploy = cdklocal("deploy", "--all", "--require-approval", "never")
    yield deploy, time.monotonic() - started
    destroy = cdklocal("destroy", "--all", "--force")
    assert destroy.returncode == 0, destroy.stderr[-2000:]


def test_a_failing_provision_fails_the_deploy_at_once_with_the_reason(failed_deploy, local_endpoints):
    deploy, seconds = failed_deploy
    output = deploy.stdout + deploy.stderr
    assert deploy.returncode != 0, "the deploy must fail"
    assert seconds < ANSWERED_WITHIN_SECONDS, f"the deploy took {seconds:.0f}s to fail"
    assert "CREATE_FAILED" in output and "Custom::DataOpsSearchIndexes" in output, output[-3000:]
    assert f"StoreUnavailable: OpenSearch at {UNREACHABLE_SEARCH} is unreachable" in output, output[-3000:]
    cloudformation = boto3.client("cloudformation", endpoint_url=local_endpoints.aws_endpoint, region_name="us-east-1")
    stacks = cloudformation.list_stacks()["StackSummaries"]
    operations = [s for s in stacks if s["StackName"] == f"dataops-tattoo-directory-{STAGE}-operations"]
    assert operations and not operations[0]["StackStatus"].endswith("IN_PROGRESS"), operations
