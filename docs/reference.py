"""Write docs/operations.md from the operations' request and result models: `make docs` (or `python -m docs.reference`).

Every action, field, type, default, environment variable and a minimal payload comes from the models themselves,
so the reference cannot drift from the code: tests/unit/test_operation_reference.py fails when the committed file
differs from what this renders.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from dataops.config import BehaviourDefaults
from dataops.models import ENVELOPE_FIELDS, OperationRequest
from dataops.operations.framework import Action, Lease, Operation
from dataops.registry import DEPLOYED_OPERATIONS, OPERATIONS, operation_named
from dataops.workflows import WORKFLOWS
from infra.config import DEFAULT_SIZING, OPERATION_SIZING

OUTPUT = Path(__file__).resolve().parent / "operations.md"
LEASE_ROLES = {
    Lease.TAKE: "plans a workflow job: takes the lease",
    Lease.KEEP: "a workflow unit: renews the lease",
    Lease.RELEASE: "ends a workflow job: releases the lease",
    Lease.ABANDON: "a workflow's catch: releases the lease",
}


def type_name(annotation: Any) -> str:
    """A field's type as a reader writes it: `'full' | 'snapshot'`, `list[str]`, `int | null`."""
    if annotation is type(None):
        return "null"
    origin = get_origin(annotation)
    if origin is Literal:
        return " \\| ".join(json.dumps(value) for value in get_args(annotation))
    if origin in (Union, types.UnionType):
        return " \\| ".join(type_name(arg) for arg in get_args(annotation))
    if origin is not None:
        base = getattr(origin, "__name__", str(origin)).replace("Annotated", "")
        if base == "":
            return type_name(get_args(annotation)[0])
        return f"{base}[{', '.join(type_name(arg) for arg in get_args(annotation))}]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"object ({annotation.__name__})"
    return getattr(annotation, "__name__", str(annotation))


@contextmanager
def clean_environment() -> Iterator[None]:
    """Defaults that come from the environment are rendered as they are without any variable set."""
    names = [alias for field in BehaviourDefaults.model_fields.values() for alias in env_names(field)]
    saved = {name: os.environ.pop(name) for name in list(os.environ) if name.upper() in names}
    try:
        yield
    finally:
        os.environ.update(saved)


