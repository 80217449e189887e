"""SnapshotBuilder: every source written in the AWS format the readers accept, deterministically."""

from __future__ import annotations

import gzip
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from agent.scenarios.builder import SnapshotBuilder, assumed_role_identity, iam_user_identity, parse_time
from tools.common.snapshot import ReadStats, Snapshot

START = "2026-01-05T10:00:00Z"
END = "2026-01-05T10:30:00Z"
ALB_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^ ]+')


def small(root: Path, seed: int = 1) -> SnapshotBuilder:
    b = SnapshotBuilder(root, "111122223333", "eu-west-1", START, END, "test system", "what broke?", seed=seed)
    t0 = parse_time(START)
    lb = b.add_load_balancer("web", "0123456789abcdef", "www.example.com", ("10.0.0.5", "10.0.1.6"))
    tg = b.target_group_arn("web-tg")
    for i in range(20):
        b.add_alb_request(lb, t0 + timedelta(seconds=61 * i), path=f"/p/{i}", target_group_arn=tg)
    b.add_alb_request(lb, t0 + timedelta(minutes=3), elb_status=504, target_status=None, target_processing_time=None,
                      response_processing_time=None, user_agent='evil "agent"', target_group_arn=tg)
    b.add_log_event("/app/web", "s1", t0 + timedelta(seconds=5), "line one\n\tat frame")
    b.add_cloudtrail_event(t0 + timedelta(minutes=2), "ec2.amazonaws.com", "DescribeVpcs",
                           iam_user_identity("111122223333", "alice"), {"vpcSet": {}}, None)
    b.add_cloudtrail_event(t0 + timedelta(minutes=9), "ecs.amazonaws.com", "UpdateService",
                           assumed_role_identity("111122223333", "deployer", "ci"), {"service": "web"}, None)
    b.add_metric("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb.resource}, lambda m: 10.0, unit="Count", kind="count")
    b.add_metric("AWS/ECS", "CPUUtilization", {"ServiceName": "web"}, lambda m: 40.0, unit="Percent", samples=3)
    tid = b.trace_id(t0)
    b.add_trace([{"trace_id": tid, "id": b.segment_id(), "name": "web", "start_time": t0.timestamp(),
                  "end_time": t0.timestamp() + 1.25}])
    b.add_securityhub_finding({"SchemaVersion": "2018-10-08", "Id": "f1", "Title": "t"})
    b.add_guardduty_finding({"Id": "g1", "Type": "Recon:EC2/PortProbeUnprotectedPort", "Severity": 2.0})
    return b


def test_every_source_is_read_back_without_skips(tmp_path: Path) -> None:
    root = small(tmp_path / "snap").write()
    snap = Snapshot.open(root)
    assert snap.manifest.account == "111122223333" and snap.manifest.question == "what broke?"
    stats = ReadStats()
    assert len(list(snap.log_events(stats))) == 1
    assert len(list(snap.cloudtrail_records(stats))) == 2
    assert len(list(snap.metric_series(stats))) == 2
    assert len(list(snap.xray_traces(stats))) == 1
    assert len(list(snap.securityhub_findings(stats))) == 1
    assert len(list(snap.guardduty_findings(stats))) == 1
    assert len([line for _, line in snap.lines("alb", stats)]) == 21
    assert stats.skipped_records == 0 and stats.skipped_files == 0, stats.reasons


def test_alb_lines_have_thirty_fields_and_elb_quoting(tmp_path: Path) -> None:
    root = small(tmp_path / "snap").write()
    files = sorted((root / "alb").rglob("*.log"))
    assert files and all(re.fullmatch(r"111122223333_elasticloadbalancing_eu-west-1_app\.web\.0123456789abcdef_"
                                      r"\d{8}T\d{4}Z_10\.0\.[01]\.[56]_[a-z0-9]{8}\.log", f.name) for f in files)
    lines = [line for f in files for line in f.read_text().splitlines()]
    for line in lines:
        fields = ALB_TOKEN.findall(line)
        assert len(fields) == 30, line
    timeout = next(line for line in lines if " 504 " in line)
    fields = ALB_TOKEN.findall(timeout)
    assert fields[6] == "-1" and fields[7] == "-1" and fields[9] == "-"
    assert fields[13] == '"evil \\"agent\\""'
    assert fields[25] == '"10.0.1.10:8080"' and fields[26] == '"-"'


def test_cloudtrail_records_are_real_shaped(tmp_path: Path) -> None:
    root = small(tmp_path / "snap").write()
    files = list((root / "cloudtrail").rglob("*.json"))
    assert all(re.fullmatch(r"111122223333_CloudTrail_eu-west-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json", f.name) for f in files)
    records = [r for f in files for r in json.loads(f.read_text())["Records"]]
    update = next(r for r in records if r["eventName"] == "UpdateService")
    assert update["readOnly"] is False and update["eventType"] == "AwsApiCall"
    assert update["userIdentity"]["type"] == "AssumedRole"
    assert update["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == "arn:aws:iam::111122223333:role/deployer"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", update["eventID"])
    describe = next(r for r in records if r["eventName"] == "DescribeVpcs")
    assert describe["readOnly"] is True and describe["userIdentity"]["accessKeyId"].startswith("AKIA")
    assert describe["tlsDetails"]["clientProvidedHostHeader"] == "ec2.eu-west-1.amazonaws.com"


def test_metric_statistics(tmp_path: Path) -> None:
    root = small(tmp_path / "snap").write()
    series = [json.loads(line) for f in (root / "metrics").glob("*.jsonl") for line in f.read_text().splitlines()]
    count = next(s for s in series if s["MetricName"] == "RequestCount")
    assert len(count["Datapoints"]) == 30 and count["Period"] == 60
    assert count["Datapoints"][0] == {"Timestamp": "2026-01-05T10:00:00Z", "SampleCount": 10.0, "Sum": 10.0,
                                      "Average": 1.0, "Minimum": 1.0, "Maximum": 1.0, "Unit": "Count"}
    cpu = next(s for s in series if s["MetricName"] == "CPUUtilization")["Datapoints"][0]
    assert cpu["Average"] == 40.0 and cpu["SampleCount"] == 3.0 and cpu["Minimum"] <= 40.0 <= cpu["Maximum"]


def test_trace_documents_are_json_strings(tmp_path: Path) -> None:
    root = small(tmp_path / "snap").write()
    trace = json.loads(next((root / "xray").glob("*.json")).read_text())["Traces"][0]
    assert trace["Duration"] == 1.25 and trace["LimitExceeded"] is False
    doc = json.loads(trace["Segments"][0]["Document"])
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", doc["trace_id"]) and trace["Id"] == doc["trace_id"]


def test_deterministic_and_seed_sensitive(tmp_path: Path) -> None:
    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    a = tree(small(tmp_path / "a").write(gzip=True))
    b = tree(small(tmp_path / "b").write(gzip=True))
    c = tree(small(tmp_path / "c", seed=2).write(gzip=True))
    assert a == b
    assert a != c
    assert all(name.endswith(".gz") for name in a if name != "manifest.json")
    log = next(name for name in a if name.startswith("logs/"))
    assert json.loads(gzip.decompress(a[log]).decode())["message"] == "line one\n\tat frame"


def test_rewrites_a_snapshot_but_never_a_foreign_directory(tmp_path: Path) -> None:
    root = small(tmp_path / "snap").write()
    (root / "stale.txt").write_text("x")
    small(root).write()
    assert not (root / "stale.txt").exists()
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        small(foreign).write()
    assert (foreign / "notes.txt").read_text() == "keep me"
