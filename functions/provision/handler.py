"""CloudFormation custom resource door to the `provision` operation (search indexes and mappings)."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dataops.custom_resource import run_custom_resource
from dataops.operations.provision import PROVISION, ProvisionRequest
from dataops.runtime import container_stores, logger


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    stores = container_stores()
    physical_id = f"{stores.profile.name}-{stores.settings.stage}-provision"
    return run_custom_resource(
        event, physical_id, lambda: PROVISION.run(ProvisionRequest(), stores).counts | {"profile": stores.profile.name}
    )
