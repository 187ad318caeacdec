"""One error model for every operation: the message names the field and the reason, never a traceback."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError


class DataOpsError(Exception):
    """Base of every error dataops raises on purpose. `str(err)` is the whole user-facing message."""

    code = "DataOpsError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message}


class InvalidRequest(DataOpsError):
    """The request (event, CLI options or environment) is wrong. Nothing was written."""

    code = "InvalidRequest"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        detail = "; ".join(f"field '{field}': {reason}" for field, reason in self.problems)
        super().__init__(f"invalid request: {detail}")

    @classmethod
    def for_field(cls, field: str, reason: str) -> InvalidRequest:
        return cls([(field, reason)])

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> InvalidRequest:
        return cls(validation_problems(error))


class UnknownName(InvalidRequest):
    """A name (profile, entity, scenario, ...) that is not one of the known ones."""

    def __init__(self, field: str, value: str, valid: Iterable[str]) -> None:
        choices = ", ".join(sorted(valid)) or "(none)"
        super().__init__([(field, f"unknown {field} {value!r}; valid: {choices}")])


class ConfigurationError(DataOpsError):
    """The deployment is missing something the operation needs (a table name, a secret, ...)."""

    code = "ConfigurationError"


class StoreUnavailable(DataOpsError):
    """A store could not be reached or answered with an error."""

    code = "StoreUnavailable"


class LockHeld(DataOpsError):
    """Another run holds the lease lock; mutating operations never overlap."""

    code = "LockHeld"


class LeaseLost(DataOpsError):
    """A workflow's lock lease is gone (released by an abort, or expired and taken by another run)."""

    code = "LeaseLost"


def validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    """Each pydantic error as (field path, reason): the shape every refusal message is built from."""
    return [(validation_path(item["loc"]), _reason(item)) for item in error.errors()]


def validation_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(request)"


def _reason(item: Any) -> str:
    kind = item.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field; remove it"
    if kind == "missing":
        return "required field is missing"
    reason = str(item.get("msg", "invalid"))
    if "input" in item and kind not in {"model_type", "dict_type"}:
        reason = f"{reason} (got {item['input']!r})"
    return reason
