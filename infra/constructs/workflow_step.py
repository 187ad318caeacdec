"""One workflow step: invoke an operation's function, keep a readable summary, retry what is transient."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from dataops.workflows import WorkflowStep
from infra.constructs.failure_notice import FAILURE_PATH, FailureNotice

# Errors dataops raises on purpose for conditions that pass on their own. Lambda reports a Python exception's
# class name as its error on AWS; the local target reports every one as Runtime.HandlerError, so there these
# never match and only the Catch on States.ALL applies.
TRANSIENT_OPERATION_ERRORS = ["LockHeld", "StoreUnavailable"]


def operation_step(
    scope: Construct, step: WorkflowStep, function: lambda_.IFunction, failure: FailureNotice
) -> tasks.LambdaInvoke:
    """The step's result lands at `$.steps.<name>`: its status, counts and the step's summary fields."""
    payload = {
        **step.payload,
        **{name: sfn.JsonPath.string_at(f"$.options.{option}") for name, option in step.from_options.items()},
    }
    summary = {
        "operation": step.operation,
        "status": sfn.JsonPath.string_at("$.Payload.status"),
        "counts": sfn.JsonPath.object_at("$.Payload.counts"),
        "duration_ms": sfn.JsonPath.number_at("$.Payload.duration_ms"),
        **{name: sfn.JsonPath.string_at(f"$.Payload.{name}") for name in step.summary_fields},
    }
    invoke = tasks.LambdaInvoke(
        scope,
        f"Step-{step.name}",
        state_name=step.name,
        lambda_function=function,
        payload=sfn.TaskInput.from_object(payload),
        result_selector=summary,
        result_path=f"$.steps.{step.name}",
        # Lambda.ServiceException, AWSLambdaException, SdkClientException, ClientExecutionTimeoutException.
        retry_on_service_exceptions=True,
    )
    invoke.add_retry(errors=["Lambda.TooManyRequestsException"], interval=Duration.seconds(2), max_attempts=3)
    invoke.add_retry(
        errors=TRANSIENT_OPERATION_ERRORS,
        interval=Duration.seconds(10),
        max_attempts=3,
        backoff_rate=2,
    )
    if step.retry_on_failure:
        # Read-only steps may be re-run safely; one more try outlasts a store's short blip on any target.
        invoke.add_retry(errors=[sfn.Errors.TASKS_FAILED], interval=Duration.seconds(5), max_attempts=1)
    invoke.add_catch(failure.for_step(step.name), errors=[sfn.Errors.ALL], result_path=FAILURE_PATH)
    return invoke
