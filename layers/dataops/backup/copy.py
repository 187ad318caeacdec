"""Cross-region copy: every object streamed to a bucket in another region, the data key re-wrapped there.

KMS keys never leave their region, so the copy's manifest carries the data key wrapped by the target region's
backup key (same alias). The objects are copied byte for byte: their AAD names the backup id and object key, which
stay the same, so the copy validates and restores in the target region on its own.
"""

from __future__ import annotations

import base64
import hashlib
import io
from typing import IO

from dataops import naming
from dataops.backup.keys import unwrap_data_key
from dataops.backup.manifest import BackupManifest, manifest_key
from dataops.errors import StoreUnavailable
from dataops.stores.data_stores import DataStores


class _HashingReader(io.RawIOBase):
    """Passes a stream through while hashing it, so a copy is checked against the manifest as it streams."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.source.read(len(buffer))
        self.sha256.update(data)
        buffer[: len(data)] = data
        return len(data)


def default_target_bucket(stores: DataStores, region: str) -> str:
    """`<prefix>-backups-<region>`, within S3's 63-character limit."""
    prefix = naming.resource_prefix(stores.profile.name, stores.settings.stage)
    return f"{prefix}-backups-{region}"[:63].rstrip("-")


def target_stores(stores: DataStores, region: str, bucket: str | None) -> DataStores:
    # The target region's backup key by its alias: a configured key id (the deployed functions get the source key's
    # ARN) names a key of the source region, which KMS in the target region cannot use.
    settings = stores.settings.model_copy(
        update={
            "region": region,
            "bucket_name": bucket or default_target_bucket(stores, region),
            "backup_kms_key_id": None,
        }
    )
    return DataStores(settings, stores.profile)


def copy_backup(stores: DataStores, manifest: BackupManifest, target: DataStores) -> BackupManifest:
    """The copy's manifest, written last in the target bucket once every object arrived intact."""
    target.backups.head_bucket()
    encryption = manifest.encryption
    if encryption is not None:
        data_key = unwrap_data_key(stores, encryption)
        try:
            key_arn, wrapped = target.backup_key.wrap(data_key, encryption.encryption_context)
        except Exception as exc:  # noqa: BLE001 - any KMS failure stops the copy before its manifest exists
            raise StoreUnavailable(
                f"KMS key {target.backup_key.key_id!r} in {target.settings.region} could not wrap the data key: {exc}"
            ) from None
        encryption = encryption.model_copy(
            update={
                "kms_key_id": key_arn,
                "encrypted_data_key": base64.b64encode(wrapped).decode(),
            }
        )
    for entry in manifest.objects:
        reader = _HashingReader(stores.backups.open_read(entry.key))
        target.backups.upload_stream(entry.key, io.BufferedReader(reader))
        if reader.sha256.hexdigest() != entry.sha256:
            raise StoreUnavailable(f"backup object {entry.key} does not match its manifest; copy stopped, not usable")
    copied = manifest.model_copy(update={"encryption": encryption, "copied_from": stores.settings.region})
    target.backups.put_json(
        manifest_key(target.settings.backup_prefix, manifest.backup_id), copied.model_dump(mode="json")
    )
    return copied
