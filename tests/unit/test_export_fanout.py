"""The export and import jobs' pure parts: their units, the part files of a fanned-out export, what finalize
refuses, and the payloads a workflow step of the catalog's shape sends (each one a valid backup request)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from dataops.backup.create import BackupUnit, UnitOutcome
from dataops.backup.manifest import BackupScope
from dataops.backup.transfer import ExportFile, ExportManifest, check_files, file_path
from dataops.backup.transfer_units import (
    TransferOutcome,
    TransferUnit,
    count_problems,
    export_units,
    files_in_order,
    import_units,
    rows_by_name,
    unmatched,
)
from dataops.errors import InvalidRequest
from dataops.operations.backup import BACKUP
from dataops.operations.backup.models import (
    AbortExport,
    BackupOutput,
    ExportData,
    ExportUnitRequest,
    FinalizeExport,
    FinalizeImport,
    ImportData,
    ImportUnitRequest,
    PlanExport,
    PlanImport,
)
from dataops.workflows import WorkflowStep, workflow_named

SCOPE = BackupScope(dynamodb=["persona", "team_member"], postgres=["services", "policies"], opensearch=["artists"])
TABLE = "ai-agent-system"


def part(segment: int | None, rows: int = 5) -> ExportFile:
    return ExportFile(
        path=file_path("dynamodb", TABLE, segment), store="dynamodb", name=TABLE, rows=rows, segment=segment
    )


def manifest(*dynamodb: ExportFile) -> ExportManifest:
    files = [
        *dynamodb,
        ExportFile(path="postgres/services.jsonl", store="postgres", name="services", rows=3),
        ExportFile(path="postgres/policies.jsonl", store="postgres", name="policies", rows=2),
        ExportFile(path="opensearch/artists.jsonl", store="opensearch", name="artists", rows=4),
    ]
    return ExportManifest(profile="agent_system", created=datetime.now(UTC), masked=False, scope=SCOPE, files=files)


def test_an_export_is_cut_into_scan_segments_tables_and_indexes() -> None:
    units = export_units(SCOPE, 3, whole_table=True)
    assert [unit.label for unit in units] == [
        "dynamodb segment 0 of 3",
        "dynamodb segment 1 of 3",
        "dynamodb segment 2 of 3",
        "postgres services",
        "postgres policies",
        "opensearch artists",
    ]
    assert all(u.names == SCOPE.dynamodb and u.whole_table for u in units[:3])
    # The single call reads every table from one snapshot: one unit for them.
    together = export_units(SCOPE, 1, whole_table=False, tables_together=True)
    assert [u.label for u in together] == [
        "dynamodb segment 0 of 1",
        "postgres services+policies",
        "opensearch artists",
    ]
    assert export_units(BackupScope(postgres=["services"]), 0, whole_table=False)[0].store == "postgres"


def test_part_files_are_named_by_segment_and_one_segment_is_the_classic_single_file() -> None:
    assert file_path("dynamodb", TABLE) == f"dynamodb/{TABLE}.jsonl"
    assert file_path("dynamodb", TABLE, 2) == f"dynamodb/{TABLE}.2.jsonl"
    check_files(manifest(part(None)))
    check_files(manifest(part(1), part(0), part(2)))


@pytest.mark.parametrize(
    "files",
    [
        [part(0), part(2)],  # a gap: segment 1 is missing
        [part(None), part(0)],  # a whole file and a part
        [part(None), part(None)],
        [part(1)],
    ],
)
def test_dynamodb_files_that_are_not_one_tables_parts_are_refused(files: list[ExportFile]) -> None:
    with pytest.raises(InvalidRequest, match="not one table's parts"):
        check_files(manifest(*files))


def test_a_part_of_anything_but_dynamodb_or_a_misplaced_part_is_refused() -> None:
    sneaky = ExportFile(path="postgres/services.0.jsonl", store="postgres", name="services", rows=1, segment=0)
    with pytest.raises(InvalidRequest, match="only DynamoDB files have parts"):
        check_files(manifest(part(None)).model_copy(update={"files": [sneaky]}))
    moved = part(0).model_copy(update={"path": "dynamodb/../../etc.0.jsonl"})
    with pytest.raises(InvalidRequest, match="not where it belongs"):
        check_files(manifest(moved))


def test_an_import_loads_the_tables_together_then_each_dynamodb_file_then_each_index() -> None:
    units = import_units(manifest(part(1), part(0)), SCOPE, whole_table=True)
    assert [u.label for u in units] == [
        "postgres services+policies",
        "dynamodb segment 0 of 2",
        "dynamodb segment 1 of 2",
        "opensearch artists",
    ]
    single = import_units(manifest(part(None)), BackupScope(dynamodb=["persona"]), whole_table=False)
    assert single == [TransferUnit(store="dynamodb", names=["persona"], segment=0, segments=1)]


def test_finalize_names_the_units_missing_and_those_no_plan_lists() -> None:
    planned = export_units(SCOPE, 2, whole_table=True)
    outcomes = [TransferOutcome(unit=u, files=[]) for u in planned[1:]]
    stray = TransferOutcome(unit=TransferUnit(store="opensearch", names=["studios"]), files=[])
    assert unmatched(planned, [*outcomes, stray]) == (["dynamodb segment 0 of 2"], ["opensearch studios"])
    assert unmatched(planned, [TransferOutcome(unit=u, files=[]) for u in reversed(planned)]) == ([], [])


def test_the_manifest_lists_the_files_in_plan_order_and_counts_rows_per_table() -> None:
    planned = export_units(BackupScope(dynamodb=["persona"], postgres=["services"]), 2, whole_table=False)
    files = {0: [part(0, 7)], 1: [part(1, 4)], 2: [ExportFile(path="p", store="postgres", name="services", rows=3)]}
    outcomes = [TransferOutcome(unit=planned[i], files=files[i]) for i in (2, 1, 0)]
    ordered = files_in_order(planned, outcomes)
    assert [f.segment for f in ordered] == [0, 1, None]
    assert rows_by_name(ordered) == {TABLE: 11, "services": 3}


def test_an_import_is_checked_file_by_file_against_the_manifest() -> None:
    exported = manifest(part(0, 5), part(1, 6))
    postgres, first, second, index = import_units(exported, SCOPE, whole_table=True)
    outcomes = [
        TransferOutcome(unit=postgres, files=exported.files[2:4], counts={"services": 3, "policies": 2}),
        TransferOutcome(unit=first, files=[part(0, 5)], counts={"persona": 3, "team_member": 2}),
        TransferOutcome(unit=second, files=[part(1, 6)], counts={"persona": 6}),
        TransferOutcome(unit=index, files=[exported.files[4]], counts={"artists": 4}),
    ]
    assert count_problems(exported, outcomes) == []
    short = [
        outcomes[0].model_copy(update={"counts": {"services": 3, "policies": 1}}),
        outcomes[1].model_copy(update={"files": [part(0, 4)]}),
        outcomes[2].model_copy(update={"counts": {"persona": 5}}),
    ]
    problems = {p.key: p.problem for p in count_problems(exported, short)}
    assert problems == {
        "policies": "loaded 1 of 2 rows",
        f"dynamodb/{TABLE}.0.jsonl": "read 4 rows, the export holds 5",
        "dynamodb segment 0 of 2": "loaded 5 of 4 items",
        "dynamodb segment 1 of 2": "loaded 5 of 6 items",
    }
    # Narrowed to some entities, a file's other items are skipped, not missing.
    narrowed = outcomes[2].model_copy(update={"unit": second.model_copy(update={"whole_table": False})})
    assert count_problems(exported, [narrowed.model_copy(update={"counts": {"persona": 1}})]) == []


def catalog_step(workflow: str) -> WorkflowStep:
    """The export or import workflow's own step, as the catalog (and so the state machine) has it."""
    (step, *settling) = workflow_named(workflow).steps
    assert [s.name for s in settling] == (["settle-index"] if workflow == "import" else [])
    return step


