"""The export and import jobs: `backup export` and `backup import` fanned out over Step Functions, so neither the
size of a table nor one invocation's 15 minutes is the limit. The job is its export path.

- `export-plan` checks what `export` checks, takes the lease, removes the path's old `export.json` (until finalize
  writes the new one the folder is not an export) and lists the units: each DynamoDB scan segment (its own part
  file), each PostgreSQL table, each search index. `export-unit` writes one unit's files, masked as `export`
  masks. `export-finalize` refuses outcomes that miss a unit, then writes `export.json` last.
- `import-plan` reads the export's manifest, takes the lease, deletes the DynamoDB scope's current items (every
  delete ends before any unit puts) and lists the units: every PostgreSQL table together (one transaction, all or
  nothing, as `import` loads them), each DynamoDB file, each index. `import-finalize` checks the rows every unit
  read and loaded against the manifest.
- `export-abort` and `import-abort` are the workflow's catch.

The lease is the framework's (`Lease`): plan takes it, units renew it, finalize or abort release it and leave the
one audit record. The units are those of the single-call actions (`transfer_units`): the same files either way.
"""

from __future__ import annotations

from dataops.backup import transfer_units
from dataops.backup.scope import STORE_NAMES, narrow, resolve_scope
from dataops.backup.transfer import EXPORT_MANIFEST, ExportManifest, read_export_manifest, write_export_manifest
from dataops.backup.transfer_units import (
    TransferOutcome,
    TransferUnit,
    clear_dynamodb_scope,
    export_manifest,
    export_units,
    exports_whole_table,
    files_in_order,
    import_units,
    imports_whole_table,
    loaded_rows,
    rows_by_name,
    unmatched,
)
from dataops.errors import InvalidRequest
from dataops.operations.backup.exports import export_path, location_for, mask_warnings
from dataops.operations.backup.models import (
    AbortExport,
    AbortImport,
    BackupOutput,
    ExportUnitRequest,
    FinalizeExport,
    FinalizeImport,
    ImportUnitRequest,
    PlanExport,
    PlanImport,
    TransferJobStep,
)
from dataops.operations.framework import held_lease
from dataops.segmented_compare import shares_for
from dataops.stores.data_stores import DataStores

# --- export -------------------------------------------------------------------------------------------------


def plan_export(request: PlanExport, stores: DataStores) -> BackupOutput:
    scope = resolve_scope(stores.profile, request.tables)
    path = export_path(request)
    location = location_for(request.destination, stores, path)
    segments = (request.segments or shares_for(stores.table.item_count())) if scope.dynamodb else 0
    units = export_units(scope, segments, exports_whole_table(stores.profile, scope))
    counts = {"units": len(units), "table_segments": segments}
    warnings = mask_warnings(request.mask_pii)
    if request.dry_run:
        details = {"location": location.description, "would_export": scope.model_dump()}
        return BackupOutput(units=units, counts=counts, details=details, warnings=warnings)
    # A half-written export must never pass for the one that was here before.
    location.remove(EXPORT_MANIFEST)
    job = {
        "job_id": path,
        "lease": held_lease().token,
        "destination": request.destination,
        "mask_pii": request.mask_pii,
    }
    return BackupOutput(
        job=job, units=units, counts=counts, details={"location": location.description}, warnings=warnings
    )


def _planned_export_unit(stores: DataStores, unit: TransferUnit) -> None:
    """The unit must be one that a plan lists (its names the profile's, its table filter theirs)."""
    scope = resolve_scope(stores.profile, unit.names, "unit")
    planned = export_units(scope, unit.segments, exports_whole_table(stores.profile, scope))
    if unit not in planned:
        raise InvalidRequest.for_field(
            "unit", f"{unit.label} ({', '.join(unit.names)}) is not a unit that export-plan lists"
        )


def export_unit(request: ExportUnitRequest, stores: DataStores) -> BackupOutput:
    _planned_export_unit(stores, request.unit)
    location = location_for(request.destination, stores, request.job)
    outcome = transfer_units.export_unit(stores, location, request.unit, request.mask_pii)
    return BackupOutput(job={"job_id": request.job}, outcome=outcome, counts=outcome.counts)


def _same_path(request: FinalizeExport | FinalizeImport) -> None:
    if request.path is not None and request.path != request.job:
        raise InvalidRequest.for_field("path", f"{request.path!r} is not the job's path {request.job!r}")


def _refuse_unmatched(planned: list[TransferUnit], outcomes: list[TransferOutcome], consequence: str) -> None:
    missing, unplanned = unmatched(planned, outcomes)
    if missing:
        raise InvalidRequest.for_field("outcomes", f"units missing: {', '.join(missing[:10])}; {consequence}")
    if unplanned:
        raise InvalidRequest.for_field("outcomes", f"units the plan does not list: {', '.join(unplanned[:10])}")


