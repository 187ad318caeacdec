"""`migrate lint`: the DDL that takes production down, found before it runs, each finding with its fix.

Statements are the ones a dry run of up() captures, parsed with PostgreSQL's own parser (pglast), and judged
against the live database (table sizes, function volatility, column types) and the profile's models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg2.extensions
from pglast import ast, parse_sql
from pglast.enums import AlterTableType, ConstrType
from pglast.parser import ParseError
from pglast.visitors import Visitor
from psycopg2 import sql

from dataops.operations.migrate.models import LintFinding
from dataops.profiles.model import Profile

# Types a column can change to without PostgreSQL rewriting the table (from varchar or text).
NON_REWRITING_TYPES = {"text", "varchar"}
STRING_TYPES = {"text", "character varying"}
SERIAL_TYPES = {"serial", "bigserial", "smallserial", "serial4", "serial8", "serial2"}


@dataclass
class DatabaseFacts:
    """What the rules ask of the live database; read once per table or function."""

    cursor: psycopg2.extensions.cursor
    large_table_rows: int
    _rows: dict[str, int] = field(default_factory=dict)

    def rows(self, relation: ast.RangeVar) -> int:
        """Rows in the table: the planner's estimate, or a count up to the threshold if it was never analysed."""
        name = relation_name(relation)
        if name not in self._rows:
            self.cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", (name,))
            row = self.cursor.fetchone()
            estimate = 0 if row is None else int(row[0])
            if estimate < 0:
                parts = [part for part in (relation.schemaname, relation.relname) if part]
                self.cursor.execute(
                    sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} LIMIT %s) AS sample").format(
                        sql.Identifier(*parts)
                    ),
                    (self.large_table_rows + 1,),
                )
                counted = self.cursor.fetchone()
                estimate = int(counted[0]) if counted else 0
            self._rows[name] = estimate
        return self._rows[name]

    def large(self, relation: ast.RangeVar) -> bool:
        return self.rows(relation) > self.large_table_rows

    def volatile(self, function: str) -> bool:
        self.cursor.execute("SELECT bool_or(provolatile = 'v') FROM pg_proc WHERE proname = %s", (function,))
        row = self.cursor.fetchone()
        return bool(row and row[0])

    def column_type(self, relation: ast.RangeVar, column: str) -> tuple[str, int | None] | None:
        """The column's type now, and its length if it has one."""
        self.cursor.execute(
            "SELECT data_type, character_maximum_length FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = %s AND (%s::text IS NULL OR table_schema = %s)",
            (relation.relname, column, relation.schemaname, relation.schemaname),
        )
        row = self.cursor.fetchone()
        return None if row is None else (str(row[0]), None if row[1] is None else int(row[1]))


class _FunctionNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def visit_FuncCall(self, ancestors: object, node: ast.FuncCall) -> None:  # noqa: N802 - pglast's visitor API
        if node.funcname:
            self.names.append(str(node.funcname[-1].sval))


def relation_name(relation: ast.RangeVar) -> str:
    return f"{relation.schemaname}.{relation.relname}" if relation.schemaname else str(relation.relname)


def type_name(type_: ast.TypeName | None) -> str:
    return str(type_.names[-1].sval) if type_ is not None and type_.names else ""


def model_columns(profile: Profile) -> dict[str, set[str]]:
    """Each PostgreSQL table's columns as the profile's models name them."""
    columns: dict[str, set[str]] = {}
    for entity in profile.entities:
        if entity.postgres is None:
            continue
        names = columns.setdefault(entity.postgres.table, set())
        for name, info in entity.model.model_fields.items():
            names.add(info.alias or name)
    return columns


