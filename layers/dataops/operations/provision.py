"""`provision`: deploy-time setup the CDK app cannot do itself, such as search indexes with their mappings.

It runs as a CloudFormation custom resource, so `cdk deploy` leaves every store the profile needs in place.
It is additive and idempotent: an existing index keeps its documents and gains new mapping fields.
"""

from __future__ import annotations

from typing import Literal

from dataops.models import ActionOutput, OperationRequest, OperationResult
from dataops.operations.framework import Action, Operation
from dataops.stores.data_stores import DataStores


class ProvisionRequest(OperationRequest):
    action: Literal["ensure"] = "ensure"


def run_provision(request: ProvisionRequest, stores: DataStores) -> ActionOutput:
    created: list[str] = []
    updated: list[str] = []
    for _entity, placement in stores.profile.search_indexes():
        index = stores.settings.resolved_index(placement.index_base_name)
        exists = stores.search.index_exists(index)
        if not request.dry_run:
            stores.search.ensure_index(index, placement.mappings)
        (updated if exists else created).append(index)
    return ActionOutput(
        counts={"indexes_created": len(created), "indexes_updated": len(updated)},
        details={"created": created, "updated": updated},
    )


PROVISION = Operation(
    name="provision", result_model=OperationResult, actions=(Action(ProvisionRequest, run_provision),)
)
