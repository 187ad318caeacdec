"""Seed 000's example migration."""

from dataops.migrations import MigrationContext

version = "20241203120000"
name = "Add Service Metadata"
description = "Add metadata column to services table"


def up(ctx: MigrationContext) -> None:
    ctx.execute("ALTER TABLE services ADD COLUMN metadata JSONB DEFAULT '{}'")


def down(ctx: MigrationContext) -> None:
    ctx.execute("ALTER TABLE services DROP COLUMN metadata")


def validate(ctx: MigrationContext) -> bool:
    return bool(
        ctx.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'services' AND column_name = 'metadata'")
    )
