"""``--model bedrock:<model-id>``: a Bedrock Converse tool-use loop with the deployed agent's instruction and the
catalogue as tools (``<group>__<function>``, input schema from ``Function.input_schema()``). Each toolUse block
runs in-process through the real handler; REPROMPT answers go back as ``status: error`` tool results. Turns and
total time are bounded so one Slack turn stays under 120 s."""

from __future__ import annotations

import time
from typing import Any, TextIO

from agent.runtime.tools import ToolBox, ToolCall
from tools import catalogue

MAX_TOOL_ROUNDS = 8
TURN_SECONDS = 110.0


def tool_config() -> dict[str, Any]:
    return {
        "tools": [
            {"toolSpec": {"name": f.qualified_name, "description": f.description[:4000], "inputSchema": {"json": f.input_schema()}}}
            for f in catalogue.FUNCTIONS
        ]
    }


class ConverseAgent:
    def __init__(self, client: Any, model_id: str, instruction: str, tools: ToolBox, out: TextIO, turn_seconds: float = TURN_SECONDS,
                 max_rounds: int = MAX_TOOL_ROUNDS, clock: Any = time.monotonic) -> None:
        self.client = client
        self.model_id = model_id
        self.instruction = instruction
        self.tools = tools
        self.out = out
        self.messages: list[dict[str, Any]] = []
        self.turn_seconds = turn_seconds
        self.max_rounds = max_rounds
        self.clock = clock

    def ask(self, question: str) -> tuple[str, list[ToolCall]]:
        started = self.clock()
        self.messages.append({"role": "user", "content": [{"text": question}]})
        executed: list[ToolCall] = []
        config = tool_config()
        for round_number in range(self.max_rounds + 1):
            left = self.turn_seconds - (self.clock() - started)
            if left <= 5:
                return self._stop("time budget of the turn used up", executed)
            response = self.client.converse(
                modelId=self.model_id,
                system=[{"text": self.instruction}],
                messages=self.messages,
                toolConfig=config,
                inferenceConfig={"maxTokens": 2048, "temperature": 0.0},
            )
            message = response["output"]["message"]
            self.messages.append(message)
            uses = [block["toolUse"] for block in message.get("content", []) if "toolUse" in block]
            usage = response.get("usage", {})
            print(f"   [model] stop={response.get('stopReason')} tokens in/out={usage.get('inputTokens', '?')}/{usage.get('outputTokens', '?')}",
                  file=self.out, flush=True)
            if not uses or response.get("stopReason") != "tool_use":
                text = "\n".join(block["text"] for block in message.get("content", []) if "text" in block).strip()
                return text, executed
            if round_number >= self.max_rounds:
                break
            results = []
            for use in uses:
                params = use.get("input") if isinstance(use.get("input"), dict) else {}
                call = self.tools.call(str(use.get("name", "")), params, question)
                executed.append(call)
                results.append({"toolResult": {"toolUseId": use["toolUseId"], "content": [{"text": call.body}],
                                               "status": "error" if call.reprompt else "success"}})
            self.messages.append({"role": "user", "content": results})
        return self._stop("too many tool rounds", executed)

    def _stop(self, why: str, executed: list[ToolCall]) -> tuple[str, list[ToolCall]]:
        # Keep the conversation well-formed for the next question (a user turn must follow an assistant turn).
        if self.messages and self.messages[-1]["role"] == "user":
            self.messages.append({"role": "assistant", "content": [{"text": f"(stopped: {why})"}]})
        last = next((c.body for c in reversed(executed) if not c.reprompt), "")
        return f"Stopped early ({why}). Last tool answer:\n{last[:2000]}", executed
