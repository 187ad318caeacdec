"""The copy target of `backup copy --region r`: the target region's bucket and backup key, whatever key the source
deployment configures (deployed functions get the source key's ARN, which KMS in another region cannot use)."""

from __future__ import annotations

from dataops import naming
from dataops.backup.copy import target_stores
from dataops.config import load_settings
from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores

SOURCE_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_the_target_uses_its_own_region_bucket_and_the_backup_key_alias() -> None:
    settings = load_settings(
        target="aws", stage="prod", region="us-east-1", bucket_name="source-bucket", backup_kms_key_id=SOURCE_KEY
    )
    source = DataStores(settings, load_profile("agent_system"))
    target = target_stores(source, "eu-west-1", None)
    prefix = naming.resource_prefix("agent_system", "prod")
    assert source.backup_key.key_id == SOURCE_KEY
    assert target.settings.region == "eu-west-1"
    assert target.backups.bucket == f"{prefix}-backups-eu-west-1"
    assert target.backup_key.key_id == f"alias/{prefix}-backups"
    assert target_stores(source, "eu-west-1", "my-dr-bucket").backups.bucket == "my-dr-bucket"
