"""How every workflow fails: a notice naming the step, its error and the input goes to the alert topic, then Fail.

Each step catches `States.ALL` into its own small Pass state (the only place that knows the step's name), and
all of them share one publish and one Fail state, whose error and cause are read from the notice.
"""

from __future__ import annotations

from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

NOTICE_PATH = "$.notice"
FAILURE_PATH = "$.failure"


class FailureNotice(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, workflow: str, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        self.workflow = workflow
        self.failed = sfn.Fail(
            self,
            "Failed",
            state_name="Failed",
            error_path=f"{NOTICE_PATH}.error",
            cause_path=f"{NOTICE_PATH}.summary",
        )
        self.publish = tasks.SnsPublish(
            self,
            "Publish",
            state_name="Publish failure notice",
            topic=topic,
            subject=sfn.JsonPath.string_at(f"{NOTICE_PATH}.subject"),
            message=sfn.TaskInput.from_json_path_at(f"States.JsonToString({NOTICE_PATH})"),
            result_path=sfn.JsonPath.DISCARD,
        )
        # A missing topic must not hide the step's own failure: fail with the notice either way.
        self.publish.add_catch(self.failed, errors=[sfn.Errors.ALL], result_path="$.publish_error")
        self.publish.next(self.failed)

    def for_reported_failure(self, step: str) -> sfn.Pass:
        """The state for a step that returned normally but with status `failed` (e.g. a reset that missed its state)."""
        notice = sfn.Pass(
            self,
            f"Reported-{step}",
            state_name=f"{step} reported failure",
            parameters={
                "workflow": self.workflow,
                "step": step,
                "execution": sfn.JsonPath.execution_id,
                "error": "StepReportedFailure",
                "cause": f"{step} finished with status failed; its counts are in completed_steps",
                "input": sfn.JsonPath.object_at("$.options"),
                "completed_steps": sfn.JsonPath.object_at("$.steps"),
                "subject": f"dataops {self.workflow} workflow failed at step {step}",
                "summary": f"{self.workflow} failed at step {step}: it finished with status failed",
            },
            result_path=NOTICE_PATH,
        )
        notice.next(self.publish)
        return notice

    def for_step(self, step: str) -> sfn.Pass:
        """The state a step's Catch goes to: it writes the notice, then the shared publish and Fail follow."""
        notice = sfn.Pass(
            self,
            f"Notice-{step}",
            state_name=f"{step} failed",
            parameters={
                "workflow": self.workflow,
                "step": step,
                "execution": sfn.JsonPath.execution_id,
                "error": sfn.JsonPath.string_at(f"{FAILURE_PATH}.Error"),
                "cause": sfn.JsonPath.string_at(f"{FAILURE_PATH}.Cause"),
                "input": sfn.JsonPath.object_at("$.options"),
                "completed_steps": sfn.JsonPath.object_at("$.steps"),
                "subject": f"dataops {self.workflow} workflow failed at step {step}",
                "summary": sfn.JsonPath.format(
                    f"{self.workflow} failed at step {step}: {{}}", sfn.JsonPath.string_at(f"{FAILURE_PATH}.Cause")
                ),
            },
            result_path=NOTICE_PATH,
        )
        notice.next(self.publish)
        return notice
