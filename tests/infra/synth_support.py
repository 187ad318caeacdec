"""Building and synthesizing Apps for the infra tests: used by the fixtures and by the tests that need their own App."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import App, cx_api

from dataops.naming import STREAM_SYNC_FUNCTION
from dataops.registry import DEPLOY_TIME_FUNCTIONS, DEPLOYED_OPERATIONS
from infra.config import DeploymentConfig
from infra.deployment import Deployment, add_deployment, check_with_cdk_nag

REPO_ROOT = Path(__file__).resolve().parents[2]

PROFILES = ("agent_system", "tattoo_directory")
STAGE = "test"
# A fixed DSN keeps the local secret independent of whatever `make up` last wrote to .dataops/local.
TEST_POSTGRES_DSN = "host=127.0.0.1 port=15432 dbname=dataops user=dataops password=dataops"
VALIDATION_REPORT = "validation-report.json"


@dataclass(frozen=True)
class AssetDirs:
    layer_dir: Path
    functions_dir: Path

    @classmethod
    def create(cls, root: Path) -> AssetDirs:
        """What `make layer` and the handlers' authors would provide, empty: synth only hashes directories."""
        (root / "layer" / "python").mkdir(parents=True)
        for operation in (*DEPLOYED_OPERATIONS, *DEPLOY_TIME_FUNCTIONS, STREAM_SYNC_FUNCTION):
            (root / "functions" / operation).mkdir(parents=True)
        return cls(layer_dir=root / "layer", functions_dir=root / "functions")

    def context(self) -> dict[str, Any]:
        return {
            "stage": STAGE,
            "layer_dir": str(self.layer_dir),
            "functions_dir": str(self.functions_dir),
            "postgres_dsn": TEST_POSTGRES_DSN,
        }


@dataclass(frozen=True)
class SynthesizedApp:
    deployments: Mapping[str, Deployment]
    assembly: cx_api.CloudAssembly

    def validation_report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads((Path(self.assembly.directory) / VALIDATION_REPORT).read_text())
        return report

    def template_paths(self) -> list[Path]:
        return [Path(stack.template_full_path) for stack in self.assembly.stacks]


def cdk_json_feature_flags() -> dict[str, Any]:
    """Tests synthesize with the same feature flags as `cdk synth`, which reads them from cdk.json."""
    context: dict[str, Any] = json.loads((REPO_ROOT / "cdk.json").read_text())["context"]
    return {key: value for key, value in context.items() if key.startswith("@")}


def synthesize(outdir: Path, contexts: Mapping[str, Mapping[str, Any]]) -> SynthesizedApp:
    """One App holding one deployment per context, checked by cdk-nag like app.py does."""
    # Synth goes on past nag findings so the nag test can list every one, not stop at the first synth error.
    flags = {**cdk_json_feature_flags(), "@aws-cdk/core:failSynthOnValidationErrors": False}
    app = App(outdir=str(outdir), context=flags)
    deployments = {name: add_deployment(app, DeploymentConfig.from_context(ctx)) for name, ctx in contexts.items()}
    check_with_cdk_nag(app)
    return SynthesizedApp(deployments=deployments, assembly=app.synth())


def functions_for(profile: str) -> tuple[str, ...]:
    """Every function a profile deploys: the operations, plus `provision` and stream sync with search indexes."""
    search = (*DEPLOY_TIME_FUNCTIONS, STREAM_SYNC_FUNCTION) if profile == "tattoo_directory" else ()
    return (*DEPLOYED_OPERATIONS, *search)
