"""Creating a backup: started marker, data objects in parallel, then the manifest, written last."""

from __future__ import annotations

import base64
import hashlib
import hmac
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from dataops.backup import dumpers
from dataops.backup.codec import CodecSettings
from dataops.backup.manifest import (
    BackupHeader,
    BackupKind,
    BackupManifest,
    BackupScope,
    EncryptionHeader,
    ObjectEntry,
    StoreName,
    manifest_key,
    new_backup_id,
    object_key,
    started_key,
)
from dataops.backup.scope import full_scope
from dataops.backup.streams import ObjectWriter
from dataops.errors import ConfigurationError, StoreUnavailable
from dataops.models import utc_now
from dataops.operations.migrate import current_version
from dataops.stores.data_stores import DataStores

CONTENT_TYPE = "application/vnd.dataops.backup-frames"


@dataclass(frozen=True)
class BackupOptions:
    kind: BackupKind
    name: str | None
    scope: BackupScope
    compress: bool
    compression_level: int
    encrypt: bool
    segments: int


def encryption_context(profile: str, backup_id: str) -> dict[str, str]:
    return {"dataops:profile": profile, "dataops:backup": backup_id}


def open_data_key(stores: DataStores, header: EncryptionHeader | None) -> bytes | None:
    """The plaintext data key, unwrapped by KMS; a wrong or unavailable key is a clear error."""
    if header is None:
        return None
    key_service = stores.backup_key
    try:
        response = key_service.client.decrypt(
            CiphertextBlob=base64.b64decode(header.encrypted_data_key),
            KeyId=header.kms_key_id,
            EncryptionContext=header.encryption_context,
        )
        data_key = bytes(response["Plaintext"])
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


def _new_data_key(stores: DataStores, backup_id: str) -> tuple[bytes, EncryptionHeader]:
    context = encryption_context(stores.profile.name, backup_id)
    try:
        plaintext, encrypted = stores.backup_key.generate_data_key(context)
        key_id = str(stores.backup_key.describe()["Arn"])
    except StoreUnavailable as exc:
        raise StoreUnavailable(f"backup encryption key unavailable: {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - any KMS failure stops the backup before data is written
        raise StoreUnavailable(
            f"KMS key {stores.backup_key.key_id!r} could not generate a data key: {_client_message(exc)}"
        ) from None
    header = EncryptionHeader(
        kms_key_id=key_id,
        encrypted_data_key=base64.b64encode(encrypted).decode(),
        encryption_context=context,
        key_check=key_check(plaintext, context),
    )
    return plaintext, header


class BackupWriter:
    """One backup in progress: opens object writers and collects their manifest entries."""

    def __init__(self, stores: DataStores, backup_id: str, codec: CodecSettings) -> None:
        self.stores = stores
        self.backup_id = backup_id
        self.codec = codec
        self.prefix = stores.settings.backup_prefix

    def writer(self, store: str, name: str, segment: int, extension: str) -> ObjectWriter:
        key = object_key(self.prefix, self.backup_id, store, name, segment, extension)
        return ObjectWriter(self.stores.backups, key, self.codec, self.backup_id, content_type=CONTENT_TYPE)

    @staticmethod
    def entry(out: ObjectWriter, store: StoreName, name: str, segment: int = 0, **extra: Any) -> ObjectEntry:
        encoder = out.encoder
        return ObjectEntry(
            key=out.key,
            store=store,
            name=name,
            segment=segment,
            rows=encoder.newlines,
            raw_bytes=encoder.raw_bytes,
            stored_bytes=encoder.stored_bytes,
            frames=encoder.frames,
            sha256=encoder.sha256.hexdigest(),
            **extra,
        )

    def dynamodb_segment(self, segment: int, total: int, entities: list[str], filtered: bool) -> ObjectEntry:
        with self.writer("dynamodb", self.stores.profile.table.base_name, segment, "jsonl") as out:
            per_entity = dumpers.dump_dynamodb_segment(self.stores, segment, total, entities if filtered else None, out)
        return self.entry(
            out,
            "dynamodb",
            self.stores.profile.table.base_name,
            segment,
            entities=entities,
            entity_rows=dict(per_entity),
        )

    def postgres_tables(self, tables: list[str]) -> list[ObjectEntry]:
        entries: list[ObjectEntry] = []
        with self.stores.postgres.transaction() as cursor:
            dumpers.begin_snapshot(cursor)
            for table in tables:
                with self.writer("postgres", table, 0, "copy") as out:
                    try:
                        columns = dumpers.dump_postgres_table(cursor, table, out)
                    except LookupError:
                        raise ConfigurationError(
                            f"PostgreSQL table {table!r} does not exist; apply the migrations first"
                        ) from None
                entries.append(self.entry(out, "postgres", table, columns=columns))
        return entries

    def search_index(self, base_name: str) -> tuple[ObjectEntry, dict[str, Any]]:
        index = self.stores.settings.resolved_index(base_name)
        if not self.stores.search.index_exists(index):
            raise ConfigurationError(f"OpenSearch index {index!r} does not exist; provision it first")
        with self.writer("opensearch", base_name, 0, "jsonl") as out:
            mappings = dumpers.dump_index(self.stores, index, out)
        return self.entry(out, "opensearch", base_name), mappings


def create_backup(stores: DataStores, options: BackupOptions) -> BackupManifest:
    """Write every object, then the manifest. Any failure leaves no manifest, so the backup stays incomplete."""
    created = utc_now()
    backup_id = new_backup_id(created)
    data_key, encryption = _new_data_key(stores, backup_id) if options.encrypt else (None, None)
    codec = CodecSettings(compress=options.compress, level=options.compression_level, data_key=data_key)
    header = BackupHeader(
        backup_id=backup_id,
        kind=options.kind,
        name=options.name,
        profile=stores.profile.name,
        created=created,
        migration_version=migration_version(stores),
        scope=options.scope,
        compression="zstd" if options.compress else "none",
        compression_level=options.compression_level,
        encryption=encryption,
    )
    prefix = stores.settings.backup_prefix
    stores.backups.put_json(started_key(prefix, backup_id), header.model_dump(mode="json"))
    writer = BackupWriter(stores, backup_id, codec)
    scope = options.scope
    entries: list[ObjectEntry] = []
    mappings: dict[str, dict[str, Any]] = {}
    workers = options.segments + 2
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"backup-{backup_id}") as pool:
        futures: list[Future[Any]] = []
        if scope.dynamodb:
            filtered = set(scope.dynamodb) != set(full_scope(stores.profile).dynamodb)
            for segment in range(options.segments):
                futures.append(
                    pool.submit(writer.dynamodb_segment, segment, options.segments, scope.dynamodb, filtered)
                )
        if scope.postgres:
            futures.append(pool.submit(writer.postgres_tables, scope.postgres))
        index_futures = {name: pool.submit(writer.search_index, name) for name in scope.opensearch}
        for future in futures:
            result = future.result()
            entries.extend(result if isinstance(result, list) else [result])
        for name, index_future in index_futures.items():
            entry, index_mappings = index_future.result()
            entries.append(entry)
            mappings[name] = index_mappings
    manifest = BackupManifest(**header.model_dump(), objects=entries, index_mappings=mappings, completed=utc_now())
    stores.backups.put_json(manifest_key(prefix, backup_id), manifest.model_dump(mode="json"))
    return manifest


def migration_version(stores: DataStores) -> str | None:
    """The applied schema version, from the migrate capability; informative, so a backup never fails over it."""
    try:
        return current_version(stores)
    except Exception:  # noqa: BLE001 - the version is informative only
        return None
