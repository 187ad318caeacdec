"""One workflow step: invoke an operation's function, keep a readable summary, retry what is transient."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


def step_payload(step: WorkflowStep) -> dict[str, Any]:
    """The step's fixed payload, with the fields that come from the workflow's options."""
    return {
        **step.payload,
        **{name: sfn.JsonPath.string_at(f"$.options.{option}") for name, option in step.from_options.items()},
    }


def add_transient_retries(invoke: tasks.LambdaInvoke) -> None:
    invoke.add_retry(errors=["Lambda.TooManyRequestsException"], interval=Duration.seconds(2), max_attempts=3)
    invoke.add_retry(
        errors=TRANSIENT_OPERATION_ERRORS,
        interval=Duration.seconds(10),
        max_attempts=3,
        backoff_rate=2,
    )


def operation_step(
    scope: Construct,
    step: WorkflowStep,
    function: lambda_.IFunction,
    failure: FailureNotice,
    *,
    payload: Mapping[str, Any] | None = None,
    extra_summary: Mapping[str, Any] | None = None,
) -> tasks.LambdaInvoke:
    """The step's result lands at `$.steps.<name>`: its status, counts and the step's summary fields.

    `payload` replaces the step's own (a fan-out's finalize call); `extra_summary` adds result fields."""
    summary = {
        "operation": step.operation,
        "status": sfn.JsonPath.string_at("$.Payload.status"),
        "counts": sfn.JsonPath.object_at("$.Payload.counts"),
        "duration_ms": sfn.JsonPath.number_at("$.Payload.duration_ms"),
        **{name: sfn.JsonPath.string_at(f"$.Payload.{name}") for name in step.summary_fields},
        **(extra_summary or {}),
    }
    invoke = tasks.LambdaInvoke(
        scope,
        f"Step-{step.name}",
        state_name=step.name,
        lambda_function=function,
        payload=sfn.TaskInput.from_object(dict(payload) if payload is not None else step_payload(step)),
        result_selector=summary,
        result_path=f"$.steps.{step.name}",
        # Lambda.ServiceException, AWSLambdaException, SdkClientException, ClientExecutionTimeoutException.
        retry_on_service_exceptions=True,
    )
    add_transient_retries(invoke)
    if step.retry_on_failure:
        # Read-only steps may be re-run safely; one more try outlasts a store's short blip on any target.
        invoke.add_retry(errors=[sfn.Errors.TASKS_FAILED], interval=Duration.seconds(5), max_attempts=1)
    invoke.add_catch(failure.for_step(step.name), errors=[sfn.Errors.ALL], result_path=FAILURE_PATH)
    return invoke
