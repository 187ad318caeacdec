"""The `agent_system` profile: seed 000's AI Agent System (DynamoDB single table + PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from dataops.profiles.agent_system import entities as e
from dataops.profiles.agent_system.rules import RULES, UNIQUE_KEYS
from dataops.profiles.agent_system.seed import SEEDING
from dataops.profiles.model import (
    DynamoPlacement,
    EntityDefinition,
    GlobalIndexDesign,
    KeyAttribute,
    PostgresPlacement,
    Profile,
    Reference,
    TableDesign,
)

PROFILE = Profile(
    name="agent_system",
    title="AI Agent System",
    description="Personas, teams, templates and rules in DynamoDB; services, dependencies and policies in PostgreSQL.",
    table=TableDesign(
        base_name="ai-agent-system",
        indexes=(
            # Reverse lookups: a persona's team memberships, a template's versions by type.
            GlobalIndexDesign(
                name="GSI1", partition_key=KeyAttribute(name="GSI1PK"), sort_key=KeyAttribute(name="GSI1SK")
            ),
        ),
    ),
    entities=(
        EntityDefinition(
            name="persona",
            description="An agent persona such as the Technical Lead.",
            model=e.Persona,
            dynamodb=DynamoPlacement(key_templates={"PK": "PERSONA#{persona_id}", "SK": "PROFILE"}),
            pii_fields=(),
        ),
        EntityDefinition(
            name="team",
            description="A team of personas.",
            model=e.Team,
            dynamodb=DynamoPlacement(key_templates={"PK": "TEAM#{team_id}", "SK": "METADATA"}),
        ),
        EntityDefinition(
            name="team_member",
            description="One row of a team roster.",
            model=e.TeamMember,
            dynamodb=DynamoPlacement(
                key_templates={"PK": "TEAM#{team_id}", "SK": "MEMBER#{member_id}"},
                index_key_templates={"GSI1PK": "PERSONA#{persona_id}", "GSI1SK": "TEAM#{team_id}"},
            ),
            pii_fields=("display_name", "email"),
        ),
        EntityDefinition(
            name="artifact_template",
            description="A template for generated artifacts (CloudFormation, TypeScript, API specifications).",
            model=e.ArtifactTemplate,
            dynamodb=DynamoPlacement(
                key_templates={"PK": "TEMPLATE#{template_id}", "SK": "VERSION#{version}"},
                index_key_templates={"GSI1PK": "TEMPLATE_TYPE#{artifact_type}", "GSI1SK": "TEMPLATE#{template_id}"},
            ),
        ),
        EntityDefinition(
            name="validation_rule",
            description="A validation rule: ESLint, CloudFormation security or semantic.",
            model=e.ValidationRule,
            dynamodb=DynamoPlacement(
                key_templates={"PK": "RULE#{rule_id}", "SK": "VALIDATION"},
                index_key_templates={"GSI1PK": "RULE_CATEGORY#{category}", "GSI1SK": "RULE#{rule_id}"},
            ),
        ),
        EntityDefinition(
            name="security_rule",
            description="A security rule that generated infrastructure must satisfy.",
            model=e.SecurityRule,
            dynamodb=DynamoPlacement(key_templates={"PK": "SECURITY_RULE#{rule_id}", "SK": "SECURITY"}),
        ),
        EntityDefinition(
            name="audit_log",
            description="The application's audit trail, one item per recorded action.",
            model=e.AuditLog,
            dynamodb=DynamoPlacement(key_templates={"PK": "AUDIT#{day}", "SK": "{timestamp}#{audit_id}"}),
            pii_fields=("actor",),
        ),
        EntityDefinition(
            name="service",
            description="A service in the catalogue.",
            model=e.Service,
            postgres=PostgresPlacement(table="services", primary_key=("service_id",), updated_at_column="updated_at"),
        ),
        EntityDefinition(
            name="dependency",
            description="A dependency edge between two services.",
            model=e.Dependency,
            postgres=PostgresPlacement(table="dependencies", primary_key=("dependency_id",)),
        ),
        EntityDefinition(
            name="policy",
            description="A policy, global or for one service.",
            model=e.Policy,
            postgres=PostgresPlacement(table="policies", primary_key=("policy_id",), updated_at_column="updated_at"),
        ),
    ),
    references=(
        Reference(child="team", child_field="lead_persona_id", parent="persona", parent_field="persona_id"),
        Reference(child="team_member", child_field="team_id", parent="team", parent_field="team_id"),
        Reference(child="team_member", child_field="persona_id", parent="persona", parent_field="persona_id"),
        Reference(child="service", child_field="owner_team_id", parent="team", parent_field="team_id"),
        Reference(child="dependency", child_field="service_id", parent="service", parent_field="service_id"),
        Reference(child="dependency", child_field="depends_on_service_id", parent="service", parent_field="service_id"),
        Reference(child="policy", child_field="service_id", parent="service", parent_field="service_id", optional=True),
    ),
    rules=RULES,
    unique_keys=UNIQUE_KEYS,
    migrations_dir=Path(__file__).parent / "migrations",
    seeding=SEEDING,
)
