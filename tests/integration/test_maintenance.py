"""maintenance on real stores: backup cleanup, validation with fixes, then health, under one lock."""

from __future__ import annotations

import json

import pytest

from dataops.operations.maintenance import MAINTENANCE, MaintenanceFailed
from dataops.operations.migrate import MIGRATE
from dataops.records import item_for

pytestmark = pytest.mark.integration
NOW = "2025-01-01T00:00:00+00:00"


def snapshot(stores):
    return sorted(json.dumps(item, sort_keys=True, default=str) for item in stores.table.scan())


@pytest.fixture
def agents(provisioned):
    stores = provisioned("agent_system")
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    # As the deployed backup store has it, so the security checks pass.
    stores.backups.client.put_public_access_block(
        Bucket=stores.backups.bucket,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ),
    )
    persona = {"persona_id": "p1", "name": "Lead", "role": "lead", "description": "d", "expertise": ["aws"],
               "communication_style": "direct", "created_at": NOW, "updated_at": NOW}  # fmt: skip
    orphan = {"team_id": "gone", "member_id": "m1", "persona_id": "p1", "display_name": "Ada",
              "email": "ada@example.com", "role": "lead", "created_at": NOW, "updated_at": NOW}  # fmt: skip
    stores.table.batch_write(
        [
            item_for(stores.profile, stores.profile.entity("persona"), persona),
            item_for(stores.profile, stores.profile.entity("team_member"), orphan),
        ]
    )
    return stores


def test_maintenance_fixes_then_records_health(agents):
    result = MAINTENANCE.run(MAINTENANCE.parse({}), agents)
    assert [step.name for step in result.steps] == ["backup-cleanup", "validate", "health"]
    assert result.steps[1].details["summary"]["fixed"] == 1
    assert ("TEAM#gone", "MEMBER#m1") not in {(i["PK"], i["SK"]) for i in agents.table.scan()}
    assert any(item["PK"] == "HEALTH" for item in agents.control.scan())
    audits = [item for item in agents.control.scan() if "maintenance" in json.dumps(item, default=str)]
    assert audits, "a mutating run leaves an audit record"


def test_maintenance_dry_run_changes_nothing(agents):
    before, control_before = snapshot(agents), len(list(agents.control.scan()))
    result = MAINTENANCE.run(MAINTENANCE.parse({"dry_run": True}), agents)
    assert result.status == "dry_run" and result.steps[1].details["summary"]["fixes_planned"] == 1
    assert snapshot(agents) == before and len(list(agents.control.scan())) == control_before


def test_maintenance_fails_when_errors_remain(agents):
    broken = {"persona_id": "p2", "name": "No role", "description": "d", "expertise": ["x"],
              "communication_style": "c", "created_at": NOW, "updated_at": NOW}  # fmt: skip
    agents.table.batch_write([item_for(agents.profile, agents.profile.entity("persona"), broken)])
    with pytest.raises(MaintenanceFailed, match="1 error"):
        MAINTENANCE.run(MAINTENANCE.parse({}), agents)
    assert any(item["PK"] == "HEALTH" for item in agents.control.scan())
