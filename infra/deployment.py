"""One deployment (profile x stage): its three stacks, wired in dependency order."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Tags, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from dataops import naming
from infra.config import DeploymentConfig
from infra.stacks.monitoring import MonitoringStack
from infra.stacks.operations import OperationsStack
from infra.stacks.storage import StorageStack


@dataclass(frozen=True)
class Deployment:
    storage: StorageStack
    operations: OperationsStack
    monitoring: MonitoringStack


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
        description=description.format("monitoring"),
    )
    monitoring.add_stack_dependency(operations)
    for stack in (storage, operations, monitoring):
        Tags.of(stack).add("project", "dataops")
        Tags.of(stack).add("dataops:profile", config.profile)
        Tags.of(stack).add("dataops:stage", config.stage)
    return Deployment(storage=storage, operations=operations, monitoring=monitoring)


def check_with_cdk_nag(app: App) -> None:
    """AWS Solutions rules run at every synth; an unacknowledged finding fails it."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
