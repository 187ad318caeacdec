"""The `backup` operation's requests (one model per action, discriminated on `action`) and its one result."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from dataops.backup.catalog import BackupSummary
from dataops.backup.create import BackupUnit, UnitOutcome
from dataops.backup.manifest import BACKUP_ID_PATTERN
from dataops.backup.transfer_units import TransferOutcome, TransferUnit
from dataops.backup.verify import ObjectProblem
from dataops.config import behaviour_defaults
from dataops.models import ActionOutput, LeasedRequest, OperationRequest, OperationResult
from dataops.reconcile.settle import SETTLE_INDEX_DESCRIPTION
from dataops.segmented_compare import MAX_SHARES

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d$"
BACKUP_REFERENCE = "A backup id, a snapshot name, or 'latest'."
PLANNED_BACKUP = "The backup id that `plan` returned."
TABLES = "Only these entities, PostgreSQL tables or index base names (default: all of the profile's)."


class NewBackup(OperationRequest):
    """What a new backup is: the same fields for `create` (one call) and `plan` (the backup workflow)."""

    kind: Literal["full", "snapshot", "incremental"] = "full"
    name: str | None = Field(default=None, pattern=NAME_PATTERN, description="A name (required for snapshots).")
    base: str | None = Field(
        default=None, description="kind incremental: the backup it builds on (id, snapshot name, 'latest')."
    )
    tables: list[str] | None = Field(default=None, description=TABLES)
    compression_enabled: bool = Field(default_factory=lambda: behaviour_defaults().compression_enabled)
    encryption_enabled: bool = Field(default_factory=lambda: behaviour_defaults().encryption_enabled)
    compression_level: int = Field(default=3, ge=1, le=19)
    segments: int = Field(default=4, ge=1, le=32, description="Parallel DynamoDB scan segments.")


class CreateBackup(NewBackup):
    """Back up the stores in one call: full, a named snapshot, or an increment on a base."""

    action: Literal["create"]


class PlanBackup(NewBackup):
    """The backup workflow's first step: start the backup and list its units."""

    action: Literal["plan"]
    segments: int | None = Field(  # type: ignore[assignment]
        default=None,
        ge=1,
        le=MAX_SHARES,
        description="DynamoDB scan segments, one unit each. Default: one per 100,000 items of the table "
        f"(DynamoDB's item count), at most {MAX_SHARES}, so every unit ends well inside one invocation.",
    )


class ListBackups(OperationRequest):
    """List backups, newest first, a page at a time."""

    action: Literal["list"]
    limit: int = Field(default=20, ge=1, le=1000, description="Backups per page.")
    next_token: str | None = Field(default=None, description="The token a previous page returned.")

    @field_validator("next_token")
    @classmethod
    def _token_is_an_id(cls, value: str | None) -> str | None:
        if value is not None and not BACKUP_ID_PATTERN.match(value):
            raise ValueError("is not a token from a previous list")
        return value


class ValidateBackup(OperationRequest):
    """Check every object of a backup against its manifest (size, checksum, decryption)."""

    action: Literal["validate"]
    backup: str = Field(min_length=1, description=BACKUP_REFERENCE)


class CleanupBackups(OperationRequest):
    """Remove backups past retention, always keeping the newest complete ones."""

    action: Literal["cleanup"]
    retention_days: int = Field(default_factory=lambda: behaviour_defaults().retention_days, ge=1)
    keep_last: int = Field(default=3, ge=1, description="Always keep this many newest complete backups.")
    include_snapshots: bool = Field(default=False, description="Named snapshots may be removed too.")


class DataTransfer(OperationRequest):
    """Where an export goes or an import comes from."""

    tables: list[str] | None = Field(default=None, description=TABLES)
    destination: Literal["s3", "local"] = Field(
        default="s3", description="The backup bucket's exports/ prefix, or a local folder (CLI)."
    )


class ExportData(DataTransfer):
    """Write the stores as plain JSON lines (optionally with PII masked)."""

    action: Literal["export"]
    path: str | None = Field(
        default=None, description="A relative folder (local) or key prefix under exports/ (s3); default dated."
    )
    mask_pii: bool = Field(default=False, description="Deterministically mask the profile's PII fields.")


class ImportData(DataTransfer):
    """Replace the exported tables with an export's contents."""

    action: Literal["import"]
    path: str = Field(min_length=1, description="The folder (local) or key prefix under exports/ (s3) of an export.")
    settle_index: bool = Field(default=True, description=SETTLE_INDEX_DESCRIPTION)


class PlannedBackup(LeasedRequest):
    """A backup workflow step after plan: it works under the lease that plan took."""

    backup: str = Field(min_length=1, description=PLANNED_BACKUP)


class BackupUnitRequest(PlannedBackup):
    """The backup workflow's Map: write one planned unit's objects."""

    action: Literal["unit"]
    unit: BackupUnit = Field(description="One of the units that `plan` returned.")


class AbortBackup(PlannedBackup):
    """The backup workflow's catch: release the lease and audit why it stopped (the backup stays incomplete)."""

    action: Literal["abort"]
    reason: str | None = Field(default=None, description="Why the workflow stopped (kept in the audit).")


