"""CloudWatch reading, validated by botocore's Stubber: pagination, batching, NextToken, errors, deadline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.stub import ANY

from tools import catalogue
from tools.common import config as config_module
from tools.common.app import execute
from tools.common.deadline import Deadline
from tools.common.errors import SourceError
from tools.metrics import aws_backend, service
from tools.metrics.period import choose_period
from tools.metrics.model import MetricKey

UTC = timezone.utc
NOW = datetime(2026, 11, 20, 10, 20, tzinfo=UTC)
ALB = [{"Name": "LoadBalancer", "Value": "app/shop-alb/50dc6c495c0c9188"}]
FIND = catalogue.find("metrics", "find_changed_metrics")
GET = catalogue.find("metrics", "get_metric")


def metric(name: str, namespace: str = "AWS/ApplicationELB", dims: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"Namespace": namespace, "MetricName": name, "Dimensions": ALB if dims is None else dims}


def keys(n: int) -> list[MetricKey]:
    return [MetricKey.of("AWS/ECS", "CPUUtilization", {"ServiceName": f"svc{i}"}) for i in range(n)]


def recorded_calls(stubber: Any) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    stubber.client.meta.events.register("provide-client-params.cloudwatch.*", lambda params, **_: calls.append(dict(params)))
    return calls


def config(**metrics: Any) -> config_module.Config:
    return config_module.validate({"metrics": {"namespaces": ["AWS/ApplicationELB"], **metrics}})


def test_list_metrics_follows_next_token_and_filters_by_resource(cloudwatch: Any) -> None:
    cloudwatch.add_response("list_metrics", {"Metrics": [metric("RequestCount"), metric("CPUUtilization", "AWS/ApplicationELB", [])], "NextToken": "t1"},
                            {"Namespace": "AWS/ApplicationELB", "RecentlyActive": "PT3H"})
    cloudwatch.add_response("list_metrics", {"Metrics": [metric("HTTPCode_Target_5XX_Count")]},
                            {"Namespace": "AWS/ApplicationELB", "RecentlyActive": "PT3H", "NextToken": "t1"})
    found, outcome = aws_backend.list_metrics(["AWS/ApplicationELB"], "shop-ALB", NOW - timedelta(hours=1), NOW, Deadline(30), 100)
    assert [k.metric for k in found] == ["RequestCount", "HTTPCode_Target_5XX_Count"]
    assert outcome.candidates == 2 and not outcome.partial


def test_list_metrics_of_an_old_window_is_not_limited_to_recent_metrics(cloudwatch: Any) -> None:
    cloudwatch.add_response("list_metrics", {"Metrics": []}, {"Namespace": "AWS/ECS"})
    found, _ = aws_backend.list_metrics(["AWS/ECS"], None, NOW - timedelta(hours=5), NOW, Deadline(30), 100)
    assert found == []


def test_list_metrics_cap_says_so(cloudwatch: Any) -> None:
    cloudwatch.add_response("list_metrics", {"Metrics": [metric(f"M{i}Count") for i in range(5)], "NextToken": "more"}, {"Namespace": "AWS/ApplicationELB", "RecentlyActive": "PT3H"})
    found, outcome = aws_backend.list_metrics(["AWS/ApplicationELB", "AWS/ECS"], None, NOW - timedelta(hours=1), NOW, Deadline(30), 3)
    assert len(found) == 3
    assert any("first 3 metrics" in note for note in outcome.notes)


def test_list_metrics_access_denied_everywhere_is_a_source_error(cloudwatch: Any) -> None:
    cloudwatch.add_client_error("list_metrics", "AccessDenied", "not authorized to perform cloudwatch:ListMetrics", 403)
    with pytest.raises(SourceError) as raised:
        aws_backend.list_metrics(["AWS/ECS"], None, NOW - timedelta(hours=1), NOW, Deadline(30), 100)
    assert "AccessDenied" in raised.value.what and "IAM" in raised.value.hint


def test_one_failing_namespace_makes_the_listing_partial(cloudwatch: Any) -> None:
    cloudwatch.add_response("list_metrics", {"Metrics": [metric("RequestCount")]}, {"Namespace": "AWS/ApplicationELB", "RecentlyActive": "PT3H"})
    cloudwatch.add_client_error("list_metrics", "Throttling", "Rate exceeded", 400)
    found, outcome = aws_backend.list_metrics(["AWS/ApplicationELB", "AWS/ECS"], None, NOW - timedelta(hours=1), NOW, Deadline(30), 100)
    assert len(found) == 1 and outcome.partial and "Throttling" in outcome.failures[0]


def test_get_metric_data_splits_batches_of_500_with_valid_ids_and_follows_next_token(cloudwatch: Any) -> None:
    calls = recorded_calls(cloudwatch)
    start, end = NOW - timedelta(hours=2), NOW
    first = {"MetricDataResults": [{"Id": "m0", "Label": "a", "Timestamps": [start], "Values": [1.0], "StatusCode": "PartialData"}], "NextToken": "page2"}
    cloudwatch.add_response("get_metric_data", first)
    cloudwatch.add_response("get_metric_data", {"MetricDataResults": [{"Id": "m0", "Timestamps": [start + timedelta(minutes=1)], "Values": [2.0], "StatusCode": "Complete"}]},
                            {"MetricDataQueries": ANY, "StartTime": start, "EndTime": end, "ScanBy": "TimestampAscending", "NextToken": "page2"})
    cloudwatch.add_response("get_metric_data", {"MetricDataResults": [{"Id": "m0", "Timestamps": [start], "Values": [7.0], "StatusCode": "Complete"}]})
    fetched = aws_backend.get_series(keys(501), lambda _k: "Average", start, end, 60, Deadline(30))
    sizes = [len(c["MetricDataQueries"]) for c in calls]
    assert sizes == [500, 500, 1]
    ids = [q["Id"] for q in calls[0]["MetricDataQueries"]]
    assert len(set(ids)) == 500 and all(i[0].islower() and i[1:].isdigit() for i in ids)
    assert [v for _, v in fetched.series[0].points] == [1.0, 2.0]
    assert [v for _, v in fetched.series[500].points] == [7.0]
    assert len(fetched.series) == 501 and not fetched.partial


def test_throttling_after_a_batch_keeps_what_was_read(cloudwatch: Any) -> None:
    start, end = NOW - timedelta(hours=2), NOW
    cloudwatch.add_response("get_metric_data", {"MetricDataResults": [{"Id": "m0", "Timestamps": [start], "Values": [1.0], "StatusCode": "Complete"}]})
    cloudwatch.add_client_error("get_metric_data", "Throttling", "Rate exceeded", 400)
    fetched = aws_backend.get_series(keys(600), lambda _k: "Average", start, end, 60, Deadline(30))
    assert fetched.partial and len(fetched.series) == 500
    assert any("100 of 600 metric(s) not read" in note for note in fetched.notes)
    assert "Throttling" in fetched.failures[0] and "retry" in fetched.failures[0]


def test_throttling_before_anything_was_read_is_a_source_error(cloudwatch: Any) -> None:
    cloudwatch.add_client_error("get_metric_data", "Throttling", "Rate exceeded", 400)
    with pytest.raises(SourceError):
        aws_backend.get_series(keys(2), lambda _k: "Average", NOW - timedelta(hours=2), NOW, 60, Deadline(30))


def test_expired_deadline_stops_before_calling(cloudwatch: Any) -> None:
    fetched = aws_backend.get_series(keys(2), lambda _k: "Average", NOW - timedelta(hours=2), NOW, 60, Deadline(0))
    assert fetched.partial and any("time budget" in n for n in fetched.notes)


def test_period_gives_a_few_hundred_points_and_respects_retention() -> None:
    assert choose_period(NOW - timedelta(hours=2), NOW, NOW) == 60
    assert choose_period(NOW - timedelta(hours=48), NOW, NOW) == 600
    assert choose_period(NOW - timedelta(days=20), NOW - timedelta(days=19), NOW) == 300
    assert choose_period(NOW - timedelta(days=70), NOW - timedelta(days=69), NOW) == 3600
    for hours in (1, 6, 24, 48):
        period = choose_period(NOW - timedelta(hours=hours), NOW, NOW)
        assert period % 60 == 0 and hours * 3600 / period <= 400


# --- through the tool ---------------------------------------------------------------------------------


def _series_response(queries: list[dict[str, Any]], start: datetime) -> dict[str, Any]:
    results = []
    for query in queries:
        name = query["MetricStat"]["Metric"]["MetricName"]
        stamps = [start + timedelta(minutes=i) for i in range(120)]
        if name == "HTTPCode_Target_5XX_Count":
            values = [0.0 if i < 60 else 30.0 + i % 5 for i in range(120)]
        else:
            values = [1000.0 + (i * 7) % 23 for i in range(120)]
        results.append({"Id": query["Id"], "Timestamps": stamps, "Values": values, "StatusCode": "Complete"})
    return {"MetricDataResults": results}


def test_find_changed_metrics_against_stubbed_cloudwatch(cloudwatch: Any) -> None:
    calls = recorded_calls(cloudwatch)
    cloudwatch.add_response("list_metrics", {"Metrics": [metric("RequestCount"), metric("HTTPCode_Target_5XX_Count")]},
                            {"Namespace": "AWS/ApplicationELB", "RecentlyActive": "PT3H"})
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    queries = [{"Id": "m0", "MetricStat": {"Metric": metric("RequestCount"), "Period": 60, "Stat": "Sum"}},
               {"Id": "m1", "MetricStat": {"Metric": metric("HTTPCode_Target_5XX_Count"), "Period": 60, "Stat": "Sum"}}]
    cloudwatch.add_response("get_metric_data", _series_response(queries, now - timedelta(hours=2)))
    outcome = execute(FIND, service.find_changed_metrics, [{"name": "window", "type": "string", "value": "last 1h"}],
                      config=config(), use_environment_snapshot=False)
    assert calls[1]["MetricDataQueries"][1]["MetricStat"]["Stat"] == "Sum"
    assert outcome.result is not None and outcome.result.status == "ok", outcome.body
    assert "Scanned 2 metric(s)" in outcome.body and "1 changed, 1 unchanged" in outcome.body
    evidence = outcome.result.evidence
    assert [e.attrs["metric"] for e in evidence] == ["HTTPCode_Target_5XX_Count"]


def test_find_changed_metrics_in_an_empty_account(cloudwatch: Any) -> None:
    cloudwatch.add_response("list_metrics", {"Metrics": []}, {"Namespace": "AWS/ApplicationELB", "RecentlyActive": "PT3H"})
    outcome = execute(FIND, service.find_changed_metrics, [], config=config(), use_environment_snapshot=False)
    assert outcome.result is not None and outcome.result.status == "empty" and not outcome.reprompt
    assert "No metrics found in AWS/ApplicationELB" in outcome.body


def test_find_changed_metrics_access_denied_is_a_normal_answer(cloudwatch: Any) -> None:
    cloudwatch.add_client_error("list_metrics", "AccessDenied", "User is not authorized", 403)
    outcome = execute(FIND, service.find_changed_metrics, [], config=config(), use_environment_snapshot=False)
    assert not outcome.reprompt and outcome.result is not None and outcome.result.status == "error"
    assert "AccessDenied" in outcome.body and "IAM role" in outcome.body


def test_get_metric_of_a_metric_that_does_not_exist(cloudwatch: Any) -> None:
    cloudwatch.add_response("list_metrics", {"Metrics": []},
                            {"Namespace": "AWS/ApplicationELB", "MetricName": "Nope", "Dimensions": [{"Name": "LoadBalancer", "Value": "x"}]})
    outcome = execute(GET, service.get_metric, [{"name": "namespace", "type": "string", "value": "AWS/ApplicationELB"},
                                                {"name": "metric_name", "type": "string", "value": "Nope"},
                                                {"name": "dimensions", "type": "string", "value": "LoadBalancer=x"}],
                      config=config(), use_environment_snapshot=False)
    assert not outcome.reprompt and outcome.result is not None and outcome.result.status == "empty"
    assert "No metric" in outcome.body


def test_get_metric_reads_one_series_with_percentile_statistic(cloudwatch: Any) -> None:
    calls = recorded_calls(cloudwatch)
    cloudwatch.add_response("list_metrics", {"Metrics": [metric("TargetResponseTime")]})
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    stamps = [now - timedelta(minutes=m) for m in range(59, 0, -1)]
    cloudwatch.add_response("get_metric_data", {"MetricDataResults": [{"Id": "m0", "Timestamps": stamps, "Values": [float(i) for i in range(59)], "StatusCode": "Complete"}]})
    outcome = execute(GET, service.get_metric, [{"name": "namespace", "type": "string", "value": "AWS/ApplicationELB"},
                                                {"name": "metric_name", "type": "string", "value": "TargetResponseTime"},
                                                {"name": "dimensions", "type": "string", "value": "LoadBalancer=app/shop-alb/50dc6c495c0c9188"},
                                                {"name": "statistic", "type": "string", "value": "p95"}],
                      config=config(), use_environment_snapshot=False)
    assert calls[1]["MetricDataQueries"][0]["MetricStat"]["Stat"] == "p95"
    assert outcome.result is not None and outcome.result.status == "ok", outcome.body
    data = outcome.result.data
    assert (data["min"], data["max"], data["p50"], data["statistic"]) == (0.0, 58.0, 29.0, "p95")
    assert "59 datapoint(s)" in outcome.body and "metricsV2" in outcome.body
