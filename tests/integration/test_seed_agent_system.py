"""seed on the agent_system profile: DynamoDB items and PostgreSQL rows (schema from the migrations), with every
reference pointing at a seeded record; skip/overwrite and dry run on PostgreSQL too.
"""

from __future__ import annotations

import pytest
from psycopg2 import sql

from dataops.errors import ConfigurationError
from dataops.operations.seed import SEED
from dataops.profiles.agent_system.seed import content
from tests.integration.seed_support import audit_count, contents, migrated

pytestmark = pytest.mark.integration


def seed(stores, **payload):
    return SEED.run(SEED.parse({"action": "run", **payload}), stores)


def rows(stores, table, columns):
    query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table))
    with stores.postgres.transaction() as cursor:
        cursor.execute(query)
        return cursor.fetchall()


def test_defaults_seed_every_entity_with_consistent_references(provisioned):
    stores = migrated(provisioned("agent_system"))
    result = seed(stores)
    assert result.scenario == "defaults" and result.counts["created"] == 59
    items = list(stores.table.scan())
    by_type: dict[str, list[dict]] = {}
    for item in items:
        by_type.setdefault(item["entity_type"], []).append(item)
    assert {name: len(group) for name, group in by_type.items()} == {
        "persona": 5, "team": 3, "team_member": 8, "artifact_template": 5, "validation_rule": 11, "security_rule": 5,
    }  # fmt: skip
    personas = {item["persona_id"] for item in by_type["persona"]}
    teams = {item["team_id"] for item in by_type["team"]}
    assert "technical-lead" in personas
    assert {item["lead_persona_id"] for item in by_type["team"]} <= personas
    assert all(m["team_id"] in teams and m["persona_id"] in personas for m in by_type["team_member"])
    assert {rule["category"] for rule in by_type["validation_rule"]} == {
        "eslint",
        "cloudformation_security",
        "semantic",
    }
    assert {t["artifact_type"] for t in by_type["artifact_template"]} == {"cloudformation", "typescript",
                                                                          "api_specification"}  # fmt: skip
    assert all("lorem" not in str(item).lower() for item in items)
    services = dict(rows(stores, "services", ["service_id", "owner_team_id"]))
    assert len(services) == 8 and set(services.values()) <= teams
    dependencies = rows(stores, "dependencies", ["service_id", "depends_on_service_id"])
    assert len(dependencies) == 9 and all(a in services and b in services for a, b in dependencies)
    policies = rows(stores, "policies", ["scope", "service_id"])
    assert len(policies) == 5 and all((scope == "global") == (sid is None) for scope, sid in policies)
    assert all(sid in services for scope, sid in policies if sid)
    [(metadata,)] = rows(stores, "services", ["metadata"])[:1]
    assert metadata == {"seeded": True}


def test_skip_then_overwrite_on_postgres(provisioned):
    stores = migrated(provisioned("agent_system"))
    seed(stores, scenario="minimal")
    with stores.postgres.transaction() as cursor:
        cursor.execute("UPDATE services SET tier = 'experimental' WHERE service_id = 'svc-identity'")
    skipped = seed(stores, scenario="minimal")
    assert skipped.counts == {"created": 0, "updated": 0, "skipped": 16}
    assert dict(rows(stores, "services", ["service_id", "tier"]))["svc-identity"] == "experimental"
    overwritten = seed(stores, scenario="minimal", skip_existing=False)
    assert overwritten.counts == {"created": 0, "updated": 16, "skipped": 0}
    assert dict(rows(stores, "services", ["service_id", "tier"]))["svc-identity"] == "critical"
    grown = seed(stores)
    tallies = {(t.entity, t.store): t for t in grown.tallies}
    assert (tallies[("service", "postgres")].created, tallies[("service", "postgres")].skipped) == (6, 2)


def test_dry_run_on_postgres_writes_nothing(provisioned):
    stores = migrated(provisioned("agent_system"))
    seed(stores, scenario="minimal")
    before, audits = contents(stores), audit_count(stores)
    result = seed(stores, dry_run=True, skip_existing=False)
    assert result.status == "dry_run" and result.counts == {"created": 43, "updated": 16, "skipped": 0}
    service = {(t.entity, t.store): t for t in result.tallies}[("service", "postgres")]
    assert service.samples == {"updated": ["svc-api-gateway", "svc-identity"],
                               "created": sorted(set(content.SERVICES) - content.MINIMAL["service"],
                                                 key=list(content.SERVICES).index)[:5]}  # fmt: skip
    assert contents(stores) == before and audit_count(stores) == audits


def test_seeding_before_the_migrations_names_the_missing_table(provisioned):
    stores = provisioned("agent_system")
    with pytest.raises(ConfigurationError, match=r"services.*migrate apply"):
        seed(stores)
    assert list(stores.table.scan()) == []
