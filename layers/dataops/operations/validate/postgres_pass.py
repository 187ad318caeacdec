"""The PostgreSQL pass: rows streamed through a server-side cursor for schema and rules; references, orphans and
duplicates answered by the server (anti-joins, GROUP BY), and the catalogue checked for keys and indexes.
"""

from __future__ import annotations

from typing import Any

from psycopg2 import sql

from dataops.operations.validate.checker import TIMESTAMP_FIELDS, plain, record_key
from dataops.operations.validate.context import BATCH, Coverage, ParentKeys, ValidationContext, stream_rows
from dataops.operations.validate.report import ValidationIssue
from dataops.profiles.model import EntityDefinition, PostgresPlacement, Reference
from dataops.profiles.rules import UniqueKey

FK_INDEX_QUERY = """
SELECT 1 FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
WHERE n.nspname = 'public' AND t.relname = %s AND a.attname = %s
"""

TABLES_WITHOUT_PRIMARY_KEY = """
SELECT t.table_name FROM information_schema.tables t
WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
AND NOT EXISTS (
    SELECT 1 FROM information_schema.table_constraints c
    WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY'
)
ORDER BY t.table_name
"""


def check_postgres(context: ValidationContext) -> None:
    profile = context.stores.profile
    present = []
    for entity, placement in profile.postgres_tables():
        if not context.in_scope(entity):
            continue
        if not context.stores.postgres.table_exists(placement.table):
            context.warnings.append(f"postgres: table {placement.table} does not exist (apply the migrations)")
            continue
        present.append((entity, placement))
    tables = {placement.table for _, placement in present}
    for entity, placement in present:
        _check_rows(context, entity, placement)
        if context.wants("referential"):
            for ref in profile.references:
                if ref.child == entity.name:
                    _check_reference(context, entity, placement, ref, tables)
        if context.wants("duplicates"):
            for unique in profile.unique_keys:
                if unique.entity == entity.name:
                    _check_duplicates(context, entity, placement, unique)
    if context.wants("performance"):
        _check_catalogue(context, [entity for entity, _ in present])
    context.fixes.flush()


def _select_rows(placement: PostgresPlacement, limit: int | None) -> sql.Composed:
    order = sql.SQL(", ").join(map(sql.Identifier, placement.primary_key))
    if limit is None:
        return sql.SQL("SELECT * FROM {} ORDER BY {}").format(sql.Identifier(placement.table), order)
    if placement.updated_at_column:
        # A sample that always holds the most recently changed rows, where new defects appear.
        recent = sql.SQL("{} DESC NULLS LAST, ").format(sql.Identifier(placement.updated_at_column))
        order = sql.Composed([recent, order])
    return sql.SQL("SELECT * FROM {} ORDER BY {} LIMIT {}").format(
        sql.Identifier(placement.table), order, sql.Literal(limit)
    )


def _check_rows(context: ValidationContext, entity: EntityDefinition, placement: PostgresPlacement) -> None:
    limit = context.sample_per_entity
    batch: list[dict[str, Any]] = []
    checked = 0
    for row in stream_rows(context.stores, _select_rows(placement, limit), as_dicts=True):
        batch.append(plain(dict(row)))
        checked += 1
        if len(batch) >= BATCH:
            _report_rows(context, entity, batch)
            batch = []
    _report_rows(context, entity, batch)
    if limit is not None:
        total = checked
        if checked >= limit:
            with context.stores.postgres.transaction() as cursor:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(placement.table)))
                (total,) = cursor.fetchone() or (checked,)
        context.coverage[entity.name] = Coverage(checked=checked, total=total)


def _report_rows(context: ValidationContext, entity: EntityDefinition, batch: list[dict[str, Any]]) -> None:
    if not batch:
        return
    context.count("postgres", len(batch))
    for record, findings in zip(batch, context.checker.check_batch(entity, batch), strict=True):
        for finding in findings:
            context.report(
                ValidationIssue(
                    entity=entity.name, key=record_key(entity, record), store="postgres", category=finding.category,
                    rule=finding.rule, severity=finding.severity, message=finding.message, field=finding.field,
                )
            )  # fmt: skip


