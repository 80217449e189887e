"""Every tool Lambda as an AgentCore Gateway Lambda target: the tool's arguments as the event, the tool name
(prefixed with the target's name) in the client context; plain JSON back. A Bedrock Agents event keeps its
envelope. ``functions --format agentcore`` matches AgentCore's documented ToolDefinition shape."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest

from tools import catalogue
from tools.common import agentcore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))

from snapshot_fixture import write_snapshot  # noqa: E402

# AgentCore control plane: ToolDefinition {name, description, inputSchema, outputSchema?}; SchemaDefinition
# {type, description?, properties?, required?, items?}; a Lambda target's toolSchema is {inlinePayload: [...]}.
SCHEMA_DEFINITION = {
    "type": "object",
    "required": ["type"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["string", "number", "object", "array", "boolean", "integer"]},
        "description": {"type": "string"},
        "properties": {"type": "object", "additionalProperties": {"$ref": "#/$defs/schema"}},
        "required": {"type": "array", "items": {"type": "string"}},
        "items": {"$ref": "#/$defs/schema"},
    },
}
TOOL_DEFINITION = {
    "type": "object",
    "required": ["name", "description", "inputSchema"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1, "maxLength": agentcore.MAX_TOOL_DESCRIPTION},
        "inputSchema": {"$ref": "#/$defs/schema"},
        "outputSchema": {"$ref": "#/$defs/schema"},
    },
}
TARGETS = {
    "$defs": {"schema": SCHEMA_DEFINITION, "tool": TOOL_DEFINITION},
    "type": "array",
    "items": {
        "type": "object",
        "required": ["target", "handler", "toolSchema"],
        "properties": {
            "target": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,100}$"},
            "handler": {"type": "string"},
            "toolSchema": {
                "type": "object", "required": ["inlinePayload"], "additionalProperties": False,
                "properties": {"inlinePayload": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/tool"}}},
            },
        },
    },
}


class GatewayContext:
    """The Lambda context as AgentCore Gateway invokes a target: the tool name in client_context.custom."""

    def __init__(self, tool: str, target: str = "opsagent-target", key: str = "bedrockAgentCoreToolName") -> None:
        self.client_context = SimpleNamespace(custom={key: f"{target}___{tool}", "bedrockAgentCoreSessionId": "s-1"})
        self.aws_request_id = "req-1"
        self.function_name = "ops-agent-tool"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


@pytest.fixture()
def snapshot(tmp_path, monkeypatch):
    path = write_snapshot(tmp_path / "snap")
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(path))
    return path


def _handler(function: catalogue.Function):
    return importlib.import_module(f"tools.{function.action_group}.handler").lambda_handler


@pytest.mark.parametrize("function", catalogue.FUNCTIONS, ids=lambda f: f.qualified_name)
def test_every_tool_lambda_answers_a_gateway_invocation_with_plain_json(function, snapshot):
    assert function.example is not None, f"{function.qualified_name} declares no example (tests/test_catalogue.py)"
    answer = _handler(function)(dict(function.example), GatewayContext(function.name))
    decoded = json.loads(json.dumps(answer))  # plain JSON, no Bedrock envelope
    assert "messageVersion" not in decoded and "response" not in decoded
    assert decoded["isError"] is False
    assert decoded["status"] in {"ok", "empty", "partial", "error", "not_configured"}
    assert decoded["body"].startswith("## ")
    assert len(decoded["body"].encode()) < 20_000
    for item in decoded["evidence"]:
        assert set(item) >= {"id", "source", "summary", "link"}
        assert item["source"] == function.action_group or function.action_group in {"findings", "triage"}


def test_the_gateway_answer_carries_the_evidence_as_data(snapshot):
    function = catalogue.by_qualified_name("triage__investigate")
    answer = _handler(function)({"question": "why are checkout requests failing?"}, GatewayContext("investigate"))
    assert answer["evidence"], "triage names evidence"
    assert all(e["id"] in answer["body"] for e in answer["evidence"])


def test_invalid_arguments_and_unknown_tools_are_gateway_errors_naming_the_problem(snapshot):
    function = catalogue.by_qualified_name("logs__search_logs")
    handler = _handler(function)
    missing = handler({}, GatewayContext("search_logs"))
    assert missing["isError"] is True and "match" in missing["error"]
    unknown = handler({"match": "x"}, GatewayContext("list_changes"))
    assert unknown["isError"] is True and "search_logs" in unknown["error"]
    not_object = handler(["x"], GatewayContext("search_logs"))
    assert not_object["isError"] is True


def test_the_lower_case_client_context_key_of_agentcore_samples_is_read_too(snapshot):
    function = catalogue.by_qualified_name("cloudtrail__list_changes")
    answer = _handler(function)({}, GatewayContext("list_changes", key="bedrockagentcoreToolName"))
    assert answer["isError"] is False and answer["body"].startswith("## ")


def test_detection_is_explicit_a_bedrock_agents_event_keeps_its_envelope(snapshot):
    function = catalogue.by_qualified_name("cloudtrail__list_changes")
    event = {"messageVersion": "1.0", "actionGroup": "cloudtrail", "function": "list_changes", "parameters": [],
             "sessionAttributes": {}, "promptSessionAttributes": {}, "sessionId": "s", "inputText": ""}
    plain_context = SimpleNamespace(client_context=None, aws_request_id="r", get_remaining_time_in_millis=lambda: 60_000)
    response = _handler(function)(event, plain_context)
    assert response["messageVersion"] == "1.0"
    assert response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"].startswith("## ")
    assert agentcore.gateway_tool_name(plain_context) is None
    assert agentcore.gateway_tool_name(SimpleNamespace(client_context=SimpleNamespace(custom={"other": "x"}))) is None
    assert agentcore.gateway_tool_name(GatewayContext("investigate", target="t___x")) == "investigate"


def test_functions_format_agentcore_validates_against_the_documented_tool_definition_shape():
    from agent.cli import main
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["functions", "--format", "agentcore"]) == 0
    targets = json.loads(out.getvalue())
    jsonschema.validate(targets, TARGETS)
    served = {(t["target"], tool["name"]) for t in targets for tool in t["toolSchema"]["inlinePayload"]}
    assert served == {(f.action_group, f.name) for f in catalogue.FUNCTIONS}
    for target in targets:
        assert target["handler"] == f"tools.{target['target']}.handler.lambda_handler"
        for tool in target["toolSchema"]["inlinePayload"]:
            function = catalogue.by_qualified_name(f"{target['target']}__{tool['name']}")
            assert tool["inputSchema"]["required"] == [p.name for p in function.parameters if p.required]
            assert set(tool["inputSchema"]["properties"]) == {p.name for p in function.parameters}
