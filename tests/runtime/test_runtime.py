"""The local runtime: offline planner through the real handlers, Converse with a stubbed bedrock-runtime,
InvokeAgent with a fake event stream, ask/chat commands and the demo."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import botocore.session
import pytest
from botocore.stub import Stubber

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))

from snapshot_fixture import write_snapshot  # noqa: E402

from agent.runtime.command import run_ask, run_chat  # noqa: E402
from agent.runtime.converse import ConverseAgent, tool_config  # noqa: E402
from agent.runtime.invoke_agent import DeployedAgent  # noqa: E402
from agent.runtime.offline import OfflineAgent  # noqa: E402
from agent.runtime.tools import ToolBox  # noqa: E402
from tools import catalogue  # noqa: E402


@pytest.fixture()
def snapshot(tmp_path: Path, monkeypatch) -> Path:
    path = write_snapshot(tmp_path / "snap")
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(path))
    return path


def args(**values) -> argparse.Namespace:
    base = {"snapshot": None, "model": None, "agent_id": None, "alias_id": None, "region": None, "session_id": None, "question": None}
    base.update(values)
    return argparse.Namespace(**base)


# --- offline ---------------------------------------------------------------------------------------


def test_offline_session_answers_follow_ups_through_the_real_handlers(snapshot, monkeypatch):
    import tools.logs.handler as logs_handler

    seen: list[dict] = []
    real = logs_handler.lambda_handler

    def recording(event, context):
        seen.append(event)
        return real(event, context)

    monkeypatch.setattr(logs_handler, "lambda_handler", recording)
    out = io.StringIO()
    agent = OfflineAgent(ToolBox("s-1", out))
    answer, calls = agent.ask("why are checkout requests failing since 09:40?")
    assert calls[0].name == "triage__investigate" and calls[0].params["window"] == "2026-11-20T08:40:00Z/2026-11-20T11:00:00Z"
    assert "RevokeSecurityGroupIngress" in answer and len(answer) <= 2500
    top_log = agent.tools.session["opsagent_top_log"]

    answer, calls = agent.ask(f"show the raw lines for {top_log}")
    assert calls[0].name == "logs__search_logs" and calls[0].params["match"] == top_log
    assert "connect timed out" in answer
    # the handler got a real function-details event with the session carried over
    assert seen[-1]["function"] == "search_logs" and seen[-1]["sessionAttributes"]["opsagent_window"]

    answer, calls = agent.ask("what changed before that?")
    assert calls[0].name == "cloudtrail__list_changes" and "window" in calls[0].params
    assert "RevokeSecurityGroupIngress" in answer

    _, calls = agent.ask("only the payment service")  # the last question again, narrowed
    assert calls[0].name == "cloudtrail__list_changes" and calls[0].params["resource"] == "payment"
    _, calls = agent.ask("why is the payment service slow?")
    assert calls[0].name == "triage__investigate" and calls[0].params["service"] == "payment"
    _, calls = agent.ask("metrics for the load balancer")
    assert calls[0].name == "metrics__find_changed_metrics" and calls[0].params["namespace"] == "AWS/ApplicationELB"
    printed = out.getvalue()
    assert "-> triage__investigate(" in printed and " ms, " in printed and " B" in printed


def test_ask_and_chat_commands(snapshot, capsys):
    assert run_ask(args(question="why is checkout failing?", snapshot=str(snapshot))) == 0
    out = capsys.readouterr().out
    assert "-> triage__investigate(" in out and "RevokeSecurityGroupIngress" in out
    assert run_chat(args(snapshot=str(snapshot)), lines=["why is checkout failing?", "what changed before that?", "exit", "never asked"]) == 0
    out = capsys.readouterr().out
    assert "-> cloudtrail__list_changes(" in out and "never asked" not in out


def test_ask_with_a_bad_snapshot_is_a_usage_error(tmp_path):
    from agent.errors import UsageError

    with pytest.raises(UsageError):
        run_ask(args(question="why?", snapshot=str(tmp_path / "missing")))


# --- Converse -------------------------------------------------------------------------------------


def _turn(content: list[dict], stop: str) -> dict:
    return {"output": {"message": {"role": "assistant", "content": content}}, "stopReason": stop,
            "usage": {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15}, "metrics": {"latencyMs": 5}}


def test_converse_loop_runs_tools_reports_reprompts_as_errors_and_returns_the_text(snapshot):
    client = botocore.session.get_session().create_client("bedrock-runtime", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_response("converse", _turn([{"text": "Investigating."}, {"toolUse": {"toolUseId": "t1", "name": "triage__investigate",
                                                                                      "input": {"question": "why is checkout failing?"}}}], "tool_use"))
    stubber.add_response("converse", _turn([{"toolUse": {"toolUseId": "t2", "name": "logs__search_logs", "input": {"limit": 5}}}], "tool_use"))
    stubber.add_response("converse", _turn([{"text": "The security group sg-0123456789abcdef0 rule was revoked (C-...)."}], "end_turn"))
    out = io.StringIO()
    agent = ConverseAgent(client, "anthropic.test", "instruction", ToolBox("s-2", out), out)
    with stubber:
        answer, calls = agent.ask("why is checkout failing?")
    stubber.assert_no_pending_responses()
    assert answer.startswith("The security group")
    assert [c.name for c in calls] == ["triage__investigate", "logs__search_logs"]
    assert calls[1].reprompt and "match" in calls[1].body
    results = [block["toolResult"] for m in agent.messages if m["role"] == "user" for block in m["content"] if "toolResult" in block]
    assert [r["status"] for r in results] == ["success", "error"]
    assert "RevokeSecurityGroupIngress" in results[0]["content"][0]["text"]
    assert "-> logs__search_logs(" in out.getvalue() and "REPROMPT" in out.getvalue()


def test_converse_stops_after_the_round_limit(snapshot):
    client = botocore.session.get_session().create_client("bedrock-runtime", region_name="us-east-1")
    stubber = Stubber(client)
    for i in range(3):
        stubber.add_response("converse", _turn([{"toolUse": {"toolUseId": f"t{i}", "name": "cloudtrail__list_changes", "input": {}}}], "tool_use"))
    agent = ConverseAgent(client, "m", "i", ToolBox("s-3", io.StringIO()), io.StringIO(), max_rounds=2)
    with stubber:
        answer, calls = agent.ask("what changed?")
    assert answer.startswith("Stopped early") and len(calls) == 2
    assert agent.messages[-1]["role"] == "assistant"


def test_tool_config_uses_catalogue_names_and_schemas():
    specs = tool_config()["tools"]
    assert len(specs) == len(catalogue.FUNCTIONS)
    first = specs[0]["toolSpec"]
    assert first["name"] == catalogue.FUNCTIONS[0].qualified_name
    assert first["inputSchema"]["json"] == catalogue.FUNCTIONS[0].input_schema()


# --- InvokeAgent ----------------------------------------------------------------------------------


class FakeAgentRuntime:
    def __init__(self) -> None:
        self.requests: list[dict] = []

    def invoke_agent(self, **kwargs):
        self.requests.append(kwargs)
        trace = {"orchestrationTrace": {"rationale": {"text": "I should run a triage first."}}}
        call = {"orchestrationTrace": {"invocationInput": {"actionGroupInvocationInput": {
            "actionGroupName": "triage", "function": "investigate",
            "parameters": [{"name": "question", "type": "string", "value": kwargs["inputText"]}]}}}}
        observation = {"orchestrationTrace": {"observation": {"actionGroupInvocationOutput": {"text": "x" * 1234}}}}
        return {"completion": iter([
            {"trace": {"agentId": "A", "trace": trace}},
            {"trace": {"agentId": "A", "trace": call}},
            {"trace": {"agentId": "A", "trace": observation}},
            {"chunk": {"bytes": b"Most likely cause: "}},
            {"chunk": {"bytes": "the revoked rule.".encode()}},
        ]), "sessionId": kwargs["sessionId"]}


def test_invoke_agent_streams_the_answer_prints_the_trace_and_reuses_the_session(capsys):
    fake = FakeAgentRuntime()
    assert run_chat(args(agent_id="AGENT1", alias_id="ALIAS1"), clients={"bedrock-agent-runtime": fake},
                    lines=["why is checkout failing?", "what changed before that?"]) == 0
    out = capsys.readouterr().out
    assert "Most likely cause: the revoked rule." in out
    assert "[rationale] I should run a triage first." in out
    assert '-> triage__investigate(question="why is checkout failing?")' in out and "1,234 B" in out
    assert len(fake.requests) == 2
    assert fake.requests[0]["sessionId"] == fake.requests[1]["sessionId"]
    assert fake.requests[0]["enableTrace"] is True and fake.requests[0]["agentAliasId"] == "ALIAS1"


def test_invoke_agent_honours_a_given_session_id():
    fake = FakeAgentRuntime()
    agent = DeployedAgent(fake, "A", "B", io.StringIO(), session_id="thread-42")
    answer, calls = agent.ask("hi")
    assert fake.requests[0]["sessionId"] == "thread-42" and calls[0]["size"] == 1234 and answer


# --- demo -----------------------------------------------------------------------------------------


def test_demo_runs_offline_and_prints_the_top_cause(tmp_path, monkeypatch, capsys):
    from agent.demo import run

    monkeypatch.setenv("OPSAGENT_CACHE", str(tmp_path / "cache"))
    assert run(argparse.Namespace(snapshot=None)) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "cache" / "demo-snapshot" / "manifest.json").is_file()
    assert "@ops " in out and "-> triage__investigate(" in out
    assert "*Most likely cause" in out and "ModifyVpcEndpoint" in out.split("*Most likely cause", 1)[1].split("\n", 1)[0]
    assert "-> logs__search_logs(" in out and "-> cloudtrail__list_changes(" in out
    for block in out.split("--- answer in Slack (")[1:]:
        assert int(block.split(" ", 1)[0]) <= 2500


def test_model_option_wires_the_converse_loop_with_the_deployed_instruction(snapshot, capsys):
    from agent.runtime.instruction import instruction

    client = botocore.session.get_session().create_client("bedrock-runtime", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_response("converse", _turn([{"text": "All good."}], "end_turn"),
                         {"modelId": "anthropic.test-v1:0", "system": [{"text": instruction()}], "messages": [
                             {"role": "user", "content": [{"text": "status?"}]}], "toolConfig": tool_config(),
                          "inferenceConfig": {"maxTokens": 2048, "temperature": 0.0}})
    with stubber:
        assert run_ask(args(question="status?", model="bedrock:anthropic.test-v1:0", snapshot=str(snapshot)),
                       clients={"bedrock-runtime": client}) == 0
    assert "All good." in capsys.readouterr().out


@pytest.mark.parametrize("extra", [{"model": "openai:gpt"}, {"agent_id": "A"}])
def test_bad_runtime_options_are_usage_errors(snapshot, extra):
    from agent.errors import UsageError

    with pytest.raises(UsageError):
        run_ask(args(question="q", **extra))


def test_cli_exit_2_for_an_empty_question(capsys):
    from agent.cli import main

    assert main(["ask", "  "]) == 2
    assert capsys.readouterr().err.startswith("error:")
