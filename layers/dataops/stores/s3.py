"""S3 adapter: streaming multipart upload and download through the transfer manager, paginated listing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from dataops.errors import StoreUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MiB = 1024 * 1024
# 16 MiB parts keep memory bounded (parts x concurrency) while staying far under the 10,000-part limit.
TRANSFER_CONFIG = TransferConfig(multipart_threshold=16 * MiB, multipart_chunksize=16 * MiB, max_concurrency=4)


class ObjectStore:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def head_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            code = exc.response["Error"].get("Code", "")
            reason = "does not exist" if code in {"404", "NoSuchBucket"} else f"is not accessible ({code})"
            raise StoreUnavailable(f"S3 bucket {self.bucket!r} {reason}") from exc

    def default_encryption_rules(self) -> list[dict[str, Any]]:
        """The bucket's default-encryption rules; none when it has no configuration (or it cannot be read)."""
        try:
            found = self.client.get_bucket_encryption(Bucket=self.bucket)
        except ClientError:
            return []
        return [dict(rule) for rule in found["ServerSideEncryptionConfiguration"]["Rules"]]

    def public_access_block(self) -> dict[str, bool]:
        """The bucket's public-access-block settings; empty when it has none (or they cannot be read)."""
        try:
            found = self.client.get_public_access_block(Bucket=self.bucket)
        except ClientError:
            return {}
        return {name: bool(value) for name, value in found["PublicAccessBlockConfiguration"].items()}

    def upload_stream(self, key: str, source: IO[bytes], *, extra: dict[str, Any] | None = None) -> None:
        self.client.upload_fileobj(source, self.bucket, key, ExtraArgs=extra or {}, Config=TRANSFER_CONFIG)

    def download_stream(self, key: str, sink: IO[bytes]) -> None:
        self.client.download_fileobj(self.bucket, key, sink, Config=TRANSFER_CONFIG)

    def open_read(self, key: str) -> IO[bytes]:
        """A streaming body; read it in chunks rather than all at once."""
        body: IO[bytes] = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]  # type: ignore[assignment]
        return body

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def put_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json.dumps(value, indent=2, default=str).encode(), "application/json")

    def get_json(self, key: str) -> Any:
        return json.loads(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"].get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def list_objects(self, prefix: str = "") -> Iterator[dict[str, Any]]:
        """Objects under `prefix`, one page at a time from the paginator."""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield dict(entry)

    def list_prefixes(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix, Delimiter="/"
        ):
            for common in page.get("CommonPrefixes", []):
                yield common["Prefix"]

    def delete_keys(self, keys: list[str]) -> int:
        deleted = 0
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})  # type: ignore[typeddict-item]
            deleted += len(batch)
        return deleted
