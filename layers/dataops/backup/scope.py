"""Which names a backup, restore or export may cover, resolved against the profile.

Names are DynamoDB entity names (`persona`, `artist`), PostgreSQL table names (`services`) and OpenSearch index
base names (`artists`); the stores' names (`dynamodb`, `postgres`, `opensearch`) stand for everything they hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from dataops.backup.manifest import BackupScope
from dataops.errors import InvalidRequest, UnknownName
from dataops.profiles import Profile
from dataops.profiles.model import PostgresPlacement

STORE_NAMES = ("dynamodb", "postgres", "opensearch")


def full_scope(profile: Profile) -> BackupScope:
    return BackupScope(
        dynamodb=[entity.name for entity in profile.entities_in("dynamodb")],
        postgres=[placement.table for _, placement in postgres_tables_in_load_order(profile)],
        opensearch=[placement.index_base_name for _, placement in profile.search_indexes()],
    )


def resolve_scope(profile: Profile, names: Iterable[str] | None, field: str = "tables") -> BackupScope:
    """The full scope when `names` is None; otherwise exactly the named parts, in load order."""
    everything = full_scope(profile)
    if names is None:
        return everything
    wanted = {name.strip() for name in names if name.strip()}
    if not wanted:
        raise InvalidRequest.for_field(field, "must name at least one table, entity or index")
    valid = {*everything.names(), *(store for store in STORE_NAMES if getattr(everything, store))}
    for name in sorted(wanted):
        if name not in valid:
            raise UnknownName(field, name, valid)
    return BackupScope(
        **{
            store: [name for name in getattr(everything, store) if name in wanted or store in wanted]
            for store in STORE_NAMES
        }
    )


def narrow(scope: BackupScope, names: Iterable[str] | None, field: str) -> BackupScope:
    """Part of an existing backup's scope; a name the backup does not hold is refused."""
    if names is None:
        return scope
    wanted = {name.strip() for name in names if name.strip()}
    held = {*scope.names(), *(store for store in STORE_NAMES if getattr(scope, store))}
    for name in sorted(wanted):
        if name not in held:
            raise UnknownName(field, name, held)
    return BackupScope(
        **{
            store: [name for name in getattr(scope, store) if name in wanted or store in wanted]
            for store in STORE_NAMES
        }
    )


def postgres_tables_in_load_order(profile: Profile) -> list[tuple[str, PostgresPlacement]]:
    """PostgreSQL tables with every referenced (parent) table before its children, so COPY FROM meets foreign keys."""
    tables = {entity.name: placement for entity, placement in profile.postgres_tables()}
    parents: dict[str, set[str]] = {name: set() for name in tables}
    for reference in profile.references:
        if reference.child in tables and reference.parent in tables and reference.child != reference.parent:
            parents[reference.child].add(reference.parent)
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [name for name in tables if name not in ordered and parents[name] <= set(ordered)]
        # A reference cycle cannot be ordered; fall back to declaration order for what is left.
        ordered.extend(ready or [name for name in tables if name not in ordered])
    return [(name, tables[name]) for name in ordered]


def entity_for_table(profile: Profile, table: str) -> str:
    for entity, placement in profile.postgres_tables():
        if placement.table == table:
            return entity.name
    raise UnknownName("table", table, (placement.table for _, placement in profile.postgres_tables()))


def entity_for_index(profile: Profile, index_base_name: str) -> str:
    for entity, placement in profile.search_indexes():
        if placement.index_base_name == index_base_name:
            return entity.name
    raise UnknownName("index", index_base_name, (p.index_base_name for _, p in profile.search_indexes()))
