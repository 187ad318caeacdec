"""Both seeds' environment variable names work; unset names fall back to the CDK app's physical names."""

import pytest

from dataops.config import load_settings
from dataops.errors import InvalidRequest

STORE_VARIABLES = (
    "DYNAMODB_TABLE_NAME",
    "DYNAMO_TABLE_NAME",
    "BACKUP_BUCKET",
    "S3_BUCKET_NAME",
    "AWS_ENDPOINT_URL",
    "DATAOPS_PROFILE",
    "DATAOPS_STAGE",
    "DATAOPS_TARGET",
    "OPENSEARCH_INDEX",
    "OPENSEARCH_ENDPOINT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in STORE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("variable", ["DYNAMODB_TABLE_NAME", "DYNAMO_TABLE_NAME"])
def test_table_name_accepts_both_seed_names(monkeypatch, variable):
    monkeypatch.setenv(variable, "ai-agent-system")
    assert load_settings().resolved_table_name("ignored") == "ai-agent-system"


@pytest.mark.parametrize("variable", ["BACKUP_BUCKET", "S3_BUCKET_NAME"])
def test_bucket_accepts_both_seed_names(monkeypatch, variable):
    monkeypatch.setenv(variable, "tattoo-directory-backups")
    assert load_settings().resolved_bucket() == "tattoo-directory-backups"


def test_unset_names_follow_the_deployed_physical_names():
    settings = load_settings(profile="tattoo_directory", stage="qa")
    assert settings.resolved_table_name("tattoo-directory") == "tattoo-directory-qa"
    assert settings.resolved_control_table() == "dataops-tattoo-directory-qa-control"
    assert settings.resolved_index("artists") == "artists-qa"
    assert settings.resolved_bucket() == "dataops-tattoo-directory-qa-backups-000000000000"


def test_opensearch_index_variable_overrides_the_default(monkeypatch):
    monkeypatch.setenv("OPENSEARCH_INDEX", "artists-local")
    assert load_settings().resolved_index("artists") == "artists-local"


def test_local_target_defaults_to_ministack_and_aws_target_to_the_sdk_chain():
    assert load_settings(target="local").aws_endpoint == "http://127.0.0.1:4566"
    assert load_settings(target="aws").aws_endpoint is None
    assert load_settings(target="aws").resolved_opensearch_endpoint() is None


def test_explicit_endpoint_wins(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    assert load_settings(target="aws").aws_endpoint == "http://localhost:4566"


@pytest.mark.parametrize(("field", "value"), [("stage", "Bad_Stage"), ("target", "gcp")])
def test_bad_setting_names_the_field(field, value):
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        load_settings(**{field: value})
