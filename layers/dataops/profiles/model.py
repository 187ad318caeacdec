"""The profile model: how one application's data is laid out across the stores.

The engine reads only this model; it never knows about artists or personas.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dataops.errors import UnknownName
from dataops.profiles.rules import RecordRule, UniqueKey

AttributeType = Literal["S", "N", "B"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)


class KeyAttribute(Frozen):
    name: str
    type: AttributeType = "S"


class GlobalIndexDesign(Frozen):
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None


class TableDesign(Frozen):
    """The DynamoDB table the profile needs (single-table design)."""

    base_name: str = Field(description="Table name before the stage suffix, e.g. 'tattoo-directory'.")
    partition_key: KeyAttribute = KeyAttribute(name="PK")
    sort_key: KeyAttribute | None = KeyAttribute(name="SK")
    indexes: tuple[GlobalIndexDesign, ...] = ()
    entity_type_attribute: str = "entity_type"
    updated_at_attribute: str = Field(default="updated_at", description="Per-item update timestamp, if kept.")


class DynamoPlacement(Frozen):
    """Where an entity lives in the single table. Templates use `{field}` from the entity."""

    key_templates: dict[str, str]
    index_key_templates: dict[str, str] = {}

    def render(self, item: dict[str, Any], *, include_index_keys: bool = True) -> dict[str, str]:
        templates = dict(self.key_templates)
        if include_index_keys:
            templates.update(self.index_key_templates)
        return {attribute: template.format_map(item) for attribute, template in templates.items()}

    def template_fields(self) -> set[str]:
        fields: set[str] = set()
        for template in (*self.key_templates.values(), *self.index_key_templates.values()):
            fields.update(name for _, name, _, _ in string.Formatter().parse(template) if name)
        return fields


class PostgresPlacement(Frozen):
    table: str
    primary_key: tuple[str, ...]
    updated_at_column: str | None = None


class OpenSearchPlacement(Frozen):
    index_base_name: str = Field(description="Index name before the stage suffix, e.g. 'artists'.")
    id_field: str
    mappings: dict[str, Any]
    geo_point: tuple[str, str, str] | None = Field(
        default=None, description="(geo_point field, latitude field, longitude field), derived when indexing."
    )


class EntityDefinition(Frozen):
    name: str
    description: str
    model: type[BaseModel]
    dynamodb: DynamoPlacement | None = None
    postgres: PostgresPlacement | None = None
    opensearch: OpenSearchPlacement | None = None
    pii_fields: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _lives_somewhere(self) -> EntityDefinition:
        if not (self.dynamodb or self.postgres):
            raise ValueError(f"entity {self.name!r} must live in DynamoDB or PostgreSQL")
        if self.dynamodb:
            unknown = self.dynamodb.template_fields() - set(self.model.model_fields)
            if unknown:
                raise ValueError(f"entity {self.name!r} key templates use unknown fields: {sorted(unknown)}")
        return self

    @property
    def stores(self) -> tuple[str, ...]:
        present = (("dynamodb", self.dynamodb), ("postgres", self.postgres), ("opensearch", self.opensearch))
        return tuple(store for store, placement in present if placement is not None)


class Reference(Frozen):
    """child.field -> parent.field; `many` when the child field holds a list of parent keys."""

    child: str
    child_field: str
    parent: str
    parent_field: str
    many: bool = False
    optional: bool = False


@dataclass(frozen=True)
class SeedContext:
    """What a generator may depend on: the seed value, the fixed clock, and how many copies to make.

    Same context, same records: generators draw only from RNGs derived from `seed` and read time only from `clock`.
    """

    seed: int
    clock: datetime
    copies: int = 1


SeedRecords = Iterable[tuple[str, BaseModel]]


class Scenario(Frozen):
    """A named data set: `generate` yields (entity name, record) lazily; `counts` says how many of each it yields."""

    name: str
    description: str
    generate: Callable[[SeedContext], SeedRecords]
    counts: Callable[[SeedContext], dict[str, int]]


class ResetState(Frozen):
    """A named state of the stores and the actions that reach it."""

    name: str
    description: str
    clear: bool = True
    scenario: str | None = None
    copies: int = Field(default=1, ge=1)
    restore_latest_backup: bool = False

    @property
    def actions(self) -> list[str]:
        steps = ["clear all stores"] if self.clear else []
        if self.scenario:
            steps.append(f"seed {self.scenario}" + (f" x{self.copies}" if self.copies > 1 else ""))
        if self.restore_latest_backup:
            steps.append("restore the latest backup")
        return steps


class SeedingCatalog(Frozen):
    default_scenario: str
    scenarios: tuple[Scenario, ...]
    states: tuple[ResetState, ...]

    @model_validator(mode="after")
    def _names_resolve(self) -> SeedingCatalog:
        names = {scenario.name for scenario in self.scenarios}
        wanted = {self.default_scenario} | {state.scenario for state in self.states if state.scenario}
        if wanted - names:
            raise ValueError(f"seeding catalog names unknown scenarios: {sorted(wanted - names)}")
        return self

    def scenario(self, name: str | None) -> Scenario:
        wanted = name or self.default_scenario
        for scenario in self.scenarios:
            if scenario.name == wanted:
                return scenario
        raise UnknownName("scenario", wanted, (scenario.name for scenario in self.scenarios))

    def state(self, name: str) -> ResetState:
        for state in self.states:
            if state.name == name:
                return state
        raise UnknownName("state", name, (state.name for state in self.states))


class Profile(Frozen):
    name: str
    title: str
    description: str
    table: TableDesign
    entities: tuple[EntityDefinition, ...]
    references: tuple[Reference, ...] = ()
    rules: tuple[RecordRule, ...] = Field(default=(), description="Validation rules beyond the entity schemas.")
    unique_keys: tuple[UniqueKey, ...] = Field(
        default=(), description="Natural keys: records sharing one are duplicates."
    )
    migrations_dir: Path | None = None
    seeding: SeedingCatalog | None = None

    @model_validator(mode="after")
    def _references_resolve(self) -> Profile:
        names = {entity.name for entity in self.entities}
        if len(names) != len(self.entities):
            raise ValueError(f"profile {self.name!r} defines an entity twice")
        for ref in self.references:
            for role, entity_name, field in (
                ("child", ref.child, ref.child_field),
                ("parent", ref.parent, ref.parent_field),
            ):
                if entity_name not in names:
                    raise ValueError(f"reference {role} {entity_name!r} is not an entity of {self.name!r}")
                if field not in self.entity(entity_name).model.model_fields:
                    raise ValueError(f"reference field {entity_name}.{field} does not exist")
        return self

    def entity(self, name: str) -> EntityDefinition:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise UnknownName("entity", name, (entity.name for entity in self.entities))

    def entities_in(self, store: str) -> tuple[EntityDefinition, ...]:
        return tuple(entity for entity in self.entities if store in entity.stores)

    def postgres_tables(self) -> list[tuple[EntityDefinition, PostgresPlacement]]:
        return [(entity, entity.postgres) for entity in self.entities if entity.postgres is not None]

    def search_indexes(self) -> list[tuple[EntityDefinition, OpenSearchPlacement]]:
        return [(entity, entity.opensearch) for entity in self.entities if entity.opensearch is not None]

    @property
    def uses_postgres(self) -> bool:
        return bool(self.entities_in("postgres"))

    @property
    def uses_opensearch(self) -> bool:
        return bool(self.entities_in("opensearch"))

    @property
    def uses_dynamodb(self) -> bool:
        return bool(self.entities_in("dynamodb"))
