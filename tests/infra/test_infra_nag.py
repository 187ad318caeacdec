"""cdk-nag (AWS Solutions) runs on every synth; each acknowledged finding says why, next to its resource."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import App, Stack, Validations
from aws_cdk import aws_sns as sns
from constructs import IConstruct

from infra.deployment import Deployment, check_with_cdk_nag
from tests.infra.synth_support import VALIDATION_REPORT, SynthesizedApp

# cdk-nag 3 reports through CDK's policy validation (validation-report.json), not through Annotations,
# so `Annotations.find_error` would see nothing; the report is where unacknowledged findings appear.


def _nag_violations(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A plugin with nothing left to report after acknowledgments is left out of the report entirely."""
    plugins = report["pluginReports"]
    return [
        violation for plugin in plugins if plugin["pluginName"] == "AwsSolutions" for violation in plugin["violations"]
    ]


def test_no_unacknowledged_cdk_nag_findings_in_any_stack(synthesized: SynthesizedApp, deployment: Deployment) -> None:
    for stack in deployment.stacks:
        findings = [
            f"{violation['ruleName']} at {construct['constructPath']}"
            for violation in _nag_violations(synthesized.validation_report())
            for construct in violation["violatingConstructs"]
            if construct["constructPath"].startswith(f"{stack.stack_name}/")
        ]
        assert findings == [], f"{stack.stack_name} has unacknowledged cdk-nag findings"


def test_nag_check_reports_a_finding_nobody_acknowledged(tmp_path: Path) -> None:
    """The control for the test above: an empty report must mean "compliant", not "nag never ran"."""
    app = App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    sns.Topic(Stack(app, "Unacknowledged"), "PlainTopic")
    check_with_cdk_nag(app)
    assembly = app.synth()
    report = json.loads((Path(assembly.directory) / VALIDATION_REPORT).read_text())
    rules = {violation["ruleName"] for violation in _nag_violations(report)}
    assert "AwsSolutions-SNS3" in rules


def _acknowledgments(root: IConstruct) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for construct in root.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                found.extend((construct.node.path, rule, reason) for rule, reason in entry.data.items())
    return found


def test_every_acknowledgment_is_scoped_to_a_resource_and_explains_why(deployment: Deployment) -> None:
    for stack in deployment.stacks:
        for path, rule, reason in _acknowledgments(stack):
            assert path != stack.node.path, f"{rule} is acknowledged for the whole stack {path}"
            assert len(reason.split()) >= 8 and reason.endswith("."), f"{rule} at {path}: give a full reason"
