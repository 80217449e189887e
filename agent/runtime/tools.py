"""Calling the agent's functions in-process exactly as Bedrock does: a function-details event into the action
group's real ``lambda_handler``, the response envelope read back. Every call is recorded (name, parameters,
latency, response size) so every runtime mode can print it."""

from __future__ import annotations

import importlib
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO

from tools import catalogue
from tools.catalogue import Function


_STATUS = re.compile(r"(?m)^(?:window: .*\| )?status: (ok|empty|partial|error|not_configured)$")


@dataclass
class ToolCall:
    name: str
    params: dict[str, Any]
    body: str
    reprompt: bool
    seconds: float
    session: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8"))

    @property
    def status(self) -> str | None:
        """The ``status:`` of the body's header (ok, empty, partial, error, not_configured), or None (REPROMPT)."""
        found = _STATUS.search(self.body[:2000])
        return found.group(1) if found and not self.reprompt else None

    def describe(self) -> str:
        args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in self.params.items())
        state = " REPROMPT" if self.reprompt else ""
        return f"-> {self.name}({args})  {self.seconds * 1000:.0f} ms, {self.size:,} B{state}"


class _Context:
    """The part of the Lambda context the handlers read: the time left."""

    def __init__(self, seconds: float) -> None:
        self._until = time.monotonic() + seconds
        self.aws_request_id = "local"
        self.function_name = "ops-agent-local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._until - time.monotonic()) * 1000))


def function_event(function: Function, params: dict[str, Any], session: dict[str, str], input_text: str, session_id: str) -> dict[str, Any]:
    """The Bedrock Agents function-details event for one call."""
    parameters = []
    for name, value in params.items():
        spec = function.parameter(name)
        kind = spec.type if spec else "string"
        text = json.dumps(value) if isinstance(value, (list, dict)) else (str(value).lower() if isinstance(value, bool) else str(value))
        parameters.append({"name": name, "type": kind, "value": text})
    return {
        "messageVersion": "1.0",
        "agent": {"name": "ops-agent", "id": "LOCAL", "alias": "LOCAL", "version": "DRAFT"},
        "inputText": input_text,
        "sessionId": session_id,
        "actionGroup": function.action_group,
        "function": function.name,
        "parameters": parameters,
        "sessionAttributes": dict(session),
        "promptSessionAttributes": {},
    }


def _handler(action_group: str) -> Callable[[Any, Any], dict[str, Any]]:
    return importlib.import_module(f"tools.{action_group}.handler").lambda_handler


class ToolBox:
    """The catalogue's functions behind their real handlers, with the session attributes carried over."""

    def __init__(self, session_id: str, out: TextIO | None = None, seconds_per_call: float = 40.0) -> None:
        self.session_id = session_id
        self.session: dict[str, str] = {}
        self.calls: list[ToolCall] = []
        self.out = out
        self.seconds_per_call = seconds_per_call

    def call(self, qualified_name: str, params: dict[str, Any], input_text: str = "") -> ToolCall:
        function = catalogue.by_qualified_name(qualified_name)
        started = time.monotonic()
        if function is None:
            known = ", ".join(f.qualified_name for f in catalogue.FUNCTIONS)
            call = ToolCall(qualified_name, params, f"Unknown function {qualified_name!r}. Known: {known}.", True, 0.0)
        else:
            event = function_event(function, params, self.session, input_text, self.session_id)
            try:
                response = _handler(function.action_group)(event, _Context(self.seconds_per_call))
                envelope = response["response"]["functionResponse"]
                body = envelope["responseBody"]["TEXT"]["body"]
                reprompt = envelope.get("responseState") == "REPROMPT"
                self.session = dict(response.get("sessionAttributes") or self.session)
            except (ImportError, AttributeError) as exc:
                body, reprompt = f"{qualified_name}: this action group is not available in this build ({exc.__class__.__name__}).", False
            call = ToolCall(qualified_name, params, body, reprompt, time.monotonic() - started, dict(self.session))
        self.calls.append(call)
        if self.out is not None:
            print(call.describe(), file=self.out, flush=True)
        return call