def test_the_export_jobs_payloads_are_backup_requests_and_in_process_it_is_the_single_call() -> None:
    step = catalog_step("export")
    options = {"dry_run": False, "path": "exports/for-staging", "mask_pii": True}
    assert isinstance(BACKUP.parse(step.request(options)), ExportData)
    plan = BACKUP.parse(step.plan_request(options))
    assert isinstance(plan, PlanExport) and plan.mask_pii and plan.path == "exports/for-staging"
    job = {"job_id": "exports/for-staging", "lease": "f00d", "destination": "s3", "mask_pii": True}
    unit = export_units(SCOPE, 2, whole_table=False)[1].model_dump(mode="json")
    parsed = BACKUP.parse(step.unit_request("exports/for-staging", unit, job))
    assert isinstance(parsed, ExportUnitRequest) and parsed.mask_pii and parsed.unit.segment == 1
    finalize = BACKUP.parse(step.finalize_request(options, "exports/for-staging", [], job))
    assert isinstance(finalize, FinalizeExport) and finalize.job == finalize.path
    abort = {"action": "export-abort", "job": "exports/for-staging", "lease": "f00d", "destination": "s3"}
    assert isinstance(BACKUP.parse({**abort, "mask_pii": True, "reason": "units failed"}), AbortExport)


