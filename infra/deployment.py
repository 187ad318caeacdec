"""One deployment (profile x stage): its four stacks, wired in dependency order."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Stack, Tags, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from dataops import naming
from dataops.workflows import WORKFLOWS
from infra.config import DeploymentConfig
from infra.stacks.monitoring import MonitoringStack
from infra.stacks.operations import OperationsStack
from infra.stacks.storage import StorageStack
from infra.stacks.workflows import WorkflowsStack


@dataclass(frozen=True)
class Deployment:
    storage: StorageStack
    operations: OperationsStack
    monitoring: MonitoringStack
    # None until at least one workflow's operations are all deployed: CloudFormation refuses an empty stack.
    workflows: WorkflowsStack | None

    @property
    def stacks(self) -> tuple[Stack, ...]:
        return tuple(stack for stack in (self.storage, self.operations, self.monitoring, self.workflows) if stack)


def add_deployment(scope: Construct, config: DeploymentConfig) -> Deployment:
    """Stack ids are the stack names, so several deployments can share one App (the infra tests do).

    Stacks are environment-agnostic: account and region come from the credentials at deploy time, which is
    also how cdklocal points them at MiniStack's account.
    """

    def name(kind: str) -> str:
        return naming.stack_name(config.profile, config.stage, kind)

    description = f"dataops {{}} for {config.profile} ({config.stage}, target {config.target})"
    storage = StorageStack(scope, name("storage"), config=config, description=description.format("storage"))
    operations = OperationsStack(
        scope,
        name("operations"),
        config=config,
        storage=storage,
        description=description.format("operations"),
    )
    monitoring = MonitoringStack(
        scope,
        name("monitoring"),
        config=config,
        functions=operations.functions,
        stream_failures=operations.stream_failures,
        description=description.format("monitoring"),
    )
    monitoring.add_stack_dependency(operations)
    deployed = operations.deployed_operations(config)
    workflows = None
    if any(workflow.deployable_with(deployed) for workflow in WORKFLOWS.values()):
        workflows = WorkflowsStack(
            scope,
            name("workflows"),
            config=config,
            deployed_operations=deployed,
            alert_topic=monitoring.alert_topic,
            description=description.format("workflows"),
        )
        workflows.add_stack_dependency(operations)
    deployment = Deployment(storage=storage, operations=operations, monitoring=monitoring, workflows=workflows)
    for stack in deployment.stacks:
        Tags.of(stack).add("project", "dataops")
        Tags.of(stack).add("dataops:profile", config.profile)
        Tags.of(stack).add("dataops:stage", config.stage)
    return deployment


def check_with_cdk_nag(app: App) -> None:
    """AWS Solutions rules run at every synth; an unacknowledged finding fails it."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
