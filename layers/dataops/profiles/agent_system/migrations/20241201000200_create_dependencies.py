"""Dependency edges between services: one row per `Dependency`."""

from dataops.migrations import MigrationContext

version = "20241201000200"
name = "Create Dependencies"
description = "Create the dependencies table, with foreign keys to services and an index on each"


def up(ctx: MigrationContext) -> None:
    ctx.execute(
        """
        CREATE TABLE dependencies (
            dependency_id text PRIMARY KEY,
            service_id text NOT NULL REFERENCES services (service_id),
            depends_on_service_id text NOT NULL REFERENCES services (service_id),
            kind text NOT NULL CHECK (kind IN ('runtime', 'build', 'data')),
            created_at timestamptz NOT NULL
        )
        """
    )
    ctx.execute("CREATE INDEX dependencies_service_id_idx ON dependencies (service_id)")
    ctx.execute("CREATE INDEX dependencies_depends_on_service_id_idx ON dependencies (depends_on_service_id)")


def down(ctx: MigrationContext) -> None:
    ctx.execute("DROP TABLE dependencies")


def validate(ctx: MigrationContext) -> bool:
    return bool(ctx.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'dependencies'"))
