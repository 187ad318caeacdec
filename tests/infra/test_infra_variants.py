"""Other ways to deploy: onto existing stores, to AWS, with the schedule off. One extra App holds them all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.infra.synth_support import AssetDirs, SynthesizedApp, synthesize

EXISTING = {
    "existing_table_name": "shared-agents-table",
    "existing_table_stream_arn": (
        "arn:aws:dynamodb:eu-west-2:111122223333:table/shared-agents-table/stream/2026-01-01T00:00:00.000"
    ),
    "existing_bucket_name": "shared-backups-bucket",
    "existing_backup_key_arn": "arn:aws:kms:eu-west-2:111122223333:key/0a1b2c3d-0000-4000-8000-0123456789ab",
    "existing_postgres_secret_arn": "arn:aws:secretsmanager:eu-west-2:111122223333:secret:shared/pg-AbCdEf",
}
SEARCH_DOMAIN_ARN = "arn:aws:es:eu-west-2:111122223333:domain/tattoo-search"
SEARCH_ENDPOINT = "https://search-tattoo.eu-west-2.es.amazonaws.com"


@pytest.fixture(scope="module")
def variants(asset_dirs: AssetDirs, tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    base = asset_dirs.context()
    contexts: dict[str, dict[str, Any]] = {
        "imported": {
            **base,
            **EXISTING,
            "profile": "agent_system",
            "health_schedule_enabled": "false",
            "monitor_schedule_enabled": "false",
            "log_retention_days": "90",
        },
        "aws_search": {
            **base,
            "profile": "tattoo_directory",
            "target": "aws",
            "opensearch_endpoint": SEARCH_ENDPOINT,
            "opensearch_domain_arn": SEARCH_DOMAIN_ARN,
        },
        "aws_postgres": {**base, "profile": "agent_system", "stage": "awstest", "target": "aws", "postgres_host": "db"},
    }
    return synthesize(tmp_path_factory.mktemp("cdk.out.variants"), contexts)


def _template(variants: SynthesizedApp, name: str, kind: str) -> Template:
    return Template.from_stack(getattr(variants.deployments[name], kind))


def _variables(template: Template) -> list[dict[str, Any]]:
    functions = template.find_resources("AWS::Lambda::Function").values()
    return [dict(function)["Properties"]["Environment"]["Variables"] for function in functions]


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_importing_existing_stores_creates_no_table_bucket_key_or_secret(variants: SynthesizedApp) -> None:
    storage = _template(variants, "imported", "storage")
    # Only the control table remains: dataops owns it in every deployment.
    storage.resource_count_is("AWS::DynamoDB::Table", 1)
    storage.resource_count_is("AWS::S3::Bucket", 0)
    storage.resource_count_is("AWS::KMS::Key", 0)
    storage.resource_count_is("AWS::SecretsManager::Secret", 0)


def test_functions_use_the_imported_stores(variants: SynthesizedApp) -> None:
    for variables in _variables(_template(variants, "imported", "operations")):
        assert variables["DYNAMODB_TABLE_NAME"] == EXISTING["existing_table_name"]
        assert variables["BACKUP_BUCKET"] == EXISTING["existing_bucket_name"]
        assert variables["BACKUP_KMS_KEY_ID"] == EXISTING["existing_backup_key_arn"]
        assert variables["POSTGRES_SECRET_ARN"] == EXISTING["existing_postgres_secret_arn"]


def test_schedule_switch_and_log_retention_come_from_context(variants: SynthesizedApp) -> None:
    operations = _template(variants, "imported", "operations")
    operations.resource_count_is("AWS::Events::Rule", 0)
    groups = operations.find_resources("AWS::Logs::LogGroup").values()
    assert {dict(group)["Properties"]["RetentionInDays"] for group in groups} == {90}


def test_aws_target_retains_stores_and_traces_functions(variants: SynthesizedApp) -> None:
    storage = _template(variants, "aws_search", "storage")
    for resource_type in ("AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::KMS::Key"):
        policies = {dict(r)["DeletionPolicy"] for r in storage.find_resources(resource_type).values()}
        assert policies == {"Retain"}, resource_type
    for variables in _variables(_template(variants, "aws_search", "operations")):
        assert variables["DATAOPS_TARGET"] == "aws"
        assert variables["OPENSEARCH_ENDPOINT"] == SEARCH_ENDPOINT
        assert "POWERTOOLS_TRACE_DISABLED" not in variables


def test_aws_target_grants_health_read_access_to_the_search_domain(variants: SynthesizedApp) -> None:
    operations = _template(variants, "aws_search", "operations")
    search_statements = [
        statement
        for policy in operations.find_resources("AWS::IAM::Policy").values()
        for statement in dict(policy)["Properties"]["PolicyDocument"]["Statement"]
        if any(action.startswith("es:") for action in _as_list(statement["Action"]))
    ]
    # Health reads; other operations add their own statements, every one scoped to the domain.
    assert {
        "Action": ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost"],
        "Effect": "Allow",
        "Resource": f"{SEARCH_DOMAIN_ARN}/*",
    } in search_statements
    assert {statement["Resource"] for statement in search_statements} == {f"{SEARCH_DOMAIN_ARN}/*"}


def test_aws_target_generates_the_postgres_password_into_an_rds_style_secret(variants: SynthesizedApp) -> None:
    storage = _template(variants, "aws_postgres", "storage")
    (secret,) = storage.find_resources("AWS::SecretsManager::Secret").values()
    generated = dict(secret)["Properties"]["GenerateSecretString"]
    assert generated["GenerateStringKey"] == "password"
    assert json.loads(generated["SecretStringTemplate"]) == {
        "engine": "postgres",
        "host": "db",
        "port": 5432,
        "dbname": "dataops",
        "username": "dataops",
    }
    assert "SecretString" not in dict(secret)["Properties"]


def test_every_variant_passes_cdk_nag(variants: SynthesizedApp) -> None:
    # The report lists only plugins with findings left after acknowledgments.
    assert variants.validation_report()["pluginReports"] == []
