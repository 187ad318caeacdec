"""`--target aws` acts on the account and region of the user's AWS session, and says so.

MiniStack answers STS like AWS, with the account its access key names, so the resolution is tried for real.
"""

from __future__ import annotations

import pytest

from dataops.cli.runner import CliTarget

pytestmark = pytest.mark.integration

ACCOUNT = "111122223333"


@pytest.fixture
def aws_session(tmp_path, monkeypatch, local_endpoints):
    """An AWS profile that names a region, credentials of another account, and nothing dataops-specific."""
    config = tmp_path / "config"
    config.write_text("[profile dataops-test]\nregion = eu-west-2\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "dataops-test")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCOUNT)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_endpoints.aws_endpoint)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "DATAOPS_ACCOUNT", "CDK_DEFAULT_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)


def test_the_sessions_region_and_account_name_the_resources_and_the_actor(aws_session, capsys):
    target = CliTarget("agent_system", "dev", "aws")
    settings = target.settings()
    assert (settings.region, settings.account) == ("eu-west-2", ACCOUNT)
    assert ACCOUNT in settings.resolved_bucket()
    assert settings.resolved_alert_topic_arn().startswith(f"arn:aws:sns:eu-west-2:{ACCOUNT}:")
    actor = target.actor(settings)
    assert actor is not None and actor.startswith("cli:arn:aws:") and ACCOUNT in actor
    assert f"acting on AWS account {ACCOUNT} in eu-west-2, stage dev" in capsys.readouterr().err


def test_the_environment_still_names_them_when_it_does(aws_session, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "ap-south-1")
    monkeypatch.setenv("DATAOPS_ACCOUNT", "222233334444")
    settings = CliTarget("agent_system", "dev", "aws").settings()
    assert (settings.region, settings.account) == ("ap-south-1", "222233334444")


def test_the_local_target_asks_nobody(local_endpoints):
    target = CliTarget("agent_system", "dev", "local")
    settings = target.settings()
    assert target.actor(settings) is None and settings.account == "000000000000"
