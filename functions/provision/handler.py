"""CloudFormation custom resource door to the `provision` operation (search indexes and mappings)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dataops.custom_resource import run_custom_resource
from dataops.operations.provision import PROVISION, ProvisionRequest
from dataops.runtime import container_stores, logger


def provision() -> tuple[str, dict[str, Any]]:
    """Everything that can fail happens here, inside the custom resource's `try`: reading the settings and the
    profile included, so a bad environment is a FAILED response, not a stack waiting for one."""
    stores = container_stores()
    counts = PROVISION.run(ProvisionRequest(), stores).counts
    return f"{stores.profile.name}-{stores.settings.stage}-provision", counts | {"profile": stores.profile.name}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return run_custom_resource(event, provision)
