"""The data table's stream feeding the stream sync function, with a dead-letter queue for what it cannot apply."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.acknowledge import acknowledge

# A failed record's retries, split batches included, are over within minutes; the queue keeps its pointer for the
# longest SQS allows, so an operator back from a weekend can still replay it.
FAILURE_RETENTION = Duration.days(14)


class StreamToSearch(Construct):
    """Every change of the data table reaches `function`.

    TRIM_HORIZON replays what the stream still holds: harmless, because documents carry external versions.
    Failed records are reported one by one (ReportBatchItemFailures); a batch that keeps failing is split, and a
    record that still fails after the retries goes to `failures` (the shard, sequence numbers and error; not the
    item, which the stream keeps for 24 hours) instead of being dropped unseen. `dataops sync dynamo-to-os`
    repairs what it missed.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        stream_arn: str,
        queue_name: str,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.failures = sqs.Queue(
            self,
            "Failures",
            queue_name=queue_name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=FAILURE_RETENTION,
            removal_policy=removal_policy,
        )
        acknowledge(
            self.failures,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter destination of the stream mapping: nothing consumes it to fail again.",
        )
        lambda_.EventSourceMapping(
            self,
            "Mapping",
            target=function,
            event_source_arn=stream_arn,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=100,
            max_batching_window=Duration.seconds(1),
            bisect_batch_on_error=True,
            retry_attempts=10,
            report_batch_item_failures=True,
            on_failure=event_sources.SqsDlq(self.failures),
        )
