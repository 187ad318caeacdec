"""Lambda door to the `monitor` operation."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dataops.operations.monitor import MONITOR
from dataops.runtime import handle, logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle(MONITOR, event)
