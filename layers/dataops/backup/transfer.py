"""Export and import: plain, human-readable JSON lines per table, in a local folder or under an S3 prefix.

    export.json                       what the export holds (profile, files, row counts, masked or not)
    dynamodb/<table>.jsonl            DynamoDB JSON (the wire format), one item per line
    postgres/<table>.jsonl            one row per line, as a JSON object
    opensearch/<index>.jsonl          {"_id", "_source"} per line; <index>.mappings.json beside it

Import replaces what the export holds, like a restore: PostgreSQL in one transaction, DynamoDB items of the
exported entities, OpenSearch indexes recreated with their mappings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal, Protocol

import psycopg2
from psycopg2 import sql
from psycopg2.extras import execute_batch
from pydantic import BaseModel, ValidationError

from dataops import __version__
from dataops.backup import loaders
from dataops.backup.dumpers import dynamo_line, item_from_line, scan_segment
from dataops.backup.manifest import BackupScope
from dataops.backup.masking import mask_item, mask_key, mask_record
from dataops.backup.scope import STORE_NAMES, entity_for_index, entity_for_table, full_scope, narrow
from dataops.backup.streams import StreamingUpload
from dataops.errors import InvalidRequest, StoreUnavailable
from dataops.models import utc_now
from dataops.naming import EXPORT_PREFIX
from dataops.stores.data_stores import DataStores

SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")
INSERT_BATCH = 1000
EXPORT_MANIFEST = "export.json"


class ExportFile(BaseModel):
    path: str
    store: Literal["dynamodb", "postgres", "opensearch"]
    name: str
    rows: int


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


class ExportLocation(Protocol):
    description: str

    def writer(self, name: str) -> AbstractContextManager[Any]: ...

    def reader(self, name: str) -> IO[bytes]: ...

    def exists(self, name: str) -> bool: ...


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


def default_export_path(now: datetime) -> str:
    return f"exports/export-{now.strftime('%Y%m%d-%H%M%S')}"


def _pii_fields(stores: DataStores, entity: str) -> tuple[str, ...]:
    return stores.profile.entity(entity).pii_fields


def export_data(stores: DataStores, location: ExportLocation, scope: BackupScope, mask: bool) -> ExportManifest:
    key, _ = mask_key()
    files: list[ExportFile] = []
    if scope.dynamodb:
        filtered = set(scope.dynamodb) != set(full_scope(stores.profile).dynamodb)
        attribute = stores.profile.table.entity_type_attribute
        pii = {entity: _pii_fields(stores, entity) for entity in scope.dynamodb}
        path, rows = f"dynamodb/{stores.profile.table.base_name}.jsonl", 0
        with location.writer(path) as out:
            for item in scan_segment(stores, 0, 1, scope.dynamodb if filtered else None):
                fields = pii.get(item.get(attribute, {}).get("S", ""), ())
                out.write(dynamo_line(mask_item(item, fields, key) if mask and fields else item))
                rows += 1
        files.append(ExportFile(path=path, store="dynamodb", name=stores.profile.table.base_name, rows=rows))
    if scope.postgres:
        files.extend(_export_postgres(stores, location, scope.postgres, mask, key))
    for base_name in scope.opensearch:
        files.extend(_export_index(stores, location, base_name, mask, key))
    manifest = ExportManifest(profile=stores.profile.name, created=utc_now(), masked=mask, scope=scope, files=files)
    with location.writer(EXPORT_MANIFEST) as out:
        out.write(manifest.model_dump_json(indent=2).encode())
    return manifest


def _export_postgres(
    stores: DataStores, location: ExportLocation, tables: list[str], mask: bool, key: bytes
) -> list[ExportFile]:
    files: list[ExportFile] = []
    connection = stores.postgres.connection()
    with connection:
        with connection.cursor() as setup:
            setup.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for table in tables:
            fields = _pii_fields(stores, entity_for_table(stores.profile, table)) if mask else ()
            path, rows = f"postgres/{table}.jsonl", 0
            # A server-side cursor streams rows in batches instead of loading the table.
            with connection.cursor(name=f"export_{table}") as cursor, location.writer(path) as out:
                cursor.itersize = 2000
                cursor.execute(sql.SQL("SELECT to_jsonb(t)::text FROM {} t").format(sql.Identifier(table)))
                for (text,) in cursor:
                    line = json.dumps(mask_record(json.loads(text), fields, key)) if fields else text
                    out.write(line.encode() + b"\n")
                    rows += 1
            files.append(ExportFile(path=path, store="postgres", name=table, rows=rows))
    return files


def _export_index(
    stores: DataStores, location: ExportLocation, base_name: str, mask: bool, key: bytes
) -> list[ExportFile]:
    index = stores.settings.resolved_index(base_name)
    fields = _pii_fields(stores, entity_for_index(stores.profile, base_name)) if mask else ()
    mappings = stores.search.mappings(index)
    with location.writer(f"opensearch/{base_name}.mappings.json") as out:
        out.write(json.dumps(mappings, indent=2).encode())
    path, rows = f"opensearch/{base_name}.jsonl", 0
    with location.writer(path) as out:
        for hit in stores.search.scan(index, size=1000):
            source = mask_record(hit["_source"], fields, key) if fields else hit["_source"]
            out.write(json.dumps({"_id": hit["_id"], "_source": source}).encode() + b"\n")
            rows += 1
    return [ExportFile(path=path, store="opensearch", name=base_name, rows=rows)]


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
    for file in manifest.files:
        expected = f"{file.store}/{file.name}.jsonl"
        if file.path != expected:
            raise InvalidRequest.for_field("path", f"export file {file.path!r} is not where it belongs ({expected})")
    return manifest


def _lines(location: ExportLocation, path: str) -> Iterator[bytes]:
    with location.reader(path) as source:
        for line in source:
            if line.strip():
                yield line


def import_data(
    stores: DataStores, location: ExportLocation, manifest: ExportManifest, tables: list[str] | None
) -> dict[str, int]:
    scope = narrow(manifest.scope, tables, "tables")
    counts: dict[str, int] = {}
    by_name = {(file.store, file.name): file for file in manifest.files}
    if scope.postgres:
        counts.update(_import_postgres(stores, location, scope.postgres))
    if scope.dynamodb:
        whole = set(scope.dynamodb) == set(full_scope(stores.profile).dynamodb) == set(manifest.scope.dynamodb)
        file = by_name[("dynamodb", stores.profile.table.base_name)]
        items = (item_from_line(line) for line in _lines(location, file.path))
        loaded = loaders.replace_items(stores, items, None if whole else scope.dynamodb)
        counts.update({entity: loaded.get(entity, 0) for entity in scope.dynamodb})
    for base_name in scope.opensearch:
        with location.reader(f"opensearch/{base_name}.mappings.json") as source:
            mappings = json.loads(source.read())
        documents = (json.loads(line) for line in _lines(location, f"opensearch/{base_name}.jsonl"))
        counts[base_name] = loaders.replace_index(stores, base_name, mappings, documents)
    return counts


def _import_postgres(stores: DataStores, location: ExportLocation, tables: list[str]) -> dict[str, int]:
    try:
        return _replace_from_rows(stores, location, tables)
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"PostgreSQL import rolled back, no table was changed: {reason}") from None


def _replace_from_rows(stores: DataStores, location: ExportLocation, tables: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with stores.postgres.transaction() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
        for table in tables:
            statement = sql.SQL("INSERT INTO {} SELECT * FROM jsonb_populate_record(NULL::{}, %s::jsonb)").format(
                sql.Identifier(table), sql.Identifier(table)
            )
            rows = ((line.decode(),) for line in _lines(location, f"postgres/{table}.jsonl"))
            counts[table] = 0

            def counted(source: Iterator[tuple[str]], table: str = table) -> Iterator[tuple[str]]:
                for row in source:
                    counts[table] += 1
                    yield row

            execute_batch(cursor, statement.as_string(cursor), counted(rows), page_size=INSERT_BATCH)
            loaders.reset_sequences(cursor, table)
    return counts
