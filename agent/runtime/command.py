"""``python -m agent ask "question"`` and ``python -m agent chat``: the agent in three modes.

* offline (default): the deterministic planner over a snapshot (``--snapshot``, ``OPSAGENT_SNAPSHOT``, or the
  bundled demo incident built into ``.cache/``);
* ``--model bedrock:<model-id>``: a Converse tool-use loop (data: the snapshot when given, else AWS);
* ``--agent-id ID --alias-id ID``: the deployed agent through InvokeAgent, with its trace.

Every mode prints each tool call with its parameters, latency and response size, then the answer; ``--json``
prints one ``{"answer", "calls": [{"function", "parameters", "ms", "bytes"}]}`` object per turn instead
(``--trace`` adds each call's full ``body``), ``--full`` lifts the Slack cut. A failing model or agent call
(no credentials, throttling, a missing model) is one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any, Iterable, TextIO

from agent.errors import UsageError

REPOSITORY = Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    return Path(os.environ.get("OPSAGENT_CACHE") or REPOSITORY / ".cache")


def demo_snapshot(out: TextIO | None = None) -> Path:
    """The bundled demo incident, built into .cache/ on first use."""
    DEMO_DIR = cache_dir() / "demo-snapshot"
    if (DEMO_DIR / "manifest.json").is_file():
        return DEMO_DIR
    try:
        from agent.scenarios.demo import build_demo
    except ImportError as exc:
        raise UsageError(f"the demo incident generator is not available ({exc}); pass --snapshot DIR") from None
    if out is not None:
        print(f"(building the demo incident into {DEMO_DIR} ...)", file=out, flush=True)
    DEMO_DIR.parent.mkdir(parents=True, exist_ok=True)
    build_demo(DEMO_DIR)
    return DEMO_DIR


def use_snapshot(path: str) -> None:
    from tools.common.snapshot import Snapshot, SnapshotError

    try:
        Snapshot.open(path)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from None
    os.environ["OPSAGENT_SNAPSHOT"] = str(path)


def _client(service: str, region: str | None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(service, region_name=region or os.environ.get("AWS_REGION") or "us-east-1",
                                          config=Config(connect_timeout=5, read_timeout=60, retries={"mode": "adaptive", "max_attempts": 2}))


def build_agent(args: argparse.Namespace, out: TextIO, clients: dict[str, Any] | None = None) -> Any:
    """The agent of the chosen mode (``clients`` lets tests inject stubbed boto3 clients)."""
    from agent.runtime.tools import ToolBox

    clients = clients or {}
    agent_id, alias_id = getattr(args, "agent_id", None), getattr(args, "alias_id", None)
    model = getattr(args, "model", None)
    session_id = getattr(args, "session_id", None) or uuid.uuid4().hex
    if bool(agent_id) != bool(alias_id):
        raise UsageError("--agent-id and --alias-id go together")
    if agent_id:
        from agent.runtime.invoke_agent import DeployedAgent

        client = clients.get("bedrock-agent-runtime") or _client("bedrock-agent-runtime", getattr(args, "region", None))
        print(f"(InvokeAgent {agent_id}/{alias_id}, session {session_id})", file=out)
        return DeployedAgent(client, agent_id, alias_id, out, session_id)
    snapshot = getattr(args, "snapshot", None)
    if model:
        if not model.startswith("bedrock:") or len(model) <= len("bedrock:"):
            raise UsageError("--model must be bedrock:<model-id>, e.g. bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0")
        if snapshot:
            use_snapshot(snapshot)
        from agent.runtime.converse import ConverseAgent
        from agent.runtime.instruction import instruction

        client = clients.get("bedrock-runtime") or _client("bedrock-runtime", getattr(args, "region", None))
        data = os.environ.get("OPSAGENT_SNAPSHOT") or "AWS"
        print(f"(Converse with {model[8:]}; data: {data})", file=out)
        return ConverseAgent(client, model[len("bedrock:"):], instruction(), ToolBox(session_id, out), out)
    from agent.runtime.offline import OfflineAgent

    path = snapshot or os.environ.get("OPSAGENT_SNAPSHOT") or str(demo_snapshot(out))
    use_snapshot(path)
    print(f"(offline planner; data: snapshot {path})", file=out)
    return OfflineAgent(ToolBox(session_id, out), full=bool(getattr(args, "full", False)))


def call_record(call: Any, body: bool = False) -> dict[str, Any]:
    """One tool call of a turn for ``--json``: a ToolCall (offline, Converse) or an InvokeAgent trace dict."""
    if isinstance(call, dict):
        record = {"function": call.get("name"), "parameters": call.get("params", {}),
                  "ms": round(call.get("seconds", 0) * 1000), "bytes": call.get("size", 0)}
        return record
    record = {"function": call.name, "parameters": call.params, "ms": round(call.seconds * 1000), "bytes": call.size}
    if body:
        record["body"] = call.body
    return record


def _ask_agent(agent: Any, question: str) -> tuple[str, list[Any]]:
    """One turn; a failing AWS call (model, agent, credentials) becomes a one-line UsageError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return agent.ask(question)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise UsageError(f"{exc.operation_name} failed: {error.get('Code', 'error')}: {error.get('Message', '')}"[:400]) from None
    except BotoCoreError as exc:
        raise UsageError(f"cannot reach Bedrock: {exc}"[:400]) from None


