"""The per-backup data key: generated and wrapped by KMS, checked on unwrap so a wrong key is named as such."""

from __future__ import annotations

import base64
import hashlib
import hmac

from dataops.backup.manifest import EncryptionHeader
from dataops.errors import StoreUnavailable
from dataops.stores.data_stores import DataStores


def encryption_context(profile: str, backup_id: str) -> dict[str, str]:
    return {"dataops:profile": profile, "dataops:backup": backup_id}


def open_data_key(stores: DataStores, header: EncryptionHeader | None) -> bytes | None:
    """The plaintext data key of an encrypted backup; None for one written without encryption."""
    return None if header is None else unwrap_data_key(stores, header)


def unwrap_data_key(stores: DataStores, header: EncryptionHeader) -> bytes:
    """The plaintext data key, unwrapped by KMS; a wrong or unavailable key is a clear error."""
    key_service = stores.backup_key
    try:
        data_key = key_service.decrypt_data_key(
            base64.b64decode(header.encrypted_data_key), header.encryption_context, key_id=header.kms_key_id
        )
    except Exception as exc:  # noqa: BLE001 - any KMS failure means the backup cannot be opened
        raise StoreUnavailable(
            f"KMS could not unwrap the backup's data key with key {header.kms_key_id!r} "
            f"(configured key {key_service.key_id!r}): {_client_message(exc)}"
        ) from None
    if not hmac.compare_digest(key_check(data_key, header.encryption_context), header.key_check):
        raise StoreUnavailable(
            f"KMS key {header.kms_key_id!r} returned a data key that does not open this backup (wrong key)"
        )
    return data_key


def key_check(data_key: bytes, context: dict[str, str]) -> str:
    """An HMAC of the encryption context under the data key: proves the unwrapped key is the backup's own."""
    message = "\x00".join(f"{name}={value}" for name, value in sorted(context.items())).encode()
    return hmac.new(data_key, b"dataops-key-check\x00" + message, hashlib.sha256).hexdigest()


def _client_message(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message") or response.get("Error", {}).get("Code") or exc)
    return str(exc)


def new_data_key(stores: DataStores, backup_id: str) -> tuple[bytes, EncryptionHeader]:
    context = encryption_context(stores.profile.name, backup_id)
    try:
        # The response names the key's ARN, so an alias is resolved without another call.
        data_key = stores.backup_key.generate_data_key(context)
    except Exception as exc:  # noqa: BLE001 - any KMS failure stops the backup before data is written
        raise StoreUnavailable(
            f"KMS key {stores.backup_key.key_id!r} could not generate a data key: {_client_message(exc)}"
        ) from None
    header = EncryptionHeader(
        kms_key_id=data_key.key_arn,
        encrypted_data_key=base64.b64encode(data_key.encrypted).decode(),
        encryption_context=context,
        key_check=key_check(data_key.plaintext, context),
    )
    return data_key.plaintext, header
