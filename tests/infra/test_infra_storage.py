"""Storage stack: the profile's table, the control table, the backup store and the PostgreSQL secret."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from dataops import naming
from dataops.profiles import load_profile
from dataops.profiles.model import KeyAttribute
from tests.infra.synth_support import STAGE


def _key_schema(partition: KeyAttribute, sort: KeyAttribute | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


def _only(template: Template, resource_type: str, properties: dict[str, Any]) -> dict[str, Any]:
    found = template.find_resources(resource_type, {"Properties": properties})
    assert len(found) == 1, f"expected one {resource_type} like {properties}, found {list(found)}"
    (resource,) = found.values()
    return dict(resource)


def test_data_table_has_profile_keys_gsis_and_stream(storage_template: Template, profile: str) -> None:
    design = load_profile(profile).table
    table = _only(
        storage_template, "AWS::DynamoDB::Table", {"TableName": naming.data_table_name(design.base_name, STAGE)}
    )
    properties = table["Properties"]
    assert properties["KeySchema"] == _key_schema(design.partition_key, design.sort_key)
    indexes = {index["IndexName"]: index for index in properties["GlobalSecondaryIndexes"]}
    assert set(indexes) == {index.name for index in design.indexes}
    for index in design.indexes:
        assert indexes[index.name]["KeySchema"] == _key_schema(index.partition_key, index.sort_key)
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}


def test_local_target_tables_are_destroyed_with_the_stack(storage_template: Template) -> None:
    tables = storage_template.find_resources("AWS::DynamoDB::Table")
    assert tables
    assert {table["DeletionPolicy"] for table in tables.values()} == {"Delete"}


def test_control_table_expires_records_and_keeps_point_in_time_recovery(
    storage_template: Template, profile: str
) -> None:
    storage_template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": naming.control_table_name(profile, STAGE),
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def test_backup_bucket_is_kms_encrypted_versioned_private_and_logged(storage_template: Template, profile: str) -> None:
    bucket = _only(
        storage_template,
        "AWS::S3::Bucket",
        {"BucketName": {"Fn::Join": ["", [f"{naming.resource_prefix(profile, STAGE)}-backups-", Match.any_value()]]}},
    )["Properties"]
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert encryption["SSEAlgorithm"] == "aws:kms"
    assert "Fn::GetAtt" in encryption["KMSMasterKeyID"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]


def test_every_bucket_policy_denies_requests_without_tls(storage_template: Template) -> None:
    policies = storage_template.find_resources("AWS::S3::BucketPolicy")
    assert len(policies) == 2, "the backup bucket and its access-log bucket"
    for policy in policies.values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(
            statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
            for statement in statements
        )


def test_backup_key_rotates_and_has_the_backups_alias(storage_template: Template, profile: str) -> None:
    storage_template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})
    storage_template.has_resource_properties(
        "AWS::KMS::Alias", {"AliasName": f"alias/{naming.resource_prefix(profile, STAGE)}-backups"}
    )


def test_postgres_secret_exists_only_for_profiles_using_postgres(storage_template: Template, profile: str) -> None:
    if not load_profile(profile).uses_postgres:
        storage_template.resource_count_is("AWS::SecretsManager::Secret", 0)
        return
    secret = _only(
        storage_template, "AWS::SecretsManager::Secret", {"Name": naming.postgres_secret_name(profile, STAGE)}
    )
    # Written from TEST_POSTGRES_DSN, in the RDS secret layout.
    assert json.loads(secret["Properties"]["SecretString"]) == {
        "engine": "postgres",
        "host": "127.0.0.1",
        "port": 15432,
        "dbname": "dataops",
        "username": "dataops",
        "password": "dataops",
    }


def test_storage_outputs_name_the_tables_and_the_bucket(storage_template: Template) -> None:
    outputs = storage_template.find_outputs("*")
    assert {"DataTableName", "ControlTableName", "BackupBucketName"} <= set(outputs)
