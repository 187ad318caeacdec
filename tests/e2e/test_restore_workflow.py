"""The restore workflow's fan-out on the deployed stage: start-execution, then prove every row is back.

The stores are wiped (and a stray item added) after a backup; the workflow plans (lock, safety backup, DynamoDB
scope delete), restores its units in a Map, finalizes, and validates. The contents read back from DynamoDB,
PostgreSQL and OpenSearch equal those at backup time, and the lock is released.
"""

from __future__ import annotations

import time
import uuid

import pytest

from dataops.locks import LOCK_SK
from dataops.operations.framework import MUTATION_LOCK
from dataops.profiles import load_profile
from dataops.stores.data_stores import DataStores
from tests.e2e.test_workflows import run_workflow, succeeded
from tests.integration.backup_support import everything

pytestmark = pytest.mark.e2e

LOCK_KEY = {"PK": f"LOCK#{MUTATION_LOCK}", "SK": LOCK_SK}


def ok(invoke, profile: str, operation: str, payload: dict) -> dict:
    response, result = invoke(profile, operation, payload)
    assert "FunctionError" not in response, result
    assert isinstance(result, dict)
    return result


def stable(stores: DataStores, timeout: float = 60) -> dict:
    """The contents once two reads a few seconds apart agree (the stream sync has caught up)."""
    deadline, previous = time.monotonic() + timeout, everything(stores)
    while time.monotonic() < deadline:
        time.sleep(3)
        current = everything(stores)
        if current == previous:
            return current
        previous = current
    return previous


def changes(state: dict, expected: dict) -> list[str]:
    """What differs, named: a store, or for an index which documents or whether its mappings."""
    found = []
    for store, contents in expected.items():
        now = state.get(store)
        if now == contents:
            continue
        if store != "opensearch":
            found.append(store)
            continue
        for index, held in contents.items():
            if (now or {}).get(index) == held:
                continue
            current = (now or {}).get(index) or {"documents": [], "mappings": None}
            extra = sorted(set(current["documents"]) - set(held["documents"]))
            missing = sorted(set(held["documents"]) - set(current["documents"]))
            mappings = current["mappings"] != held["mappings"]
            found.append(f"{index}: extra {extra[:2]}, missing {missing[:2]}, mappings differ {mappings}")
    return found


@pytest.mark.parametrize("profile", ["agent_system", "tattoo_directory"])
def test_the_restore_workflow_fans_out_and_puts_every_row_back(invoke, settings, profile):
    stores = DataStores(settings.model_copy(update={"profile": profile}), load_profile(profile))
    ok(invoke, profile, "migrate", {"action": "apply"})
    # The deployment is shared: its state is kept in a snapshot and put back at the end.
    kept = f"e2e-restore-before-{uuid.uuid4().hex[:8]}"
    ok(invoke, profile, "backup", {"action": "create", "kind": "snapshot", "name": kept})
    ok(invoke, profile, "reset", {"action": "state", "state": "minimal"})
    before = stable(stores)
    created = ok(invoke, profile, "backup", {"action": "create"})
    backup_id, rows = created["backup"]["backup_id"], created["backup"]["rows"]

    ok(invoke, profile, "reset", {"action": "clear", "store": "all"})
    # An item outside every entity: a whole-table restore removes it too.
    stores.table.batch_write([{"PK": "E2E#stray", "SK": "STRAY", "note": "not in the backup"}])
    wiped = everything(stores)
    assert wiped != before

    dry = succeeded(run_workflow(profile, "restore", {"backup": backup_id, "dry_run": True}, timeout=600))
    assert dry["steps"]["restore"]["status"] == "dry_run"
    assert dry["steps"]["restore"]["counts"] == rows, "the dry run previews the rows it would put back"
    assert everything(stores) == wiped, "the dry run wrote nothing"

    summary = succeeded(run_workflow(profile, "restore", {"backup": backup_id}, timeout=600))
    # A profile with a search index ends its restore by settling it: a sync fan-out, DynamoDB to OpenSearch.
    settling = ["settle-index"] if profile == "tattoo_directory" else []
    assert list(summary["steps"]) == ["verify-backup", "restore", *settling, "validate"]
    step = summary["steps"]["restore"]
    assert step["status"] == "succeeded" and step["backup_id"] == backup_id
    units = step["counts"].pop("units")
    # Every DynamoDB backup object, the PostgreSQL tables (agent_system) or the index (tattoo_directory).
    assert units > 1
    assert step["counts"] == rows
    assert summary["steps"]["validate"]["status"] == "succeeded"
    # Right when the execution ends, and still once the stream has delivered the restore's late records.
    assert changes(everything(stores), before) == []
    assert changes(stable(stores), before) == []
    assert stores.control.get(LOCK_KEY) is None, "finalize released the lock"

    ok(invoke, profile, "restore", {"backup": kept, "safety_backup": False})
