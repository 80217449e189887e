"""`python -m agent mcp` driven by the MCP SDK's own stdio client: initialize, list every catalogue function,
call triage and a drill-down on a snapshot, keep the session's focus, and report bad input as a tool error."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tools import catalogue

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))

from snapshot_fixture import write_snapshot  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _server(snapshot: Path) -> StdioServerParameters:
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_EC2_METADATA_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "CRITICAL", "LOG_LEVEL": "CRITICAL",
           "PYTHONDONTWRITEBYTECODE": "1"}
    return StdioServerParameters(command=sys.executable, args=["-m", "agent", "mcp", "--snapshot", str(snapshot)],
                                 env=env, cwd=str(ROOT))


def _text(result) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")


@pytest.mark.parametrize("mode", ["legacy", "auto"])
def test_an_mcp_client_lists_the_catalogue_and_investigates_a_snapshot(tmp_path, mode):
    snapshot = write_snapshot(tmp_path / "snap")

    async def session() -> dict:
        async with Client(_server(snapshot), mode=mode, read_timeout_seconds=120) as client:
            listed = await client.list_tools()
            triage = await client.call_tool("triage__investigate", {"question": "why are checkout requests failing?"})
            ids = re.findall(r"\bL-[0-9a-f]{8}\b", _text(triage))
            drill = await client.call_tool("logs__search_logs", {"match": ids[0]}) if ids else None
            bad = await client.call_tool("logs__find_error_patterns", {"window": "x" * 500})
            unknown = await client.call_tool("nope__nothing", {})
            return {"info": client.server_info, "tools": listed.tools, "triage": triage, "ids": ids, "drill": drill,
                    "bad": bad, "unknown": unknown}

    out = anyio.run(session)
    assert out["info"].name == "ops-agent"
    by_name = {t.name: t for t in out["tools"]}
    assert set(by_name) == {f.qualified_name for f in catalogue.FUNCTIONS}
    for function in catalogue.FUNCTIONS:
        tool = by_name[function.qualified_name]
        assert tool.description == function.description
        assert tool.input_schema == function.input_schema()

    triage = out["triage"]
    assert not triage.is_error
    body = _text(triage)
    assert body.startswith("## ") and "⟦" in body  # the Lambda's rendered body, untrusted text fenced
    assert out["ids"], "triage names a log pattern the drill-down can take"
    drill = out["drill"]
    assert drill is not None and not drill.is_error
    assert out["ids"][0] in _text(drill)

    assert out["bad"].is_error and "window" in _text(out["bad"])  # REPROMPT -> a tool error naming the parameter
    assert out["unknown"].is_error and "triage__investigate" in _text(out["unknown"])


def test_the_session_focus_is_kept_between_calls_of_one_mcp_session(tmp_path):
    snapshot = write_snapshot(tmp_path / "snap")

    async def session() -> tuple[str, str]:
        async with Client(_server(snapshot), mode="legacy", read_timeout_seconds=120) as client:
            first = await client.call_tool("logs__find_error_patterns", {"window": "last 30m"})
            second = await client.call_tool("logs__find_error_patterns", {})
            return _text(first), _text(second)

    first, second = anyio.run(session)
    window = re.search(r"window: ([^|\n]+)", first).group(1).strip()
    assert re.search(r"window: ([^|\n]+)", second).group(1).strip() == window  # the remembered window, not the default


def test_mcp_with_a_missing_snapshot_is_a_one_line_usage_error(tmp_path, capsys):
    from agent.cli import main

    assert main(["mcp", "--snapshot", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err