def converse_turn(agent: Any, question: str, out: TextIO, args: argparse.Namespace | None = None) -> str:
    as_json, trace = bool(getattr(args, "json", False)), bool(getattr(args, "trace", False))
    if not as_json:
        print(f"\nyou> {question}", file=out, flush=True)
    answer, calls = _ask_agent(agent, question)
    if as_json:
        print(json.dumps({"answer": answer, "calls": [call_record(c, trace) for c in calls]}, ensure_ascii=False), file=out, flush=True)
        return answer
    if trace:
        for call in calls:
            if not isinstance(call, dict):
                print(f"\n--- {call.name} body ({call.size:,} B) ---\n{call.body}", file=out, flush=True)
    print(f"\nagent ({len(answer)} chars)>\n{answer}", file=out, flush=True)
    return answer


def run_ask(args: argparse.Namespace, out: TextIO | None = None, clients: dict[str, Any] | None = None) -> int:
    out = out or sys.stdout
    question = (args.question or "").strip()
    if not question:
        raise UsageError("the question is empty")
    agent = build_agent(args, _progress(args, out), clients)
    converse_turn(agent, question, out, args)
    return exit_status(getattr(getattr(agent, "tools", None), "calls", []))


NOTHING_READ = 3  # exit status when no data source could be read at all (interfaces.md)


def exit_status(calls: list[Any]) -> int:
    """3 when the tools were called and none could read any data (every status error or not_configured)."""
    statuses = [call.status for call in calls if getattr(call, "status", None)]
    return NOTHING_READ if statuses and all(s in ("error", "not_configured") for s in statuses) else 0


def _progress(args: argparse.Namespace, out: TextIO) -> TextIO:
    """Where the per-call progress lines go: the output, or nowhere when stdout carries JSON."""
    return io.StringIO() if getattr(args, "json", False) else out


def run_chat(args: argparse.Namespace, out: TextIO | None = None, clients: dict[str, Any] | None = None,
             lines: Iterable[str] | None = None) -> int:
    out = out or sys.stdout
    agent = build_agent(args, _progress(args, out), clients)
    if not getattr(args, "json", False):
        print("(type a question; 'exit' or end of input ends the session)", file=out)
    source = lines if lines is not None else sys.stdin
    for raw in source:
        question = raw.strip()
        if not question:
            continue
        if question.lower() in ("exit", "quit", "bye"):
            break
        converse_turn(agent, question, out, args)
    return 0
