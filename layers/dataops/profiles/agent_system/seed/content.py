"""Seed 000's default data: personas, teams and rosters, templates, validation and security rules (DynamoDB);
services, their dependencies and policies (PostgreSQL). Every reference points at a record seeded here.
"""

from __future__ import annotations

from typing import Any

from dataops.profiles.agent_system.seed import templates as t

# persona_id -> (name, role, description, expertise, communication style)
PERSONAS: dict[str, tuple[str, str, str, list[str], str]] = {
    "technical-lead": (
        "Technical Lead",
        "Technical Lead",
        "Owns the architecture of generated systems, reviews every design for operability and security, "
        "and breaks features into deliverable increments.",
        ["system design", "AWS serverless", "code review", "CloudFormation", "TypeScript", "incident response"],
        "Direct and structured: states the decision, the trade-off and the follow-up actions.",
    ),
    "security-architect": (
        "Priya Raman",
        "Security Architect",
        "Reviews IAM policies, encryption and network exposure of generated infrastructure before release.",
        ["IAM least privilege", "KMS", "threat modelling", "CloudFormation Guard"],
        "Precise; cites the control a finding violates and the smallest change that fixes it.",
    ),
    "product-manager": (
        "Tom Fletcher",
        "Product Manager",
        "Turns customer requests into prioritised user stories with acceptance criteria.",
        ["requirements", "user stories", "prioritisation", "stakeholder communication"],
        "Plain language, outcome first, always with acceptance criteria.",
    ),
    "qa-engineer": (
        "Mei Chen",
        "QA Engineer",
        "Designs test plans and contract tests for generated APIs; guards the release checklist.",
        ["contract testing", "OpenAPI", "test automation", "Jest"],
        "Checklist-driven; reports reproduction steps and expected versus actual results.",
    ),
    "devops-engineer": (
        "Callum Fraser",
        "DevOps Engineer",
        "Runs the pipelines, observability and cost controls of the platform.",
        ["CI/CD", "CloudWatch", "CDK", "cost optimisation"],
        "Brief and operational: what changed, what to watch, how to roll back.",
    ),
}

# team_id -> (name, description, lead persona)
TEAMS: dict[str, tuple[str, str, str]] = {
    "platform": (
        "Platform",
        "Shared infrastructure, deployment pipelines and the service catalogue.",
        "technical-lead",
    ),
    "payments": ("Payments", "Checkout, billing and payment provider integrations.", "technical-lead"),
    "developer-experience": (
        "Developer Experience",
        "Templates, linting rules and the tooling the agents generate code with.",
        "devops-engineer",
    ),
}

# (team_id, member_id, persona_id, display name, email, role)
ROSTERS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("platform", "m-001", "technical-lead", "Alex Morgan", "alex.morgan@agents.example.com", "lead"),
    ("platform", "m-002", "devops-engineer", "Callum Fraser", "callum.fraser@agents.example.com", "engineer"),
    ("platform", "m-003", "security-architect", "Priya Raman", "priya.raman@agents.example.com", "reviewer"),
    ("payments", "m-004", "technical-lead", "Alex Morgan", "alex.morgan@agents.example.com", "lead"),
    ("payments", "m-005", "product-manager", "Tom Fletcher", "tom.fletcher@agents.example.com", "observer"),
    ("payments", "m-006", "qa-engineer", "Mei Chen", "mei.chen@agents.example.com", "engineer"),
    ("developer-experience", "m-007", "devops-engineer", "Callum Fraser", "callum.fraser@agents.example.com", "lead"),
    ("developer-experience", "m-008", "qa-engineer", "Mei Chen", "mei.chen@agents.example.com", "reviewer"),
)