class FinalizeBackup(PlannedBackup):
    """The backup workflow's last step: write the manifest from every unit's outcome, then validate."""

    action: Literal["finalize"]
    outcomes: list[UnitOutcome] = Field(description="Every unit's outcome, as the Map collected them.")


class CopyBackup(OperationRequest):
    """Copy a backup to another region's bucket (disaster recovery)."""

    action: Literal["copy"]
    backup: str = Field(min_length=1, description=BACKUP_REFERENCE)
    region: str = Field(pattern=REGION_PATTERN, description="The target region, e.g. eu-west-1.")
    bucket: str | None = Field(default=None, description="Target bucket (default <prefix>-backups-<region>).")


# The export and import jobs: each is plan -> units (a Step Functions Map) -> finalize, or abort; the job is its
# export path. The steps after plan also take the fields that the plan's job object carries to them.
ExportPath = Annotated[
    str | None, Field(description="A relative folder (local) or key prefix under exports/ (s3); default dated.")
]
MaskPii = Annotated[bool, Field(description="Deterministically mask the profile's PII fields.")]
ExportSegments = Annotated[
    int | None,
    Field(ge=1, le=MAX_SHARES, description="DynamoDB part files, one per scan segment (default: one per 100,000)."),
]
JOB_REASON = "Why the workflow stopped (kept in the audit)."


class PlanExport(DataTransfer):
    """The export job's first step: take the lease, list the units (scan segments, tables, indexes)."""

    action: Literal["export-plan"]
    path: ExportPath = None
    mask_pii: MaskPii = False
    segments: ExportSegments = None


class PlanImport(DataTransfer):
    """The import job's first step: read the export's manifest, take the lease, clear the DynamoDB scope, list
    the units (the PostgreSQL tables together, each DynamoDB file, each index)."""

    action: Literal["import-plan"]
    path: str = Field(min_length=1, description="The folder (local) or key prefix under exports/ (s3) of an export.")


class TransferJobStep(LeasedRequest):
    """An export or import job's step after plan: it works under the lease that plan took, at the job's path."""

    job: str = Field(min_length=1, description="The job's export path, as plan named it.")
    destination: Literal["s3", "local"] = Field(
        default="s3", description="The backup bucket's exports/ prefix, or a local folder (CLI)."
    )


class ExportJobStep(TransferJobStep):
    """An export job's step after plan: the plan's job object also carries whether the export masks PII."""

    mask_pii: MaskPii = False


class ExportUnitRequest(ExportJobStep):
    """The export job's Map: write one planned unit's files (a retry overwrites only those)."""

    action: Literal["export-unit"]
    unit: TransferUnit = Field(description="One of the units that `export-plan` returned.")


class FinalizeExport(ExportJobStep):
    """The export job's last step: check every unit reported, write the export's manifest last, release."""

    action: Literal["export-finalize"]
    tables: list[str] | None = Field(default=None, description=TABLES)
    path: ExportPath = None
    segments: ExportSegments = None
    outcomes: list[TransferOutcome] = Field(description="Every unit's outcome, as the Map collected them.")


class AbortExport(ExportJobStep):
    """The export job's catch: release the lease and audit why it stopped (the export stays without manifest)."""

    action: Literal["export-abort"]
    reason: str | None = Field(default=None, description=JOB_REASON)


class ImportUnitRequest(TransferJobStep):
    """The import job's Map: load one planned unit."""

    action: Literal["import-unit"]
    unit: TransferUnit = Field(description="One of the units that `import-plan` returned.")


class FinalizeImport(TransferJobStep):
    """The import job's last step: check every unit reported and loaded what the manifest holds, release."""

    action: Literal["import-finalize"]
    tables: list[str] | None = Field(default=None, description=TABLES)
    path: str | None = Field(default=None, description="The export's path (the job's, if given).")
    outcomes: list[TransferOutcome] = Field(description="Every unit's outcome, as the Map collected them.")


class AbortImport(TransferJobStep):
    """The import job's catch: release the lease and audit why it stopped (run the import again to finish)."""

    action: Literal["import-abort"]
    reason: str | None = Field(default=None, description=JOB_REASON)


BackupRequest = (
    CreateBackup
    | PlanBackup
    | ListBackups
    | ValidateBackup
    | CleanupBackups
    | ExportData
    | ImportData
    | BackupUnitRequest
    | FinalizeBackup
    | AbortBackup
    | CopyBackup
    | PlanExport
    | ExportUnitRequest
    | FinalizeExport
    | AbortExport
    | PlanImport
    | ImportUnitRequest
    | FinalizeImport
    | AbortImport
)


class BackupOutput(ActionOutput):
    """What a backup action returns besides counts: the backup it made or read, listings, problems, units; for
    the export and import jobs, the job and their own units and outcomes."""

    backup: dict[str, Any] | None = None
    backups: list[BackupSummary] = []
    problems: list[ObjectProblem] = []
    next_token: str | None = None
    # Left to right: a transfer unit or outcome has required fields and refuses extra ones, so a backup's never
    # passes for one, while a backup unit would accept (and strip) a transfer unit.
    units: list[Annotated[TransferUnit | BackupUnit, Field(union_mode="left_to_right")]] = []
    outcome: Annotated[TransferOutcome | UnitOutcome | None, Field(union_mode="left_to_right")] = None
    job: dict[str, Any] | None = None


class BackupResult(OperationResult, BackupOutput):
    pass
