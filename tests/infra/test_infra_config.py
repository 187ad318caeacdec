"""CDK context: defaults, and a clear error naming the key for every wrong value."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.config import DeploymentConfig, DeploymentContextError
from tests.infra.synth_support import REPO_ROOT, AssetDirs


def _config(asset_dirs: AssetDirs, **context: Any) -> DeploymentConfig:
    return DeploymentConfig.from_context({**asset_dirs.context(), **context})


def test_defaults_deploy_agent_system_locally_with_a_quarter_hourly_health_check(asset_dirs: AssetDirs) -> None:
    config = DeploymentConfig.from_context(
        {"layer_dir": asset_dirs.layer_dir, "functions_dir": asset_dirs.functions_dir}
    )
    assert (config.target, config.profile, config.stage) == ("local", "agent_system", "dev")
    assert (config.log_retention_days, config.health_schedule_minutes, config.health_schedule_enabled) == (30, 15, True)


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("target", "gcp", "'local' or 'aws'"),
        ("stage", "Bad_Stage", "lowercase"),
        ("profile", "londn", "valid: agent_system, tattoo_directory"),
        ("log_retention_days", "31", "not a CloudWatch Logs retention"),
        ("health_schedule_minutes", "0", "greater than or equal to 1"),
        ("health_schedule_enabled", "maybe", "valid boolean"),
        ("existing_postgres_secret_arn", "dataops/pg", "ARN"),
        ("layer_dir", "/nonexistent/layer", "layer not built: run `make layer` (missing /nonexistent/layer/python)"),
        ("functions_dir", "/nonexistent/functions", "no handler directory for health"),
        ("stge", "prod", "unknown context key"),
    ],
)
def test_bad_context_value_names_the_key_and_the_reason(
    asset_dirs: AssetDirs, key: str, value: str, reason: str
) -> None:
    with pytest.raises(DeploymentContextError) as error:
        _config(asset_dirs, **{key: value})
    assert f"context key '{key}'" in str(error.value)
    assert reason in str(error.value)


def test_schedule_switch_accepts_the_strings_cdk_passes(asset_dirs: AssetDirs) -> None:
    assert _config(asset_dirs, health_schedule_enabled="false").health_schedule_enabled is False
    assert _config(asset_dirs, health_schedule_enabled=False).health_schedule_enabled is False


def test_aws_target_needs_a_postgres_secret_or_host_for_postgres_profiles(asset_dirs: AssetDirs) -> None:
    with pytest.raises(DeploymentContextError, match=r"existing_postgres_secret_arn.*postgres_host"):
        _config(asset_dirs, target="aws", profile="agent_system")
    assert _config(asset_dirs, target="aws", profile="agent_system", postgres_host="db.internal").postgres_port == 5432


def test_aws_target_needs_an_opensearch_endpoint_for_search_profiles(asset_dirs: AssetDirs) -> None:
    with pytest.raises(DeploymentContextError, match="opensearch_endpoint"):
        _config(asset_dirs, target="aws", profile="tattoo_directory")
    local = _config(asset_dirs, profile="tattoo_directory")
    assert local.resolved_opensearch_endpoint == "http://127.0.0.1:9200"
    assert local.search_index == "artists-test"


def _run_app(context: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    # The CDK CLI hands context to the app through CDK_CONTEXT_JSON; this is what `cdk synth -c ...` runs.
    environment = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(context), "CDK_OUTDIR": "/nonexistent/never-written"}
    return subprocess.run(
        [sys.executable, "app.py"], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_app_refuses_an_unbuilt_layer_with_the_make_target_to_run(tmp_path: Path) -> None:
    result = _run_app({"layer_dir": str(tmp_path / "build" / "layer")})
    assert result.returncode != 0
    assert f"layer not built: run `make layer` (missing {tmp_path / 'build' / 'layer' / 'python'})" in result.stderr
    assert "Traceback" not in result.stderr
