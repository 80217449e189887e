"""The tool contract: one dispatch over Powertools' typed ``BedrockAgentFunctionEvent`` and one response builder.

``make_lambda_handler(action_group, implementations)`` returns the Lambda handler of one action group
(``ActionGroup.serve`` wrapped in ``envelope``). Powertools' ``BedrockAgentFunctionResolver`` is not used: it
casts parameters itself, turns exceptions into "Error: ..." bodies and cannot clear session attributes. Here:

* an event that is not a function-details event, an unknown function, or invalid parameters -> ``REPROMPT``
  with a message naming the parameter and the accepted form (or the known functions);
* a data source failing -> a normal body that says what failed and what to do (never ``FAILURE``, which
  ends the session, and never a stack trace);
* bodies are compact text under the byte budget (the resolver would JSON-encode them otherwise);
* the resolved window and focus are written to ``sessionAttributes`` for follow-ups.

``execute`` is the same path without the envelope; triage and the local runtime use it in-process. An AgentCore
Gateway Lambda-target invocation (the tool name in the client context) takes the same path and answers plain
JSON (``tools/common/agentcore.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import BedrockAgentFunctionEvent

from tools import catalogue
from tools.catalogue import Function
from tools.common import agentcore
from tools.common import config as config_module
from tools.common import coverage
from tools.common import session as session_module
from tools.common.aws_errors import describe, is_aws_exception
from tools.common.config import Config
from tools.common.deadline import DEFAULT_SECONDS as DEFAULT_TOOL_SECONDS
from tools.common.deadline import Deadline
from tools.common.errors import ConfigError, InputError, SourceError
from tools.common.invocation import with_clean_log_state
from tools.common.params import parse_parameters
from tools.common.render import render_body
from tools.common.result import ToolResult
from tools.common.safety import neutralise, safe
from tools.common.snapshot import Snapshot, SnapshotError, from_environment
from tools.common.timewindow import UTC, Window, parse_window

logger = Logger(service="ops-agent", level=os.environ.get("LOG_LEVEL", "INFO"))


@dataclass
class ToolRequest:
    """Everything a tool implementation needs, resolved and validated."""

    function: Function
    params: dict[str, Any]
    window: Window | None
    now: datetime
    deadline: Deadline
    config: Config
    snapshot: Snapshot | None
    session: dict[str, str] = field(default_factory=dict)
    input_text: str = ""

    @property
    def region(self) -> str:
        if self.snapshot is not None:
            return self.snapshot.region
        from tools.common.aws import region

        return region()

    @property
    def account(self) -> str:
        return self.snapshot.manifest.account if self.snapshot is not None else os.environ.get("AWS_ACCOUNT_ID", "")

    def focus(self, name: str) -> str | None:
        """A parameter, or else the focus remembered for this conversation."""
        value = self.params.get(name)
        return value if value not in (None, "") else session_module.focus(self.session, name)


Implementation = Callable[[ToolRequest], ToolResult]


@dataclass
class Outcome:
    """The result of one call: the body text, whether to REPROMPT, and the session attributes to keep."""

    body: str
    reprompt: bool
    session: dict[str, str]
    result: ToolResult | None = None


def _no_data(function: Function, window: Window, snapshot: Snapshot) -> ToolResult:
    covered = snapshot.manifest.window
    result = ToolResult(function.action_group, f"{function.name}: no data in that window", window, status="empty")
    result.headline.append(f"No data in that window: the snapshot covers {covered}. Ask about a time inside it.")
    return result


def execute(
    function: Function,
    implementation: Implementation,
    raw_parameters: Any,
    *,
    session: Any = None,
    input_text: str = "",
    deadline: Deadline | None = None,
    config: Config | None = None,
    snapshot: Snapshot | None = None,
    use_environment_snapshot: bool = True,
) -> Outcome:
    """Validate, resolve the window, run ``implementation``, render; never raises."""
    attributes = session_module.clean_attributes(session)
    deadline = deadline or Deadline(40.0)
    try:
        config = config or config_module.load()
        if snapshot is None and use_environment_snapshot:
            snapshot = from_environment()
        params = parse_parameters(function, raw_parameters)
        now = snapshot.manifest.end if snapshot is not None else datetime.now(UTC)
        window = None
        if function.parameter("window") is not None:
            limits = config["limits"]
            window = parse_window(
                params.get("window"),
                now,
                max_hours=limits["max_window_hours"],
                default=session_module.stored_window(attributes),
                default_minutes=limits["default_window_minutes"],
            )
    except InputError as exc:
        return Outcome(safe(str(exc), 1500), True, attributes)
    except (ConfigError, SnapshotError) as exc:
        result = ToolResult(function.action_group, f"{function.name}: cannot run", status="error")
        result.fail(neutralise(str(exc), 500), "fix the configuration or the snapshot and ask again")
        return Outcome(render_body(result), False, attributes, result)

    request = ToolRequest(function, params, window, now, deadline, config, snapshot, attributes, input_text)
    try:
        if snapshot is not None and window is not None and not window.overlaps(snapshot.manifest.window):
            result = _no_data(function, window, snapshot)
        else:
            with coverage.collecting() as gaps:
                result = implementation(request)
            coverage.apply_gaps(result, gaps)
            coverage.apply_baseline(result, request, function.action_group)
            if snapshot is not None and snapshot.manifest.sources and function.action_group != "triage":
                coverage.apply_recording(result, coverage.sources_of(function.action_group), snapshot.manifest.sources)
    except InputError as exc:
        return Outcome(safe(str(exc), 1500), True, attributes)
    except SourceError as exc:
        result = ToolResult(function.action_group, f"{function.name}: {exc.source} could not be read", window, status="error")
        result.fail(exc.what, exc.hint)
    except Exception as exc:  # noqa: BLE001 - the contract: nothing escapes a tool
        if is_aws_exception(exc):  # e.g. ProfileNotFound or NoCredentialsError while creating a client
            what, hint = describe(exc, "", function.action_group)
            result = ToolResult(function.action_group, f"{function.name}: {function.action_group} could not be read", window, status="error")
            result.fail(what, hint)
            return _finish(function, params, attributes, window, result, config)
        logger.exception("tool failed", extra={"function": function.qualified_name})
        result = ToolResult(function.action_group, f"{function.name}: internal error", window, status="error")
        result.fail(f"the tool failed unexpectedly ({exc.__class__.__name__})", "try a narrower window; the error is in the tool's logs")
    return _finish(function, params, attributes, window, result, config)


def _finish(function: Function, params: dict[str, Any], attributes: dict[str, str], window: Window | None,
            result: ToolResult, config: Config) -> Outcome:
    focus = {p.name: params[p.name] for p in function.parameters if p.remember and params.get(p.name)}
    focus.update(result.session)
    new_session = session_module.updated(attributes, window, focus)
    body = render_body(result, config["limits"]["response_bytes"])
    return Outcome(body, False, new_session, result)


NOT_AN_EVENT = "The event is not a Bedrock Agents function-details event (expected a JSON object)."
LACKS_NAMES = "The event lacks 'actionGroup' or 'function'; expected a Bedrock Agents function-details event."


def envelope(event: Any, outcome: Outcome) -> dict[str, Any]:
    """The one response builder: the Bedrock Agents function-details response carrying ``outcome``."""
    fields = event if isinstance(event, dict) else {}
    function_response: dict[str, Any] = {"responseBody": {"TEXT": {"body": outcome.body}}}
    if outcome.reprompt:
        function_response["responseState"] = "REPROMPT"
    return {
        "messageVersion": "1.0",
        "response": {
            "actionGroup": str(fields.get("actionGroup", ""))[:100],
            "function": str(fields.get("function", ""))[:100],
            "functionResponse": function_response,
        },
        "sessionAttributes": outcome.session,
        "promptSessionAttributes": session_module.clean_attributes(fields.get("promptSessionAttributes")),
    }


def _tool_deadline(context: Any) -> Deadline | None:
    """The Lambda context's remaining time, capped by ``[limits] tool_seconds``; None without a context."""
    if context is None:
        return None
    try:
        seconds = float(config_module.load()["limits"]["tool_seconds"])
    except ConfigError:
        seconds = DEFAULT_TOOL_SECONDS  # execute() reports the configuration error itself
    return Deadline.from_context(context, seconds)


