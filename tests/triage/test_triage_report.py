"""The triage report end to end on a small snapshot: schema, Slack size, sources, failures, CLI, handler."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from snapshot_fixture import CAUSE_EVENT_ID, write_snapshot  # noqa: E402

from agent.cli import main  # noqa: E402

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "agent" / "triage-report.schema.json"
SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "specs" / "triage-report.schema.json"


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def validate(report: dict) -> None:
    jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker()).validate(report)


@pytest.fixture()
def snapshot(tmp_path: Path) -> Path:
    return write_snapshot(tmp_path / "snap")


def triage_json(capsys, *args: str) -> dict:
    assert main(["triage", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_vendored_schema_matches_the_shared_spec():
    if not SHARED_SCHEMA.is_file():
        pytest.skip("../shared is not present")
    assert json.loads(SHARED_SCHEMA.read_text()) == schema()


def test_cli_report_is_valid_ranks_the_change_and_links_the_event(snapshot, capsys):
    report = triage_json(capsys, "--snapshot", str(snapshot))
    validate(report)
    assert report["window"] == {"start": "2026-11-20T09:00:00Z", "end": "2026-11-20T11:00:00Z"}
    assert report["question"] == "why is checkout failing?"
    assert report["onset"].startswith("2026-11-20T09:40")
    top = report["hypotheses"][0]
    assert "RevokeSecurityGroupIngress" in top["title"] and "sg-0123456789abcdef0" in top["title"]
    assert {e["source"] for e in top["evidence"]} >= {"cloudtrail", "logs"}
    assert CAUSE_EVENT_ID in top["evidence"][0]["link"]
    assert "IGNORE" not in top["title"]
    assert set(report["sources"]) >= {"logs", "alb", "cloudtrail", "metrics", "xray", "securityhub", "guardduty"}
    assert report["sources"]["logs"]["status"] == "ok"
    summary = report["summary"]
    assert len(summary) <= 2500
    assert top["evidence"][0]["id"] in summary and "console.aws.amazon.com" in summary
    assert summary.startswith("*Most likely cause")


def test_quiet_window_has_no_high_confidence_hypothesis(tmp_path, capsys):
    report = triage_json(capsys, "--snapshot", str(write_snapshot(tmp_path / "quiet", incident=False)))
    validate(report)
    assert all(h["confidence"] != "high" for h in report["hypotheses"])
    assert "No change stands out in what could be read" in report["summary"]  # no data before the window
    assert "Nothing clearly abnormal" not in report["summary"]


def test_window_and_service_options(snapshot, capsys):
    report = triage_json(capsys, "--snapshot", str(snapshot), "--start", "2026-11-20T09:30:00Z", "--end", "2026-11-20T10:30:00Z",
                         "--question", "checkout?", "--service", "checkout")
    validate(report)
    assert report["window"]["start"] == "2026-11-20T09:30:00Z" and report["question"] == "checkout?"


def test_terminal_report_is_readable(snapshot, capsys):
    assert main(["triage", "--snapshot", str(snapshot)]) == 0
    out = capsys.readouterr().out
    assert "#1 [" in out and "Sources" in out and "Slack answer" in out


def test_snapshot_from_the_environment(snapshot, capsys, monkeypatch):
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(snapshot))
    report = triage_json(capsys)
    assert report["hypotheses"]


@pytest.mark.parametrize(
    "args",
    [
        ["--snapshot", "/nonexistent/dir"],
        ["--start", "yesterday-ish"],
        ["--start", "2026-11-20T10:00:00Z", "--end", "2026-11-20T09:00:00Z"],
        ["--start", "2020-01-01T00:00:00Z", "--end", "2020-01-01T01:00:00Z"],
        ["--start", "2026-11-19T00:00:00Z", "--end", "2026-11-20T11:00:00Z"],
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(snapshot, capsys, args):
    if args[0] != "--snapshot":
        args = ["--snapshot", str(snapshot), *args]
    assert main(["triage", *args, "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err


def test_bad_manifest_exits_2(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text('{"version": 1, "start": "nope", "end": "2026-11-20T11:00:00Z"}')
    assert main(["triage", "--snapshot", str(tmp_path), "--json"]) == 2
    assert "start" in capsys.readouterr().err


def test_a_failing_source_is_marked_error_and_the_rest_still_rank(snapshot, capsys, monkeypatch):
    import tools.cloudtrail.service as cloudtrail_service
    import tools.logs.service as logs_service

    def boom(request):
        raise RuntimeError("simulated outage")

    monkeypatch.setattr(logs_service, "find_error_patterns", boom)
    report = triage_json(capsys, "--snapshot", str(snapshot))
    validate(report)
    assert report["sources"]["logs"]["status"] == "error"
    assert report["sources"]["cloudtrail"]["status"] == "ok"
    assert report["summary"].startswith("*Could not check:* logs: the tool failed (RuntimeError)")
    assert cloudtrail_service  # the other source still ran


def test_a_source_that_does_not_finish_in_time_is_marked_error(snapshot, monkeypatch):
    import tools.logs.service as logs_service
    from agent.triage_command import investigate
    from tools.common.snapshot import Snapshot

    release = threading.Event()

    def hang(request):
        release.wait(10)
        raise RuntimeError("too late")

    monkeypatch.setattr(logs_service, "find_error_patterns", hang)
    snap = Snapshot.open(snapshot)
    try:
        report = investigate(snap, snap.manifest.window, seconds=2.5)
    finally:
        release.set()
    validate(report)
    assert report["sources"]["logs"]["status"] == "error"
    assert "budget" in report["sources"]["logs"]["detail"]
    assert report["sources"]["cloudtrail"]["status"] == "ok"


def test_summary_stays_under_slack_limit_with_many_long_hypotheses():
    from datetime import datetime, timezone

    from tools.common.evidence import Evidence
    from tools.common.timewindow import Window
    from tools.triage.rank import Hypothesis
    from tools.triage.report import build_report

    window = Window(datetime(2026, 11, 20, 9, tzinfo=timezone.utc), datetime(2026, 11, 20, 11, tzinfo=timezone.utc))
    hypotheses = []
    for i in range(5):
        evidence = [Evidence(f"L-{i:08x}", "logs", "error_pattern", "x" * 400, None, "https://example.com/" + "y" * 900) for _ in range(6)]
        hypothesis = Hypothesis("fault", f"Hypothesis {i} " + "z" * 200, 1.0 - i / 10, evidence[:1], [(0.5, e) for e in evidence])
        hypothesis.confidence = "high" if i == 0 else "medium"
        hypotheses.append(hypothesis)
    report = build_report(window, "q", None, hypotheses, {"logs": {"status": "error", "detail": "x"}})
    validate(report)
    assert len(report["summary"]) <= 2500


def test_lambda_handler_answers_a_function_details_event_under_20kb(snapshot, monkeypatch):
    from tools.triage.handler import lambda_handler

    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(snapshot))
    event = {
        "messageVersion": "1.0", "agent": {"name": "a", "id": "A", "alias": "L", "version": "1"}, "inputText": "why?",
        "sessionId": "s1", "actionGroup": "triage", "function": "investigate",
        "parameters": [{"name": "window", "type": "string", "value": "2026-11-20T09:00Z/2026-11-20T11:00Z"},
                       {"name": "question", "type": "string", "value": "why is checkout failing?"}],
        "sessionAttributes": {}, "promptSessionAttributes": {},
    }
    response = lambda_handler(event, None)
    body = response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
    assert "responseState" not in response["response"]["functionResponse"]
    assert len(body.encode()) < 20000
    assert "RevokeSecurityGroupIngress" in body and "answer (Slack-ready)" in body
    assert response["sessionAttributes"]["opsagent_window"].startswith("2026-11-20T09:00:00Z")
    assert response["sessionAttributes"]["opsagent_onset"].startswith("2026-11-20T09:40")


def test_untrusted_evidence_text_cannot_make_slack_links_or_mentions():
    from datetime import datetime, timezone

    from tools.common.evidence import Evidence
    from tools.common.timewindow import Window
    from tools.triage.rank import Hypothesis
    from tools.triage.report import build_summary

    window = Window(datetime(2026, 11, 20, 9, tzinfo=timezone.utc), datetime(2026, 11, 20, 11, tzinfo=timezone.utc))
    hostile = Evidence("L-00000001", "logs", "error_pattern", "12x ⟦<https://evil.example|click> <!channel> " + "a" * 300 + "⟧", None, None)
    hypothesis = Hypothesis("fault", "New error pattern L-00000001", 1.0, [hostile])
    hypothesis.confidence = "high"
    summary = build_summary([hypothesis], None, window, {})
    assert "<https://evil" not in summary and "<!channel>" not in summary and "&lt;!channel>" in summary
    assert summary.count("⟦") == summary.count("⟧")


def test_a_broken_or_missing_tool_module_is_a_source_status_not_a_crash(snapshot, monkeypatch):
    from agent.triage_command import investigate
    from tools.common.snapshot import Snapshot
    from tools.triage import fanout

    real = fanout._implementation

    def broken(task):
        if task.key == "xray":
            raise SyntaxError("half-written module")
        if task.key == "alb":
            raise ImportError("no module")
        return real(task)

    monkeypatch.setattr(fanout, "_implementation", broken)
    snap = Snapshot.open(snapshot)
    report = investigate(snap, snap.manifest.window)
    validate(report)
    assert report["sources"]["xray"]["status"] == "error"
    assert report["sources"]["alb"]["status"] == "not_configured"
    assert report["hypotheses"][0]["title"].startswith("CloudTrail change RevokeSecurityGroupIngress")


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1"])
def test_slack_answer_links_the_logs_insights_query_of_the_evidence(region):
    """The Slack answer carries the Logs Insights query the evidence links (not only its log group), and a link too
    long for Slack falls back to the log group's page in the same partition."""
    from datetime import datetime, timezone

    from tools.common.evidence import Evidence, logs_insights_link
    from tools.common.links.logs import decode_insights, decode_log_group
    from tools.common.timewindow import Window
    from tools.logs.digest import pattern_query
    from tools.triage.rank import Hypothesis
    from tools.triage.report import build_summary

    window = Window(datetime(2026, 11, 20, 9, tzinfo=timezone.utc), datetime(2026, 11, 20, 11, tzinfo=timezone.utc))
    query = pattern_query("ERROR Timeout after <*> ms calling payment-gateway <*>")
    link = logs_insights_link(region, ["/ecs/checkout"], query, window)
    item = Evidence("L-00000002", "logs", "error_pattern", "120x timeout", None, link, attrs={"log_groups": ["/ecs/checkout"]})
    hypothesis = Hypothesis("fault", "New error pattern L-00000002", 1.0, [item])
    hypothesis.confidence = "high"
    summary = build_summary([hypothesis], None, window, {})
    url = summary.split("<", 1)[1].split("|L-00000002>", 1)[0]
    assert decode_insights(url)["editorString"] == query and decode_insights(url)["region"] == region

    huge = logs_insights_link(region, ["/ecs/checkout"], query + " | filter " + "x" * 700, window)
    item.link = huge
    summary = build_summary([hypothesis], None, window, {})
    url = summary.split("<", 1)[1].split("|L-00000002>", 1)[0]
    assert decode_log_group(url) == {"region": region, "log_group": "/ecs/checkout"}


