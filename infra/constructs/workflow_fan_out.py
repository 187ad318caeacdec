"""A fan-out step: plan -> a Map invoking the unit action once per planned unit -> finalize -> a readable summary.

The plan's answer (backup id, units) is kept at `$.fanout.<step>`, the units' outcomes next to it; only the
finalize task writes `$.steps.<step>`, so the verdict and the summary treat this step like any other. A dry run
stops after the plan (it plans nothing) and reports the plan's result. Each unit's payload and outcome is small
(a unit description; its manifest entries), well under Lambda's and Step Functions' payload limits.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from dataops.workflows import WorkflowStep
from infra.constructs.failure_notice import FAILURE_PATH, FailureNotice
from infra.constructs.workflow_step import add_transient_retries, operation_step, step_payload


def fan_out_step(
    scope: Construct,
    step: WorkflowStep,
    function: lambda_.IFunction,
    failure: FailureNotice,
    max_concurrency: int,
) -> sfn.Chain:
    if step.fan_out is None:
        raise ValueError(f"step {step.name} does not fan out")
    actions, fan_out_path = step.fan_out, f"$.fanout.{step.name}"
    plan = tasks.LambdaInvoke(
        scope,
        f"Plan-{step.name}",
        state_name=f"{step.name}: plan",
        lambda_function=function,
        payload=sfn.TaskInput.from_object({**step_payload(step), "action": actions.plan_action}),
        result_selector={
            "status": sfn.JsonPath.string_at("$.Payload.status"),
            "counts": sfn.JsonPath.object_at("$.Payload.counts"),
            "duration_ms": sfn.JsonPath.number_at("$.Payload.duration_ms"),
            "backup": sfn.JsonPath.string_at("$.Payload.backup"),
            "units": sfn.JsonPath.list_at("$.Payload.units"),
        },
        result_path=fan_out_path,
        retry_on_service_exceptions=True,
    )
    add_transient_retries(plan)
    plan.add_catch(failure.for_step(f"{step.name}: plan"), errors=[sfn.Errors.ALL], result_path=FAILURE_PATH)

    unit = tasks.LambdaInvoke(
        scope,
        f"Unit-{step.name}",
        state_name=f"{step.name}: unit",
        lambda_function=function,
        payload=sfn.TaskInput.from_object(
            {
                "action": actions.unit_action,
                "backup": sfn.JsonPath.string_at("$.backup"),
                "unit": sfn.JsonPath.object_at("$.unit"),
            }
        ),
        # Only the outcome (manifest entries, index mappings) goes back into the execution's state.
        result_selector={"outcome": sfn.JsonPath.object_at("$.Payload.outcome")},
        output_path="$.outcome",
        retry_on_service_exceptions=True,
    )
    add_transient_retries(unit)
    # A unit rewrites the same objects of the same backup, so one more try after any failure is safe.
    unit.add_retry(errors=[sfn.Errors.TASKS_FAILED], interval=Duration.seconds(5), max_attempts=1)
    units = sfn.Map(
        scope,
        f"Units-{step.name}",
        state_name=f"{step.name}: units",
        items_path=f"{fan_out_path}.units",
        item_selector={
            "backup": sfn.JsonPath.string_at(f"{fan_out_path}.backup.backup_id"),
            "unit": sfn.JsonPath.object_at("$$.Map.Item.Value"),
        },
        max_concurrency=max_concurrency,
        result_path=f"{fan_out_path}.outcomes",
    )
    units.item_processor(unit)
    units.add_catch(failure.for_step(f"{step.name}: units"), errors=[sfn.Errors.ALL], result_path=FAILURE_PATH)

    finalize = operation_step(
        scope,
        step,
        function,
        failure,
        payload={
            **step_payload(step),
            "action": actions.finalize_action,
            "backup": sfn.JsonPath.string_at(f"{fan_out_path}.backup.backup_id"),
            "outcomes": sfn.JsonPath.list_at(f"{fan_out_path}.outcomes"),
        },
        extra_summary={
            "backup_id": sfn.JsonPath.string_at("$.Payload.backup.backup_id"),
            "stored_bytes": sfn.JsonPath.number_at("$.Payload.backup.stored_bytes"),
        },
    )
    summary = sfn.Pass(
        scope,
        f"Summary-{step.name}",
        state_name=f"{step.name}: summary",
        parameters={
            "operation": step.operation,
            "status": sfn.JsonPath.string_at(f"$.steps.{step.name}.status"),
            # {"units": n} from the plan, merged with the rows per table that finalize counted in the manifest.
            "counts": sfn.JsonPath.json_merge(
                sfn.JsonPath.object_at(f"{fan_out_path}.counts"), sfn.JsonPath.object_at(f"$.steps.{step.name}.counts")
            ),
            "backup_id": sfn.JsonPath.string_at(f"$.steps.{step.name}.backup_id"),
            "stored_bytes": sfn.JsonPath.number_at(f"$.steps.{step.name}.stored_bytes"),
            "duration_ms": sfn.JsonPath.number_at(f"$.steps.{step.name}.duration_ms"),
        },
        result_path=f"$.steps.{step.name}",
    )
    planned = sfn.Pass(
        scope,
        f"DryRun-{step.name}",
        state_name=f"{step.name}: dry run",
        parameters={
            "operation": step.operation,
            "status": sfn.JsonPath.string_at(f"{fan_out_path}.status"),
            "counts": sfn.JsonPath.object_at(f"{fan_out_path}.counts"),
            "duration_ms": sfn.JsonPath.number_at(f"{fan_out_path}.duration_ms"),
        },
        result_path=f"$.steps.{step.name}",
    )
    after_plan = sfn.Choice(scope, f"DryRunChoice-{step.name}", state_name=f"{step.name}: dry run?")
    after_plan.when(sfn.Condition.boolean_equals("$.options.dry_run", True), planned).otherwise(
        units.next(finalize).next(summary)
    )
    plan.next(after_plan)
    return sfn.Chain.custom(plan, after_plan.afterwards().end_states, after_plan)
