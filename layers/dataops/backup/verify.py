"""Validating a backup: re-read every object, check its SHA-256, open every frame, count its rows."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError
from pydantic import BaseModel

from dataops.backup.codec import CorruptObject
from dataops.backup.keys import open_data_key
from dataops.backup.manifest import BackupManifest, ObjectEntry
from dataops.backup.streams import DecodedReader
from dataops.stores.data_stores import DataStores

READ_BLOCK = 1024 * 1024


class ObjectProblem(BaseModel):
    key: str
    problem: str


def check_object(
    stores: DataStores, manifest: BackupManifest, entry: ObjectEntry, data_key: bytes | None
) -> str | None:
    """None when the object is exactly what the manifest says; otherwise what is wrong with it."""
    try:
        body = stores.backups.open_read(entry.key)
    except ClientError as exc:
        code = exc.response["Error"].get("Code", "")
        if code in {"NoSuchKey", "404", "NotFound"}:
            return "object is missing"
        return f"object cannot be read ({code})"
    reader = DecodedReader(body, manifest.backup_id, entry.key, data_key)
    try:
        while reader.read(READ_BLOCK):
            pass
    except CorruptObject as exc:
        return str(exc).removeprefix(f"{entry.key}: ")
    decoder = reader.decoder
    if decoder.stored_bytes != entry.stored_bytes:
        return f"size {decoder.stored_bytes} bytes, manifest says {entry.stored_bytes}"
    if decoder.sha256.hexdigest() != entry.sha256:
        return "SHA-256 does not match the manifest"
    if decoder.newlines != entry.rows:
        return f"{decoder.newlines} rows, manifest says {entry.rows}"
    return None


def validate_backup(stores: DataStores, manifest: BackupManifest, *, workers: int = 4) -> list[ObjectProblem]:
    """Every bad object with its problem; an empty list means every byte checked out."""
    data_key = open_data_key(stores, manifest.encryption)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="validate") as pool:
        outcomes = list(pool.map(lambda entry: check_object(stores, manifest, entry, data_key), manifest.objects))
    return [
        ObjectProblem(key=entry.key, problem=problem)
        for entry, problem in zip(manifest.objects, outcomes, strict=True)
        if problem is not None
    ]