def test_a_long_pattern_query_is_linked_in_its_compact_form():
    """A template's exact regex makes a link too long for Slack; the answer links a compact query over the same
    groups and window that filters on the template's longest literal runs, and those match its lines."""
    import re
    from datetime import datetime, timezone

    from tools.common.evidence import Evidence, logs_insights_link
    from tools.common.links.logs import decode_insights
    from tools.common.timewindow import Window
    from tools.logs.digest import compact_pattern_query, pattern_query
    from tools.triage.rank import Hypothesis
    from tools.triage.report import LONG_LINK, build_summary

    window = Window(datetime(2026, 11, 20, 9, tzinfo=timezone.utc), datetime(2026, 11, 20, 11, tzinfo=timezone.utc))
    template = ("<*> ERROR <*> --- [<*>] c.example.checkout.service.OrderService : Failed to <*> order <*> for customer "
                "<*> Unable to execute HTTP request: Connect to <*> failed: Read timed out after <*> ms")
    line = ("2026-11-20 09:41:00.123 ERROR 1 --- [http-nio-8080-exec-3] c.example.checkout.service.OrderService : "
            "Failed to place order 42 for customer 7 Unable to execute HTTP request: Connect to payments:443 failed: "
            "Read timed out after 3000 ms")
    long_link = logs_insights_link("eu-west-1", ["/ecs/checkout"], pattern_query(template), window)
    assert len(long_link) > LONG_LINK
    item = Evidence("L-00000003", "logs", "error_pattern", "NEW pattern", None, long_link,
                    attrs={"log_groups": ["/ecs/checkout"], "template": template})
    hypothesis = Hypothesis("fault", "New error pattern L-00000003", 1.0, [item])
    hypothesis.confidence = "high"
    url = build_summary([hypothesis], None, window, {}).split("<", 1)[1].split("|L-00000003>", 1)[0]
    detail = decode_insights(url)
    assert len(url) <= LONG_LINK and detail["source"] == ["/ecs/checkout"] and detail["editorString"] == compact_pattern_query(template)
    assert (detail["start"], detail["end"]) == ("2026-11-20T09:00:00Z", "2026-11-20T11:00:00Z")
    fragments = re.findall(r"like /((?:[^/\\]|\\.)+)/", detail["editorString"])
    assert len(fragments) == 2 and all(re.search(f, line) for f in fragments)
