"""What every fan-out test on real stores does: call an action as a Lambda invocation would (JSON in, JSON out),
and ask whether the mutation lock is held."""

from __future__ import annotations

import json
from typing import Any

from dataops.locks import LOCK_SK
from dataops.operations.framework import MUTATION_LOCK, Operation
from dataops.stores.data_stores import DataStores

LOCK_KEY = {"PK": f"LOCK#{MUTATION_LOCK}", "SK": LOCK_SK}


def as_lambda(operation: Operation[Any, Any], payload: dict[str, Any], stores: DataStores) -> dict[str, Any]:
    """The action's result for `payload`, both passed through JSON as the Lambda runtime passes them."""
    result = operation.run(operation.parse(json.loads(json.dumps(payload))), stores)
    answer: dict[str, Any] = json.loads(json.dumps(result.to_event()))
    return answer


def locked(stores: DataStores) -> bool:
    return stores.control.get(LOCK_KEY) is not None
