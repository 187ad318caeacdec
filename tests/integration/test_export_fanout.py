"""The export and import jobs on real stores: plan, one unit per invocation (payloads as JSON), finalize. A
fanned-out export holds exactly the records of the single-call export (masked alike), either kind of export
imports with either kind of import, and every job runs under one lease that an abort ends."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import pytest

from dataops.audit import audit_records
from dataops.backup.transfer import EXPORT_MANIFEST, S3Prefix, lines, mappings_path, read_export_manifest
from dataops.errors import InvalidRequest, LeaseLost
from dataops.operations.backup import BACKUP
from dataops.operations.reset.clear import clear
from tests.integration.backup_support import (
    bucket_keys,
    everything,
    fill_dynamodb,
    fill_opensearch,
    fill_postgres,
    migrate,
)
from tests.integration.fanout_support import as_lambda, locked

pytestmark = pytest.mark.integration


def invoke(payload: dict[str, Any], stores) -> dict[str, Any]:
    return as_lambda(BACKUP, payload, stores)


def leased(planned: dict[str, Any], *carried: str) -> dict[str, Any]:
    job = planned["job"]
    return {"job": job["job_id"], "lease": job["lease"], **{name: job[name] for name in carried}}


def export_job(stores, path: str, **fields: Any) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    planned = invoke({"action": "export-plan", "path": path, **fields}, stores)
    step = leased(planned, "destination", "mask_pii")
    outcomes = [invoke({"action": "export-unit", **step, "unit": u}, stores)["outcome"] for u in planned["units"]]
    finalize = {"action": "export-finalize", "path": path, **fields, **step, "outcomes": outcomes}
    return planned, outcomes, invoke(finalize, stores)


def import_job(stores, path: str) -> dict[str, Any]:
    planned = invoke({"action": "import-plan", "path": path}, stores)
    step = leased(planned, "destination")
    outcomes = [invoke({"action": "import-unit", **step, "unit": u}, stores)["outcome"] for u in planned["units"]]
    return invoke({"action": "import-finalize", "path": path, **step, "outcomes": outcomes}, stores)


def contents(stores, path: str) -> dict[str, Any]:
    """What an export holds, parsed and order-independent: records per table (a table's parts together), the
    index mappings, and what its manifest says besides its file names."""
    location = S3Prefix(stores, path)
    manifest = read_export_manifest(stores, location)
    records: dict[str, list[str]] = defaultdict(list)
    for file in manifest.files:
        parsed = (json.loads(line) for line in lines(location, file.path))
        records[f"{file.store}/{file.name}"] += [json.dumps(record, sort_keys=True) for record in parsed]
    mappings = {}
    for name in manifest.scope.opensearch:
        with location.reader(mappings_path(name)) as source:
            mappings[name] = json.loads(source.read())
    return {
        "records": {name: sorted(found) for name, found in records.items()},
        "mappings": mappings,
        "masked": manifest.masked,
        "scope": manifest.scope.model_dump(),
    }


@pytest.fixture(scope="module")
def agent(provisioned):
    stores = provisioned("agent_system")
    migrate(stores)
    fill_dynamodb(stores, 150)
    fill_postgres(stores, 30)
    return stores


@pytest.fixture(scope="module")
def tattoo(provisioned):
    stores = provisioned("tattoo_directory")
    fill_dynamodb(stores, 90)
    fill_opensearch(stores, 60)
    return stores


@pytest.mark.parametrize("profile", ["agent", "tattoo"])
@pytest.mark.parametrize("mask_pii", [False, True])
def test_a_fanned_out_export_holds_exactly_the_records_of_the_single_call_export(
    request, monkeypatch, profile, mask_pii
):
    monkeypatch.setenv("PII_MASK_KEY", "test-key")
    stores = request.getfixturevalue(profile)
    single = invoke({"action": "export", "path": f"single-{mask_pii}", "mask_pii": mask_pii}, stores)
    planned, outcomes, finalized = export_job(stores, f"fanned-{mask_pii}", mask_pii=mask_pii, segments=3)

    assert planned["job"]["job_id"] == f"fanned-{mask_pii}" and planned["counts"]["table_segments"] == 3
    assert finalized["status"] == "succeeded" and not locked(stores), "finalize released the lease"
    assert contents(stores, f"fanned-{mask_pii}") == contents(stores, f"single-{mask_pii}")
    assert finalized["counts"] == single["counts"]
    table = stores.profile.table.base_name
    parts = [key for key in bucket_keys(stores) if key.startswith(f"exports/fanned-{mask_pii}/dynamodb/")]
    assert parts == [f"exports/fanned-{mask_pii}/dynamodb/{table}.{n}.jsonl" for n in range(3)]
    assert all(o["files"][0]["rows"] > 0 for o in outcomes[:3]), "each segment holds some items"
    if mask_pii:
        assert contents(stores, "fanned-True")["records"] != contents(stores, "fanned-False")["records"]


def test_a_retried_unit_rewrites_only_its_own_files_and_one_audit_record_covers_the_job(agent):
    planned = invoke({"action": "export-plan", "path": "retried", "segments": 2}, agent)
    step = leased(planned, "destination", "mask_pii")
    outcomes = [invoke({"action": "export-unit", **step, "unit": u}, agent)["outcome"] for u in planned["units"]]
    keys = bucket_keys(agent)
    first = agent.backups.open_read(f"exports/retried/{outcomes[1]['files'][0]['path']}").read()
    retried = invoke({"action": "export-unit", **step, "unit": planned["units"][1]}, agent)["outcome"]
    assert retried == outcomes[1] and bucket_keys(agent) == keys
    assert agent.backups.open_read(f"exports/retried/{retried['files'][0]['path']}").read() == first
    invoke({"action": "export-finalize", **step, "outcomes": [*outcomes, retried]}, agent)
    records = [r for r in audit_records(agent.control, datetime.now(UTC)) if r["parameters"].get("job") == "retried"]
    assert [(r["action"], r["status"]) for r in records] == [("export-finalize", "succeeded")]


@pytest.mark.parametrize("profile", ["agent", "tattoo"])
def test_a_fanned_out_import_into_an_emptied_stage_restores_exactly(request, profile):
    stores = request.getfixturevalue(profile)
    before = everything(stores)
    export_job(stores, "to-restore", segments=3)
    clear(stores, "all", dry_run=False)
    assert everything(stores) != before
    finalized = import_job(stores, "to-restore")
    assert finalized["status"] == "succeeded" and finalized["details"]["counts_match"] is True
    assert not locked(stores)
    assert everything(stores) == before


def test_either_import_reads_either_export(agent):
    before = everything(agent)
    export_job(agent, "parts", segments=4)
    invoke({"action": "export", "path": "whole"}, agent)
    clear(agent, "all", dry_run=False)
    single = invoke({"action": "import", "path": "parts"}, agent)
    assert everything(agent) == before
    assert single["counts"]["services"] == 30 and sum(single["counts"].values()) == 150 + 30 * 4
    clear(agent, "all", dry_run=False)
    assert import_job(agent, "whole")["counts"] == single["counts"]
    assert everything(agent) == before


def test_a_dry_run_plan_lists_the_units_and_writes_nothing(agent):
    invoke({"action": "export", "path": "existing"}, agent)
    before, keys = everything(agent), bucket_keys(agent)
    planned = invoke({"action": "export-plan", "path": "existing", "segments": 2, "dry_run": True}, agent)
    assert planned["status"] == "dry_run" and planned["job"] is None
    assert [u["store"] for u in planned["units"]] == ["dynamodb"] * 2 + ["postgres"] * 3
    previewed = invoke({"action": "import-plan", "path": "existing", "dry_run": True}, agent)
    assert previewed["status"] == "dry_run" and previewed["details"]["rows_in_export"]["services"] == 30
    assert [u["store"] for u in previewed["units"]] == ["postgres", "dynamodb"]
    assert bucket_keys(agent) == keys and everything(agent) == before and not locked(agent)
    with pytest.raises(InvalidRequest, match="field 'dry_run'"):
        invoke(
            {"action": "export-unit", "job": "existing", "lease": "f00d", "unit": planned["units"][0], "dry_run": True},
            agent,
        )


def test_a_unit_after_an_abort_is_refused_and_writes_nothing(tattoo):
    planned = invoke({"action": "export-plan", "path": "aborted", "segments": 2}, tattoo)
    step = leased(planned, "destination", "mask_pii")
    aborted = invoke({"action": "export-abort", **step, "reason": "export: units failed"}, tattoo)
    assert aborted["status"] == "failed" and aborted["details"]["lock_released"] is True and not locked(tattoo)
    keys = bucket_keys(tattoo)
    with pytest.raises(LeaseLost):
        invoke({"action": "export-unit", **step, "unit": planned["units"][0]}, tattoo)
    assert bucket_keys(tattoo) == keys

    invoke({"action": "export", "path": "to-import"}, tattoo)
    planned = invoke({"action": "import-plan", "path": "to-import"}, tattoo)
    step = leased(planned, "destination")
    invoke({"action": "import-abort", **step, "reason": "import: units failed"}, tattoo)
    before = everything(tattoo)
    for unit in planned["units"]:
        with pytest.raises(LeaseLost):
            invoke({"action": "import-unit", **step, "unit": unit}, tattoo)
    assert everything(tattoo) == before
    # What the aborted import cleared comes back with the next one.
    assert import_job(tattoo, "to-import")["status"] == "succeeded"


def test_a_finalize_missing_a_unit_is_refused_and_the_export_has_no_manifest(agent):
    invoke({"action": "export", "path": "incomplete"}, agent)
    planned = invoke({"action": "export-plan", "path": "incomplete", "segments": 2}, agent)
    assert not agent.backups.exists(f"exports/incomplete/{EXPORT_MANIFEST}"), "plan removed the old manifest"
    step = leased(planned, "destination", "mask_pii")
    outcomes = [invoke({"action": "export-unit", **step, "unit": u}, agent)["outcome"] for u in planned["units"]]
    with pytest.raises(InvalidRequest, match="units missing: postgres policies; the export has no manifest"):
        invoke({"action": "export-finalize", **step, "outcomes": outcomes[:-1]}, agent)
    assert not agent.backups.exists(f"exports/incomplete/{EXPORT_MANIFEST}")
    assert not locked(agent), "a refused finalize ends the job"
    with pytest.raises(InvalidRequest, match=r"no export\.json"):
        invoke({"action": "import", "path": "incomplete"}, agent)


def test_a_unit_no_plan_lists_is_refused_naming_the_field(agent):
    invoke({"action": "export", "path": "listed"}, agent)
    planned = invoke({"action": "import-plan", "path": "listed"}, agent)
    step = leased(planned, "destination")
    stray = {"store": "dynamodb", "names": ["persona"], "segment": 1, "segments": 2}
    with pytest.raises(InvalidRequest, match="field 'unit'"):
        invoke({"action": "import-unit", **step, "unit": stray}, agent)
    invoke({"action": "import-abort", **step}, agent)
    planned = invoke({"action": "export-plan", "path": "listed-again", "segments": 2}, agent)
    step = leased(planned, "destination", "mask_pii")
    with pytest.raises(InvalidRequest, match="field 'unit'"):
        invoke({"action": "export-unit", **step, "unit": {**stray, "segment": 5}}, agent)
    invoke({"action": "export-abort", **step}, agent)
    # The aborted import-plan cleared the table; the next import puts it back.
    assert import_job(agent, "listed")["status"] == "succeeded"
