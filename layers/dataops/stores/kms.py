"""KMS: only wraps and unwraps data keys. The real encryption (AES-GCM) happens in our own code."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from dataops.errors import StoreUnavailable


class KeyService:
    def __init__(self, client: Any, key_id: str) -> None:
        self.client = client
        self.key_id = key_id

    def describe(self) -> dict[str, Any]:
        try:
            return dict(self.client.describe_key(KeyId=self.key_id)["KeyMetadata"])
        except ClientError as exc:
            raise StoreUnavailable(f"KMS key {self.key_id!r}: {exc.response['Error']['Message']}") from exc

    def generate_data_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        """A fresh 256-bit data key: (plaintext, encrypted). Only the encrypted form may be stored."""
        response = self.client.generate_data_key(KeyId=self.key_id, KeySpec="AES_256", EncryptionContext=context)
        return bytes(response["Plaintext"]), bytes(response["CiphertextBlob"])

    def decrypt_data_key(self, encrypted: bytes, context: dict[str, str]) -> bytes:
        response = self.client.decrypt(CiphertextBlob=encrypted, KeyId=self.key_id, EncryptionContext=context)
        return bytes(response["Plaintext"])
