"""The AI Agent System's seed data: seed 000's defaults, a minimal subset, and the reset states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

from dataops.profiles.agent_system import entities as e
from dataops.profiles.agent_system.seed import content as c
from dataops.profiles.model import ResetState, Scenario, SeedContext, SeedingCatalog, SeedRecords

Keep = Callable[[str, str], bool]


def _everything(_entity: str, _key: str) -> bool:
    return True


def _minimal(entity: str, key: str) -> bool:
    return key in c.MINIMAL[entity]


def agent_records(keep: Keep, context: SeedContext) -> SeedRecords:
    """Parents before children (services before dependencies), so foreign keys hold at every step."""
    created = context.clock - timedelta(days=90)
    updated = context.clock - timedelta(days=7)
    stamps = {"created_at": created, "updated_at": updated}

    personas = (
        (
            "persona",
            pid,
            e.Persona(persona_id=pid, name=n, role=r, description=d, expertise=x, communication_style=s, **stamps),
        )
        for pid, (n, r, d, x, s) in c.PERSONAS.items()
    )
    teams = (
        ("team", tid, e.Team(team_id=tid, name=n, description=d, lead_persona_id=lead, **stamps))
        for tid, (n, d, lead) in c.TEAMS.items()
    )
    members = (
        (
            "team_member",
            mid,
            e.TeamMember(team_id=tid, member_id=mid, persona_id=pid, display_name=n, email=m, role=r, **stamps),
        )
        for tid, mid, pid, n, m, r in c.ROSTERS
    )
    templates = (
        (
            "artifact_template",
            tid,
            e.ArtifactTemplate(
                template_id=tid, version="1.0.0", name=n, artifact_type=k, content=body, variables=v, **stamps
            ),
        )
        for tid, (n, k, body, v) in c.TEMPLATES.items()
    )
    rules = (
        (
            "validation_rule",
            rid,
            e.ValidationRule(rule_id=rid, name=n, category=k, severity=s, enabled=True, config=cfg, **stamps),
        )
        for rid, (n, k, s, cfg) in c.VALIDATION_RULES.items()
    )
    security = (
        (
            "security_rule",
            rid,
            e.SecurityRule(rule_id=rid, name=n, resource_type=rt, requirement=req, severity=s, enabled=True, **stamps),
        )
        for rid, (n, rt, req, s) in c.SECURITY_RULES.items()
    )
    services = (
        (
            "service",
            sid,
            e.Service(
                service_id=sid,
                name=n,
                owner_team_id=team,
                tier=tier,
                repository_url=url,
                metadata={"seeded": True},
                **stamps,
            ),
        )
        for sid, (n, team, tier, url) in c.SERVICES.items()
    )
    dependencies = (
        (
            "dependency",
            did,
            e.Dependency(dependency_id=did, service_id=sid, depends_on_service_id=on, kind=k, created_at=created),
        )
        for did, sid, on, k in c.DEPENDENCIES
    )
    policies = (
        ("policy", pid, e.Policy(policy_id=pid, name=n, scope=scope, service_id=sid, rules=r, enabled=True, **stamps))
        for pid, (n, scope, sid, r) in c.POLICIES.items()
    )
    for group in (personas, teams, members, templates, rules, security, services, dependencies, policies):
        yield from ((entity, record) for entity, key, record in group if keep(entity, key))


def _counts(keep: Keep, context: SeedContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entity, _record in agent_records(keep, context):
        counts[entity] = counts.get(entity, 0) + 1
    return counts


SEEDING = SeedingCatalog(
    default_scenario="defaults",
    scenarios=(
        Scenario(
            name="defaults",
            description="Seed 000's defaults: validation rules, artifact templates, the Technical Lead and other "
            "personas, teams and rosters, security rules, services with their dependencies, and policies.",
            generate=partial(agent_records, _everything),
            counts=partial(_counts, _everything),
        ),
        Scenario(
            name="minimal",
            description="The Technical Lead's platform team, two services, one dependency and the global policies.",
            generate=partial(agent_records, _minimal),
            counts=partial(_counts, _minimal),
        ),
    ),
    states=(
        ResetState(name="clean", description="No data in DynamoDB or PostgreSQL (the schema stays)."),
        ResetState(name="fresh", description="Clear everything, then seed the defaults.", scenario="defaults"),
        ResetState(name="minimal", description="Clear everything, then seed the minimal set.", scenario="minimal"),
        ResetState(
            name="backup-restore",
            description="Back to the latest backup: clear, then restore the newest full backup.",
            restore_latest_backup=True,
        ),
    ),
)
