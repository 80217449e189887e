"""The second caller of every tool Lambda: an Amazon Bedrock AgentCore Gateway Lambda target.

AgentCore Gateway serves Lambda functions as MCP tools. It invokes the function with the tool's arguments as
the event (a plain JSON object, no envelope) and names the tool in the Lambda context's client context:
``context.client_context.custom["bedrockAgentCoreToolName"]``, prefixed with the gateway target's name and
``___`` (``<target>___<tool>``). This module

* detects such an invocation explicitly (``gateway_tool_name``: the client context carries the tool name; a
  Bedrock Agents event never has one, so its envelope is unchanged),
* runs the same ``execute`` path as the Bedrock Agents handler (validation, window, budget, fencing,
  redaction), and
* answers plain JSON: ``{"isError": false, "status", "body", "evidence": [...]}``, or for input the tool
  rejects ``{"isError": true, "error": "<one line naming the parameter>"}``. The Gateway hands that JSON to
  the MCP client as the tool result.

``tool_definitions`` writes each target's tool schema (``functions --format agentcore``) in the
``ToolDefinition`` shape of the AgentCore control-plane API, whose ``SchemaDefinition`` knows only ``type``,
``description``, ``properties``, ``required`` and ``items``: the catalogue's finer constraints (patterns,
lengths, enums) stay enforced by the handler and are folded into each property's description.
"""

from __future__ import annotations

from typing import Any, Callable

from tools import catalogue
from tools.catalogue import Function

# The client-context keys AgentCore uses for the tool name (its documentation spells it this way; its samples
# also show the all-lower-case spelling, so both are read).
TOOL_NAME_KEYS = ("bedrockAgentCoreToolName", "bedrockagentcoreToolName")
# Between the gateway target's name and the tool's name in the name the Gateway passes.
TARGET_DELIMITER = "___"
# AgentCore ToolDefinition limits we keep to (the control-plane API's documented bounds).
MAX_TOOL_DESCRIPTION = 4000


def _custom(context: Any) -> dict[str, Any]:
    client_context = getattr(context, "client_context", None)
    custom = getattr(client_context, "custom", None) if client_context is not None else None
    if custom is None and isinstance(client_context, dict):
        custom = client_context.get("custom") or client_context.get("Custom")
    return custom if isinstance(custom, dict) else {}


def gateway_tool_name(context: Any) -> str | None:
    """The tool name when ``context`` is an AgentCore Gateway invocation's, with the target prefix removed."""
    custom = _custom(context)
    for key in TOOL_NAME_KEYS:
        value = custom.get(key)
        if isinstance(value, str) and value:
            return value.rsplit(TARGET_DELIMITER, 1)[-1]
    return None


def _error(message: str) -> dict[str, Any]:
    return {"isError": True, "error": message}


def respond(
    event: Any,
    context: Any,
    tool_name: str,
    functions: dict[str, Function],
    run: Callable[[Function, dict[str, Any], Any], Any],
) -> dict[str, Any]:
    """The Gateway's answer for one call; ``run(function, arguments, context)`` returns an ``Outcome``."""
    function = functions.get(tool_name)
    if function is None:
        return _error(f"Unknown tool {tool_name[:100]!r}; this target serves: {', '.join(sorted(functions))}.")
    if event is None:
        event = {}
    if not isinstance(event, dict):
        return _error("The tool arguments must be a JSON object.")
    outcome = run(function, event, context)
    if outcome.reprompt:
        return _error(outcome.body)
    result = outcome.result
    return {
        "isError": False,
        "status": result.status if result is not None else "ok",
        "body": outcome.body,
        "evidence": [e.to_report() for e in result.evidence] if result is not None else [],
    }


# --- tool schema for the gateway target --------------------------------------------------------------------


def _constraint_note(parameter: catalogue.Parameter) -> str:
    c = parameter.constraints
    notes = []
    if "enum" in c:
        notes.append("one of " + ", ".join(str(v) for v in c["enum"]))
    if "minimum" in c or "maximum" in c:
        notes.append(f"from {c.get('minimum', '-inf')} to {c.get('maximum', 'inf')}")
    if "maxLength" in c:
        notes.append(f"at most {c['maxLength']} characters")
    return f" ({'; '.join(notes)})" if notes else ""


def _property(parameter: catalogue.Parameter) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": parameter.type, "description": parameter.description + _constraint_note(parameter)}
    if parameter.type == "array":
        schema["items"] = {"type": parameter.constraints.get("items", {}).get("type", "string")}
    return schema


def tool_definition(function: Function) -> dict[str, Any]:
    """One ``ToolDefinition``: name, description, inputSchema (AgentCore's SchemaDefinition subset)."""
    return {
        "name": function.name,
        "description": function.description[:MAX_TOOL_DESCRIPTION],
        "inputSchema": {
            "type": "object",
            "properties": {p.name: _property(p) for p in function.parameters},
            "required": [p.name for p in function.parameters if p.required],
        },
    }


def tool_definitions() -> list[dict[str, Any]]:
    """One gateway target per action group (one Lambda each), its tools in the ``inlinePayload`` form."""
    groups: dict[str, list[Function]] = {}
    for function in catalogue.FUNCTIONS:
        groups.setdefault(function.action_group, []).append(function)
    return [
        {
            "target": group,
            "handler": functions[0].handler,
            "toolSchema": {"inlinePayload": [tool_definition(f) for f in functions]},
        }
        for group, functions in groups.items()
    ]