@dataclass(frozen=True)
class ActionGroup:
    """One action group's functions and their implementations, the dispatch every front end shares.

    ``serve(event, context)`` answers a Bedrock Agents function-details event (the Lambda handler wraps the
    outcome in ``envelope``); ``run(function, arguments, context)`` answers a call that named its function
    otherwise (an AgentCore Gateway target). Neither raises.
    """

    name: str
    functions: dict[str, Function]
    implementations: dict[str, Implementation]

    @classmethod
    def of(cls, name: str, implementations: dict[str, Implementation]) -> ActionGroup:
        functions = {f.name: f for f in catalogue.functions_of(name)}
        missing = set(functions) - set(implementations)
        if missing:
            raise RuntimeError(f"action group {name} lacks implementations for {sorted(missing)}")
        return cls(name, functions, dict(implementations))

    def serve(self, event: Any, context: Any = None) -> Outcome:
        if not isinstance(event, dict):
            return Outcome(NOT_AN_EVENT, True, {})
        typed = BedrockAgentFunctionEvent(event)
        session = session_module.clean_attributes(event.get("sessionAttributes"))
        name = typed.get("function")
        if not isinstance(name, str) or not isinstance(typed.get("actionGroup"), str):
            return Outcome(LACKS_NAMES, True, session)
        function = self.functions.get(name)
        if function is None:
            known = ", ".join(sorted(self.functions))
            return Outcome(f"Unknown function {neutralise(name, 100)!r} in action group {self.name}. Known functions: {known}.",
                           True, session)
        logger.append_keys(function=function.qualified_name, session_id=str(typed.get("sessionId", ""))[:100])
        return self.run(function, typed.get("parameters"), context, session=session,
                        input_text=str(typed.get("inputText", ""))[:2000])

    def run(self, function: Function, arguments: Any, context: Any, session: Any = None, input_text: str = "") -> Outcome:
        """One call of ``function`` with raw ``arguments`` (Bedrock's parameter list or a JSON object)."""
        attributes = session_module.clean_attributes(session)
        try:
            return execute(function, self.implementations[function.name], arguments, session=attributes,
                           input_text=input_text, deadline=_tool_deadline(context))
        except Exception:  # noqa: BLE001 - last net: execute() itself failed
            logger.exception("dispatch failed")
            return Outcome(f"{function.name}: internal error in the tool; the error is in the tool's logs. Other tools "
                           "still work.", False, attributes)


def make_lambda_handler(action_group: str, implementations: dict[str, Implementation]) -> Callable[[Any, Any], dict[str, Any]]:
    """The Lambda handler serving every catalogue function of ``action_group``."""
    group = ActionGroup.of(action_group, implementations)

    def respond(event: Any, context: Any) -> dict[str, Any]:
        gateway_tool = agentcore.gateway_tool_name(context)
        if gateway_tool is not None:  # an AgentCore Gateway Lambda-target call: plain JSON, no envelope
            logger.append_keys(function=f"{action_group}__{gateway_tool}"[:120])
            return agentcore.respond(event, context, gateway_tool, group.functions, group.run)
        return envelope(event, group.serve(event, context))

    lambda_handler = with_clean_log_state(logger, respond)

    if os.environ.get("OPSAGENT_XRAY_SDK") == "1":
        # Opt-in: the X-Ray SDK adds ~350 ms to a cold start; Lambda Active tracing records invocations anyway.
        from aws_lambda_powertools import Tracer

        lambda_handler = Tracer(service=f"ops-agent-{action_group}").capture_lambda_handler(capture_response=False)(lambda_handler)
    return lambda_handler
