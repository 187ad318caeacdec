"""Shared fixtures: the local stack (started once, idempotently) for integration and e2e tests."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(scope="session")
def local_endpoints():
    """Start MiniStack, PostgreSQL and osmem-server if they are not running yet; `up` is idempotent."""
    from dataops.local import load_endpoints, up

    up()
    endpoints = load_endpoints()
    assert endpoints is not None, "dataops local up wrote no endpoints.json"
    return endpoints


@pytest.fixture
def unique_name():
    def make(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    return make
