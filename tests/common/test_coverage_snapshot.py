"""A corrupt, truncated or non-JSON file in any source of a snapshot makes that source ``partial``, with the file
and the reason named in the tool body and in the coverage entry; never ``ok`` or ``empty`` silently."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

import pytest

from tools import catalogue
from tools.common.app import execute
from tools.common.coverage import Gaps, apply_gaps, collecting, unreadable_file
from tools.common.result import ToolResult
from tools.common.snapshot import Snapshot
from tools.common.timewindow import UTC

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TRACE = "1-6740a1b2-0123456789abcdef01234567"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _log_lines() -> str:
    rows = [{"logGroupName": "/ecs/checkout", "logStreamName": "s", "timestamp": _ms(T0 + timedelta(minutes=m)),
             "message": f"ERROR order {m} failed: connect timed out"} for m in range(0, 120, 5)]
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def _alb_lines() -> str:
    out = []
    for m in range(0, 120, 5):
        when = (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        out.append(f'https {when} app/shop/50dc6c495c0c9188 203.0.113.1:4000 10.0.0.5:8080 0.001 0.010 0.000 200 200 10 20 '
                   f'"GET https://shop.example.com:443/api/x HTTP/1.1" "curl/8" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
                   f'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/73e2d6bc24d8a067 "Root={TRACE}" '
                   f'"shop.example.com" "-" 0 {when} "forward" "-" "-" "10.0.0.5:8080" "200" "-" "-" TID_1')
    return "\n".join(out) + "\n"


def _cloudtrail() -> str:
    return json.dumps({"Records": [{"eventTime": "2026-11-20T09:30:00Z", "eventName": "UpdateService", "eventSource": "ecs.amazonaws.com",
                                    "eventID": "e1", "awsRegion": "us-east-1", "readOnly": False,
                                    "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/ci/x"}}]})


def _metrics() -> str:
    points = [{"Timestamp": (T0 + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ"), "Sum": 1.0, "Unit": "Count"} for m in range(120)]
    return json.dumps({"Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_Target_5XX_Count",
                       "Dimensions": [{"Name": "LoadBalancer", "Value": "app/shop/50dc6c495c0c9188"}], "Period": 60,
                       "Datapoints": points}) + "\n"


def _xray() -> str:
    return json.dumps({"Traces": []})


def _findings() -> str:
    return json.dumps({"Findings": []})


# folder, good file (relative), its content, the catalogue function that reads it
SOURCES: list[tuple[str, str, Callable[[], str], str, str]] = [
    ("logs", "logs/checkout.jsonl", _log_lines, "logs", "find_error_patterns"),
    ("alb", "alb/AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20/a_20261120T0905Z_10.0.0.1_x.log", _alb_lines,
     "alb", "summarize_alb_traffic"),
    ("cloudtrail", "cloudtrail/trail.json", _cloudtrail, "cloudtrail", "list_changes"),
    ("metrics", "metrics/metrics.jsonl", _metrics, "metrics", "find_changed_metrics"),
    ("xray", "xray/traces-0000.json", _xray, "xray", "find_trace_faults"),
    ("securityhub", "securityhub/findings.json", _findings, "findings", "list_security_findings"),
    ("guardduty", "guardduty/findings.json", _findings, "findings", "list_security_findings"),
]


def _snapshot(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({"version": 1, "account": "123456789012", "region": "us-east-1",
                                                    "start": "2026-11-20T09:00:00Z", "end": "2026-11-20T11:00:00Z"}))
    for _folder, relative, content, _group, _function in SOURCES:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content())
    return root


def _truncated_gzip(text: str) -> bytes:
    whole = gzip.compress((text * 40).encode())
    return whole[: len(whole) // 2]


CORRUPTIONS = {
    "truncated-gzip": (".gz", lambda text: _truncated_gzip(text), "truncated gzip"),
    "not-gzip": (".gz", lambda text: b"this was never gzip\n", "not a gzip file"),
    "bad-json": ("", lambda text: b'{"Records": [{"eventTime": ', "JSON"),  # a JSON file: not valid JSON; a line: not JSON
}


def _corrupt(root: Path, folder: str, relative: str, content: Callable[[], str], kind: str) -> str:
    suffix, make, _reason = CORRUPTIONS[kind]
    target = Path(relative)
    name = target.stem + "-broken" + target.suffix + suffix
    if folder == "alb":
        name = "b_20261120T0910Z_10.0.0.2_y.log" + suffix
    path = root / target.parent / name
    path.write_bytes(make(content()))
    return path.relative_to(root).as_posix()


def _run(root: Path, group: str, function_name: str) -> ToolResult:
    function = catalogue.find(group, function_name)
    assert function is not None
    outcome = execute(function, dict(_implementations(group))[function_name], {"window": "2026-11-20T09:00:00Z/2026-11-20T11:00:00Z"},
                      snapshot=Snapshot.open(root), use_environment_snapshot=False)
    assert outcome.result is not None, outcome.body
    outcome.result.data["body"] = outcome.body
    return outcome.result


def _implementations(group: str) -> dict:
    import importlib

    return importlib.import_module(f"tools.{group}.handler").IMPLEMENTATIONS


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
@pytest.mark.parametrize("folder, relative, content, group, function_name", SOURCES, ids=[s[0] for s in SOURCES])
def test_a_broken_file_makes_its_source_partial_and_named(tmp_path: Path, folder: str, relative: str, content: Callable[[], str],
                                                           group: str, function_name: str, kind: str) -> None:
    if kind == "bad-json" and folder == "alb":
        pytest.skip("ALB access logs are text lines, not JSON")
    root = _snapshot(tmp_path / "snap")
    broken = _corrupt(root, folder, relative, content, kind)
    result = _run(root, group, function_name)
    missing = (result.data.get("coverage") or {}).get(folder, {}).get("missing", [])
    assert result.status == "partial", (result.status, result.data["body"])
    assert any(broken in m and CORRUPTIONS[kind][2] in m for m in missing), missing
    assert broken in result.data["body"]


@pytest.mark.parametrize("folder, relative, content, group, function_name", SOURCES, ids=[s[0] for s in SOURCES])
def test_an_intact_snapshot_reports_nothing_missing(tmp_path: Path, folder: str, relative: str, content: Callable[[], str],
                                                    group: str, function_name: str) -> None:
    result = _run(_snapshot(tmp_path / "snap"), group, function_name)
    assert result.status in ("ok", "empty"), result.data["body"]
    assert not (result.data.get("coverage") or {}).get(folder, {}).get("missing")


def test_a_truncated_log_file_still_counts_the_lines_before_the_cut(tmp_path: Path) -> None:
    root = _snapshot(tmp_path / "snap")
    (root / "logs" / "checkout.jsonl").unlink()
    text = _log_lines() * 200
    whole = gzip.compress(text.encode())
    (root / "logs" / "checkout.jsonl.gz").write_bytes(whole[: len(whole) * 3 // 4])
    result = _run(root, "logs", "find_error_patterns")
    assert result.status == "partial"
    missing = result.data["coverage"]["logs"]["missing"]
    assert "only its first" in missing[0] and "logs/checkout.jsonl.gz" in missing[0]
    assert result.evidence, "the lines read before the cut are still digested"


def test_gaps_outside_a_collector_are_ignored_and_inside_become_partial() -> None:
    unreadable_file("logs/a.gz", "truncated gzip")  # no collector: nothing to record, nothing raised
    with collecting() as gaps:
        unreadable_file("logs/a.gz", "truncated gzip")
        with collecting() as inner:
            assert inner is gaps  # nested calls (triage in-process) share the collector
    result = ToolResult("logs", "t", status="empty")
    apply_gaps(result, gaps)
    assert result.status == "partial" and result.data["coverage"]["logs"]["missing"] == ["unreadable file logs/a.gz: truncated gzip"]
    failed = ToolResult("logs", "t", status="error")
    apply_gaps(failed, gaps)
    assert failed.status == "error"  # an error stays an error
    assert not Gaps()


def test_series_beyond_the_cap_make_metrics_partial_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _snapshot(tmp_path / "snap")
    with (root / "metrics" / "metrics.jsonl").open("a") as handle:
        handle.write(_metrics().replace("HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"))
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"metrics": {"max_metrics": 1}}))
    result = _run(root, "metrics", "find_changed_metrics")
    assert result.status == "partial"
    assert result.data["coverage"]["metrics"]["missing"] == ["scanned the first 1 of 2 series only (metrics.max_metrics)"]


def test_a_part_not_read_is_partial() -> None:
    from tools.common.coverage import not_read

    with collecting() as gaps:
        not_read("logs", "12 log group(s) matching the prefixes beyond the first 50")
    result = ToolResult("logs", "t", status="ok")
    apply_gaps(result, gaps)
    assert result.status == "partial" and "12 log group(s)" in result.failures[0]