def _check_reference(
    context: ValidationContext, entity: EntityDefinition, placement: PostgresPlacement, ref: Reference,
    tables: set[str],
) -> None:  # fmt: skip
    parent = context.stores.profile.entity(ref.parent)
    rule = f"{ref.child}.{ref.child_field}->{ref.parent}"
    key_columns = sql.SQL(", ").join(sql.SQL("c.{}").format(sql.Identifier(name)) for name in placement.primary_key)
    if parent.postgres is not None and parent.postgres.table in tables:
        # Both sides in PostgreSQL: the server finds the orphans with an anti-join.
        query = sql.SQL(
            "SELECT {keys}, c.{field} FROM {child} c WHERE c.{field} IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM {parent} p WHERE p.{parent_field} = c.{field}) ORDER BY {keys}"
        ).format(
            keys=key_columns, field=sql.Identifier(ref.child_field), child=sql.Identifier(placement.table),
            parent=sql.Identifier(parent.postgres.table), parent_field=sql.Identifier(ref.parent_field),
        )  # fmt: skip
        dangling = list(_rows_with_value(context, query))
    elif parent.dynamodb is not None:
        # Across stores: the parent's key values come from a projected scan, or in a quick (sampled) check from
        # key lookups of the distinct values the children name; child rows stream past them.
        parents = ParentKeys(context.stores, lookup=context.sample_per_entity is not None)
        if parents.lookup:
            distinct = sql.SQL("SELECT DISTINCT {field} FROM {child} WHERE {field} IS NOT NULL").format(
                field=sql.Identifier(ref.child_field), child=sql.Identifier(placement.table)
            )
            named: set[str] = set()
            for (value,) in stream_rows(context.stores, distinct):
                named.add(str(value))
                if len(named) >= BATCH:
                    parents.confirm(parent, ref.parent_field, named)
                    named = set()
            parents.confirm(parent, ref.parent_field, named)
        known = parents.values(parent, ref.parent_field)
        query = sql.SQL("SELECT {keys}, c.{field} FROM {child} c WHERE c.{field} IS NOT NULL ORDER BY {keys}").format(
            keys=key_columns, field=sql.Identifier(ref.child_field), child=sql.Identifier(placement.table)
        )
        dangling = [(keys, value) for keys, value in _rows_with_value(context, query) if str(value) not in known]
    else:
        return
    for keys, value in dangling:
        key = "/".join(str(part) for part in keys)
        where = "" if parent.postgres else " (in DynamoDB)"
        message = f"orphan: {ref.child_field} {value!r} names a {ref.parent}{where} that does not exist"
        context.report(
            ValidationIssue(
                entity=entity.name, key=key, store="postgres", category="orphans", rule=rule, severity="error",
                message=message, fixable=not ref.optional, field=ref.child_field,
            )
        )  # fmt: skip
        if context.fix and not ref.optional:
            context.fixes.delete_row(entity, key, rule, "error", tuple(keys))


def _rows_with_value(context: ValidationContext, query: sql.Composable) -> list[tuple[tuple[Any, ...], Any]]:
    """(primary key values, referenced value) rows; dangling rows are few, so they are collected."""
    return [(tuple(row[:-1]), row[-1]) for row in stream_rows(context.stores, query)]


def _check_duplicates(
    context: ValidationContext, entity: EntityDefinition, placement: PostgresPlacement, unique: UniqueKey
) -> None:
    """GROUP BY the natural key in the server; a group whose rows agree apart from key and timestamps is exact."""
    ignored = [*placement.primary_key, *sorted(TIMESTAMP_FIELDS)]
    keys = sql.SQL(", ").join(map(sql.Identifier, placement.primary_key))
    natural = sql.SQL(", ").join(map(sql.Identifier, unique.fields))
    query = sql.SQL(
        "SELECT json_agg(json_build_array({keys}) ORDER BY {keys}), count(DISTINCT (to_jsonb(t) - %s::text[])) "
        "FROM {table} t WHERE {not_null} GROUP BY {natural} HAVING count(*) > 1"
    ).format(
        keys=keys, table=sql.Identifier(placement.table), natural=natural,
        not_null=sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(sql.Identifier(f)) for f in unique.fields),
    )  # fmt: skip
    rule = f"{entity.name}.duplicate"
    for group_keys, variants in stream_rows(context.stores, query, (ignored,)):
        exact = variants == 1
        kept = "/".join(str(part) for part in group_keys[0])
        for duplicate in group_keys[1:]:
            key = "/".join(str(part) for part in duplicate)
            message = f"duplicate of {kept} on ({', '.join(unique.fields)})" + (
                "; an exact copy" if exact else "; contents differ, merge by hand"
            )
            context.report(
                ValidationIssue(
                    entity=entity.name, key=key, store="postgres", category="duplicates", rule=rule,
                    severity="warning", message=message, fixable=exact,
                )
            )  # fmt: skip
            if context.fix and exact:
                context.fixes.delete_row(entity, key, rule, "warning", tuple(duplicate))


def _check_catalogue(context: ValidationContext, entities: list[EntityDefinition]) -> None:
    names = {entity.name for entity in entities}
    with context.stores.postgres.transaction() as cursor:
        for ref in context.stores.profile.references:
            child = context.stores.profile.entity(ref.child)
            if ref.child not in names or child.postgres is None:
                continue
            cursor.execute(FK_INDEX_QUERY, (child.postgres.table, ref.child_field))
            if cursor.fetchone() is None:
                context.report(
                    ValidationIssue(
                        entity=ref.child, key=child.postgres.table, store="postgres", category="performance",
                        rule="postgres.foreign-key-index", severity="warning", field=ref.child_field,
                        message=f"{child.postgres.table}.{ref.child_field} references {ref.parent} but has no index; "
                        "joins and orphan checks scan the table",
                    )
                )  # fmt: skip
        cursor.execute(TABLES_WITHOUT_PRIMARY_KEY)
        for (table,) in cursor.fetchall():
            context.report(
                ValidationIssue(
                    entity="(table)", key=str(table), store="postgres", category="performance",
                    rule="postgres.primary-key", severity="error", message=f"table {table} has no primary key",
                )
            )  # fmt: skip
