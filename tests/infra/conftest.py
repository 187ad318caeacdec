"""One synthesized App for the whole run: both built-in profiles, stage `test`, checked by cdk-nag.

Synthesis costs seconds (jsii start-up, then every stack), so every infra test reads this one App.
"""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from infra.deployment import Deployment
from tests.infra.synth_support import PROFILES, AssetDirs, SynthesizedApp, synthesize


@pytest.fixture(scope="session")
def asset_dirs(tmp_path_factory: pytest.TempPathFactory) -> AssetDirs:
    return AssetDirs.create(tmp_path_factory.mktemp("assets"))


@pytest.fixture(scope="session")
def synthesized(asset_dirs: AssetDirs, tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    contexts = {profile: {**asset_dirs.context(), "profile": profile} for profile in PROFILES}
    return synthesize(tmp_path_factory.mktemp("cdk.out"), contexts)


@pytest.fixture(scope="session", params=PROFILES)
def profile(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="session")
def deployment(synthesized: SynthesizedApp, profile: str) -> Deployment:
    return synthesized.deployments[profile]


@pytest.fixture(scope="session")
def storage_template(deployment: Deployment) -> Template:
    return Template.from_stack(deployment.storage)


@pytest.fixture(scope="session")
def operations_template(deployment: Deployment) -> Template:
    return Template.from_stack(deployment.operations)


@pytest.fixture(scope="session")
def monitoring_template(deployment: Deployment) -> Template:
    return Template.from_stack(deployment.monitoring)
