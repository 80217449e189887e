"""``--agent-id/--alias-id``: ask the deployed Bedrock agent (InvokeAgent with enableTrace), streaming the answer
chunks and printing the trace: the model's rationale, each action-group call with its parameters, latency and
observation size. Follow-ups reuse the session id, as a Slack thread does."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, TextIO


class DeployedAgent:
    def __init__(self, client: Any, agent_id: str, alias_id: str, out: TextIO, session_id: str | None = None,
                 clock: Any = time.monotonic) -> None:
        self.client = client
        self.agent_id = agent_id
        self.alias_id = alias_id
        self.session_id = session_id or uuid.uuid4().hex
        self.out = out
        self.clock = clock
        self.calls: list[dict[str, Any]] = []

    def ask(self, question: str) -> tuple[str, list[dict[str, Any]]]:
        response = self.client.invoke_agent(agentId=self.agent_id, agentAliasId=self.alias_id, sessionId=self.session_id,
                                            inputText=question, enableTrace=True)
        chunks: list[str] = []
        calls: list[dict[str, Any]] = []
        pending: dict[str, Any] | None = None
        for event in response["completion"]:
            if "chunk" in event:
                data = event["chunk"].get("bytes", b"")
                chunks.append(data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else str(data))
            elif "trace" in event:
                pending = self._trace(event["trace"].get("trace", {}), pending, calls)
        self.calls.extend(calls)
        return "".join(chunks).strip(), calls

    def _trace(self, trace: dict[str, Any], pending: dict[str, Any] | None, calls: list[dict[str, Any]]) -> dict[str, Any] | None:
        orchestration = trace.get("orchestrationTrace") or {}
        if "rationale" in orchestration:
            print(f"   [rationale] {orchestration['rationale'].get('text', '')[:600]}", file=self.out, flush=True)
        invocation = (orchestration.get("invocationInput") or {}).get("actionGroupInvocationInput")
        if invocation:
            params = {p.get("name"): p.get("value") for p in invocation.get("parameters", []) if isinstance(p, dict)}
            name = f"{invocation.get('actionGroupName', '?')}__{invocation.get('function', '?')}"
            pending = {"name": name, "params": params, "started": self.clock()}
        observation = orchestration.get("observation") or {}
        output = observation.get("actionGroupInvocationOutput")
        if output is not None and pending is not None:
            text = output.get("text", "")
            seconds = self.clock() - pending["started"]
            call = {**pending, "seconds": seconds, "size": len(text.encode("utf-8"))}
            calls.append(call)
            args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in pending["params"].items())
            print(f"-> {pending['name']}({args})  {seconds * 1000:.0f} ms, {call['size']:,} B", file=self.out, flush=True)
            pending = None
        if "finalResponse" in observation:
            print("   [final response ready]", file=self.out, flush=True)
        failure = trace.get("failureTrace")
        if failure:
            print(f"   [failure] {failure.get('failureReason', '')[:300]}", file=self.out, flush=True)
        return pending
