"""`backup copy --region r` on AWS: the backup function may write only the backup prefix of this stage's backup
buckets in other regions, and use only keys carrying this stage's backup key alias; no other function may."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE
from tests.infra.test_infra_backup import _properties, _statements


def _text(value: Any) -> str:
    """A resource with its Fn::Join tokens flattened, partition and account shown as placeholders."""
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(
            part if isinstance(part, str) else f"<{next(iter(part.values()))}>" for part in value["Fn::Join"][1]
        )
    return str(value)


def _copy_grants(template: Template, profile: str, operation: str) -> set[tuple[str, str, str]]:
    """(action, resource, condition) for each resource that names another region: a bucket pattern ending in a
    region, or a KMS key ARN with a wildcard region. CDK merges statements, so they are taken apart first."""
    role = _properties(template, profile, operation)["Role"]["Fn::GetAtt"][0]
    grants: set[tuple[str, str, str]] = set()
    for statement in _statements(template, role):
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for resource in map(_text, resources):
            if ":kms:*:" in resource or "-backups-*-*-?" in resource:
                condition = json.dumps(statement.get("Condition", {}), sort_keys=True)
                grants.update((action, resource, condition) for action in actions)
    return grants


def test_backup_may_write_copy_targets_in_other_regions_and_nothing_else(
    operations_template: Template, profile: str
) -> None:
    prefix = naming.resource_prefix(profile, STAGE)
    buckets = f"arn:<AWS::Partition>:s3:::{prefix}-backups-*-*-?"
    keys = "arn:<AWS::Partition>:kms:*:<AWS::AccountId>:key/*"
    alias = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": f"alias/{prefix}-backups"}}
    via_s3 = json.dumps({**alias, "StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}, sort_keys=True)
    assert _copy_grants(operations_template, profile, "backup") == {
        ("s3:ListBucket", buckets, "{}"),
        ("s3:PutObject", f"{buckets}/backups/*", "{}"),
        ("s3:AbortMultipartUpload", f"{buckets}/backups/*", "{}"),
        ("kms:Encrypt", keys, json.dumps(alias, sort_keys=True)),
        ("kms:GenerateDataKey", keys, via_s3),
        ("kms:Decrypt", keys, via_s3),
    }


def test_the_source_bucket_is_not_a_copy_target(profile: str) -> None:
    """The pattern needs a region after `-backups-`; the stage's own bucket ends in the account id."""
    prefix = naming.resource_prefix(profile, STAGE)
    pattern = f"{prefix}-backups-*-*-?"
    assert fnmatch.fnmatchcase(f"{prefix}-backups-eu-west-1", pattern)
    assert fnmatch.fnmatchcase(f"{prefix}-backups-ap-southeast-2", pattern)
    assert not fnmatch.fnmatchcase(naming.backup_bucket_name(profile, STAGE, "123456789012"), pattern)


def test_no_other_function_may_write_to_other_regions(operations_template: Template, profile: str) -> None:
    for operation in ("restore", "reset", "maintenance", "validate"):
        assert _copy_grants(operations_template, profile, operation) == set(), operation
