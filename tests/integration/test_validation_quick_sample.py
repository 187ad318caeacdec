"""The quick validation (health's "Data Validation", `monitor check`) on real stores: bounded per entity, honest
about it, the newest PostgreSQL rows always in its sample and PostgreSQL orphans still found in every row."""

from __future__ import annotations

import pytest

from dataops.operations.health import HEALTH, HealthRequest
from dataops.operations.migrate import MIGRATE
from dataops.operations.validate import ValidateRequest, run_validation
from dataops.operations.validate.health_check import QUICK_CATEGORIES, quick_validation_counts
from dataops.records import item_for

pytestmark = pytest.mark.integration
NOW = "2025-01-01T00:00:00+00:00"
PERSONAS = 60
SAMPLE = 3


def persona(number: int) -> dict:
    return {
        "persona_id": f"p{number:02d}", "name": f"Persona {number}", "role": "lead", "description": "d",
        "expertise": ["aws"], "communication_style": "direct", "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip


@pytest.fixture(scope="module")
def planted(provisioned):
    """60 personas, a team and two roster rows (one names a team, one a persona, that do not exist); 10 services
    changed in 2024, the oldest with a bad URL; one changed now, also with a bad URL; a dependency on a service
    that does not exist (foreign keys bypassed, as a raw bulk load may)."""
    stores = provisioned("agent_system")
    MIGRATE.run(MIGRATE.parse({"action": "apply"}), stores)
    entity = stores.profile.entity("persona")
    stores.table.batch_write(item_for(stores.profile, entity, persona(number)) for number in range(PERSONAS))
    team = {"team_id": "t1", "name": "Platform", "description": "d", "lead_persona_id": "p00", "created_at": NOW,
            "updated_at": NOW}  # fmt: skip
    stores.table.batch_write([item_for(stores.profile, stores.profile.entity("team"), team)])
    member = {"team_id": "gone", "member_id": "m1", "persona_id": "p59", "display_name": "Ada",
              "email": "ada@example.com", "role": "lead", "created_at": NOW, "updated_at": NOW}  # fmt: skip
    roster = stores.profile.entity("team_member")
    stores.table.batch_write(
        [item_for(stores.profile, roster, member), item_for(stores.profile, roster, {**member, "team_id": "t1",
                                                                                     "persona_id": "p-missing"})]
    )  # fmt: skip
    insert = (
        "INSERT INTO services (service_id, name, owner_team_id, tier, repository_url, created_at, updated_at) "
        "VALUES (%s, %s, 't1', 'standard', %s, %s, %s)"
    )
    with stores.postgres.transaction() as cursor:
        for number in range(10):
            url = "not-a-url" if number == 0 else "https://git.example.com/x"
            changed = f"2024-01-{number + 1:02d}T00:00:00+00:00"
            cursor.execute(insert, (f"svc-{number:02d}", f"old {number}", url, changed, changed))
        cursor.execute(insert, ("svc-new", "new", "also-not-a-url", NOW, "2026-01-01T00:00:00+00:00"))
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO dependencies (dependency_id, service_id, depends_on_service_id, kind, created_at) "
            "VALUES ('d1', 'svc-01', 'svc-missing', 'runtime', now())"
        )
    return stores


def test_quick_validation_samples_the_newest_rows_and_still_finds_every_orphan(planted):
    request = ValidateRequest(
        target="database", categories=QUICK_CATEGORIES, store_report=False, dry_run=True, sample_per_entity=SAMPLE
    )
    context, log = run_validation(request, planted)
    log.close()
    keys = {(issue.rule, issue.key) for issue in log.issues}
    assert ("service.repository_url.url", "svc-new") in keys  # changed most recently: always in the sample
    assert ("service.repository_url.url", "svc-00") not in keys  # the oldest row is outside a sample of 3
    assert ("dependency.depends_on_service_id->service", "d1") in keys  # the anti-join reads every row
    assert context.coverage["service"].checked == SAMPLE and context.coverage["service"].total == 11
    assert not context.coverage["service"].estimated
    personas = context.coverage["persona"]
    assert personas.checked == SAMPLE and personas.estimated and PERSONAS * 2 // 3 <= (personas.total or 0) <= 90
    assert context.checked["dynamodb"] <= SAMPLE * len(planted.profile.entities_in("dynamodb"))


def test_full_validation_of_the_same_stores_reads_every_record(planted):
    request = ValidateRequest(target="database", categories=QUICK_CATEGORIES, store_report=False, dry_run=True)
    context, log = run_validation(request, planted)
    log.close()
    keys = {(issue.rule, issue.key) for issue in log.issues}
    assert {("service.repository_url.url", "svc-00"), ("service.repository_url.url", "svc-new")} <= keys
    assert context.checked["postgres"] >= 11 and context.checked["dynamodb"] == PERSONAS + 3
    assert context.coverage == {}


def test_health_check_says_it_sampled_and_how_much(planted, monkeypatch):
    monkeypatch.setenv("VALIDATION_SAMPLE", str(SAMPLE))
    check = HEALTH.run(HealthRequest(checks=["Data Validation"]), planted).checks[0]
    assert check.status == "fail" and check.details["errors"] >= 2
    assert f"checked {SAMPLE} of 11 service" in check.message and "run validate for all" in check.message
    assert check.details["sampled"]["persona"]["checked"] == SAMPLE
    assert check.details["sample_per_entity"] == SAMPLE


def test_quick_validation_under_its_sample_size_reads_everything_and_says_nothing(planted):
    counts = quick_validation_counts(planted, sample=PERSONAS + 20)
    assert counts["sampled"] == {} and counts["coverage"] == ""
    assert counts["records"] >= PERSONAS + 3 + 11


def test_sampled_references_are_looked_up_by_key_and_still_find_missing_parents(planted, monkeypatch):
    """A sampled run looks up only the parents its children name (key-only BatchGetItem): the table is scanned
    once, for the sample itself, not once more per parent entity."""
    scans = []
    scan = planted.table.scan
    monkeypatch.setattr(planted.table, "scan", lambda **kwargs: scans.append(kwargs) or scan(**kwargs))
    request = ValidateRequest(
        target="database", categories=QUICK_CATEGORIES, store_report=False, dry_run=True,
        sample_per_entity=PERSONAS + 20,
    )  # fmt: skip
    _, log = run_validation(request, planted)
    log.close()
    assert [scan.get("projection") for scan in scans] == [None]
    orphans = {(issue.rule, issue.key) for issue in log.issues if issue.category == "orphans"}
    assert ("team_member.team_id->team", "gone/m1") in orphans
    assert ("team_member.persona_id->persona", "t1/m1") in orphans
    assert not [issue for issue in log.issues if issue.entity == "team"]  # its lead p00 exists
    assert not [issue for issue in log.issues if issue.rule == "service.owner_team_id->team"]  # t1 exists
    assert ("team_member.persona_id->persona", "gone/m1") not in orphans  # p59 exists
