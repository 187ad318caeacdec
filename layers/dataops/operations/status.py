"""`status`: per entity, the count in each store; the store names; the profile."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Literal

from pydantic import BaseModel, Field

from dataops.backup.catalog import latest_complete
from dataops.errors import DataOpsError
from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.framework import Action, Operation
from dataops.operations.migrate import current_version
from dataops.stores.data_stores import DataStores
from dataops.stores.postgres import describe_params


class StatusRequest(OperationRequest):
    action: Literal["show"] = "show"
    count_dynamodb: bool = Field(
        default=True,
        description="Count the table's items per entity (a projected scan of the whole table, charged on every "
        "byte read). False leaves the DynamoDB counts out; `monitor check` estimates them from its sample.",
    )


class EntityCounts(BaseModel):
    entity: str
    dynamodb: int | None = None
    postgres: int | None = None
    opensearch: int | None = None


class StatusOutput(ActionOutput):
    stores: dict[str, str | None]
    entities: list[EntityCounts]


class StatusResult(OperationResult, StatusOutput):
    pass


def _dynamodb_counts(stores: DataStores) -> Counter[str]:
    return stores.table.count_by(stores.profile.table.entity_type_attribute)


def _postgres_counts(stores: DataStores, warnings: list[str]) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for entity, placement in stores.profile.postgres_tables():
        table = placement.table
        if stores.postgres.table_exists(table):
            counts[entity.name] = stores.postgres.count_rows(table)
        else:
            counts[entity.name] = None
            warnings.append(f"postgres: table {table} does not exist yet (apply the migrations)")
    return counts


def _opensearch_counts(stores: DataStores, warnings: list[str]) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for entity_name, index in stores.search_indexes().items():
        counts[entity_name] = stores.search.count(index)
        if counts[entity_name] is None:
            warnings.append(f"opensearch: index {index} does not exist")
    return counts


def _store_names(stores: DataStores) -> dict[str, str | None]:
    names: dict[str, str | None] = {
        "dynamodb": stores.table.name,
        "control_table": stores.control.name,
        "backup_bucket": stores.backups.bucket,
    }
    if stores.profile.uses_postgres:
        try:
            names["postgres"] = describe_params(stores.postgres.params)
        except DataOpsError as exc:
            names["postgres"] = f"unresolved: {exc.message}"
    if stores.profile.uses_opensearch:
        names["opensearch"] = stores.settings.resolved_opensearch_endpoint()
        names["opensearch_indexes"] = ", ".join(stores.search_indexes().values())
    return names


def run_status(request: StatusRequest, stores: DataStores) -> StatusOutput:
    warnings: list[str] = []
    per_store: dict[str, Mapping[str, int | None]] = {}
    readers: dict[str, tuple[bool, Callable[[], Mapping[str, int | None]]]] = {
        "dynamodb": (stores.profile.uses_dynamodb and request.count_dynamodb, lambda: _dynamodb_counts(stores)),
        "postgres": (stores.profile.uses_postgres, lambda: _postgres_counts(stores, warnings)),
        "opensearch": (stores.profile.uses_opensearch, lambda: _opensearch_counts(stores, warnings)),
    }
    for store, (used, read) in readers.items():
        if not used:
            continue
        try:
            per_store[store] = read()
        except DataOpsError as exc:
            warnings.append(f"{store}: {exc.message}")
    details: dict[str, str | None] = {}
    try:
        details["schema_version"] = current_version(stores)
    except DataOpsError as exc:
        warnings.append(f"migrations: {exc.message}")
    try:
        latest = latest_complete(stores)
        details["latest_backup"] = f"{latest.backup_id} ({latest.created.isoformat()})" if latest else None
    except DataOpsError as exc:
        warnings.append(f"backups: {exc.message}")
    entities = [
        EntityCounts(
            entity=entity.name,
            **{
                store: per_store[store].get(entity.name, 0 if store == "dynamodb" else None)
                for store in entity.stores
                if store in per_store
            },
        )
        for entity in stores.profile.entities
    ]
    totals = {
        store: sum(getattr(row, store) or 0 for row in entities)
        for store in ("dynamodb", "postgres", "opensearch")
        if store in per_store
    }
    return StatusOutput(
        counts=totals,
        warnings=warnings,
        details=details,
        stores=_store_names(stores),
        entities=entities,
    )


STATUS = Operation(name="status", result_model=StatusResult, actions=(Action(StatusRequest, run_status),))
