"""Policies, global or for one service: one row per `Policy`."""

from dataops.migrations import MigrationContext

version = "20241201000300"
name = "Create Policies"
description = "Create the policies table, with an optional foreign key to services and its index"


def up(ctx: MigrationContext) -> None:
    ctx.execute(
        """
        CREATE TABLE policies (
            policy_id text PRIMARY KEY,
            name text NOT NULL,
            scope text NOT NULL CHECK (scope IN ('global', 'service')),
            service_id text REFERENCES services (service_id),
            rules jsonb NOT NULL,
            enabled boolean NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """
    )
    ctx.execute("CREATE INDEX policies_service_id_idx ON policies (service_id)")


def down(ctx: MigrationContext) -> None:
    ctx.execute("DROP TABLE policies")


def validate(ctx: MigrationContext) -> bool:
    return bool(ctx.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'policies'"))
