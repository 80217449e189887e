"""DynamoDB state (moto): atomic counts, TTL, conditional claims; two invocations racing on one burst alert once."""

from __future__ import annotations

import json
import threading

import boto3
import pytest
from moto import mock_aws

import tools.alerts.handler as handler_module
from tools.alerts.dynamo_state import TTL_ATTRIBUTE, DynamoState
from tools.alerts.state import Incident
from tools.alerts.subscription import decode

from .support import TIMEOUT, delivery, events, local_handler, standing_noise

TABLE = "ops-agent-alerts"


@pytest.fixture()
def dynamodb():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=TABLE, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        yield client


def test_counts_add_up_and_old_minutes_are_pruned(dynamodb):
    state = DynamoState(dynamodb, TABLE)
    now = 1795136400
    minute = now // 60
    state.add_counts("checkout", "L-1", "connect timed out <*>", {minute: 3}, now, now)
    record = state.add_counts("checkout", "L-1", "ignored: the first text stays", {minute: 2, minute + 1: 1}, now, now + 60)
    assert record.buckets == {minute: 5, minute + 1: 1}
    assert record.template == "connect timed out <*>" and record.first_seen == now
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "tpl#checkout#L-1"}})["Item"]
    assert int(item[TTL_ATTRIBUTE]["N"]) > now + 24 * 3600
    later = now + 4 * 3600  # every minute above is now older than the baseline
    for step in range(25):
        state.add_counts("checkout", "L-1", "x", {later // 60 - 300 + step: 1}, later, later)
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "tpl#checkout#L-1"}})["Item"]
    assert f"m{minute}" not in item  # pruned


def test_claims_are_conditional(dynamodb):
    state = DynamoState(dynamodb, TABLE)
    assert state.watching_since(100) == 100
    assert DynamoState(dynamodb, TABLE).watching_since(500) == 100  # set once
    state.add_counts("checkout", "L-1", "t", {1: 1}, 60, 60)
    assert state.claim_template("checkout", "L-1", 1000, 3600) is True
    assert state.claim_template("checkout", "L-1", 1001, 3600) is False
    assert state.claim_template("checkout", "L-unknown", 1001, 3600) is False
    incident, opened = state.open_or_join(Incident("a", 1000, 1000, {"checkout"}), 1000, 600)
    assert opened and incident.id == "a"
    joined, opened = state.open_or_join(Incident("b", 1100, 1100, {"payment"}), 1100, 600)
    assert not opened and joined.id == "a" and joined.services == {"checkout", "payment"}
    assert state.claim_notification("a", "checkout", 1100, 1800) == 1
    assert state.claim_notification("a", "checkout", 1300, 1800) is None  # this service was already notified
    assert state.claim_notification("a", "payment", 1150, 1800) is None  # within the update gap
    assert state.claim_notification("a", "payment", 1300, 1800) == 2
    assert state.claim_notification("b", "search", 1500, 1800) is None  # not the open incident
    later, opened = state.open_or_join(Incident("c", 2000, 2000, {"checkout"}), 2000, 600)
    assert opened and later.id == "c"
    assert state.claim_notification("c", "checkout", 2000, 1800) is None  # checkout notified at 1100: rate limit
    assert state.claim_notification("c", "payment", 2000, 600) == 1


def _two_handlers(dynamodb):
    first, first_out = local_handler(state=DynamoState(dynamodb, TABLE))
    second, second_out = local_handler(state=DynamoState(dynamodb, TABLE))
    return first, first_out, second, second_out


def test_two_invocations_that_both_see_the_burst_alert_once(dynamodb):
    first, first_out, second, second_out = _two_handlers(dynamodb)
    standing_noise(first, "/ecs/checkout", range(0, 30))
    a = decode(delivery("/ecs/checkout", events(TIMEOUT, 30, 3, 3000) + events(TIMEOUT, 31, 3, 3100), stream="a"))
    b = decode(delivery("/ecs/checkout", events(TIMEOUT, 31, 3, 3200), stream="b"))
    decided_a, decided_b = first.detect(a), second.detect(b)
    assert decided_a.triggers and decided_b.triggers  # both saw the burst before either claimed it
    outcomes = [first.claim(decided_a, a), second.claim(decided_b, b)]
    assert sum(alert is not None for alert in outcomes) == 1
    assert decided_b.status == "claimed elsewhere"


def test_concurrent_threads_publish_one_notification(dynamodb):
    first, first_out, second, second_out = _two_handlers(dynamodb)
    standing_noise(first, "/ecs/checkout", range(0, 30))
    barrier = threading.Barrier(2)
    for handler in (first, second):
        detect = handler.detect

        def detect_then_wait(delivery_, _detect=detect):
            decision = _detect(delivery_)
            barrier.wait(timeout=10)
            return decision

        handler.detect = detect_then_wait
    payloads = [delivery("/ecs/checkout", events(TIMEOUT, 30, 3, 3000) + events(TIMEOUT, 31, 3, 3100), stream="a"),
                delivery("/ecs/checkout", events(TIMEOUT, 31, 4, 3200), stream="b")]
    threads = [threading.Thread(target=h.handle, args=(p,)) for h, p in zip((first, second), payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(first_out.messages) + len(second_out.messages) == 1


def test_the_lambda_publishes_to_sns_with_state_in_dynamodb(dynamodb, monkeypatch):
    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    topic = sns.create_topic(Name="ops-agent-notifications")["TopicArn"]
    queue = sqs.create_queue(QueueName="tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    monkeypatch.setenv("OPSAGENT_ALERT_TABLE", TABLE)
    monkeypatch.setenv("OPSAGENT_TOPIC_ARN", topic)
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"alerts": {"learning_minutes": 0}, "slack": {"connector_name": "ops"}}))
    monkeypatch.setattr(handler_module, "_HANDLER", None)
    from tools.alerts import enrich

    monkeypatch.setattr(enrich, "triage_report", lambda alert, seconds, snapshot=None: {
        "hypotheses": [{"rank": 1, "title": "DynamoDB unreachable from checkout", "confidence": "medium",
                        "evidence": [{"id": "T-1a2b3c4d", "source": "cloudtrail", "summary": "ModifyVpcEndpoint",
                                      "link": "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home"}]}],
        "sources": {"logs": {"status": "ok"}, "xray": {"status": "error", "detail": "throttled"}}})
    results = [handler_module.lambda_handler(delivery("/ecs/checkout", events(TIMEOUT, m, 5, m * 10)), None)
               for m in (0, 1, 2)]
    assert [r["status"] for r in results] == ["quiet", "notified", "quiet"]
    body = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(body) == 1
    message = json.loads(body[0]["Body"])
    assert message["metadata"]["threadId"] == results[1]["threadId"]
    assert "DynamoDB unreachable from checkout" in message["content"]["title"]
    assert "<https://us-east-1.console.aws.amazon.com/cloudtrailv2/home|T-1a2b3c4d>" in message["content"]["description"]
    assert "xray (error)" in message["content"]["description"]
    assert "@aws ask ops why is checkout failing since 09:00?" in message["content"]["description"]


def test_the_lambda_never_raises(monkeypatch):
    monkeypatch.delenv("OPSAGENT_ALERT_TABLE", raising=False)
    monkeypatch.setattr(handler_module, "_HANDLER", None)
    assert handler_module.lambda_handler({"awslogs": {"data": "x"}}, None) == {"status": "error", "reason": "RuntimeError"}
