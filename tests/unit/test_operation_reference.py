"""docs/operations.md is generated from the models; a change to a model without `make docs` fails here."""

from __future__ import annotations

import difflib

from dataops.registry import OPERATIONS, operation_named
from docs.reference import OUTPUT, render


def test_the_committed_reference_is_what_the_models_render():
    rendered, committed = render(), OUTPUT.read_text()
    if rendered != committed:
        lines = difflib.unified_diff(committed.splitlines(True), rendered.splitlines(True), "committed", "models")
        diff = "".join(list(lines)[:60])
        raise AssertionError(f"docs/operations.md is stale; run `make docs`:\n{diff}")


def test_the_reference_names_every_action_and_field():
    text = render()
    for name in OPERATIONS:
        operation = operation_named(name)
        assert f"\n## {name}\n" in text
        for action in operation.action_names:
            assert f"### `{name} {action}`" in text
        for field in operation.request_fields - {"action"}:
            assert f"| `{field}` |" in text, (name, field)


def test_a_default_read_from_the_environment_names_its_variable():
    text = render()
    assert "| `skip_existing` | bool | `true` | `SKIP_EXISTING` |" in text
    assert "| `retention_days` | int | `30` | `RETENTION_DAYS` |" in text
