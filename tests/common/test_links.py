"""Console links: each format is encoded by one module and decoded back by it (round trips), in every partition,
and matches the consoles' own notation (tilde/JSURL for CloudWatch state, ``$`` encoding for logs paths)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.common import evidence
from tools.common.links import console, jsurl, logs, metrics, resources
from tools.common.timewindow import Window

WINDOW = Window(datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc), datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc))
REGIONS = {"eu-west-1": "https://eu-west-1.console.aws.amazon.com/",
           "us-gov-west-1": "https://console.amazonaws-us-gov.com/",
           "cn-north-1": "https://console.amazonaws.cn/"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4),
    max_leaves=20)


@given(json_values)
def test_tilde_notation_round_trips(value: object) -> None:
    assert jsurl.loads(jsurl.dumps(value)) == value


def test_tilde_notation_is_the_consoles() -> None:
    graph = {"metrics": [["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", "app/shop/50dc6c495c0c9188"]],
             "view": "timeSeries", "stacked": False, "period": 60, "start": "-PT3H", "end": "P0D", "price": "$1", "e": []}
    assert jsurl.dumps(graph) == (
        "~(metrics~(~(~'AWS*2fApplicationELB~'HTTPCode_Target_5XX_Count~'LoadBalancer~'app*2fshop*2f50dc6c495c0c9188))"
        "~view~'timeSeries~stacked~false~period~60~start~'-PT3H~end~'P0D~price~'!1~e~(~))")
    assert jsurl.dumps("ü€") == "~'*fc**20ac"
    for bad in ("(", "~(a~'b", "~'x*zz", "~nope", "~'a)"):
        with pytest.raises(jsurl.JsurlError):
            jsurl.loads(bad)


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_console_host_per_partition(region: str) -> None:
    link = console.url(region, "cloudwatch", "x")
    assert link.startswith(REGIONS[region]) and f"home?region={region}#x" in link
    assert console.split(link) == (region, "cloudwatch", "x")
    with pytest.raises(ValueError):
        console.split(link.replace("https://", "https://evil.example/"))


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_logs_insights_link_round_trips(region: str) -> None:
    query = "fields @timestamp, @message | filter @message like /Timeout ~ after (\\d+) ms/ | limit 50"
    groups = ["/ecs/checkout", "/aws/lambda/shop-api"]
    link = evidence.logs_insights_link(region, groups, query, WINDOW)
    assert link.startswith(REGIONS[region])
    assert "#logsV2:logs-insights$3FqueryDetail$3D~(end~'2026-11-20T10*3a00*3a00Z~start~'2026-11-20T09" in link
    detail = logs.decode_insights(link)
    assert detail == {"end": "2026-11-20T10:00:00Z", "start": "2026-11-20T09:00:00Z", "timeType": "ABSOLUTE",
                      "tz": "UTC", "editorString": query, "source": groups, "region": region}
    from tools.triage.report import LONG_LINK

    assert len(link) < LONG_LINK  # short enough for the Slack answer to carry the query itself


def test_log_group_and_events_links_round_trip() -> None:
    link = evidence.log_group_link("eu-west-1", "/ecs/checkout")
    assert link.endswith("#logsV2:log-groups/log-group/$252Fecs$252Fcheckout")
    assert logs.decode_log_group(link) == {"region": "eu-west-1", "log_group": "/ecs/checkout"}
    events = logs.log_events_link("cn-north-1", "/ecs/a b", "ecs/checkout/abc$1", 1000, 61000)
    assert logs.decode_log_group(events) == {"region": "cn-north-1", "log_group": "/ecs/a b",
                                             "stream": "ecs/checkout/abc$1", "start_ms": 1000, "end_ms": 61000}


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_metric_link_is_the_consoles_tilde_graph_and_round_trips(region: str) -> None:
    dims = {"LoadBalancer": "app/shop-alb/50dc6c495c0c9188", "AvailabilityZone": "eu-west-1a"}
    link = evidence.metric_link(region, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, WINDOW, "Sum")
    assert "#metricsV2:graph=~(metrics~(~(~'AWS*2fApplicationELB~'HTTPCode_Target_5XX_Count~'LoadBalancer~'app*2f" in link
    assert metrics.decode_metric(link) == {
        "region": region, "namespace": "AWS/ApplicationELB", "metric": "HTTPCode_Target_5XX_Count",
        "dimensions": dims, "stat": "Sum", "start": "2026-11-20T09:00:00Z", "end": "2026-11-20T10:00:00Z",
        "period": None}
    assert len(link) < 400  # was ~500 characters of percent-encoded JSON


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_resource_links_round_trip(region: str) -> None:
    finding = f"arn:aws:securityhub:{region}:123456789012:subscription/aws-foundational/v/1.0.0/S3.1/finding/0a1b"
    cases = [
        (evidence.athena_link(region, "a1b2c3d4-5678-90ab-cdef-111122223333"),
         {"kind": "athena", "query_execution_id": "a1b2c3d4-5678-90ab-cdef-111122223333"}),
        (evidence.cloudtrail_event_link(region, "5ac7e8f2-1b2c-4d3e-9f00-aabbccddeeff"),
         {"kind": "cloudtrail", "event_id": "5ac7e8f2-1b2c-4d3e-9f00-aabbccddeeff"}),
        (evidence.xray_trace_link(region, "1-5f84c7a2-7d1e2f3a4b5c6d7e8f9a0b1c"),
         {"kind": "xray_trace", "trace_id": "1-5f84c7a2-7d1e2f3a4b5c6d7e8f9a0b1c"}),
        (evidence.xray_traces_query_link(region, 'service("checkout") AND fault = true', WINDOW),
         {"kind": "xray_query", "expression": 'service("checkout") AND fault = true',
          "start": "2026-11-20T09:00:00Z", "end": "2026-11-20T10:00:00Z"}),
        (evidence.securityhub_finding_link(region, finding), {"kind": "securityhub", "finding_id": finding}),
        (evidence.guardduty_finding_link(region, "60baffd3f9042e38640f2300d5c5a631"),
         {"kind": "guardduty", "finding_id": "60baffd3f9042e38640f2300d5c5a631"}),
    ]
    for link, expected in cases:
        assert link.startswith(REGIONS[region]), link
        assert resources.decode(link) == {**expected, "region": region}


def test_cloudtrail_links_use_the_current_console_path() -> None:
    link = evidence.cloudtrail_event_link("us-east-1", "5ac7e8f2")
    assert link == "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/5ac7e8f2"


def test_securityhub_link_keeps_the_consoles_filter_encoding() -> None:
    link = evidence.securityhub_finding_link("us-east-1", "arn:x/y")
    assert link.endswith("#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253Aarn%253Ax%252Fy")
