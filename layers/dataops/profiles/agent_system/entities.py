"""Entity models of the AI Agent System (seed 000)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AgentEntity(BaseModel):
    model_config = ConfigDict(extra="allow")

    created_at: datetime
    updated_at: datetime


class Persona(AgentEntity):
    persona_id: str
    name: str
    role: str
    description: str
    expertise: list[str] = Field(min_length=1)
    communication_style: str


class Team(AgentEntity):
    team_id: str
    name: str
    description: str
    lead_persona_id: str


class TeamMember(AgentEntity):
    """A row of a team roster."""

    team_id: str
    member_id: str
    persona_id: str
    display_name: str
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
    role: Literal["lead", "engineer", "reviewer", "observer"]


class ArtifactTemplate(AgentEntity):
    template_id: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    name: str
    artifact_type: Literal["cloudformation", "typescript", "api_specification"]
    content: str
    variables: list[str] = []


class ValidationRule(AgentEntity):
    rule_id: str
    name: str
    category: Literal["eslint", "cloudformation_security", "semantic"]
    severity: Literal["error", "warning", "info"]
    enabled: bool
    config: dict[str, Any] = {}


class SecurityRule(AgentEntity):
    rule_id: str
    name: str
    resource_type: str
    requirement: str
    severity: Literal["critical", "high", "medium", "low"]
    enabled: bool


class AuditLog(BaseModel):
    model_config = ConfigDict(extra="allow")

    audit_id: str
    day: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    timestamp: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any] = {}


class Service(AgentEntity):
    service_id: str
    name: str
    owner_team_id: str
    tier: Literal["critical", "standard", "experimental"]
    repository_url: str
    metadata: dict[str, Any] = {}


class Dependency(BaseModel):
    model_config = ConfigDict(extra="allow")

    dependency_id: str
    service_id: str
    depends_on_service_id: str
    kind: Literal["runtime", "build", "data"]
    created_at: datetime


class Policy(AgentEntity):
    policy_id: str
    name: str
    scope: Literal["global", "service"]
    service_id: str | None = None
    rules: dict[str, Any]
    enabled: bool
