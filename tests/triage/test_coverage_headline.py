"""Never say "nothing abnormal" when it could not look: the first line says what could not be checked and why;
``triage``, ``ask`` and ``record`` exit 3 when no source could be read; a recorded snapshot keeps its failures."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from snapshot_fixture import write_snapshot  # noqa: E402

from agent.cli import main  # noqa: E402
from tools.common import aws  # noqa: E402
from tools.triage.headline import all_clear, could_not_check, nothing_read, unchecked_sources  # noqa: E402

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "agent" / "triage-report.schema.json").read_text())
NO_CREDENTIALS = "no AWS credentials — run with credentials (aws sso login, AWS_PROFILE, or a role)"


@pytest.fixture()
def no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """No credentials anywhere, and nothing that could reach the network: empty config files, no env keys, no IMDS."""
    empty = tmp_path / "empty"
    empty.write_text("")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"logs": {"log_groups": ["/ecs/checkout"]},
                                                       "alb": {"log_bucket": "alb-logs-bucket"}}))
    aws.client.cache_clear()
    yield
    aws.client.cache_clear()


def _entry(status: str, detail: str = "", **extra: object) -> dict:
    return {"status": status, "detail": detail, **extra}


ALL_OK = {name: _entry("ok", "3 evidence item(s) in 0.1s") for name in ("logs", "alb", "cloudtrail", "metrics", "xray", "securityhub", "guardduty")}


def test_no_gap_means_no_could_not_check_line_and_a_named_all_clear() -> None:
    assert could_not_check(ALL_OK) is None and not nothing_read(ALL_OK)
    line = all_clear(ALL_OK)
    assert line.startswith("*Nothing clearly abnormal") and "logs, alb, metrics, xray" in line and "compared with the window before" in line


def test_a_partial_source_is_named_with_its_file_and_reason() -> None:
    sources = dict(ALL_OK, logs=_entry("partial", "2 evidence item(s) in 0.1s; not read (logs): unreadable file logs/a.gz: truncated gzip",
                                       missing=["unreadable file logs/a.gz: truncated gzip"]))
    line = could_not_check(sources)
    assert line == "*Could not check:* logs (partly): unreadable file logs/a.gz: truncated gzip."
    assert all_clear(sources).startswith("*No change stands out in what could be read*")  # never an all-clear
    assert unchecked_sources(sources) == "logs (unreadable file logs/a.gz: truncated gzip)"


def test_no_baseline_is_not_an_all_clear_and_says_where_the_data_starts() -> None:
    sources = {name: dict(entry) for name, entry in ALL_OK.items()}
    sources["logs"].update(no_baseline=True, baseline_from="2026-11-20T09:00:00Z")
    line = all_clear(sources)
    assert "Nothing clearly abnormal" not in line
    assert "logs had no data before the window (the data starts at 2026-11-20T09:00:00Z)" in line


def test_every_source_failing_with_one_reason_says_it_once_with_the_fix() -> None:
    sources = {name: _entry("error", NO_CREDENTIALS) for name in ALL_OK}
    sources["securityhub"] = _entry("error", "0 finding group(s); failed after 0 finding(s): " + NO_CREDENTIALS)
    line = could_not_check(sources)
    assert nothing_read(sources)
    assert line is not None and line.startswith("*Could not check any source: no AWS credentials.* Run with credentials")
    assert "nothing can be said" in line


def test_not_configured_everywhere_reads_nothing() -> None:
    assert nothing_read({name: _entry("not_configured") for name in ALL_OK})


def test_triage_without_credentials_exits_3_and_says_why_first(no_credentials, capsys) -> None:
    assert main(["triage", "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    first = report["summary"].split("\n")[0]
    assert first.startswith("*Could not check any source: no AWS credentials.*"), first
    assert "Nothing clearly abnormal" not in report["summary"]
    assert report["hypotheses"] == []
    assert all(entry["status"] == "error" and "no AWS credentials" in entry["detail"] for entry in report["sources"].values())


def test_triage_with_an_unknown_profile_names_it(no_credentials, monkeypatch, capsys) -> None:
    monkeypatch.setenv("AWS_PROFILE", "prod-sre")
    assert main(["triage", "--json"]) == 3
    first = json.loads(capsys.readouterr().out)["summary"].split("\n")[0]
    assert first.startswith("*Could not check any source: AWS profile 'prod-sre' not found.*"), first


def test_one_truncated_log_file_is_said_first_and_the_source_is_partial(tmp_path: Path, capsys) -> None:
    root = write_snapshot(tmp_path / "snap")
    plain = root / "logs" / "checkout.jsonl"
    whole = gzip.compress(plain.read_bytes())
    (root / "logs" / "checkout.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    plain.unlink()
    assert main(["triage", "--snapshot", str(root), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)
    first = report["summary"].split("\n")[0]
    assert first.startswith("*Could not check:* logs (partly): unreadable file logs/checkout.jsonl.gz: truncated gzip"), first
    logs = report["sources"]["logs"]
    assert logs["status"] == "partial" and "logs/checkout.jsonl.gz" in logs["missing"][0]
    assert all(entry["status"] != "ok" or not entry.get("missing") for entry in report["sources"].values())


def test_terminal_report_starts_with_what_could_not_be_checked(no_credentials, capsys) -> None:
    assert main(["triage"]) == 3
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Could not check any source: no AWS credentials."), out[:300]


def _record(tmp_path: Path) -> tuple[int, Path]:
    out = tmp_path / "recorded"
    code = main(["record", "--start", "2026-11-20T09:00:00Z", "--end", "2026-11-20T10:00:00Z", "--out", str(out)])
    return code, out


def test_record_without_credentials_exits_3_and_says_why_in_the_manifest(no_credentials, tmp_path: Path, capsys) -> None:
    code, out = _record(tmp_path)
    assert code == 3
    assert "no source could be recorded" in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["sources"]) == {"logs", "alb", "cloudtrail", "metrics", "xray", "securityhub", "guardduty"}
    for entry in manifest["sources"].values():
        assert entry["status"] == "error" and entry["detail"].startswith("no AWS credentials"), entry


def test_a_snapshot_recorded_without_credentials_is_errors_not_unconfigured(no_credentials, tmp_path: Path, capsys) -> None:
    _code, out = _record(tmp_path)
    capsys.readouterr()
    assert main(["triage", "--snapshot", str(out), "--json"]) == 3
    report = json.loads(capsys.readouterr().out)
    for name, entry in report["sources"].items():
        assert entry["status"] == "error", (name, entry)
        assert "not captured when the snapshot was recorded: no AWS credentials" in entry["detail"]
    assert report["summary"].startswith("*Could not check any source: not captured when the snapshot was recorded: no AWS credentials.*")
    from agent.runtime.command import run_ask

    args = argparse.Namespace(question="why is checkout failing?", snapshot=str(out), model=None, agent_id=None, alias_id=None,
                              region=None, session_id=None)
    assert run_ask(args, out=sys.stdout) == 3


def test_record_with_one_source_captured_exits_0_and_lists_the_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from agent.record import run

    class Logs:
        def get_paginator(self, name: str):
            class Pages:
                def paginate(self, **_kw):
                    return iter([{"events": [{"timestamp": 1795136461123, "message": "ERROR x", "logStreamName": "s"}]}])
            return Pages()

    def clients(service: str):
        if service == "logs":
            return Logs()
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "nope"}}, "ListMetrics")

    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"logs": {"log_groups": ["/ecs/checkout"]}}))
    args = argparse.Namespace(start="2026-11-20T09:00:00Z", end="2026-11-20T10:00:00Z", out=str(tmp_path / "r"), region=None, max_mb=5)
    import io

    assert run(args, clients, io.StringIO()) == 0
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["sources"]["logs"]["status"] == "ok"
    assert manifest["sources"]["metrics"]["status"] == "error" and "AccessDenied" in manifest["sources"]["metrics"]["detail"]
    assert manifest["sources"]["alb"]["status"] == "not_configured"


def test_alarm_notification_title_says_what_could_not_be_checked() -> None:
    from tools.alarm.handler import notification
    from datetime import datetime, timezone

    report = {"hypotheses": [], "summary": "*Could not check any source: no AWS credentials.*", "onset": None,
              "window": {"start": "2026-11-20T09:00:00Z", "end": "2026-11-20T10:00:00Z"},
              "sources": {name: _entry("error", NO_CREDENTIALS) for name in ("logs", "alb")}}
    alarm = {"name": "checkout-5xx", "arn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx",
             "time": datetime(2026, 11, 20, 9, 45, tzinfo=timezone.utc)}
    message = notification(alarm, report)
    assert "could not check logs, alb (no AWS credentials)" in message["content"]["title"]
    assert message["content"]["description"].startswith("*Could not check any source")


def test_an_all_clear_needs_a_baseline_and_names_what_was_compared(tmp_path: Path, capsys) -> None:
    root = write_snapshot(tmp_path / "quiet", incident=False)
    assert main(["triage", "--snapshot", str(root), "--start", "2026-11-20T10:00:00Z", "--json"]) == 0
    with_baseline = json.loads(capsys.readouterr().out)
    assert with_baseline["summary"].startswith("*Nothing clearly abnormal in this window*: no error, 5xx or latency change "
                                               "stands out in logs, each compared with the window before.")
    assert main(["triage", "--snapshot", str(root), "--json"]) == 0  # the window starts with the data
    without = json.loads(capsys.readouterr().out)
    assert without["sources"]["logs"]["no_baseline"] is True
    assert without["summary"].startswith("*No change stands out in what could be read* (logs); not an all-clear: logs had no "
                                         "data before the window (the data starts at 2026-11-20T09:00:00Z)")


def test_a_deadline_cut_is_said_first(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.common.deadline import Deadline
    import tools.logs.snapshot_backend as backend

    real = backend.scan_patterns

    def out_of_time(snapshot, window, selection, contains=None, keep=2, deadline=None):  # type: ignore[no-untyped-def]
        return real(snapshot, window, selection, contains, keep, Deadline(0))

    monkeypatch.setattr(backend, "scan_patterns", out_of_time)
    assert main(["triage", "--snapshot", str(write_snapshot(tmp_path / "snap")), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sources"]["logs"]["status"] == "partial"
    first = report["summary"].split("\n")[0]
    assert first.startswith("*Could not check:* logs (partly): ran out of time"), first
