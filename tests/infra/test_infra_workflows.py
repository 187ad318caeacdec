"""The workflow state machines and their schedules, synthesized with every operation the catalog calls deployed.

The shared App only builds the workflows whose operations are deployed at the time; this App deploys them all,
so each state machine's shape is asserted whatever has landed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template

from dataops import naming
from dataops.workflows import WORKFLOWS
from infra.config import DeploymentConfig
from infra.deployment import check_with_cdk_nag
from infra.stacks.workflows import WorkflowsStack
from tests.infra.synth_support import STAGE, VALIDATION_REPORT, AssetDirs, cdk_json_feature_flags

PROFILE = "agent_system"
ALL_OPERATIONS = tuple(sorted({operation for workflow in WORKFLOWS.values() for operation in workflow.operations}))
# agent_system has no search index, so the workflows that need one (sync) are not deployed for it.
AGENT_WORKFLOWS = [name for name, workflow in WORKFLOWS.items() if not workflow.needs_search]


def agent_steps(workflow: str) -> tuple[Any, ...]:
    """The workflow's steps as agent_system deploys it: without the steps that settle a search index."""
    return WORKFLOWS[workflow].for_profile(has_search=False).steps


def _synthesize(
    outdir: Path, asset_dirs: AssetDirs, profile: str = PROFILE, **context: Any
) -> tuple[WorkflowsStack, dict[str, Any]]:
    app = App(
        outdir=str(outdir), context={**cdk_json_feature_flags(), "@aws-cdk/core:failSynthOnValidationErrors": False}
    )
    config = DeploymentConfig.from_context({**asset_dirs.context(), "profile": profile, **context})
    monitoring = Stack(app, "Monitoring")
    topic = sns.Topic(monitoring, "Alerts", master_key=kms.Key(monitoring, "AlertKey", enable_key_rotation=True))
    stack = WorkflowsStack(
        app,
        "Workflows",
        config=config,
        deployed_operations=tuple(dict.fromkeys(("health", "status", *ALL_OPERATIONS))),
        alert_topic=topic,
    )
    check_with_cdk_nag(app)
    assembly = app.synth()
    report = json.loads((Path(assembly.directory) / VALIDATION_REPORT).read_text())
    return stack, report


@pytest.fixture(scope="module")
def synthesized(
    asset_dirs: AssetDirs, tmp_path_factory: pytest.TempPathFactory
) -> tuple[WorkflowsStack, dict[str, Any]]:
    return _synthesize(tmp_path_factory.mktemp("workflows"), asset_dirs)


@pytest.fixture(scope="module")
def template(synthesized: tuple[WorkflowsStack, dict[str, Any]]) -> Template:
    return Template.from_stack(synthesized[0])


def _definitions(template: Template) -> dict[str, dict[str, Any]]:
    """State machine name -> its ASL, with the CloudFormation joins (function ARNs, topic) flattened to text."""
    found = {}
    for machine in template.find_resources("AWS::StepFunctions::StateMachine").values():
        properties = machine["Properties"]
        parts = properties["DefinitionString"]["Fn::Join"][1]
        text = "".join(part if isinstance(part, str) else "0" for part in parts)
        found[properties["StateMachineName"]] = json.loads(text)
    return found


def test_every_workflow_of_the_catalog_is_a_state_machine_with_logs_and_tracing(template: Template) -> None:
    definitions = _definitions(template)
    assert set(definitions) == {naming.state_machine_name(PROFILE, STAGE, name) for name in AGENT_WORKFLOWS}
    for machine in template.find_resources("AWS::StepFunctions::StateMachine").values():
        properties = machine["Properties"]
        assert properties["TracingConfiguration"] == {"Enabled": True}
        assert properties["LoggingConfiguration"]["Level"] == "ALL"


@pytest.mark.parametrize("workflow", AGENT_WORKFLOWS)
def test_each_step_invokes_its_function_retries_and_catches_everything(template: Template, workflow: str) -> None:
    states = _definitions(template)[naming.state_machine_name(PROFILE, STAGE, workflow)]["States"]
    for step in agent_steps(workflow):
        task = states[step.name]
        assert task["Resource"].endswith(":states:::lambda:invoke")
        assert task["Parameters"]["FunctionName"].endswith(naming.function_name(PROFILE, STAGE, step.operation))
        retried = {error for retry in task["Retry"] for error in retry["ErrorEquals"]}
        assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException", "LockHeld"} <= retried
        assert all(retry["MaxAttempts"] <= 6 for retry in task["Retry"]), "every retry is bounded"
        (catch,) = task["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"]
        notice = states[catch["Next"]]
        assert notice["Parameters"]["step"] == step.name
        assert notice["Next"] == "Publish failure notice"
        assert task["ResultPath"] == f"$.steps.{step.name}"
        assert task["ResultSelector"]["status.$"] == "$.Payload.status"
        assert "dry_run.$" in task["Parameters"]["Payload"] or "dry_run" not in step.from_options