def test_the_import_jobs_payloads_are_backup_requests() -> None:
    step = catalog_step("import")
    options = {"dry_run": False, "path": "exports/for-staging"}
    assert isinstance(BACKUP.parse(step.request(options)), ImportData)
    assert isinstance(BACKUP.parse(step.plan_request(options)), PlanImport)
    job = {"job_id": "exports/for-staging", "lease": "f00d", "destination": "s3"}
    unit = {"store": "postgres", "names": ["services", "policies"]}
    assert isinstance(BACKUP.parse(step.unit_request("exports/for-staging", unit, job)), ImportUnitRequest)
    outcome = {"unit": unit, "files": [], "counts": {}}
    assert isinstance(BACKUP.parse(step.finalize_request(options, "x", [outcome], job)), FinalizeImport)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"action": "export-unit", "job": "x", "unit": {"store": "postgres", "names": ["services"]}}, "lease"),
        ({"action": "export-unit", "job": "x", "lease": "f", "unit": {"store": "postgres", "names": []}}, "unit.names"),
        ({"action": "import-unit", "job": "x", "lease": "f", "unit": {"store": "tape", "names": ["a"]}}, "unit.store"),
        ({"action": "export-finalize", "job": "x", "lease": "f"}, "outcomes"),
        ({"action": "import-plan"}, "path"),
        ({"action": "export-plan", "segments": 0}, "segments"),
    ],
)
def test_a_malformed_job_step_is_refused_naming_the_field(payload: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequest, match=f"field '{field}'"):
        BACKUP.parse(payload)


def test_every_earlier_backup_action_keeps_its_name() -> None:
    earlier = ("create", "list", "validate", "cleanup", "export", "import", "plan", "unit", "finalize", "abort", "copy")
    assert BACKUP.action_names[: len(earlier)] == earlier


def test_a_backups_units_and_outcomes_stay_theirs_through_json() -> None:
    """The result carries a backup's units or a transfer job's; JSON must bring each back as what it was."""
    backup = BackupOutput(
        units=[BackupUnit(store="dynamodb", segment=1, total_segments=2)], outcome=UnitOutcome(entries=[])
    )
    again = BackupOutput.model_validate(json.loads(backup.model_dump_json()))
    assert isinstance(again.units[0], BackupUnit) and isinstance(again.outcome, UnitOutcome)
    unit = TransferUnit(store="dynamodb", names=["persona"], segment=1, segments=2)
    transfer = BackupOutput(units=[unit], outcome=TransferOutcome(unit=unit, files=[part(1)]))
    again = BackupOutput.model_validate(json.loads(transfer.model_dump_json()))
    assert again.units == [unit] and isinstance(again.outcome, TransferOutcome)
