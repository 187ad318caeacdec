"""The migrate, export and import workflows' fan-outs: plan, a Map bounded by its own context key whose units
carry the job's lease (and what else plan decided), then finalize; a failed Map releases the lease (abort)
before the failure notice."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE
from tests.infra.test_infra_workflows import PROFILE, _definitions, synthesized, template

__all__ = ["synthesized", "template"]  # module-scoped fixtures shared with the workflow tests

JOB = "$.fanout.migrate.job"


def states_of(template: Template) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = _definitions(template)[naming.state_machine_name(PROFILE, STAGE, "migrate")][
        "States"
    ]
    return found


def test_plan_then_a_map_carrying_the_plan_then_finalize(template: Template) -> None:
    states = states_of(template)
    plan = states["migrate: plan"]
    assert plan["Parameters"]["FunctionName"].endswith(naming.function_name(PROFILE, STAGE, "migrate"))
    assert plan["Parameters"]["Payload"] == {"action": "plan", "dry_run.$": "$.options.dry_run"}
    units = states[states[plan["Next"]]["Default"]]
    assert units["Type"] == "Map" and units["MaxConcurrency"] == 4
    assert units["ItemSelector"] == {
        "job.$": f"{JOB}.job_id",
        "lease.$": f"{JOB}.lease",
        "segments.$": f"{JOB}.segments",
        "migrations.$": f"{JOB}.migrations",
        "unit.$": "$$.Map.Item.Value",
    }
    finalize = states[units["Next"]]
    assert finalize["Parameters"]["Payload"]["action"] == "finalize"
    assert finalize["Parameters"]["Payload"]["outcomes.$"] == "$.fanout.migrate.outcomes"
    (catch,) = units["Catch"]
    assert states[catch["Next"]]["Parameters"]["Payload"]["action"] == "abort"


def test_the_export_and_import_workflows_carry_their_job_to_every_unit(template: Template) -> None:
    definitions = _definitions(template)
    for workflow, carried in (("export", ("lease", "destination", "mask_pii")), ("import", ("lease", "destination"))):
        states = definitions[naming.state_machine_name(PROFILE, STAGE, workflow)]["States"]
        plan = states[f"{workflow}: plan"]
        assert plan["Parameters"]["Payload"]["action"] == f"{workflow}-plan"
        assert plan["Parameters"]["Payload"]["path.$"] == "$.options.path"
        units = states[states[plan["Next"]]["Default"]]
        job = f"$.fanout.{workflow}.job"
        assert units["ItemSelector"] == {
            "job.$": f"{job}.job_id",
            **{f"{name}.$": f"{job}.{name}" for name in carried},
            "unit.$": "$$.Map.Item.Value",
        }
        processor = units["ItemProcessor"]
        assert processor["States"][processor["StartAt"]]["Parameters"]["Payload"]["action"] == f"{workflow}-unit"
        assert states[units["Next"]]["Parameters"]["Payload"]["action"] == f"{workflow}-finalize"
        (catch,) = units["Catch"]
        assert states[catch["Next"]]["Parameters"]["Payload"]["action"] == f"{workflow}-abort"
