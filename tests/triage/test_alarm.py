"""Alarm triage handler: EventBridge alarm event -> investigation -> Chatbot custom notification on SNS."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import botocore.session
import pytest
from botocore.stub import Stubber

sys.path.insert(0, str(Path(__file__).parent))

from snapshot_fixture import write_snapshot  # noqa: E402

import tools.alarm.handler as alarm_handler  # noqa: E402

TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-agent-alarms"
ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-checkout-5xx"


def alarm_event(state: str = "ALARM") -> dict:
    return {
        "version": "0", "id": "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92", "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch", "account": "123456789012", "time": "2026-11-20T09:45:00Z", "region": "us-east-1",
        "resources": [ALARM_ARN],
        "detail": {
            "alarmName": "shop-checkout-5xx",
            "state": {"value": state, "reason": "Threshold Crossed: 1 datapoint [40.0] was greater than 10.0",
                      "timestamp": "2026-11-20T09:45:00.000+0000"},
            "previousState": {"value": "OK", "timestamp": "2026-11-20T08:00:00.000+0000"},
            "configuration": {"metrics": [{"id": "m1", "metricStat": {"metric": {
                "namespace": "AWS/ApplicationELB", "name": "HTTPCode_Target_5XX_Count",
                "dimensions": {"LoadBalancer": "app/shop/50dc6c495c0c9188"}}, "period": 60, "stat": "Sum"}, "returnData": True}]},
        },
    }


class Capture:
    def __init__(self) -> None:
        self.value = None

    def __eq__(self, other: object) -> bool:
        self.value = other
        return True


@pytest.fixture()
def stubbed_sns(monkeypatch, tmp_path):
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(write_snapshot(tmp_path / "snap")))
    monkeypatch.setenv("OPSAGENT_TOPIC_ARN", TOPIC)
    client = botocore.session.get_session().create_client("sns", region_name="us-east-1")
    monkeypatch.setattr(alarm_handler, "_sns_client", lambda: client)
    with Stubber(client) as stubber:
        yield stubber


def test_alarm_publishes_a_threaded_chatbot_notification(stubbed_sns):
    message = Capture()
    stubbed_sns.add_response("publish", {"MessageId": "m-1"}, {"TopicArn": TOPIC, "Message": message})
    result = alarm_handler.lambda_handler(alarm_event(), None)
    stubbed_sns.assert_no_pending_responses()
    assert result["status"] == "published" and result["messageId"] == "m-1"
    payload = json.loads(message.value)
    assert payload["version"] == "1.0" and payload["source"] == "custom"
    content = payload["content"]
    assert content["textType"] == "client-markdown"
    assert "shop-checkout-5xx" in content["title"] and "RevokeSecurityGroupIngress" in content["title"]
    assert len(content["title"]) <= 250 and len(content["description"]) <= 2500
    assert "sg-0123456789abcdef0" in content["description"]
    assert content["nextSteps"]
    assert payload["metadata"]["threadId"].startswith("alarm-")
    assert payload["metadata"]["additionalContext"]["window"].startswith("2026-11-20T08:45:00Z/")


def test_the_same_alarm_keeps_its_thread(stubbed_sns):
    first, second = Capture(), Capture()
    stubbed_sns.add_response("publish", {"MessageId": "m-1"}, {"TopicArn": TOPIC, "Message": first})
    stubbed_sns.add_response("publish", {"MessageId": "m-2"}, {"TopicArn": TOPIC, "Message": second})
    alarm_handler.lambda_handler(alarm_event(), None)
    alarm_handler.lambda_handler(alarm_event(), None)
    assert json.loads(first.value)["metadata"]["threadId"] == json.loads(second.value)["metadata"]["threadId"]


@pytest.mark.parametrize("event", [None, "text", {}, {"detail-type": "EC2 Instance State-change Notification"},
                                   {"detail-type": "CloudWatch Alarm State Change", "detail": {"state": "broken"}},
                                   {"detail-type": "CloudWatch Alarm State Change", "detail": {"alarmName": "x", "state": {"value": "ALARM", "timestamp": "soon"}}}])
def test_malformed_events_are_ignored_without_raising(stubbed_sns, event):
    result = alarm_handler.lambda_handler(event, None)
    assert result["status"] == "ignored"
    stubbed_sns.assert_no_pending_responses()


def test_ok_state_is_ignored(stubbed_sns):
    assert alarm_handler.lambda_handler(alarm_event("OK"), None)["status"] == "ignored"


def test_sns_failure_is_raised_for_the_failure_queue(stubbed_sns):
    """Lambda sends a failed invocation to the on-failure destination only when the handler raises."""
    stubbed_sns.add_client_error("publish", "AuthorizationError", "denied")
    with pytest.raises(alarm_handler.AlarmTriageFailed, match="AuthorizationError"):
        alarm_handler.lambda_handler(alarm_event(), None)


def test_window_is_bounded():
    from datetime import datetime, timedelta, timezone

    at = datetime(2026, 11, 20, 9, 45, tzinfo=timezone.utc)
    window = alarm_handler.alarm_window(at, at + timedelta(hours=5))
    assert window.start == at - timedelta(minutes=60) and window.end == at + timedelta(minutes=30)
    assert alarm_handler.alarm_window(at, at).end > at


@pytest.fixture()
def idempotency_table(monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ops-agent-alarm")
    with mock_aws():
        import boto3

        boto3.client("dynamodb", region_name="us-east-1").create_table(
            TableName="ops-agent-alarm-idempotency", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        monkeypatch.setenv("OPSAGENT_IDEMPOTENCY_TABLE", "ops-agent-alarm-idempotency")
        yield


def test_a_duplicate_delivery_posts_nothing(idempotency_table, stubbed_sns):
    """EventBridge delivers at least once and failed events can be redriven: one state change, one post."""
    stubbed_sns.add_response("publish", {"MessageId": "m-1"}, {"TopicArn": TOPIC, "Message": Capture()})
    first = alarm_handler.lambda_handler(alarm_event(), None)
    second = alarm_handler.lambda_handler(alarm_event(), None)
    stubbed_sns.assert_no_pending_responses()  # exactly one publish was stubbed, and used
    assert first == second and first["status"] == "published" and first["messageId"] == "m-1"


def test_a_failed_run_can_be_redriven(idempotency_table, stubbed_sns):
    stubbed_sns.add_client_error("publish", "InternalError", "try again", http_status_code=500)
    with pytest.raises(alarm_handler.AlarmTriageFailed):
        alarm_handler.lambda_handler(alarm_event(), None)
    stubbed_sns.add_response("publish", {"MessageId": "m-2"}, {"TopicArn": TOPIC, "Message": Capture()})
    assert alarm_handler.lambda_handler(alarm_event(), None)["messageId"] == "m-2"


def test_a_later_state_change_of_the_same_alarm_posts_again(idempotency_table, stubbed_sns):
    later = alarm_event()
    later["detail"]["state"]["timestamp"] = "2026-11-20T10:45:00.000+0000"
    stubbed_sns.add_response("publish", {"MessageId": "m-1"}, {"TopicArn": TOPIC, "Message": Capture()})
    stubbed_sns.add_response("publish", {"MessageId": "m-2"}, {"TopicArn": TOPIC, "Message": Capture()})
    assert alarm_handler.lambda_handler(alarm_event(), None)["messageId"] == "m-1"
    assert alarm_handler.lambda_handler(later, None)["messageId"] == "m-2"