def env_names(field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    choices = getattr(alias, "choices", None) or ([alias] if isinstance(alias, str) else [])
    return [str(choice).upper() for choice in choices]


def env_variable(factory: Callable[[], Any]) -> str | None:
    """Which behaviour switch a default_factory reads: the one whose variable, flipped, changes its value."""
    baseline = factory()
    for name, field in BehaviourDefaults.model_fields.items():
        variable = env_names(field)[0]
        flipped = _flipped(field.default)
        os.environ[variable] = flipped
        try:
            changed = factory() != baseline
        except Exception:  # noqa: BLE001 - a factory that refuses the flipped value reads it too
            changed = True
        finally:
            del os.environ[variable]
        if changed:
            return variable
        del name
    return None


def _flipped(default: Any) -> str:
    if isinstance(default, bool):
        return "false" if default else "true"
    if isinstance(default, int):
        return str(default + 7)
    return "reference-marker"


def default_text(field: FieldInfo) -> tuple[str, str | None]:
    """(the default as JSON, or "required"; the environment variable that sets it, if any)."""
    if field.default_factory is not None:
        factory: Callable[[], Any] = field.default_factory  # type: ignore[assignment]
        return f"`{json.dumps(factory(), default=str)}`", env_variable(factory)
    if field.default is PydanticUndefined:
        return "**required**", None
    return f"`{json.dumps(field.default, default=str)}`", None


def example_payload(model: type[OperationRequest], action: str, default_action: str | None) -> dict[str, Any]:
    """The smallest payload of the action: its name (unless it is the default) and its required fields."""
    payload: dict[str, Any] = {} if action == default_action else {"action": action}
    for name, field in model.model_fields.items():
        if name == "action" or field.default is not PydanticUndefined or field.default_factory is not None:
            continue
        examples = field.examples or []
        payload[name] = examples[0] if examples else f"<{name}>"
    return payload


def action_rows(operation: Operation[Any, Any]) -> Iterator[tuple[str, Action[Any]]]:
    for action in operation.actions:
        for name in action.names:
            yield name, action


def render_action(operation: Operation[Any, Any], name: str, action: Action[Any]) -> list[str]:
    model = action.request_model
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    changes = "changes data" if action.mutates is True else ("may change data" if callable(action.mutates) else "")
    notes = [note for note in (changes, LEASE_ROLES.get(action.lease) if action.lease else "") if note]
    default = " (the default action)" if name == operation.default_action else ""
    lines = [f"### `{operation.name} {name}`{default}", ""]
    if doc:
        lines += [doc, ""]
    if notes:
        lines += [f"*{'; '.join(notes)}.*", ""]
    lines += ["| field | type | default | env | description |", "|---|---|---|---|---|"]
    for field_name, field in model.model_fields.items():
        if field_name == "action":
            continue
        default, variable = default_text(field)
        description = (field.description or "").replace("|", "\\|").replace("\n", " ")
        env = f"`{variable}`" if variable else ""
        lines.append(f"| `{field_name}` | {type_name(field.annotation)} | {default} | {env} | {description} |")
    payload = example_payload(model, name, operation.default_action)
    lines += ["", f"Payload: `{json.dumps(payload)}`", ""]
    return lines


def render_result(operation: Operation[Any, Any]) -> list[str]:
    fields = operation.result_model.model_fields
    own = [name for name in fields if name not in ENVELOPE_FIELDS]
    lines = [
        f"### Result (`{operation.result_model.__name__}`)",
        "",
        f"The envelope ({', '.join(f'`{name}`' for name in ENVELOPE_FIELDS)}), then:",
        "",
        "| field | type | description |",
        "|---|---|---|",
    ]
    for name in own:
        field = fields[name]
        description = (field.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {type_name(field.annotation)} | {description} |")
    return [*lines, ""]


def render_operation(name: str) -> list[str]:
    operation = operation_named(name)
    module = importlib.import_module(OPERATIONS[name])
    summary = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    timeout, memory = OPERATION_SIZING.get(name, DEFAULT_SIZING)
    deployed = (
        f"Function `dataops-<profile>-<stage>-{name}` ({timeout} s, {memory} MB)"
        if name in DEPLOYED_OPERATIONS
        else "Run by CloudFormation at deploy time (a custom resource), not invoked by users"
    )
    fanned = [workflow.name for workflow in WORKFLOWS.values() for step in workflow.steps if step.operation == name]
    actions = ", ".join(f"`{action}`" for action in operation.action_names)
    lines = [f"## {name}", "", summary, "", f"{deployed}. Actions: {actions}."]
    if fanned:
        lines[-1] += f" Workflows that call it: {', '.join(f'`{w}`' for w in dict.fromkeys(fanned))}."
    lines.append("")
    for action_name, action in action_rows(operation):
        lines += render_action(operation, action_name, action)
    return lines + render_result(operation)


def render() -> str:
    with clean_environment():
        lines = [
            "# Operations reference",
            "",
            "<!-- Generated by `make docs` (docs/reference.py) from the request and result models; do not edit. -->",
            "",
            "Every operation takes one JSON object (the Lambda event, the CLI's request, a workflow step's payload)",
            "and returns one. Each action has its own request model: a field that belongs to another action, an",
            "unknown field, a wrong type or a missing required field is refused before anything is written, naming",
            "the field. Every request also takes `dry_run` (default from `DRY_RUN`): plan and report, write nothing.",
            "Defaults marked with an environment variable take it from the function's (or the shell's) environment.",
            "",
            "| operation | actions |",
            "|---|---|",
        ]
        for name in OPERATIONS:
            actions = ", ".join(f"`{action}`" for action in operation_named(name).action_names)
            lines.append(f"| [{name}](#{name}) | {actions} |")
        lines.append("")
        for name in OPERATIONS:
            lines += render_operation(name)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
