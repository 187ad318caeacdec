"""Seed 000's business rules for personas, teams, rosters, templates and services, beyond the entity schemas."""

from __future__ import annotations

import re

from dataops.profiles.rules import Record, RecordRule, UniqueKey, custom, email_address, timestamp_order, url

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _template_variables_declared(record: Record) -> str | None:
    used = set(_PLACEHOLDER.findall(str(record.get("content", ""))))
    undeclared = sorted(used - set(record.get("variables") or []))
    return f"content uses undeclared variables {undeclared}" if undeclared else None


def _global_policy_has_no_service(record: Record) -> str | None:
    scope, service = record.get("scope"), record.get("service_id")
    if scope == "global" and service:
        return f"a global policy names service {service!r}"
    if scope == "service" and not service:
        return "a service policy names no service"
    return None


def _self_dependency(record: Record) -> str | None:
    if record.get("service_id") and record.get("service_id") == record.get("depends_on_service_id"):
        return f"service {record['service_id']!r} depends on itself"
    return None


def _critical_rules_enabled(record: Record) -> str | None:
    if record.get("severity") == "critical" and record.get("enabled") is False:
        return "a critical security rule is disabled"
    return None


RULES: tuple[RecordRule, ...] = (
    email_address("team_member", "email"),
    url("service", "repository_url"),
    custom("variables-declared", "artifact_template", "placeholders are declared", _template_variables_declared),
    custom("scope-matches-service", "policy", "global policies name no service", _global_policy_has_no_service,
           severity="error"),
    custom("no-self-dependency", "dependency", "a service never depends on itself", _self_dependency,
           severity="error"),
    custom("critical-enabled", "security_rule", "critical security rules stay enabled", _critical_rules_enabled),
    *(timestamp_order(entity, "created_at", "updated_at")
      for entity in ("persona", "team", "team_member", "artifact_template", "service", "policy")),
)  # fmt: skip

UNIQUE_KEYS: tuple[UniqueKey, ...] = (
    UniqueKey(entity="persona", fields=("name",)),
    UniqueKey(entity="team", fields=("name",)),
    UniqueKey(entity="team_member", fields=("team_id", "persona_id")),
    UniqueKey(entity="service", fields=("name",)),
    UniqueKey(entity="dependency", fields=("service_id", "depends_on_service_id", "kind")),
)
