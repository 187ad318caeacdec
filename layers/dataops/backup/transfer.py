"""Export and import: plain, human-readable JSON lines per table, in a local folder or under an S3 prefix.

    export.json                       what the export holds (profile, files, row counts, masked or not); last
    dynamodb/<table>.jsonl            DynamoDB JSON (the wire format), one item per line
    dynamodb/<table>.<n>.jsonl        ... or one part per scan segment n, when the export was fanned out
    postgres/<table>.jsonl            one row per line, as a JSON object
    opensearch/<index>.jsonl          {"_id", "_source"} per line; <index>.mappings.json beside it

This module is the format and the places; `transfer_units` writes and reads them a unit at a time. `export.json`
is removed when an export starts and written when every file is: without it a folder is not an export.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from pydantic import BaseModel, ValidationError

from dataops import __version__
from dataops.backup.manifest import BackupScope
from dataops.backup.scope import STORE_NAMES, full_scope
from dataops.backup.streams import StreamingUpload
from dataops.errors import InvalidRequest
from dataops.naming import EXPORT_PREFIX
from dataops.stores.data_stores import DataStores

SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")
EXPORT_MANIFEST = "export.json"


class ExportFile(BaseModel):
    path: str
    store: Literal["dynamodb", "postgres", "opensearch"]
    name: str
    rows: int
    # dynamodb: the scan segment a part file holds (None: the file holds the whole table).
    segment: int | None = None


class ExportManifest(BaseModel):
    format: int = 1
    profile: str
    created: datetime
    tool_version: str = __version__
    masked: bool
    scope: BackupScope
    files: list[ExportFile]


def safe_relative_path(path: str, field: str = "path") -> str:
    """A relative path of plain segments: no '..', no absolute path, no backslashes, no hidden tricks."""
    cleaned = path.strip()
    if not SAFE_PATH.match(cleaned) or any(part in {".", ".."} for part in cleaned.split("/")):
        raise InvalidRequest.for_field(
            field, f"{path!r} must be a relative path of letters, digits, '.', '_' or '-' segments, without '..'"
        )
    return cleaned


def file_path(store: str, name: str, segment: int | None = None) -> str:
    """Where a file of the export belongs: the manifest's paths must be exactly these."""
    return f"{store}/{name}.jsonl" if segment is None else f"{store}/{name}.{segment}.jsonl"


def mappings_path(base_name: str) -> str:
    return f"opensearch/{base_name}.mappings.json"


class ExportLocation(Protocol):
    description: str

    def writer(self, name: str) -> AbstractContextManager[Any]: ...

    def reader(self, name: str) -> IO[bytes]: ...

    def exists(self, name: str) -> bool: ...

    def remove(self, name: str) -> None: ...


class LocalFolder:
    """A folder under a base directory (the CLI's working directory); nothing outside it is ever touched."""

    def __init__(self, base: Path, relative: str) -> None:
        self.base = base.resolve()
        self.root = (self.base / safe_relative_path(relative)).resolve()
        if not self.root.is_relative_to(self.base):
            raise InvalidRequest.for_field("path", f"{relative!r} leaves the working directory")
        self.description = str(self.root)

    def _file(self, name: str) -> Path:
        target = (self.root / name).resolve()
        if not target.is_relative_to(self.root):
            raise InvalidRequest.for_field("path", f"file {name!r} leaves the export folder")
        return target

    def writer(self, name: str) -> AbstractContextManager[Any]:
        target = self._file(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.open("wb")

    def reader(self, name: str) -> IO[bytes]:
        return self._file(name).open("rb")

    def exists(self, name: str) -> bool:
        return self._file(name).is_file()

    def remove(self, name: str) -> None:
        self._file(name).unlink(missing_ok=True)


class S3Prefix:
    """`exports/<path>/` in the backup bucket (what the Lambda function writes)."""

    def __init__(self, stores: DataStores, relative: str) -> None:
        self.store = stores.backups
        self.prefix = f"{EXPORT_PREFIX}/{safe_relative_path(relative).removeprefix(EXPORT_PREFIX + '/')}"
        self.description = f"s3://{self.store.bucket}/{self.prefix}/"

    def writer(self, name: str) -> AbstractContextManager[Any]:
        return StreamingUpload(self.store, f"{self.prefix}/{name}", content_type="application/x-ndjson")

    def reader(self, name: str) -> IO[bytes]:
        return self.store.open_read(f"{self.prefix}/{name}")

    def exists(self, name: str) -> bool:
        return self.store.exists(f"{self.prefix}/{name}")

    def remove(self, name: str) -> None:
        self.store.delete_keys([f"{self.prefix}/{name}"])


def default_export_path(now: datetime) -> str:
    return f"exports/export-{now.strftime('%Y%m%d-%H%M%S')}"


def write_export_manifest(location: ExportLocation, manifest: ExportManifest) -> None:
    # Without None fields a single-call export's manifest stays what older tools wrote and read.
    with location.writer(EXPORT_MANIFEST) as out:
        out.write(manifest.model_dump_json(indent=2, exclude_none=True).encode())


def read_export_manifest(stores: DataStores, location: ExportLocation) -> ExportManifest:
    if not location.exists(EXPORT_MANIFEST):
        raise InvalidRequest.for_field("path", f"{location.description} holds no {EXPORT_MANIFEST}; not an export")
    try:
        with location.reader(EXPORT_MANIFEST) as source:
            manifest = ExportManifest.model_validate_json(source.read())
    except ValidationError as exc:
        raise InvalidRequest.for_field("path", f"{EXPORT_MANIFEST} is corrupt: {exc.errors()[0]['msg']}") from None
    if manifest.profile != stores.profile.name:
        raise InvalidRequest.for_field(
            "path", f"the export is of profile {manifest.profile!r}, not {stores.profile.name!r}"
        )
    valid = full_scope(stores.profile)
    for store in STORE_NAMES:
        unknown = set(getattr(manifest.scope, store)) - set(getattr(valid, store))
        if unknown:
            raise InvalidRequest.for_field("path", f"the export names {sorted(unknown)}, unknown to the profile")
    check_files(manifest)
    return manifest


def check_files(manifest: ExportManifest) -> None:
    """Every file is where it belongs (so no path read from the manifest can leave the export), and the DynamoDB
    table is one whole file or parts 0..n-1, so an import reads every item once."""
    for file in manifest.files:
        if file.segment is not None and file.store != "dynamodb":
            raise InvalidRequest.for_field("path", f"export file {file.path!r}: only DynamoDB files have parts")
        expected = file_path(file.store, file.name, file.segment)
        if file.path != expected:
            raise InvalidRequest.for_field("path", f"export file {file.path!r} is not where it belongs ({expected})")
    dynamodb = [file for file in manifest.files if file.store == "dynamodb"]
    segments = sorted(file.segment for file in dynamodb if file.segment is not None)
    whole = len(dynamodb) - len(segments)
    if (whole and (whole > 1 or segments)) or (segments and segments != list(range(len(segments)))):
        listed = ", ".join(file.path for file in dynamodb)
        raise InvalidRequest.for_field("path", f"the export's DynamoDB files are not one table's parts: {listed}")


def lines(location: ExportLocation, path: str) -> Iterator[bytes]:
    with location.reader(path) as source:
        for line in source:
            if line.strip():
                yield line
