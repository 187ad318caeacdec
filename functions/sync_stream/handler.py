"""Lambda door for DynamoDB Streams: changes of indexed entities reach OpenSearch (partial batch failures)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dataops.operations.sync.stream import handle_stream_batch
from dataops.runtime import container_stores, logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return handle_stream_batch(event, context, container_stores())
