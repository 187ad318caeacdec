"""A fan-out step: plan -> a Map invoking the unit action once per planned unit -> finalize -> a readable summary.

The plan's answer (its job object, e.g. the backup, and the units) is kept at `$.fanout.<step>`, the units'
outcomes next to it; only the finalize task writes `$.steps.<step>`, so the verdict and the summary treat this
step like any other. A dry run stops after the plan (it plans nothing) and reports the plan's result. Each unit's
payload and outcome is small (a unit description; its manifest entries or counts), well under Lambda's and Step
Functions' payload limits. Fields the step carries (the lease) travel from the plan's job object to every unit and
to finalize; with an abort action, a failure of the units calls it (releasing the lease) before the notice;
finalize cleans up after its own failure.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    request = step_payload(step)
    moved = {actions.action_field: request["action"]} if actions.action_field else {}
    job_path = f"{fan_out_path}.{actions.job}"
    carried = {name: sfn.JsonPath.string_at(f"{job_path}.{name}") for name in actions.carried}
    plan = tasks.LambdaInvoke(
        scope,
        f"Plan-{step.name}",
        state_name=f"{step.name}: plan",
        lambda_function=function,
        payload=sfn.TaskInput.from_object({**request, **moved, "action": actions.plan_action}),
        result_selector={
            "status": sfn.JsonPath.string_at("$.Payload.status"),
            "counts": sfn.JsonPath.object_at("$.Payload.counts"),
            "duration_ms": sfn.JsonPath.number_at("$.Payload.duration_ms"),
            actions.job: sfn.JsonPath.string_at(f"$.Payload.{actions.job}"),
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
                actions.job: sfn.JsonPath.string_at(f"$.{actions.job}"),
                **{name: sfn.JsonPath.string_at(f"$.{name}") for name in actions.carried},
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
            actions.job: sfn.JsonPath.string_at(f"{job_path}.{actions.job_id}"),
            **carried,
            "unit": sfn.JsonPath.object_at("$$.Map.Item.Value"),
        },
        max_concurrency=max_concurrency,
        result_path=f"{fan_out_path}.outcomes",
    )
    units.item_processor(unit)
    units.add_catch(
        _aborted(scope, step, function, failure, f"{step.name}: units", carried),
        errors=[sfn.Errors.ALL],
        result_path=FAILURE_PATH,
    )

    finalize = operation_step(
        scope,
        step,
        function,
        failure,
        payload={
            **request,
            **moved,
            "action": actions.finalize_action,
            actions.job: sfn.JsonPath.string_at(f"{job_path}.{actions.job_id}"),
            **carried,
            "outcomes": sfn.JsonPath.list_at(f"{fan_out_path}.outcomes"),
        },
        extra_summary={
            name: sfn.JsonPath.string_at(f"$.Payload.{actions.job}.{name}") for name in actions.summary_fields
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
            **{name: sfn.JsonPath.string_at(f"$.steps.{step.name}.{name}") for name in actions.summary_fields},
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


def _aborted(
    scope: Construct,
    step: WorkflowStep,
    function: lambda_.IFunction,
    failure: FailureNotice,
    failed_state: str,
    carried: Mapping[str, str],
) -> sfn.IChainable:
    """Where a failure after the plan goes: the abort action (if the step has one), then the failure notice.

    An abort that fails itself still leads to the notice; what it would have released then expires on its own."""
    notice = failure.for_step(failed_state)
    actions = step.fan_out
    if actions is None or actions.abort_action is None:
        return notice
    abort = tasks.LambdaInvoke(
        scope,
        f"Abort-{failed_state}",
        state_name=f"{failed_state}: abort",
        lambda_function=function,
        payload=sfn.TaskInput.from_object(
            {
                "action": actions.abort_action,
                actions.job: sfn.JsonPath.string_at(f"$.fanout.{step.name}.{actions.job}.{actions.job_id}"),
                **carried,
                "reason": sfn.JsonPath.format(
                    f"{failed_state} failed: {{}}", sfn.JsonPath.string_at(f"{FAILURE_PATH}.Cause")
                ),
            }
        ),
        result_path=sfn.JsonPath.DISCARD,
        retry_on_service_exceptions=True,
    )
    add_transient_retries(abort)
    abort.add_catch(notice, errors=[sfn.Errors.ALL], result_path="$.abort_failure")
    return abort.next(notice)
