"""Cross-region copy on the local target: objects copied, the data key re-wrapped by the target region's key."""

from __future__ import annotations

import pytest

from dataops.backup.catalog import load_manifest
from dataops.backup.copy import target_stores
from dataops.errors import InvalidRequest, StoreUnavailable
from dataops.operations.backup import BACKUP
from dataops.stores import aws
from tests.integration.backup_support import fill_dynamodb
from tests.integration.conftest import empty_bucket

pytestmark = pytest.mark.integration
REGION = "us-west-2"


def run(payload, stores):
    return BACKUP.run(BACKUP.parse(payload), stores)


@pytest.fixture
def stores_and_target(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 60)
    target = target_stores(stores, REGION, None)
    s3 = aws.client(target.settings, "s3")
    kms = aws.client(target.settings, "kms")
    s3.create_bucket(Bucket=target.backups.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    key_id = kms.create_key(Description="copy target")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=target.backup_key.key_id, TargetKeyId=key_id)
    yield stores, target
    empty_bucket(s3, target.backups.bucket)
    s3.delete_bucket(Bucket=target.backups.bucket)
    kms.delete_alias(AliasName=target.backup_key.key_id)


def test_copy_validates_in_the_target_region_with_its_own_key(stores_and_target):
    stores, target = stores_and_target
    backup_id = run({"action": "create"}, stores).backup["backup_id"]
    copied = run({"action": "copy", "backup": backup_id, "region": REGION}, stores)
    assert copied.details == {"region": REGION, "bucket": target.backups.bucket}
    source, copy = load_manifest(stores, backup_id), load_manifest(target, backup_id)
    assert source is not None and copy is not None
    assert source.encryption is not None and copy.encryption is not None
    assert copy.copied_from == stores.settings.region
    assert copy.encryption.kms_key_id != source.encryption.kms_key_id
    assert [e.sha256 for e in copy.objects] == [e.sha256 for e in source.objects]
    assert run({"action": "validate", "backup": backup_id}, target).problems == []


def test_copy_of_a_corrupted_backup_never_completes_in_the_target(stores_and_target):
    stores, target = stores_and_target
    backup_id = run({"action": "create"}, stores).backup["backup_id"]
    manifest = load_manifest(stores, backup_id)
    assert manifest is not None
    key = manifest.objects[0].key
    data = bytearray(stores.backups.client.get_object(Bucket=stores.backups.bucket, Key=key)["Body"].read())
    data[20] ^= 1
    stores.backups.put_bytes(key, bytes(data))
    with pytest.raises(StoreUnavailable, match="does not match its manifest"):
        run({"action": "copy", "backup": backup_id, "region": REGION}, stores)
    assert load_manifest(target, backup_id) is None


def test_copy_needs_a_region_and_an_existing_bucket(stores_and_target):
    stores, _ = stores_and_target
    backup_id = run({"action": "create"}, stores).backup["backup_id"]
    with pytest.raises(InvalidRequest, match="field 'region'"):
        run({"action": "copy", "backup": backup_id}, stores)
    with pytest.raises(InvalidRequest, match="field 'region'"):
        run({"action": "copy", "backup": backup_id, "region": "moon"}, stores)
    with pytest.raises(StoreUnavailable, match="does not exist"):
        run({"action": "copy", "backup": backup_id, "region": REGION, "bucket": "no-such-bucket-anywhere"}, stores)
