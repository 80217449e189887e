"""The CloudWatch Logs subscription event: base64 + gzip JSON, DATA_MESSAGE handled, CONTROL_MESSAGE ignored."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from tools.alerts.subscription import CONTROL_MESSAGE, DATA_MESSAGE, BadDelivery, decode, encode

from .support import local_handler


def _raw(body: object) -> dict:
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(body).encode())).decode()}}


def test_a_data_message_as_cloudwatch_logs_writes_it_is_decoded():
    body = {
        "messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/ecs/checkout",
        "logStream": "ecs/app/4f1c9d", "subscriptionFilters": ["ops-agent-alerts"],
        "logEvents": [{"id": "37958418476384651723749032752341234567890123456789012345", "timestamp": 1795136461123,
                       "message": "ERROR connect timed out"},
                      {"id": "2", "timestamp": "not a number", "message": "dropped"}],
    }
    delivery = decode(_raw(body))
    assert delivery.message_type == DATA_MESSAGE
    assert (delivery.log_group, delivery.log_stream, delivery.owner) == ("/ecs/checkout", "ecs/app/4f1c9d", "123456789012")
    assert [(e.timestamp, e.message) for e in delivery.events] == [(1795136461123, "ERROR connect timed out")]
    assert delivery.skipped == 1


def test_encode_round_trips():
    event = encode("/aws/lambda/orders", "2026/11/20/[$LATEST]abc", [{"id": "1", "timestamp": 5, "message": "x"}])
    assert decode(event).events[0].message == "x"


def test_control_message_is_ignored_without_state_changes():
    handler, collector = local_handler()
    decision = handler.handle(encode("", "", [{"id": "", "timestamp": 1795136461123, "message": ""}],
                                     message_type=CONTROL_MESSAGE))
    assert decision.status == "ignored" and "CONTROL_MESSAGE" in decision.reason
    assert collector.messages == []
    assert handler.state._started is None  # nothing was recorded


@pytest.mark.parametrize("event, reason", [
    ({}, "no 'awslogs'"),
    ({"awslogs": {"data": "%%%"}}, "not base64"),
    ({"awslogs": {"data": base64.b64encode(b"plain").decode()}}, "not gzip"),
    ({"awslogs": {"data": base64.b64encode(gzip.compress(b"{oops")).decode()}}, "not JSON"),
    (_raw({"messageType": "OTHER"}), "messageType"),
    (_raw({"messageType": "DATA_MESSAGE", "logGroup": "/x"}), "logEvents"),
])
def test_bad_events_get_a_one_line_reason(event, reason):
    with pytest.raises(BadDelivery, match=reason):
        decode(event)
    handler, collector = local_handler()
    decision = handler.handle(event)
    assert decision.status == "ignored" and reason in decision.reason and "\n" not in decision.reason
    assert collector.messages == []


def test_a_gzip_bomb_is_refused():
    bomb = base64.b64encode(gzip.compress(b"{" + b" " * (20 * 1024 * 1024) + b"}")).decode()
    with pytest.raises(BadDelivery, match="decompresses beyond"):
        decode({"awslogs": {"data": bomb}})
