"""validate, monitor and maintenance CLI: bad input exits 2 naming the field and the valid values."""

import pytest
from typer.testing import CliRunner

from dataops.cli.main import app
from tests.cli_text import unboxed

runner = CliRunner()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["validate", "everything"], "'everything' is not one of 'files', 'database', 'opensearch', 'consistency'"),
        (["validate", "database", "--category", "speed"], "field 'categories.0'"),
        (["validate", "--limit", "0"], "field 'sample_limit'"),
        (["validate", "undo-fix"], "undo-fix needs the report key of the run to undo"),
        (["validate", "database", "reports/validation/x.jsonl"], "only undo-fix takes a report"),
        (["monitor", "alerts", "urgent"], "field 'severity': Input should be 'critical', 'warning' or 'info'"),
        (["monitor", "check", "--threshold", "latency=5"], "valid: response_time_ms, error_rate"),
        (["monitor", "check", "--threshold", "latency"], "--threshold 'latency' must be KEY=VALUE"),
        (["maintenance", "--keep-last", "0"], "field 'keep_last'"),
    ],
)
def test_bad_input_exits_2_naming_the_field(arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    assert message in unboxed(result.stderr)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command",
    [["validate"], ["monitor", "check"], ["monitor", "watch"], ["monitor", "report"], ["monitor", "alerts"],
     ["monitor", "clear-alerts"], ["monitor", "test-alerts"], ["maintenance"]],
)  # fmt: skip
def test_every_command_has_help_with_an_example_and_json_or_remote(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout and "--remote" in result.stdout
