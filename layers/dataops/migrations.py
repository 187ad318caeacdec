"""What a migration file imports, and all it may import from dataops (like alembic's `op`).

    from dataops.migrations import MigrationContext

    def up(ctx: MigrationContext) -> None:
        ctx.execute("ALTER TABLE services ADD COLUMN metadata JSONB DEFAULT '{}'")

Migration files are part of a profile and outlive refactors of the engine, so they name this module only; where
the context is implemented can move without editing a file that is already applied (and checksummed).
"""

from __future__ import annotations

from dataops.operations.migrate.context import MigrationContext

__all__ = ["MigrationContext"]
