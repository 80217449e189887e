"""Metric names, default statistics and units, strict dimension parsing, evidence ids."""

from __future__ import annotations

import pytest

from tools.common.errors import InputError
from tools.common.evidence import evidence_id
from tools.metrics.model import MetricKey, Series, is_count, parse_dimensions, series_id, statistic_for, unit_for


@pytest.mark.parametrize("metric, statistic", [
    ("HTTPCode_Target_5XX_Count", "Sum"), ("RequestCount", "Sum"), ("Errors", "Sum"), ("ThrottledRequests", "Sum"),
    ("NumberOfMessagesSent", "Sum"), ("ConsumedWriteCapacityUnits", "Sum"), ("TargetResponseTime", "Average"),
    ("CPUUtilization", "Average"), ("HealthyHostCount", "Average"), ("ConcurrentExecutions", "Average"),
])
def test_default_statistic(metric: str, statistic: str) -> None:
    assert statistic_for(metric) == statistic


def test_units_and_counts() -> None:
    assert unit_for("TargetResponseTime") == "Seconds" and unit_for("CPUUtilization") == "Percent"
    assert unit_for("RequestCount") == "Count" and unit_for("ProcessedBytes") == "Bytes" and unit_for("Whatever") == "None"
    key = MetricKey.of("AWS/ApplicationELB", "RequestCount", {})
    assert Series(key, "Sum", 60).is_count and not Series(key, "Average", 60).is_count
    assert not is_count("HealthyHostCount")


def test_parse_dimensions_accepts_pairs_and_trims() -> None:
    assert parse_dimensions(" TableName = orders , Operation=PutItem") == {"TableName": "orders", "Operation": "PutItem"}
    assert parse_dimensions("LoadBalancer=app/shop-alb/50dc6c495c0c9188") == {"LoadBalancer": "app/shop-alb/50dc6c495c0c9188"}
    assert parse_dimensions("") == {} and parse_dimensions(None) == {}


@pytest.mark.parametrize("text", ["LoadBalancer", "=x", "A=", "A=1,", "A=1;B=2", "A=1 B=2", "A=1,A=2", ",".join(f"D{i}=v" for i in range(31))])
def test_parse_dimensions_rejects_bad_syntax(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_dimensions(text)
    assert raised.value.parameter == "dimensions" and "Name=Value" in raised.value.accepted


def test_key_from_api_and_dict_are_equal_and_ids_are_stable() -> None:
    api = MetricKey.of("AWS/DynamoDB", "ThrottledRequests", [{"Name": "TableName", "Value": "orders"}, {"Name": "Operation", "Value": "PutItem"}])
    mapping = MetricKey.of("AWS/DynamoDB", "ThrottledRequests", {"Operation": "PutItem", "TableName": "orders"})
    assert api == mapping
    assert api.evidence_id() == series_id("AWS/DynamoDB", "ThrottledRequests", {"TableName": "orders", "Operation": "PutItem"})
    assert api.evidence_id() == evidence_id("metrics", "AWS/DynamoDB", "ThrottledRequests", "PutItem", "orders")
    assert api.label() == "AWS/DynamoDB ThrottledRequests Operation=PutItem,TableName=orders"
    assert api.mentions("ORDERS") and api.mentions(None) and not api.mentions("shop")
