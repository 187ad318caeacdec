"""Every example request in the README is a valid request of its operation's models, so the docs cannot drift
from what the functions accept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dataops.registry import OPERATIONS, operation_named

README = Path(__file__).resolve().parents[2] / "README.md"
# `awslocal lambda invoke --function-name dataops-<profile>-<stage>-<operation> [\\\n] --payload '<json>'`
INVOKE = re.compile(r"--function-name dataops-[a-z-]+?-(?P<operation>[a-z_]+)\s+(?:\\\s+)?--payload '(?P<json>[^']+)'")
INLINE = re.compile(r"`(\{[^`]*\})`")


def invoked_payloads(text: str) -> list[tuple[str, str]]:
    return [(found["operation"], found["json"]) for found in INVOKE.finditer(text)]


def section_payloads(text: str) -> list[tuple[tuple[str, ...], str]]:
    """Inline JSON objects under an operation's heading (`### backup and restore` names two)."""
    found: list[tuple[tuple[str, ...], str]] = []
    operations: tuple[str, ...] = ()
    for line in text.splitlines():
        if line.startswith("#"):
            words = re.findall(r"[a-z_]+", line.lower())
            operations = tuple(word for word in words if word in OPERATIONS) if line.startswith("### ") else ()
            continue
        for span in INLINE.findall(line) if operations else ():
            try:
                payload = json.loads(span)
            except json.JSONDecodeError:
                continue  # a sketch of a shape, such as {"entity", "dynamodb", ...}
            if isinstance(payload, dict) and (not payload or "action" in payload or "target" in payload):
                found.append((operations, span))
    return found


def accepted_by(operations: tuple[str, ...], span: str) -> list[str]:
    accepted = []
    for name in operations:
        try:
            operation_named(name).parse(json.loads(span))
        except Exception:  # noqa: BLE001, S112 - refused by this operation; another of the heading may take it
            continue
        accepted.append(name)
    return accepted


README_TEXT = README.read_text()


@pytest.mark.parametrize(("operation", "payload"), invoked_payloads(README_TEXT))
def test_every_invoked_payload_is_a_valid_request(operation: str, payload: str) -> None:
    operation_named(operation).parse(json.loads(payload))


@pytest.mark.parametrize(("operations", "payload"), section_payloads(README_TEXT))
def test_every_documented_request_is_valid_for_its_operation(operations: tuple[str, ...], payload: str) -> None:
    assert accepted_by(operations, payload), f"{payload} is refused by {' and '.join(operations)}"


def test_the_readme_examples_were_found() -> None:
    # A change to the README's shape that hid the examples from this test would otherwise pass silently.
    assert len(invoked_payloads(README_TEXT)) >= 20
    assert len(section_payloads(README_TEXT)) >= 25
    assert {name for name, _ in invoked_payloads(README_TEXT)} >= {"backup", "restore", "sync", "seed", "migrate"}


def test_a_payload_with_another_actions_field_would_be_caught() -> None:
    assert accepted_by(("backup",), '{"action": "list", "name": "nightly"}') == []
