"""Every operation, by name, in one explicit table: handlers, the CLI, workflows and the CDK app read it.

The table names modules rather than importing them, so reading it costs nothing: the CDK app lists functions
without importing a runtime engine, and a handler imports only its own operation.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dataops.errors import UnknownName

if TYPE_CHECKING:
    from dataops.operations.framework import Operation

# name -> the module holding it as the constant `<NAME>`, in the order the docs list them.
OPERATIONS: dict[str, str] = {
    "health": "dataops.operations.health",
    "status": "dataops.operations.status",
    "sync": "dataops.operations.sync",
    "migrate": "dataops.operations.migrate",
    "seed": "dataops.operations.seed",
    "reset": "dataops.operations.reset",
    "validate": "dataops.operations.validate",
    "monitor": "dataops.operations.monitor",
    "maintenance": "dataops.operations.maintenance",
    "backup": "dataops.operations.backup",
    "restore": "dataops.operations.restore",
    "provision": "dataops.operations.provision",
}
# Run at deploy time (CloudFormation custom resources), not invoked by users.
DEPLOY_TIME_FUNCTIONS: tuple[str, ...] = ("provision",)
# Each deployed as its own Lambda function that users, schedules and workflows invoke.
DEPLOYED_OPERATIONS: tuple[str, ...] = tuple(name for name in OPERATIONS if name not in DEPLOY_TIME_FUNCTIONS)


def operation_named(name: str) -> Operation[Any, Any]:
    """The operation called `name`; an unknown name is refused with the valid ones."""
    if name not in OPERATIONS:
        raise UnknownName("operation", name, OPERATIONS)
    operation: Operation[Any, Any] = getattr(importlib.import_module(OPERATIONS[name]), name.upper())
    return operation