def finalize_export(request: FinalizeExport, stores: DataStores) -> BackupOutput:
    """Checked here, not before the lease: a refused finalize still releases the lease and is audited."""
    _same_path(request)
    scope = resolve_scope(stores.profile, request.tables)
    location = location_for(request.destination, stores, request.job)
    reported = [o.unit.segments for o in request.outcomes if o.unit.store == "dynamodb"]
    segments = request.segments or max(reported, default=1)
    planned = export_units(scope, segments if scope.dynamodb else 0, exports_whole_table(stores.profile, scope))
    _refuse_unmatched(planned, request.outcomes, "the export has no manifest; run it again")
    files = files_in_order(planned, request.outcomes)
    manifest = export_manifest(stores, scope, request.mask_pii, files)
    write_export_manifest(location, manifest)
    return BackupOutput(
        job={"job_id": request.job},
        counts=rows_by_name(files),
        details={
            "location": location.description,
            "files": [file.path for file in files],
            "masked": manifest.masked,
            "units": len(planned),
        },
    )


def _abort(request: TransferJobStep, reason: str | None, stopped: str) -> BackupOutput:
    """Say whether the lease was still this job's; the framework releases it and audits why it stopped."""
    return BackupOutput(
        job={"job_id": request.job},
        details={"lock_released": held_lease().holds(), "reason": reason},
    ).failed_because(reason or stopped)


def abort_export(request: AbortExport, stores: DataStores) -> BackupOutput:
    """The files written so far stay, without `export.json`: an import refuses the folder until it is exported."""
    return _abort(request, request.reason, "the export workflow stopped")


# --- import -------------------------------------------------------------------------------------------------


def plan_import(request: PlanImport, stores: DataStores) -> BackupOutput:
    location = location_for(request.destination, stores, request.path)
    manifest = read_export_manifest(stores, location)
    scope = narrow(manifest.scope, request.tables, "tables")
    whole = imports_whole_table(stores.profile, manifest, scope)
    units = import_units(manifest, scope, whole)
    counts = {"units": len(units)}
    details: dict[str, object] = {"location": location.description, "masked": manifest.masked}
    if request.dry_run:
        details["would_replace"] = {store: getattr(scope, store) for store in STORE_NAMES if getattr(scope, store)}
        details["rows_in_export"] = rows_by_name(manifest.files)
        return BackupOutput(units=units, counts=counts, details=details)
    if scope.dynamodb:
        clear_dynamodb_scope(stores, scope, whole)
    job = {"job_id": request.path, "lease": held_lease().token, "destination": request.destination}
    return BackupOutput(job=job, units=units, counts=counts, details=details)


def _planned_import_unit(stores: DataStores, manifest: ExportManifest, unit: TransferUnit) -> None:
    scope = narrow(manifest.scope, unit.names, "unit")
    planned = import_units(manifest, scope, imports_whole_table(stores.profile, manifest, scope))
    if unit not in planned:
        raise InvalidRequest.for_field(
            "unit", f"{unit.label} ({', '.join(unit.names)}) is not a unit that import-plan lists"
        )


def import_unit(request: ImportUnitRequest, stores: DataStores) -> BackupOutput:
    location = location_for(request.destination, stores, request.job)
    manifest = read_export_manifest(stores, location)
    _planned_import_unit(stores, manifest, request.unit)
    outcome = transfer_units.import_unit(stores, location, manifest, request.unit)
    return BackupOutput(job={"job_id": request.job}, outcome=outcome, counts=outcome.counts)


def finalize_import(request: FinalizeImport, stores: DataStores) -> BackupOutput:
    _same_path(request)
    location = location_for(request.destination, stores, request.job)
    manifest = read_export_manifest(stores, location)
    scope = narrow(manifest.scope, request.tables, "tables")
    planned = import_units(manifest, scope, imports_whole_table(stores.profile, manifest, scope))
    _refuse_unmatched(planned, request.outcomes, "run the import again")
    problems = transfer_units.count_problems(manifest, request.outcomes)
    return BackupOutput(
        job={"job_id": request.job},
        problems=problems,
        counts=loaded_rows(scope, request.outcomes),
        details={
            "location": location.description,
            "masked": manifest.masked,
            "units": len(planned),
            "counts_match": not problems,
        },
    ).failed_because("; ".join(f"{p.key}: {p.problem}" for p in problems))


def abort_import(request: AbortImport, stores: DataStores) -> BackupOutput:
    """Units that ran have loaded their part; the DynamoDB scope was cleared by plan. Import again to finish."""
    return _abort(request, request.reason, "the import workflow stopped")
