"""The Chatbot custom notification: its schema, Slack's limits, the template fenced and redacted, links inline."""

from __future__ import annotations

import jsonschema

from tools.alerts.detector import Trigger
from tools.alerts.notify import DESCRIPTION_LIMIT, Alert, Enrichment, build, incident_id
from tools.alerts.state import Incident, TemplateRecord

_TEXT = {"type": "string", "minLength": 1}
CHATBOT_CUSTOM_NOTIFICATION = {
    "type": "object",
    "required": ["version", "source", "content"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": "1.0"},
        "source": {"const": "custom"},
        "id": {"type": "string", "maxLength": 128},
        "content": {
            "type": "object", "required": ["description"], "additionalProperties": False,
            "properties": {
                "textType": {"enum": ["client-markdown"]},
                "title": {**_TEXT, "maxLength": 250},
                "description": {**_TEXT, "maxLength": 2500},
                "nextSteps": {"type": "array", "maxItems": 5, "items": {**_TEXT, "maxLength": 300}},
                "keywords": {"type": "array", "maxItems": 5, "items": {**_TEXT, "maxLength": 40}},
            },
        },
        "metadata": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "threadId": {"type": "string", "maxLength": 128},
                "summary": {"type": "string", "maxLength": 250},
                "eventType": {"type": "string"},
                "relatedResources": {"type": "array", "maxItems": 10, "items": {"type": "string"}},
                "additionalContext": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    },
}
SECRET = "AKIAIOSFODNN7EXAMPLE"


def _alert(template: str, number: int = 1) -> Alert:
    record = TemplateRecord("checkout", "L-0a1b2c3d", template, 1795165260, {29919421: 40})
    trigger = Trigger(record, "new", 40, 0.0, sample=template, log_group="/ecs/checkout")
    incident = Incident(incident_id("checkout", "L-0a1b2c3d", 1795165380), 1795165380, 1795165380, {"checkout"})
    return Alert(incident, number, "checkout", [trigger], "us-east-1", "123456789012", 1795165380)


def _report(evidence: int = 8) -> dict:
    return {"hypotheses": [{"rank": 1, "title": "ModifyVpcEndpoint removed rtb-0a1b from vpce-0c2d", "confidence": "high",
                            "evidence": [{"id": f"T-0000000{i}", "source": "cloudtrail", "summary": "x" * 400,
                                          "link": "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/" + "e" * 36}
                                         for i in range(evidence)]}],
            "sources": {"cloudtrail": {"status": "ok"}}}


def test_the_notification_matches_the_chatbot_schema_and_slack_limits():
    huge = f"ERROR aws_key={SECRET} ``` <!channel> `rm -rf` " + "connect timed out " * 400
    enrichment = Enrichment(_report(), [{"title": "Interface/gateway endpoint lost its route", "link": "https://wiki/rb"}] * 5,
                            [{"title": "checkout DynamoDB timeouts", "date": "2026-10-02", "id": "alert-x"}] * 5)
    message = build(_alert(huge), enrichment, "ops")
    jsonschema.validate(message, CHATBOT_CUSTOM_NOTIFICATION)
    description = message["content"]["description"]
    assert len(description) <= DESCRIPTION_LIMIT
    assert SECRET not in description and "[REDACTED:aws-key-id" in description
    assert description.count("```") == 2  # the template cannot close its code block
    assert "<!channel>" not in description
    assert description.splitlines()[-1] == "_Ask in this thread:_ `@aws ask ops why is checkout failing since 09:01?`"
    assert message["metadata"]["threadId"] == _alert("x").incident.id
    assert message["metadata"]["relatedResources"] == ["arn:aws:logs:us-east-1:123456789012:log-group:/ecs/checkout"]


def test_the_top_hypothesis_runbook_and_similar_incident_are_in_the_answer():
    enrichment = Enrichment(_report(2), [{"title": "Interface/gateway endpoint lost its route",
                                          "link": "https://s3.console.aws.amazon.com/s3/object/rb?prefix=runbooks/vpc-endpoint.md"}],
                            [{"title": "checkout DynamoDB timeouts", "date": "2026-10-02", "id": "alert-20261002T1010-aa"}])
    message = build(_alert("ERROR connect timed out <*>"), enrichment, "ops")
    description = message["content"]["description"]
    assert "*Most likely cause (high):* ModifyVpcEndpoint removed rtb-0a1b from vpce-0c2d" in description
    assert "|T-00000000>" in description
    assert "*Runbook:* <https://s3.console.aws.amazon.com/s3/object/rb?prefix=runbooks/vpc-endpoint.md|" in description
    assert "*Similar to* checkout DynamoDB timeouts, on 2026-10-02" in description
    assert "likely ModifyVpcEndpoint removed rtb-0a1b from vpce-0c2d (high)" in message["content"]["title"]
    assert any(step.startswith("Follow the runbook") for step in message["content"]["nextSteps"])


def test_an_update_says_so_and_keeps_the_thread():
    first = build(_alert("ERROR a <*>"), Enrichment(), "ops")
    second = build(_alert("ERROR a <*>", number=2), Enrichment(), "ops")
    assert first["metadata"]["threadId"] == second["metadata"]["threadId"]
    assert first["id"] != second["id"]
    assert second["content"]["title"].startswith(":arrows_counterclockwise: Update")
    assert second["metadata"]["eventType"] == "ErrorBurstUpdate"
