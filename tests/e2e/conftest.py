"""The deployed suite on the local target: cdklocal deploys both profiles at stage `e2e`, then tests invoke them.

The health schedule runs every minute in this stage, so a test can watch it fire.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from opensearchpy import OpenSearch
from psycopg2 import sql

from dataops import naming
from dataops.config import load_settings
from dataops.profiles import load_profile
from dataops.stores import aws

ROOT = Path(__file__).resolve().parents[2]
# Parallel runs on one MiniStack each take their own stage.
STAGE = os.environ.get("DATAOPS_E2E_STAGE", "e2e")
LAYER_DIR = Path(os.environ.get("DATAOPS_E2E_LAYER_DIR", str(ROOT / "build" / "layer")))
PROFILES = ("agent_system", "tattoo_directory")
BIN = Path(sys.executable).parent
# As long as a function may run (the restore and backup functions: 15 minutes).
INVOKE_SECONDS = 900

pytestmark = pytest.mark.e2e


def local_aws_env() -> dict[str, str]:
    """What `make` gives cdklocal and awslocal: both endpoints (the default host does not resolve) and test keys."""
    env = dict(os.environ)
    env.update(
        AWS_ENDPOINT_URL="http://localhost:4566",
        AWS_ENDPOINT_URL_S3="http://127.0.0.1:4566",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="true",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def cdklocal(*args: str, profile: str) -> None:
    command = [
        str(ROOT / "node_modules" / ".bin" / "cdklocal"),
        *args,
        "-c", "target=local", "-c", f"profile={profile}", "-c", f"stage={STAGE}", "-c", "health_schedule_minutes=1",
        "-c", f"layer_dir={LAYER_DIR}",
        "-o", str(ROOT / "build" / f"cdk.out.{STAGE}.{profile}"),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=ROOT, env=local_aws_env(), capture_output=True, text=True, timeout=540)
    assert completed.returncode == 0, (
        f"cdklocal {args[0]} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    )


@pytest.fixture(scope="session")
def deployed(local_endpoints):
    """Deploy both profiles once per session; destroy them afterwards so their schedules stop firing."""
    if not (LAYER_DIR / "python" / "dataops").is_dir():
        pytest.fail("layer not built: run `make layer` (make test does it)")
    # A destroyed stack leaves its PostgreSQL database behind (data outlives a stack), so rows an interrupted
    # session left would meet the empty tables of this deployment as broken references.
    drop_stage_databases(local_endpoints, STAGE)
    drop_stage_indexes(local_endpoints, STAGE)
    for profile in PROFILES:
        cdklocal("bootstrap", "aws://000000000000/us-east-1", profile=profile)
        cdklocal("deploy", "--all", "--require-approval", "never", profile=profile)
    yield PROFILES
    for profile in PROFILES:
        cdklocal("destroy", "--all", "--force", profile=profile)
    drop_stage_databases(local_endpoints, STAGE)
    drop_stage_indexes(local_endpoints, STAGE)


def drop_stage_indexes(local_endpoints, stage: str) -> None:
    """Delete each profile's search indexes of `stage`: like a database, an index outlives the stack, and documents
    a late stream event or an interrupted session left would be counted by the next deployment."""
    search = OpenSearch(local_endpoints.opensearch_endpoint)
    for profile in PROFILES:
        for _entity, placement in load_profile(profile).search_indexes():
            search.indices.delete(
                index=naming.search_index_name(placement.index_base_name, stage), ignore_unavailable=True
            )


def drop_stage_databases(local_endpoints, stage: str) -> None:
    """Drop each profile's database of `stage` on the local PostgreSQL server; deploy makes it again, empty."""
    server = local_endpoints.postgres
    admin = psycopg2.connect(
        host=server.host, port=server.port, dbname="postgres", user=server.username, password=server.password
    )
    admin.autocommit = True  # DROP DATABASE cannot run inside a transaction
    try:
        with admin.cursor() as cursor:
            for profile in PROFILES:
                name = naming.local_database_name(profile, stage)
                # FORCE ends connections a warm Lambda container of the destroyed stack may still hold.
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        admin.close()


@pytest.fixture(scope="session")
def settings(local_endpoints):
    return load_settings(target="local", endpoint_url=local_endpoints.aws_endpoint, stage=STAGE)


def awslocal_invoke(function: str, payload: dict, tmp_path: Path) -> tuple[dict, dict]:
    """`awslocal lambda invoke`, as a user would run it; returns (CLI response, function payload)."""
    out = tmp_path / f"{function}.json"
    completed = subprocess.run(
        [
            str(BIN / "awslocal"),
            "lambda",
            "invoke",
            "--function-name",
            function,
            "--payload",
            json.dumps(payload),
            # The CLI's own read timeout is 60 s, and it re-sends a call that timed out: a restore of a full stage
            # runs longer, and its second copy would meet the first one's lock.
            "--cli-read-timeout",
            str(INVOKE_SECONDS),
            str(out),
        ],
        env=local_aws_env(),
        capture_output=True,
        text=True,
        timeout=INVOKE_SECONDS + 30,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    response = json.loads(completed.stdout[completed.stdout.index("{") :])
    return response, json.loads(out.read_text())


@pytest.fixture
def invoke(deployed, tmp_path):
    def call(profile: str, operation: str, payload: dict) -> tuple[dict, dict]:
        return awslocal_invoke(naming.function_name(profile, STAGE, operation), payload, tmp_path)

    return call


@pytest.fixture(scope="session")
def lambda_client(settings):
    return aws.client(settings, "lambda")
