"""Lambda-side glue shared by every handler: Powertools observability and the event -> operation -> JSON door."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from dataops.config import load_settings
from dataops.errors import DataOpsError
from dataops.operations.framework import Operation
from dataops.profiles import load_profile
from dataops.registry import operation_named
from dataops.stores.data_stores import DataStores

logger = Logger()
metrics = Metrics()
tracer = Tracer()


@cache
def container_stores() -> DataStores:
    """Built once per container, so clients and the PostgreSQL connection are reused across invocations."""
    settings = load_settings()
    return DataStores(settings, load_profile(settings.profile))


def handle(operation: Operation[Any, Any], event: Mapping[str, Any] | None) -> dict[str, Any]:
    """Parse, run, return JSON. Errors are raised (so Step Functions can catch them) with a one-line message."""
    metrics.add_dimension(name="operation", value=operation.name)
    try:
        request = operation.parse(event)
        result = operation.run(request, container_stores())
    except DataOpsError as exc:
        logger.warning("operation refused or failed", extra={"error": exc.code, "reason": exc.message})
        metrics.add_metric(name="OperationFailed", unit=MetricUnit.Count, value=1)
        raise
    except Exception as exc:
        logger.exception("operation crashed")
        metrics.add_metric(name="OperationFailed", unit=MetricUnit.Count, value=1)
        raise DataOpsError(f"{operation.name} failed unexpectedly: {type(exc).__name__}: {exc}") from None
    metrics.add_metric(name="OperationSucceeded", unit=MetricUnit.Count, value=1)
    payload: dict[str, Any] = result.to_event()
    return payload


LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def lambda_handler_for(name: str) -> LambdaHandler:
    """The Lambda door to the registered operation `name`: observability wrapped around `handle`.

    The tracer records no response: results quote record values (validation messages do), and traces must not
    carry them.
    """
    operation = operation_named(name)

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    @tracer.capture_lambda_handler(capture_response=False)
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return handle(operation, event)

    return cast(LambdaHandler, lambda_handler)