def test_dry_run_flows_from_the_input_into_every_init_step(template: Template) -> None:
    states = _definitions(template)[naming.state_machine_name(PROFILE, STAGE, "init")]["States"]
    assert [
        states[name]["Parameters"]["Payload"]["dry_run.$"] for name in ("migrate", "seed", "validate", "backup")
    ] == ["$.options.dry_run"] * 4
    assert states["Read input"]["Parameters"]["defaults"] == {"dry_run": False, "skip_existing": True, "scenario": ""}
    assert states["Apply option defaults"]["Parameters"]["options.$"] == "States.JsonMerge($.defaults, $.given, false)"


def test_failure_publishes_a_notice_to_the_alert_topic_then_fails_with_its_cause(template: Template) -> None:
    for definition in _definitions(template).values():
        states = definition["States"]
        publish = states["Publish failure notice"]
        assert publish["Resource"].endswith(":states:::sns:publish")
        assert publish["Parameters"]["Message.$"] == "States.JsonToString($.notice)"
        assert publish["Parameters"]["Subject.$"] == "$.notice.subject"
        assert publish["Next"] == publish["Catch"][0]["Next"] == "Failed"
        assert states["Failed"] == {"Type": "Fail", "ErrorPath": "$.notice.error", "CausePath": "$.notice.summary"}


@pytest.mark.parametrize("workflow", AGENT_WORKFLOWS)
def test_a_step_that_reports_failed_fails_the_workflow_through_the_notice(template: Template, workflow: str) -> None:
    states = _definitions(template)[naming.state_machine_name(PROFILE, STAGE, workflow)]["States"]
    verdict = states["Did every step succeed?"]
    assert verdict["Default"] == "Summary"
    assert [(rule["Variable"], rule["StringEquals"], rule["Next"]) for rule in verdict["Choices"]] == [
        (f"$.steps.{step.name}.status", "failed", f"{step.name} reported failure") for step in agent_steps(workflow)
    ]
    for step in agent_steps(workflow):
        assert states[f"{step.name} reported failure"]["Next"] == "Publish failure notice"


def test_summary_lists_options_and_each_step(template: Template) -> None:
    for definition in _definitions(template).values():
        summary = definition["States"]["Summary"]
        assert summary["End"] is True
        assert summary["Parameters"]["steps.$"] == "$.steps"
        assert summary["Parameters"]["options.$"] == "$.options"
        assert not any("[?(" in json.dumps(state) for state in definition["States"].values()), "no JSONPath filters"


def test_reset_snapshot_is_optional(template: Template) -> None:
    states = _definitions(template)[naming.state_machine_name(PROFILE, STAGE, "reset")]["States"]
    choice = states["snapshot?"]
    assert choice["Choices"][0]["Next"] == "snapshot"
    assert choice["Default"] == "snapshot skipped"
    assert states["snapshot"]["Next"] == states["snapshot skipped"]["Next"] == "clear"


def test_the_role_may_publish_to_the_topic_and_use_its_key(template: Template) -> None:
    actions = {
        action
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert {"sns:Publish", "lambda:InvokeFunction", "kms:GenerateDataKey*", "kms:Decrypt"} <= actions


def test_schedules_start_the_backup_daily_and_maintenance_weekly(template: Template) -> None:
    rules = {
        rule["Properties"]["Name"]: rule["Properties"] for rule in template.find_resources("AWS::Events::Rule").values()
    }
    backup = rules[naming.schedule_rule_name(PROFILE, STAGE, "backup")]
    maintenance = rules[naming.schedule_rule_name(PROFILE, STAGE, "maintenance")]
    assert (backup["ScheduleExpression"], maintenance["ScheduleExpression"]) == ("rate(1 day)", "rate(7 days)")
    (target,) = backup["Targets"]
    assert target["Arn"]["Ref"].startswith("Workflowbackup")
    assert json.loads(target["Input"]) == {}


def test_schedules_follow_context_and_can_be_turned_off(asset_dirs: AssetDirs, tmp_path: Path) -> None:
    stack, _ = _synthesize(tmp_path, asset_dirs, backup_schedule_minutes="1", maintenance_schedule_enabled="false")
    rules = Template.from_stack(stack).find_resources("AWS::Events::Rule")
    assert [rule["Properties"]["ScheduleExpression"] for rule in rules.values()] == ["rate(1 minute)"]


def test_no_unacknowledged_cdk_nag_findings(synthesized: tuple[WorkflowsStack, dict[str, Any]]) -> None:
    _, report = synthesized
    findings = [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in report["pluginReports"]
        if plugin["pluginName"] == "AwsSolutions"
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
        if construct["constructPath"].startswith("Workflows/")
    ]
    assert findings == []
