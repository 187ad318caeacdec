"""`backup` actions `export` and `import`: plain JSON lines, in a local folder (CLI) or under exports/ in S3."""

from __future__ import annotations

import os
from pathlib import Path

from dataops.backup.masking import mask_key
from dataops.backup.scope import STORE_NAMES, narrow, resolve_scope
from dataops.backup.transfer import ExportLocation, LocalFolder, S3Prefix, default_export_path, read_export_manifest
from dataops.backup.transfer_units import export_data, import_data, rows_by_name
from dataops.errors import InvalidRequest
from dataops.models import utc_now
from dataops.operations.backup.models import BackupOutput, ExportData, ImportData, PlanExport, PlanImport
from dataops.reconcile.settle import settled
from dataops.stores.data_stores import DataStores


def location_for(destination: str, stores: DataStores, path: str) -> ExportLocation:
    if destination == "local":
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
            raise InvalidRequest.for_field("destination", "a Lambda function can only export to 's3'")
        return LocalFolder(Path.cwd(), path)
    return S3Prefix(stores, path)


def export_path(request: ExportData | PlanExport) -> str:
    return request.path if request.path is not None else default_export_path(utc_now())


def export_location(request: ExportData | PlanExport, stores: DataStores) -> ExportLocation:
    return location_for(request.destination, stores, export_path(request))


def check_export(request: ExportData | PlanExport, stores: DataStores) -> None:
    """Paths and names are checked before the lock, so bad input writes nothing."""
    resolve_scope(stores.profile, request.tables)
    export_location(request, stores)


def check_import(request: ImportData | PlanImport, stores: DataStores) -> None:
    """The export's own manifest is read before the lock: a missing export or table writes nothing."""
    manifest = read_export_manifest(stores, location_for(request.destination, stores, request.path))
    narrow(manifest.scope, request.tables, "tables")


def mask_warnings(mask: bool) -> list[str]:
    if mask and mask_key()[1]:
        return ["PII_MASK_KEY is not set: masks use the built-in key (stable, but guessable by hashing)"]
    return []


def export_action(request: ExportData, stores: DataStores) -> BackupOutput:
    scope = resolve_scope(stores.profile, request.tables)
    location = export_location(request, stores)
    warnings = mask_warnings(request.mask_pii)
    if request.dry_run:
        return BackupOutput(
            details={"location": location.description, "would_export": scope.model_dump()}, warnings=warnings
        )
    manifest = export_data(stores, location, scope, request.mask_pii)
    return BackupOutput(
        counts=rows_by_name(manifest.files),
        details={
            "location": location.description,
            "files": [file.path for file in manifest.files],
            "masked": manifest.masked,
        },
        warnings=warnings,
    )


def import_action(request: ImportData, stores: DataStores) -> BackupOutput:
    location = location_for(request.destination, stores, request.path)
    manifest = read_export_manifest(stores, location)
    scope = narrow(manifest.scope, request.tables, "tables")
    details: dict[str, object] = {"location": location.description, "masked": manifest.masked}
    if request.dry_run:
        details["would_replace"] = {store: getattr(scope, store) for store in STORE_NAMES if getattr(scope, store)}
        details["rows_in_export"] = rows_by_name(manifest.files)
        return BackupOutput(details=details)
    counts = import_data(stores, location, manifest, request.tables)
    # The import rewrote indexed items: it is done once the index equals the table.
    output = BackupOutput(counts=counts, details=details)
    return settled(stores, output, dynamodb=scope.dynamodb, opensearch=scope.opensearch, enabled=request.settle_index)