@dataclass
class MigrationLinter:
    """The rules, applied to one migration's statements at a time."""

    facts: DatabaseFacts
    columns: dict[str, set[str]]

    def lint(self, version: str, name: str, statements: list[str], *, transactional: bool) -> list[LintFinding]:
        findings: list[LintFinding] = []
        for statement in statements:
            try:
                parsed = parse_sql(statement)
            except ParseError as exc:
                findings.append(self._finding(version, name, "unparsable", statement, None, f"{exc}", "fix the SQL"))
                continue
            for raw in parsed:
                if raw.stmt is None:
                    continue
                for rule, table, message, fix in self._judge(raw.stmt, transactional):
                    findings.append(self._finding(version, name, rule, statement, table, message, fix))
        return findings

    def _finding(
        self, version: str, name: str, rule: str, statement: str, table: str | None, message: str, fix: str
    ) -> LintFinding:
        return LintFinding(
            version=version,
            name=name,
            rule=rule,
            table=table,
            statement=" ".join(statement.split()),
            message=message,
            fix=fix,
        )

    def _judge(self, node: ast.Node, transactional: bool) -> Iterator[tuple[str, str | None, str, str]]:
        if isinstance(node, ast.IndexStmt) and node.relation is not None:
            yield from self._index(node, node.relation, transactional)
        elif isinstance(node, ast.AlterTableStmt) and node.relation is not None:
            for command in node.cmds or ():
                yield from self._alter(node.relation, command)

    def _index(
        self, node: ast.IndexStmt, relation: ast.RangeVar, transactional: bool
    ) -> Iterator[tuple[str, str | None, str, str]]:
        table = relation_name(relation)
        if node.concurrent and transactional:
            yield (
                "concurrently_in_transaction",
                table,
                "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this migration runs in one",
                "set `transactional = False` in the migration file",
            )
        if not node.concurrent and self.facts.large(relation):
            yield (
                "index_not_concurrent",
                table,
                f"building an index on {table} ({self.facts.rows(relation):,} rows) without CONCURRENTLY "
                "blocks every write to it until the build ends",
                "CREATE INDEX CONCURRENTLY, in a migration with `transactional = False`",
            )

    def _alter(self, relation: ast.RangeVar, command: ast.AlterTableCmd) -> Iterator[tuple[str, str | None, str, str]]:
        table = relation_name(relation)
        column = command.def_ if isinstance(command.def_, ast.ColumnDef) else None
        if command.subtype == AlterTableType.AT_AddColumn and column is not None:
            yield from self._add_column(relation, column)
        elif command.subtype == AlterTableType.AT_DropColumn and command.name in self.columns.get(
            str(relation.relname), set()
        ):
            yield (
                "dropped_column_in_use",
                table,
                f"column {command.name} is dropped, but the profile's model of {relation.relname} still names it",
                "remove the field from the model (and release that) first, then drop the column",
            )
        elif (
            command.subtype == AlterTableType.AT_AlterColumnType
            and column is not None
            and self.facts.large(relation)
            and self._rewrites(relation, str(command.name), column.typeName)
        ):
            yield (
                "rewriting_type_change",
                table,
                f"changing the type of {table}.{command.name} to {type_name(column.typeName)} rewrites "
                f"the table ({self.facts.rows(relation):,} rows) under an ACCESS EXCLUSIVE lock",
                "add a new column, backfill it in batches, then switch reads and drop the old one",
            )

    def _add_column(self, relation: ast.RangeVar, column: ast.ColumnDef) -> Iterator[tuple[str, str | None, str, str]]:
        table = relation_name(relation)
        constraints = column.constraints or ()
        not_null = column.is_not_null or any(c.contype == ConstrType.CONSTR_NOTNULL for c in constraints)
        default = next((c.raw_expr for c in constraints if c.contype == ConstrType.CONSTR_DEFAULT), None)
        if not_null and default is None and self.facts.rows(relation) > 0:
            yield (
                "not_null_without_default",
                table,
                f"column {column.colname} is added NOT NULL without a default, which fails on {table}'s "
                f"{self.facts.rows(relation):,} existing rows",
                "add it with a DEFAULT, or add it nullable, backfill, then SET NOT NULL",
            )
        volatile = []
        if default is not None:
            names = _FunctionNames()
            names(default)
            volatile = [function for function in names.names if self.facts.volatile(function)]
        if type_name(column.typeName) in SERIAL_TYPES:
            volatile.append("nextval")
        if volatile and self.facts.large(relation):
            yield (
                "volatile_default",
                table,
                f"column {column.colname}'s default calls volatile {', '.join(sorted(set(volatile)))}(), so adding "
                f"it rewrites {table} ({self.facts.rows(relation):,} rows) under an ACCESS EXCLUSIVE lock",
                "add the column without a default, backfill it in batches, then SET DEFAULT",
            )

    def _rewrites(self, relation: ast.RangeVar, column: str, new_type: ast.TypeName | None) -> bool:
        """Only text and varchar widen in place (from text or varchar, to no or a larger length)."""
        current = self.facts.column_type(relation, column)
        if type_name(new_type) not in NON_REWRITING_TYPES or current is None or current[0] not in STRING_TYPES:
            return True
        if new_type is None or type_name(new_type) == "text" or not new_type.typmods:
            return False
        length = current[1]
        wanted = new_type.typmods[0]
        given = wanted.val if isinstance(wanted, ast.A_Const) else None
        return length is None or not isinstance(given, ast.Integer) or (given.ival or 0) < length