# template_id -> (name, artifact type, content, variables)
TEMPLATES: dict[str, tuple[str, str, str, list[str]]] = {
    "cfn-encrypted-bucket": (
        "Encrypted S3 bucket",
        "cloudformation",
        t.CLOUDFORMATION_ENCRYPTED_BUCKET,
        ["ServiceName", "LogBucketName"],
    ),
    "cfn-dynamodb-table": ("DynamoDB table", "cloudformation", t.CLOUDFORMATION_DYNAMODB_TABLE, ["ServiceName"]),
    "ts-lambda-handler": (
        "TypeScript API Lambda handler",
        "typescript",
        t.TYPESCRIPT_LAMBDA_HANDLER,
        ["serviceName", "requestType", "operationName"],
    ),
    "ts-dynamodb-repository": (
        "TypeScript DynamoDB repository",
        "typescript",
        t.TYPESCRIPT_REPOSITORY,
        ["entityName", "entityPrefix"],
    ),
    "openapi-service": (
        "OpenAPI 3 service specification",
        "api_specification",
        t.OPENAPI_SERVICE,
        ["serviceTitle", "apiVersion", "resourcePath", "schemaName"],
    ),
}

# rule_id -> (name, category, severity, config)
VALIDATION_RULES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "eslint-no-unused-vars": ("No unused variables", "eslint", "error", {"rule": "@typescript-eslint/no-unused-vars"}),
    "eslint-eqeqeq": ("Strict equality", "eslint", "error", {"rule": "eqeqeq", "options": ["always"]}),
    "eslint-no-explicit-any": ("No explicit any", "eslint", "warning", {"rule": "@typescript-eslint/no-explicit-any"}),
    "eslint-no-floating-promises": (
        "Await or handle promises",
        "eslint",
        "error",
        {"rule": "@typescript-eslint/no-floating-promises"},
    ),
    "cfn-s3-encryption": (
        "S3 buckets are encrypted",
        "cloudformation_security",
        "error",
        {"resource": "AWS::S3::Bucket", "property": "BucketEncryption", "check": "present"},
    ),
    "cfn-s3-public-access": (
        "S3 public access is blocked",
        "cloudformation_security",
        "error",
        {"resource": "AWS::S3::Bucket", "property": "PublicAccessBlockConfiguration", "check": "all_true"},
    ),
    "cfn-iam-no-wildcard-actions": (
        "IAM policies name their actions",
        "cloudformation_security",
        "error",
        {"resource": "AWS::IAM::Policy", "property": "PolicyDocument.Statement.Action", "forbid": "*"},
    ),
    "cfn-sg-no-open-ssh": (
        "No SSH open to the internet",
        "cloudformation_security",
        "error",
        {"resource": "AWS::EC2::SecurityGroup", "port": 22, "forbid_cidr": "0.0.0.0/0"},
    ),
    "semantic-service-name-kebab": (
        "Service names are kebab-case",
        "semantic",
        "warning",
        {"field": "service.name", "pattern": "^[a-z][a-z0-9-]+$"},
    ),
    "semantic-api-paths-plural": (
        "API collection paths are plural nouns",
        "semantic",
        "info",
        {"field": "openapi.paths", "check": "plural_collection"},
    ),
    "semantic-owner-required": (
        "Every service has an owning team",
        "semantic",
        "error",
        {"field": "service.owner_team_id", "check": "references_team"},
    ),
}

# rule_id -> (name, resource type, requirement, severity)
SECURITY_RULES: dict[str, tuple[str, str, str, str]] = {
    "sec-encryption-at-rest": (
        "Encryption at rest",
        "AWS::DynamoDB::Table",
        "SSESpecification.SSEEnabled must be true with a KMS key.",
        "high",
    ),
    "sec-tls-only": (
        "TLS in transit",
        "AWS::S3::BucketPolicy",
        "The bucket policy denies requests where aws:SecureTransport is false.",
        "high",
    ),
    "sec-least-privilege": (
        "Least-privilege IAM",
        "AWS::IAM::Role",
        "No Action or Resource of '*' without a documented exception.",
        "critical",
    ),
    "sec-secrets-manager": (
        "Secrets live in Secrets Manager",
        "AWS::Lambda::Function",
        "Environment variables never hold passwords or API keys; functions read them from Secrets Manager.",
        "critical",
    ),
    "sec-log-retention": (
        "Bounded log retention",
        "AWS::Logs::LogGroup",
        "RetentionInDays is set (30 to 400 days).",
        "medium",
    ),
}

