"""`backup` actions `export` and `import`: plain JSON lines, in a local folder (CLI) or under exports/ in S3."""

from __future__ import annotations

import os
from pathlib import Path

from dataops.backup.masking import mask_key
from dataops.backup.scope import STORE_NAMES, narrow, resolve_scope
from dataops.backup.transfer import (
    ExportLocation,
    LocalFolder,
    S3Prefix,
    default_export_path,
    export_data,
    import_data,
    read_export_manifest,
)
from dataops.errors import InvalidRequest
from dataops.models import utc_now
from dataops.operations.backup.models import BackupOutput, DataTransfer, ExportData, ImportData
from dataops.stores.data_stores import DataStores


def location_for(request: DataTransfer, stores: DataStores, path: str) -> ExportLocation:
    if request.destination == "local":
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
            raise InvalidRequest.for_field("destination", "a Lambda function can only export to 's3'")
        return LocalFolder(Path.cwd(), path)
    return S3Prefix(stores, path)


def export_location(request: ExportData, stores: DataStores) -> ExportLocation:
    return location_for(request, stores, request.path if request.path is not None else default_export_path(utc_now()))


def check_export(request: ExportData, stores: DataStores) -> None:
    """Paths and names are checked before the lock, so bad input writes nothing."""
    resolve_scope(stores.profile, request.tables)
    export_location(request, stores)


def check_import(request: ImportData, stores: DataStores) -> None:
    """The export's own manifest is read before the lock: a missing export or table writes nothing."""
    manifest = read_export_manifest(stores, location_for(request, stores, request.path))
    narrow(manifest.scope, request.tables, "tables")


def export_action(request: ExportData, stores: DataStores) -> BackupOutput:
    scope = resolve_scope(stores.profile, request.tables)
    location = export_location(request, stores)
    warnings: list[str] = []
    if request.mask_pii and mask_key()[1]:
        warnings.append("PII_MASK_KEY is not set: masks use the built-in key (stable, but guessable by hashing)")
    if request.dry_run:
        return BackupOutput(
            details={"location": location.description, "would_export": scope.model_dump()}, warnings=warnings
        )
    manifest = export_data(stores, location, scope, request.mask_pii)
    return BackupOutput(
        counts={file.name: file.rows for file in manifest.files},
        details={
            "location": location.description,
            "files": [file.path for file in manifest.files],
            "masked": manifest.masked,
        },
        warnings=warnings,
    )


def import_action(request: ImportData, stores: DataStores) -> BackupOutput:
    location = location_for(request, stores, request.path)
    manifest = read_export_manifest(stores, location)
    scope = narrow(manifest.scope, request.tables, "tables")
    rows = {file.name: file.rows for file in manifest.files}
    details: dict[str, object] = {"location": location.description, "masked": manifest.masked}
    if request.dry_run:
        details["would_replace"] = {store: getattr(scope, store) for store in STORE_NAMES if getattr(scope, store)}
        details["rows_in_export"] = rows
        return BackupOutput(details=details)
    counts = import_data(stores, location, manifest, request.tables)
    return BackupOutput(counts=counts, details=details)
