"""Finding backups: every backup id under the prefix, newest first, complete (manifest) or not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import BaseModel, ValidationError

from dataops.backup.manifest import (
    BACKUP_ID_PATTERN,
    BackupHeader,
    BackupManifest,
    backup_root,
    created_from_id,
    manifest_key,
    started_key,
)
from dataops.errors import InvalidRequest
from dataops.stores.data_stores import DataStores


class BackupNotFound(InvalidRequest):
    """No usable backup has this id or snapshot name."""


class BackupSummary(BaseModel):
    backup_id: str
    name: str | None
    kind: str
    created: datetime
    complete: bool
    size_bytes: int
    tables: list[str]
    rows: dict[str, int]
    base: str | None = None


def backup_ids(stores: DataStores) -> list[str]:
    """Every backup id, newest first (ids start with their UTC creation time)."""
    prefix = f"{stores.settings.backup_prefix.strip('/')}/"
    ids = [entry[len(prefix) :].rstrip("/") for entry in stores.backups.list_prefixes(prefix)]
    return sorted((found for found in ids if BACKUP_ID_PATTERN.match(found)), reverse=True)


def load_manifest(stores: DataStores, backup_id: str) -> BackupManifest | None:
    """The manifest, or None when the backup never completed. A manifest that does not parse is incomplete too."""
    key = manifest_key(stores.settings.backup_prefix, backup_id)
    if not stores.backups.exists(key):
        return None
    try:
        return BackupManifest.model_validate(stores.backups.get_json(key))
    except (ValidationError, ValueError):
        return None


def _load_header(stores: DataStores, backup_id: str) -> BackupHeader | None:
    key = started_key(stores.settings.backup_prefix, backup_id)
    try:
        return BackupHeader.model_validate(stores.backups.get_json(key)) if stores.backups.exists(key) else None
    except (ValidationError, ValueError):
        return None


def summarize(stores: DataStores, backup_id: str) -> BackupSummary:
    manifest = load_manifest(stores, backup_id)
    if manifest is not None:
        return BackupSummary(
            backup_id=backup_id,
            name=manifest.name,
            kind=manifest.kind,
            created=manifest.created,
            complete=True,
            size_bytes=manifest.stored_bytes,
            tables=manifest.scope.names(),
            rows=manifest.rows_by_name(),
            base=manifest.base,
        )
    header = _load_header(stores, backup_id)
    size = sum(
        int(entry["Size"])
        for entry in stores.backups.list_objects(backup_root(stores.settings.backup_prefix, backup_id) + "/")
    )
    return BackupSummary(
        backup_id=backup_id,
        name=header.name if header else None,
        kind=header.kind if header else "unknown",
        created=header.created if header else created_from_id(backup_id),
        complete=False,
        size_bytes=size,
        tables=header.scope.names() if header else [],
        rows={},
    )


def complete_manifests(stores: DataStores) -> Iterator[BackupManifest]:
    """Complete backups, newest first, read one at a time."""
    for backup_id in backup_ids(stores):
        manifest = load_manifest(stores, backup_id)
        if manifest is not None:
            yield manifest


def latest_complete(stores: DataStores) -> BackupManifest | None:
    return next(complete_manifests(stores), None)


def snapshot_named(stores: DataStores, name: str) -> BackupManifest | None:
    return next((m for m in complete_manifests(stores) if m.kind == "snapshot" and m.name == name), None)


def resolve(stores: DataStores, reference: str, field: str = "backup") -> BackupManifest:
    """A complete backup by id, by snapshot name, or `latest`; an incomplete or unknown one is refused."""
    if reference == "latest":
        manifest = latest_complete(stores)
        if manifest is None:
            raise BackupNotFound.for_field(field, "there is no complete backup yet")
        return manifest
    if BACKUP_ID_PATTERN.match(reference):
        manifest = load_manifest(stores, reference)
        if manifest is not None:
            return manifest
        if reference in backup_ids(stores):
            raise BackupNotFound.for_field(
                field, f"backup {reference!r} is incomplete (no manifest): it was interrupted and cannot be used"
            )
        raise BackupNotFound.for_field(field, f"no backup with id {reference!r}")
    manifest = snapshot_named(stores, reference)
    if manifest is None:
        raise BackupNotFound.for_field(
            field, f"no backup id or snapshot named {reference!r}; `backup list` shows what exists"
        )
    return manifest


def backup_chain(stores: DataStores, manifest: BackupManifest) -> list[BackupManifest]:
    """The full backup an incremental one builds on, then every increment up to `manifest`, oldest first."""
    chain = [manifest]
    while chain[0].base is not None:
        base = load_manifest(stores, chain[0].base)
        if base is None:
            raise BackupNotFound.for_field(
                "backup", f"backup {chain[0].backup_id} builds on {chain[0].base}, which is missing or incomplete"
            )
        chain.insert(0, base)
    return chain
