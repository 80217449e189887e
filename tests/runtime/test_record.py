"""``record`` against stubbed AWS clients (botocore Stubber): a small window becomes a readable snapshot."""

from __future__ import annotations

import argparse
import gzip
import io
import json
from datetime import datetime, timezone

import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from agent.errors import UsageError
from agent.record import run
from tools.common.snapshot import ReadStats, Snapshot

START = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
END = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
ALB_KEY = "shop/AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20/123456789012_elasticloadbalancing_us-east-1_app.shop.50dc6c495c0c9188_20261120T0910Z_10.0.0.1_abc.log.gz"
ALB_LINE = ('https 2026-11-20T09:05:01.000000Z app/shop/50dc6c495c0c9188 203.0.113.7:51234 10.0.1.5:8080 0.001 2.001 0.000 500 500 '
            '120 300 "GET https://shop.example.com:443/api/checkout HTTP/1.1" "curl/8.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-tg/73e2d6bc24d8a067 "Root=1-6b001571-567e2e0bce7e7636e27c5d4f" '
            '"shop.example.com" "-" 0 2026-11-20T09:04:59.000000Z "forward" "-" "-" "10.0.1.5:8080" "500" "-" "-" TID_1\n')


def _clients():
    session = botocore.session.get_session()
    made = {name: session.create_client(name, region_name="us-east-1") for name in
            ("sts", "logs", "s3", "cloudtrail", "cloudwatch", "xray", "securityhub", "guardduty")}
    stubs = {name: Stubber(client) for name, client in made.items()}
    return made, stubs


