"""The seams of ``ask``/``chat`` in ``interfaces.md``: ``--json`` (one object per turn: answer and tool calls with
parameters, ms, bytes), ``--trace`` (full tool bodies), ``--full`` (no Slack cut), and errors in every mode as one
line on stderr with exit status 2 (a Bedrock mode without credentials, a model error)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))

from snapshot_fixture import write_snapshot  # noqa: E402

from agent.cli import main  # noqa: E402


@pytest.fixture()
def snapshot(tmp_path: Path) -> Path:
    return write_snapshot(tmp_path / "snap")


def test_ask_json_prints_the_answer_and_each_call(snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--snapshot", str(snapshot), "--json", "what changed in IAM in the last hour?"]) == 0
    out = capsys.readouterr().out
    turn = json.loads(out)  # stdout is the JSON object only
    assert set(turn) == {"answer", "calls"} and turn["answer"]
    assert [c["function"] for c in turn["calls"]] == ["triage__investigate", "cloudtrail__list_changes"]
    changes = turn["calls"][1]
    assert changes["parameters"] == {"service": "iam", "window": "2026-11-20T10:00:00Z/2026-11-20T11:00:00Z"}
    assert isinstance(changes["ms"], int) and changes["bytes"] > 0 and "body" not in changes


def test_chat_json_one_object_per_turn_in_one_session(snapshot: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("why is checkout failing since 09:40?\nshow me those errors\nthanks\n"))
    assert main(["chat", "--snapshot", str(snapshot), "--json", "--trace"]) == 0
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(turns) == 3
    first, drill, thanks = turns
    assert first["calls"][0]["parameters"]["window"] == "2026-11-20T08:40:00Z/2026-11-20T11:00:00Z"
    assert first["calls"][0]["body"].startswith("## ")  # --trace: the full tool body
    assert drill["calls"][0]["function"] == "logs__search_logs"
    assert drill["calls"][0]["parameters"]["match"].startswith("L-")  # "those errors": the last answer's pattern
    assert thanks["calls"] == [] and "welcome" in thanks["answer"]


def test_full_lifts_the_slack_cut(snapshot: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("agent.runtime.offline.SLACK_LIMIT", 400)  # the small fixture's answers fit Slack's 2,500
    question = "errors since 09:00"
    assert main(["ask", "--snapshot", str(snapshot), "--json", question]) == 0
    cut = json.loads(capsys.readouterr().out)["answer"]
    assert main(["ask", "--snapshot", str(snapshot), "--json", "--full", question]) == 0
    full = json.loads(capsys.readouterr().out)["answer"]
    assert len(cut) <= 400 < len(full) and cut.endswith("(cut to fit Slack; ask for less)")
    assert full.startswith(cut.rsplit("\n", 1)[0])


@pytest.mark.parametrize("argv", [
    ["ask", "--model", "bedrock:anthropic.test-v1:0", "why?"],
    ["ask", "--agent-id", "AGENT", "--alias-id", "ALIAS", "why?"],
    ["ask", "--agent-id", "AGENT", "--alias-id", "ALIAS", "--json", "why?"],
])
def test_bedrock_modes_without_credentials_fail_on_one_line(argv: list[str], snapshot: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(snapshot / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(snapshot / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup, no network
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(snapshot))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach Bedrock: Unable to locate credentials") and err.count("\n") == 1


def test_a_model_error_is_one_line(snapshot: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import botocore.session
    from botocore.stub import Stubber

    from agent.runtime.command import run_ask
    from agent.errors import UsageError

    client = botocore.session.get_session().create_client("bedrock-runtime", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_client_error("converse", "AccessDeniedException", "You don't have access to the model with the specified model ID.")
    args = __import__("argparse").Namespace(question="why?", snapshot=str(snapshot), model="bedrock:anthropic.test-v1:0",
                                            agent_id=None, alias_id=None, region=None, session_id=None, json=False,
                                            trace=False, full=False)
    with stubber, pytest.raises(UsageError) as raised:
        run_ask(args, clients={"bedrock-runtime": client})
    assert str(raised.value).startswith("Converse failed: AccessDeniedException: You don't have access")


def test_triage_flags_take_clock_times_and_name_the_forms_they_take(snapshot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--start/--end read what an engineer types at 3 a.m. (a UTC clock time on the snapshot's day, 'now'); an
    unreadable value is one line naming the accepted forms, exit 2."""
    assert main(["triage", "--snapshot", str(snapshot), "--start", "10:15", "--end", "now", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["window"]["start"].startswith("2026-11-20T10:15:00") and report["window"]["end"].startswith("2026-11-20T11:00:00")
    assert main(["triage", "--snapshot", str(snapshot), "--start", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--start: not a time: 'yesterday'" in err and "a UTC clock time (09:40)" in err


def test_a_comparison_shows_both_windows_within_the_slack_cut(snapshot: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """'compare to yesterday': yesterday's side is half of the answer, never cut away by a long 'now'."""
    monkeypatch.setattr("agent.runtime.offline.SLACK_LIMIT", 600)
    assert main(["ask", "--snapshot", str(snapshot), "--json", "errors since 09:00 compared to yesterday"]) == 0
    turn = json.loads(capsys.readouterr().out)
    assert [c["parameters"]["window"][:10] for c in turn["calls"]] == ["2026-11-20", "2026-11-19"]
    answer = turn["answer"]
    assert len(answer) <= 600
    now, _, yesterday = answer.partition("*Yesterday, same time (2026-11-19T")
    assert now.startswith("*Now (2026-11-20T") and "No data in that window" in yesterday
