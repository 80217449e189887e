"""The Athena table definition the stack imports, and the Lambda entry (light import, envelope)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cloudtrail.fixtures import modify_vpc_endpoint, write_snapshot
from tools.cloudtrail import schema

ROOT = Path(__file__).resolve().parents[2]


def test_table_definition_for_the_stack() -> None:
    names = [name for name, _ in schema.COLUMNS]
    for needed in ("eventtime", "eventsource", "eventname", "useridentity", "requestparameters", "resources",
                   "readonly", "errorcode", "eventid", "useragent", "sourceipaddress", "sessioncredentialfromconsole"):
        assert needed in names
    assert [name for name, _ in schema.PARTITION_KEYS] == ["region", "day"]
    params = schema.table_parameters("trail-bucket", "org/", "123456789012", ["eu-west-1"], "2025/01/01")
    assert params["projection.enabled"] == "true"
    assert params["projection.region.values"] == "eu-west-1,us-east-1"
    assert params["projection.day.format"] == "yyyy/MM/dd" and params["projection.day.range"] == "2025/01/01,NOW"
    assert params["storage.location.template"] == "s3://trail-bucket/org/AWSLogs/123456789012/CloudTrail/${region}/${day}"
    assert schema.storage_location("b", "", "1") == "s3://b/AWSLogs/1/CloudTrail/"
    ddl = schema.create_table_ddl("ops_agent", "cloudtrail_logs", "b", "", "1", ["us-east-1"], "2025/01/01")
    assert "PARTITIONED BY (`region` string, `day` string)" in ddl and "CloudTrailInputFormat" in ddl
    assert schema.query_regions("us-east-1") == ("us-east-1",)


def test_handler_import_is_light() -> None:
    code = "import sys, tools.cloudtrail.handler; print('boto3' in sys.modules, 'tools.common.athena' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_lambda_handler_envelope(tmp_path: Path, monkeypatch) -> None:
    write_snapshot(tmp_path, {"a.json": {"Records": [modify_vpc_endpoint()]}})
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(tmp_path))
    monkeypatch.setenv("OPSAGENT_CONFIG", '{"cloudtrail": {"mode": "lookup"}}')
    from tools.cloudtrail.handler import lambda_handler

    event = {"messageVersion": "1.0", "actionGroup": "cloudtrail", "function": "list_changes",
             "parameters": [{"name": "window", "type": "string", "value": "since 09:40"},
                            {"name": "resource", "type": "string", "value": "vpce-0a1b"}],
             "sessionAttributes": {}, "promptSessionAttributes": {}, "inputText": "what changed?"}
    response = lambda_handler(event, None)
    body = response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
    assert "ModifyVpcEndpoint" in body and "09:38:12Z (before the window)" in body
    assert "responseState" not in response["response"]["functionResponse"]
    assert response["sessionAttributes"]["opsagent_resource"] == "vpce-0a1b"
    bad = lambda_handler({**event, "parameters": [{"name": "service", "type": "string", "value": "EC2!"}]}, None)
    assert bad["response"]["functionResponse"]["responseState"] == "REPROMPT"
