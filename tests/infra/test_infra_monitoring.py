"""Monitoring stack: the alert topic and one error alarm per deployed function."""

from __future__ import annotations

from aws_cdk.assertions import Template

from dataops import naming
from tests.infra.synth_support import STAGE, functions_for


def test_each_function_has_an_error_alarm_that_notifies_the_alert_topic(
    monitoring_template: Template, profile: str
) -> None:
    (topic_id,) = monitoring_template.find_resources("AWS::SNS::Topic")
    alarms = {
        alarm["Properties"]["AlarmName"]: alarm["Properties"]
        for alarm in monitoring_template.find_resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["AlarmName"].endswith("-errors")
    }
    expected = {f"{naming.function_name(profile, STAGE, op)}-errors" for op in functions_for(profile)}
    assert set(alarms) == expected
    for alarm in alarms.values():
        assert alarm["Namespace"] == "AWS/Lambda"
        assert alarm["MetricName"] == "Errors"
        assert alarm["Statistic"] == "Sum"
        assert alarm["Period"] == 300
        assert alarm["Threshold"] == 1
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]


def test_alert_topic_is_encrypted_and_accepts_only_tls(monitoring_template: Template, profile: str) -> None:
    monitoring_template.has_resource_properties(
        "AWS::SNS::Topic",
        {
            "TopicName": naming.alert_topic_name(profile, STAGE),
            "KmsMasterKeyId": {"Fn::GetAtt": [next(iter(monitoring_template.find_resources("AWS::KMS::Key"))), "Arn"]},
        },
    )
    (policy,) = monitoring_template.find_resources("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )


def test_cloudwatch_may_use_the_alert_key_to_publish_alarms(monitoring_template: Template) -> None:
    (key,) = monitoring_template.find_resources("AWS::KMS::Key").values()
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    cloudwatch = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cloudwatch[0]["Action"])
    assert key["Properties"]["EnableKeyRotation"] is True


def test_the_stream_sync_alarms_on_lag_and_on_records_it_gave_up_on(
    monitoring_template: Template, operations_template: Template, profile: str
) -> None:
    stream_sync = naming.function_name(profile, STAGE, naming.STREAM_SYNC_FUNCTION)
    alarms = {
        alarm["Properties"]["AlarmName"]: alarm["Properties"]
        for alarm in monitoring_template.find_resources("AWS::CloudWatch::Alarm").values()
        if not alarm["Properties"]["AlarmName"].endswith("-errors")
    }
    if profile == "agent_system":
        assert alarms == {}, "no search index, no stream sync"
        return
    (topic_id,) = monitoring_template.find_resources("AWS::SNS::Topic")
    lag, failed = alarms[f"{stream_sync}-iterator-age"], alarms[f"{stream_sync}-failed-records"]
    assert (lag["Namespace"], lag["MetricName"], lag["Statistic"]) == ("AWS/Lambda", "IteratorAge", "Maximum")
    assert lag["Threshold"] == 15 * 60 * 1000 and lag["ComparisonOperator"] == "GreaterThanThreshold"
    assert "FunctionName" in str(lag["Dimensions"])
    assert (failed["Namespace"], failed["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert failed["Threshold"] == 1 and failed["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert "QueueName" in str(failed["Dimensions"])
    for alarm in (lag, failed):
        assert alarm["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["TreatMissingData"] == "notBreaching"
    # The failures alarm watches the queue the stream mapping sends to.
    (queue,) = operations_template.find_resources("AWS::SQS::Queue").values()
    assert queue["Properties"]["QueueName"] == naming.stream_failures_queue_name(profile, STAGE)