# service_id -> (name, owner team, tier, repository)
SERVICES: dict[str, tuple[str, str, str, str]] = {
    "svc-api-gateway": ("api-gateway", "platform", "critical", "https://github.com/agent-system/api-gateway"),
    "svc-identity": ("identity", "platform", "critical", "https://github.com/agent-system/identity"),
    "svc-agent-orchestrator": (
        "agent-orchestrator",
        "platform",
        "critical",
        "https://github.com/agent-system/agent-orchestrator",
    ),
    "svc-template-registry": (
        "template-registry",
        "developer-experience",
        "standard",
        "https://github.com/agent-system/template-registry",
    ),
    "svc-lint-runner": (
        "lint-runner",
        "developer-experience",
        "standard",
        "https://github.com/agent-system/lint-runner",
    ),
    "svc-checkout": ("checkout", "payments", "critical", "https://github.com/agent-system/checkout"),
    "svc-billing": ("billing", "payments", "standard", "https://github.com/agent-system/billing"),
    "svc-cost-explorer": ("cost-explorer", "platform", "experimental", "https://github.com/agent-system/cost-explorer"),
}

# (dependency_id, service, depends on, kind)
DEPENDENCIES: tuple[tuple[str, str, str, str], ...] = (
    ("dep-001", "svc-api-gateway", "svc-identity", "runtime"),
    ("dep-002", "svc-agent-orchestrator", "svc-template-registry", "runtime"),
    ("dep-003", "svc-agent-orchestrator", "svc-lint-runner", "runtime"),
    ("dep-004", "svc-agent-orchestrator", "svc-identity", "runtime"),
    ("dep-005", "svc-checkout", "svc-identity", "runtime"),
    ("dep-006", "svc-checkout", "svc-billing", "data"),
    ("dep-007", "svc-lint-runner", "svc-template-registry", "build"),
    ("dep-008", "svc-cost-explorer", "svc-billing", "data"),
    ("dep-009", "svc-api-gateway", "svc-agent-orchestrator", "runtime"),
)

# policy_id -> (name, scope, service or None, rules)
POLICIES: dict[str, tuple[str, str, str | None, dict[str, Any]]] = {
    "pol-encryption": (
        "Encrypt data at rest and in transit",
        "global",
        None,
        {"require": ["kms_encryption", "tls_1_2"], "applies_to": ["dynamodb", "s3", "rds"]},
    ),
    "pol-backup-retention": (
        "Backups kept 30 days",
        "global",
        None,
        {"retention_days": 30, "schedule": "daily", "encrypted": True},
    ),
    "pol-checkout-availability": (
        "Checkout availability objective",
        "service",
        "svc-checkout",
        {"slo_availability": 99.95, "max_p99_latency_ms": 800, "on_call_team": "payments"},
    ),
    "pol-identity-mfa": (
        "Administrators use MFA",
        "service",
        "svc-identity",
        {"require_mfa_for": ["admin"], "session_minutes": 60},
    ),
    "pol-orchestrator-change-review": (
        "Orchestrator changes reviewed by the Technical Lead",
        "service",
        "svc-agent-orchestrator",
        {"required_reviewer_persona": "technical-lead", "min_approvals": 1},
    ),
}

# The `minimal` scenario: the Technical Lead's team, its two core services and the global policies.
MINIMAL = {
    "persona": {"technical-lead", "devops-engineer"},
    "team": {"platform"},
    "team_member": {"m-001", "m-002"},
    "artifact_template": {"cfn-encrypted-bucket", "ts-lambda-handler"},
    "validation_rule": {"eslint-no-unused-vars", "cfn-s3-encryption", "semantic-owner-required"},
    "security_rule": {"sec-least-privilege"},
    "service": {"svc-api-gateway", "svc-identity"},
    "dependency": {"dep-001"},
    "policy": {"pol-encryption", "pol-backup-retention"},
}
