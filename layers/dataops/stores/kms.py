"""KMS: only wraps and unwraps data keys. The real encryption (AES-GCM) happens in our own code."""

from __future__ import annotations

from typing import Any, NamedTuple

from botocore.exceptions import ClientError

from dataops.errors import StoreUnavailable


class DataKey(NamedTuple):
    plaintext: bytes
    encrypted: bytes
    # The key's ARN, as KMS resolved it (an alias names no key once it is re-pointed).
    key_arn: str


class KeyService:
    def __init__(self, client: Any, key_id: str) -> None:
        self.client = client
        self.key_id = key_id

    def describe(self) -> dict[str, Any]:
        try:
            return dict(self.client.describe_key(KeyId=self.key_id)["KeyMetadata"])
        except ClientError as exc:
            raise StoreUnavailable(f"KMS key {self.key_id!r}: {exc.response['Error']['Message']}") from exc

    def generate_data_key(self, context: dict[str, str]) -> DataKey:
        """A fresh 256-bit data key. Only its encrypted form may be stored."""
        response = self.client.generate_data_key(KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=context)
        return DataKey(bytes(response["Plaintext"]), bytes(response["CiphertextBlob"]), str(response["KeyId"]))

    def decrypt_data_key(self, encrypted: bytes, context: dict[str, str], *, key_id: str | None = None) -> bytes:
        """Unwrap with `key_id` (the one a backup names), or this service's key."""
        response = self.client.decrypt(CiphertextBlob=encrypted, KeyId=key_id or self.key_id, EncryptionContext=context)
        return bytes(response["Plaintext"])

    def wrap(self, plaintext: bytes, context: dict[str, str]) -> tuple[str, bytes]:
        """(key ARN, encrypted) of a data key wrapped under this service's key: a copy in another region."""
        response = self.client.encrypt(KeyId=self.key_id, Plaintext=plaintext, EncryptionContext=context)
        return str(response["KeyId"]), bytes(response["CiphertextBlob"])