def _stub_everything(stubs):
    stubs["logs"].add_response("filter_log_events", {"events": [
        {"logStreamName": "ecs/checkout/1", "timestamp": 1795165260000, "message": "ERROR connect timed out", "ingestionTime": 1795165260100, "eventId": "1"}]},
        {"logGroupName": "/ecs/checkout", "startTime": int(START.timestamp() * 1000), "endTime": int(END.timestamp() * 1000)})
    stubs["sts"].add_response("get_caller_identity", {"UserId": "AID", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/rec"})
    stubs["s3"].add_response("list_objects_v2", {"Contents": [{"Key": ALB_KEY, "Size": 200}], "IsTruncated": False},
                             {"Bucket": "my-alb-logs", "Prefix": "shop/AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20/"})
    body = gzip.compress(ALB_LINE.encode())
    stubs["s3"].add_response("get_object", {"Body": StreamingBody(io.BytesIO(body), len(body))}, {"Bucket": "my-alb-logs", "Key": ALB_KEY})
    record = {"eventTime": "2026-11-20T09:03:00Z", "eventName": "RevokeSecurityGroupIngress", "eventSource": "ec2.amazonaws.com",
              "eventID": "e-1", "awsRegion": "us-east-1", "readOnly": False, "requestParameters": {"groupId": "sg-0123456789abcdef0"}}
    stubs["cloudtrail"].add_response("lookup_events", {"Events": [{"EventId": "e-1", "EventName": "RevokeSecurityGroupIngress",
                                                                   "CloudTrailEvent": json.dumps(record)}]},
                                     {"StartTime": ANY, "EndTime": END})
    metric = {"Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_Target_5XX_Count",
              "Dimensions": [{"Name": "LoadBalancer", "Value": "app/shop/50dc6c495c0c9188"}]}
    stubs["cloudwatch"].add_response("list_metrics", {"Metrics": [metric]}, {"Namespace": "AWS/ApplicationELB"})
    stubs["cloudwatch"].add_response("get_metric_data", {"MetricDataResults": [
        {"Id": "m0_sum", "Label": "x", "Timestamps": [datetime(2026, 11, 20, 9, 5, tzinfo=timezone.utc)], "Values": [12.0], "StatusCode": "Complete"},
        {"Id": "m0_average", "Label": "x", "Timestamps": [datetime(2026, 11, 20, 9, 5, tzinfo=timezone.utc)], "Values": [1.0], "StatusCode": "Complete"}]},
        {"MetricDataQueries": ANY, "StartTime": datetime(2026, 11, 20, 8, 30, tzinfo=timezone.utc), "EndTime": END})
    stubs["xray"].add_response("get_trace_summaries", {"TraceSummaries": [{"Id": "1-6b001571-567e2e0bce7e7636e27c5d4f"}]},
                               {"StartTime": START, "EndTime": END})
    segment = {"id": "a1", "name": "checkout", "start_time": 1795165260.0, "end_time": 1795165262.0, "fault": True, "trace_id": "1-6b001571-567e2e0bce7e7636e27c5d4f"}
    stubs["xray"].add_response("batch_get_traces", {"Traces": [{"Id": "1-6b001571-567e2e0bce7e7636e27c5d4f", "Duration": 2.0,
                                                                "Segments": [{"Id": "a1", "Document": json.dumps(segment)}]}]},
                               {"TraceIds": ["1-6b001571-567e2e0bce7e7636e27c5d4f"]})
    stubs["securityhub"].add_response("get_findings", {"Findings": []}, {"Filters": ANY, "MaxResults": 100})
    stubs["guardduty"].add_response("list_detectors", {"DetectorIds": ["d1"]}, {})
    stubs["guardduty"].add_response("list_findings", {"FindingIds": []}, {"DetectorId": "d1", "FindingCriteria": ANY})


def _args(tmp_path, **extra):
    values = {"start": "2026-11-20T09:00:00Z", "end": "2026-11-20T09:30:00Z", "out": str(tmp_path / "rec"), "region": "us-east-1", "max_mb": 5}
    values.update(extra)
    return argparse.Namespace(**values)


@pytest.fixture()
def config(monkeypatch):
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({
        "logs": {"log_groups": ["/ecs/checkout"]}, "alb": {"log_bucket": "my-alb-logs", "log_prefix": "shop"},
        "metrics": {"namespaces": ["AWS/ApplicationELB"]}, "cloudtrail": {"lookback_minutes": 30}}))


def test_record_writes_a_snapshot_the_tools_can_read(tmp_path, config):
    made, stubs = _clients()
    _stub_everything(stubs)
    progress = io.StringIO()
    for stub in stubs.values():
        stub.activate()
    assert run(_args(tmp_path), clients=lambda name: made[name], progress=progress) == 0
    for stub in stubs.values():
        stub.assert_no_pending_responses()
    snapshot = Snapshot.open(tmp_path / "rec")
    assert snapshot.manifest.account == "123456789012" and snapshot.manifest.window.start == START
    stats = ReadStats()
    assert [e["message"] for e in snapshot.log_events(stats)] == ["ERROR connect timed out"]
    assert [r["eventName"] for r in snapshot.cloudtrail_records(stats)] == ["RevokeSecurityGroupIngress"]
    series = list(snapshot.metric_series(stats))
    assert series[0]["Datapoints"] == [{"Timestamp": "2026-11-20T09:05:00Z", "Sum": 12.0, "Average": 1.0}]
    assert len(list(snapshot.xray_traces(stats))) == 1
    assert (tmp_path / "rec" / "alb" / ALB_KEY).is_file()
    text = progress.getvalue()
    assert "[logs] /ecs/checkout: 1 events" in text and "[xray] 1 traces" in text and "snapshot written" in text


def test_record_respects_the_size_bound_and_a_failing_source(tmp_path, config):
    made, stubs = _clients()
    stubs["logs"].add_client_error("filter_log_events", "AccessDeniedException", "no")
    _stub_everything(stubs)
    for stub in stubs.values():
        stub.activate()
    assert run(_args(tmp_path), clients=lambda name: made[name], progress=io.StringIO()) == 0
    manifest = json.loads((tmp_path / "rec" / "manifest.json").read_text())
    assert "AccessDenied" in manifest["recorded"]["logs"]


@pytest.mark.parametrize("extra", [{"start": "later"}, {"end": "2026-11-20T08:00:00Z"}, {"end": "2026-11-22T09:00:00Z"}, {"max_mb": 0}])
def test_record_rejects_bad_input(tmp_path, config, extra):
    with pytest.raises(UsageError):
        run(_args(tmp_path, **extra), clients=lambda name: None, progress=io.StringIO())
