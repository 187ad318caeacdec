"""health and status, deployed with cdklocal and invoked with `awslocal lambda invoke`."""

import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import STAGE, local_aws_env

pytestmark = pytest.mark.e2e

EXPECTED_CHECKS = {
    "agent_system": {
        "DynamoDB table",
        "Control table",
        "Backup bucket",
        "Backup encryption key",
        "PostgreSQL secret",
        "PostgreSQL",
        "Migrations",
        "Backup freshness",
        "Data Validation",
    },
    "tattoo_directory": {
        "DynamoDB table",
        "Control table",
        "Backup bucket",
        "Backup encryption key",
        "OpenSearch",
        "Search indexes",
        "Migrations",
        "Backup freshness",
        "Data Validation",
    },
}


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_deployed_health_is_healthy_in_the_seed_shape(invoke, profile):
    # A deployed profile is healthy once its migrations are applied (pending ones are a warning).
    applied, _ = invoke(profile, "migrate", {"action": "apply"})
    assert "FunctionError" not in applied
    # ... and once it has a complete backup ("Backup freshness" warns until then).
    backed_up, _ = invoke(profile, "backup", {"action": "create"})
    assert "FunctionError" not in backed_up
    response, report = invoke(profile, "health", {"action": "check"})
    assert "FunctionError" not in response, report
    assert report["overall"] == "healthy", [check for check in report["checks"] if check["status"] != "pass"]
    assert {check["name"] for check in report["checks"]} == EXPECTED_CHECKS[profile]
    for check in report["checks"]:
        assert set(check) >= {"name", "status", "message", "details", "latency_ms"}
        assert check["status"] == "pass"
    assert report["operation"] == "health" and report["profile"] == profile and report["status"] == "succeeded"


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_deployed_status_names_the_stores_and_counts_every_entity(invoke, profile):
    response, report = invoke(profile, "status", {})
    assert "FunctionError" not in response, report
    slug = profile.replace("_", "-")
    assert report["stores"]["control_table"] == f"dataops-{slug}-{STAGE}-control"
    assert report["stores"]["backup_bucket"] == f"dataops-{slug}-{STAGE}-backups-000000000000"
    entities = {row["entity"]: row for row in report["entities"]}
    if profile == "tattoo_directory":
        assert report["stores"]["opensearch_indexes"] == f"artists-{STAGE}"
        assert entities["artist"]["opensearch"] == 0, "the index exists (made at deploy) and is empty"
        assert set(entities) == {"artist", "studio", "style"}
    else:
        assert "postgres" in report["stores"] and entities["service"]["dynamodb"] is None


@pytest.mark.parametrize(
    ("payload", "named_field"),
    [
        ({"action": "nope"}, "action"),
        ({"action": "check", "verbose": True}, "verbose"),
        ({"record": "sometimes"}, "record"),
    ],
)
def test_bad_payload_fails_the_invocation_naming_the_field(invoke, payload, named_field):
    response, error = invoke("tattoo_directory", "health", payload)
    assert response.get("FunctionError")
    assert f"field '{named_field}'" in error["errorMessage"]
    assert "Traceback" not in json.dumps(error)
    assert set(error) <= {"errorMessage", "errorType", "stackTrace", "requestId"}


def test_status_refuses_an_unknown_action(invoke):
    response, error = invoke("agent_system", "status", {"action": "delete-everything"})
    assert response.get("FunctionError")
    assert "field 'action'" in error["errorMessage"] and "'show'" in error["errorMessage"]


def test_cli_remote_returns_the_deployed_report():
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "dataops.cli",
            "health",
            "--remote",
            "--json",
            "--profile",
            "tattoo_directory",
            "--stage",
            STAGE,
        ],
        env=local_aws_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["overall"] == "healthy"


def test_cli_remote_reports_the_functions_error():
    completed = subprocess.run(
        [sys.executable, "-m", "dataops.cli", "health", "--remote", "--check", "Redis", "--stage", STAGE],
        env=local_aws_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The function refused the request (an unknown check): bad input exits 2, as it does in-process.
    assert completed.returncode == 2
    assert "unknown checks 'Redis'" in completed.stderr
