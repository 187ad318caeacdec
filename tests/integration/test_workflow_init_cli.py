"""`dataops init` in-process against a provisioned stage, and `dataops audit` reading what it left behind."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from tests.integration.backup_support import dynamodb_snapshot, postgres_snapshot

pytestmark = pytest.mark.integration

runner = CliRunner()


def _objects(stores) -> list[str]:
    """Every object in the backup bucket (validation reports included: a dry run stores none)."""
    s3 = stores.backups.client
    return sorted(
        obj["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stores.backups.bucket)
        for obj in page.get("Contents", [])
    )


def _provision(provisioned, profile: str):
    """The provisioned stores, with the public access block the CDK app puts on the backup bucket."""
    stores = provisioned(profile)
    stores.backups.client.put_public_access_block(
        Bucket=stores.backups.bucket,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ),
    )
    return stores


def _history(stores) -> object:
    """The PostgreSQL rows, or None while the schema is absent (a dry run that created it would show)."""
    migrated = stores.profile.uses_postgres and stores.postgres.table_exists("services")
    return postgres_snapshot(stores) if migrated else None


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_dry_run_init_reports_every_step_and_writes_nothing(provisioned, profile, monkeypatch):
    stores = _provision(provisioned, profile)  # never migrated: the seed dry run plans without the tables
    before = (dynamodb_snapshot(stores), _objects(stores), _history(stores))
    monkeypatch.setenv("DRY_RUN", "true")
    result = runner.invoke(app, ["init", "--json", "--profile", profile, "--stage", stores.settings.stage])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["options"] == {"dry_run": True, "skip_existing": True, "scenario": ""}
    assert list(summary["steps"]) == ["migrate", "seed", "validate", "backup"]
    assert {step["status"] for step in summary["steps"].values()} == {"dry_run"}
    assert summary["steps"]["seed"]["counts"], "the dry run still counts what it would seed"
    assert (dynamodb_snapshot(stores), _objects(stores), _history(stores)) == before


def test_init_migrates_seeds_validates_backs_up_and_leaves_an_audit_trail(provisioned):
    stores = _provision(provisioned, "agent_system")
    common = ["--profile", "agent_system", "--stage", stores.settings.stage]
    result = runner.invoke(app, ["init", "--json", *common])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["steps"]
    assert {name: step["status"] for name, step in steps.items()} == dict.fromkeys(steps, "succeeded")
    assert stores.postgres.table_exists("services")
    assert len(dynamodb_snapshot(stores)) > 0
    assert any(key.endswith("manifest.json") for key in _objects(stores))

    audit = runner.invoke(app, ["audit", "--json", "--since", "1h", *common])
    assert audit.exit_code == 0, audit.output
    trail = [(record["operation"], record["action"], record["status"]) for record in json.loads(audit.stdout)]
    assert ("migrate", "apply", "succeeded") in trail
    assert ("seed", "run", "succeeded") in trail
    assert ("backup", "create", "succeeded") in trail
    only_seed = json.loads(runner.invoke(app, ["audit", "--json", "--operation", "seed", *common]).stdout)
    assert {record["operation"] for record in only_seed} == {"seed"}
    assert all(record["actor"].startswith("cli:") for record in only_seed)


def test_a_failing_step_stops_init_naming_the_step_and_exits_1(provisioned):
    stores = _provision(provisioned, "agent_system")
    # Without the backup key's alias, every step before backup succeeds and backup cannot get a data key.
    kms = stores.backup_key.client
    alias = stores.backup_key.key_id
    key_id = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
    kms.delete_alias(AliasName=alias)
    try:
        result = runner.invoke(app, ["init", "--profile", "agent_system", "--stage", stores.settings.stage])
    finally:
        kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    assert result.exit_code == 1, result.output
    assert "init failed at step backup:" in result.stderr
    assert "Traceback" not in result.output
    assert not any(key.endswith("manifest.json") for key in _objects(stores))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["audit", "--since", "yesterday"], "field '--since': 'yesterday' is not 24h, 7d or an ISO date/time"),
        (["audit", "--since", "2999-01-01"], "field '--since': '2999-01-01' is in the future"),
    ],
)
def test_audit_refuses_a_bad_since(arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.stderr


def test_init_refuses_a_bad_environment_switch(monkeypatch):
    monkeypatch.setenv("DRY_RUN", "perhaps")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2
    assert "DRY_RUN" in result.stderr
