"""The service catalogue: one row per `Service` (profiles/agent_system/entities.py)."""

from dataops.migrations import MigrationContext

version = "20241201000100"
name = "Create Services"
description = "Create the services table, with an index on the owning team"


def up(ctx: MigrationContext) -> None:
    ctx.execute(
        """
        CREATE TABLE services (
            service_id text PRIMARY KEY,
            name text NOT NULL,
            owner_team_id text NOT NULL,
            tier text NOT NULL CHECK (tier IN ('critical', 'standard', 'experimental')),
            repository_url text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """
    )
    # owner_team_id refers to a team in DynamoDB: no FOREIGN KEY can hold it, but lookups by team still need an index.
    ctx.execute("CREATE INDEX services_owner_team_id_idx ON services (owner_team_id)")


def down(ctx: MigrationContext) -> None:
    ctx.execute("DROP TABLE services")


def validate(ctx: MigrationContext) -> bool:
    return bool(ctx.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'services'"))
