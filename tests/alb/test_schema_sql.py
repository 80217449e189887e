"""The table regex (one definition for Glue and DuckDB), the Glue table the stack declares and the query's shape."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import duckdb
import pytest

from infra.tables import alb_table
from tests.alb.support import T0, line
from tools.alb import schema, sql
from tools.alb.model import Filters
from tools.alb.service import load_balancer_filter
from tools.common.errors import InputError
from tools.common.timewindow import Window

LINES = [
    line(T0, "/api/orders/42", 200, kind="http"),
    line(T0, "/api/orders/42", 200, kind="https"),
    line(T0, "/api/orders/42", 200, kind="h2"),
    line(T0, "/chat", 101, kind="wss"),
    line(T0, "/login", 401, target="-", tpt=-1, error_reason="AuthInvalidAWSALBAuthNonce"),
    line(T0, "/lambda", 502, target="-", error_reason="LambdaInvalidResponse", layout="old"),
    line(T0, "/x", 400, classification="Ambiguous", classification_reason="AmbiguousUri", layout="classification"),
    line(T0, "/new", 200, extra='"shop.example.com" "/rewritten" "TRANSFORMED"'),
    line(T0, "/has space/in path", 200),
    line(T0, "/q", 200, agent='curl/8.0 "quoted"'.replace('"', "")),
]


def _python(text: str) -> dict[str, str | None] | None:
    match = re.fullmatch(schema.REGEX, text)
    return {k: (v or None) for k, v in zip(schema.COLUMN_NAMES, match.groups())} if match else None


def test_one_group_per_column() -> None:
    assert re.compile(schema.REGEX).groups == len(schema.COLUMNS) == 34


@pytest.mark.parametrize("text", LINES)
def test_every_layout_parses_the_same_in_java_style_and_duckdb(text: str) -> None:
    expected = _python(text)
    assert expected is not None and expected["time"] and expected["elb"] == "app/shop-alb/50dc6c495c0c9188"
    got = duckdb.connect().execute("SELECT regexp_extract(?, ?, ?)", [text, schema.full_match_regex(), list(schema.COLUMN_NAMES)]).fetchone()[0]
    assert {k: (v or None) for k, v in got.items()} == expected


def test_field_values() -> None:
    old = _python(LINES[5])
    assert old and old["error_reason"] == "LambdaInvalidResponse" and old["target_port_list"] is None
    reached = _python(LINES[4])
    assert reached and reached["target_processing_time"] == "-1" and reached["target_ip"] is None
    newer = _python(LINES[7])
    assert newer and newer["conn_trace_id"].startswith("TID_") and newer["request_url"].endswith("/new")
    spaced = _python(LINES[8])
    assert spaced and spaced["request_url"].endswith("/has space/in path") and spaced["request_proto"] == "HTTP/1.1"


@pytest.mark.parametrize("text", ["", "garbage", "http 2026-11-20T09:00:00Z app/x/1 1.2.3.4:5", LINES[0][:120]])
def test_malformed_lines_do_not_match(text: str) -> None:
    assert _python(text) is None


def test_glue_table_the_stack_declares() -> None:
    table = alb_table("logs-bucket", "shop", "123456789012", "us-east-1", "2025/01/01")
    assert table.serde_parameters["input.regex"] == schema.REGEX
    assert table.serde == schema.SERDE
    assert [name for name, _ in table.columns] == list(schema.COLUMN_NAMES)
    assert table.partition_keys == (("day", "string"),)
    params = table.parameters
    assert params["projection.day.format"] == "yyyy/MM/dd" and params["projection.day.range"] == "2025/01/01,NOW"
    # Terraform keeps ``$${day}`` literal: Athena receives ``${day}``.
    assert params["storage.location.template"] == "s3://logs-bucket/shop/AWSLogs/123456789012/elasticloadbalancing/us-east-1/$${day}"
    assert table.location == "s3://logs-bucket/shop/AWSLogs/123456789012/elasticloadbalancing/us-east-1/"


def test_day_partitions_cover_window_and_delivery_lag() -> None:
    window = Window(T0.replace(hour=23), T0.replace(hour=23, minute=50))
    assert sql.day_partitions(window) == ["2026/11/20", "2026/11/21"]
    assert sql.day_partitions(Window(T0, T0 + timedelta(hours=1))) == ["2026/11/20"]


def test_bucket_choice() -> None:
    assert sql.bucket_seconds(Window(T0, T0 + timedelta(hours=1)), None) == 60
    assert sql.bucket_seconds(Window(T0, T0 + timedelta(hours=6)), None) == 300
    assert sql.bucket_seconds(Window(T0, T0 + timedelta(hours=6)), 1) == 60


def test_query_binds_every_value_and_prunes_days() -> None:
    evil = "/x'); DROP TABLE t; --"
    filters = Filters(load_balancer="shop-alb", path_prefix=evil, status_class="5xx")
    for dialect in (sql.ATHENA, sql.DUCKDB):
        query = sql.summary_query(dialect, '"ops_agent"."alb_access_logs"', Window(T0, T0 + timedelta(hours=1)), filters, 60)
        assert evil not in query.sql and "shop-alb" not in query.sql and "2026" not in query.sql
        assert "l.day IN (?)" in query.sql and "l.time >= ? AND l.time < ?" in query.sql
        assert query.sql.count("?") == len(query.params)  # no '?' inside literals: Athena counts markers
        assert not [literal for literal in re.findall(r"'[^']*'", query.sql) if "?" in literal]
        assert evil in query.params and "2026/11/20" in query.params


def test_unknown_bucket_width_is_refused() -> None:
    with pytest.raises(ValueError):
        sql.summary_query(sql.ATHENA, "t", Window(T0, T0 + timedelta(hours=1)), Filters(), 7)


@pytest.mark.parametrize("value,expected", [
    ("shop-alb", "shop-alb"),
    ("app/shop-alb/50dc6c495c0c9188", "app/shop-alb/50dc6c495c0c9188"),
    ("shop-alb/50dc6c495c0c9188", "app/shop-alb/50dc6c495c0c9188"),
    ("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop-alb/50dc6c495c0c9188", "app/shop-alb/50dc6c495c0c9188"),
])
def test_load_balancer_forms(value: str, expected: str) -> None:
    assert load_balancer_filter(value) == expected


@pytest.mark.parametrize("value", ["shop' OR 1=1 --", "a/b/c/d", "x*", "shop alb"])
def test_bad_load_balancer_is_an_input_error(value: str) -> None:
    with pytest.raises(InputError):
        load_balancer_filter(value)


def test_handler_import_stays_light() -> None:
    code = "import sys, tools.alb.handler; print(any(m in sys.modules for m in ('duckdb', 'boto3')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("url,template", [
    ("https://shop.example.com:443/api/orders/12345?token=abc", "/api/orders/{id}"),
    ("https://shop.example.com:443/api/orders/3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b/items", "/api/orders/{id}/items"),
    ("http://10.0.0.1:80/api/orders/ord-10018979", "/api/orders/{id}"),
    ("http://10.0.0.1:80/api/products/SKU-45360", "/api/products/{id}"),
    ("http://10.0.0.1:80/blobs/0123abcd89ef4567", "/blobs/{id}"),
    ("http://10.0.0.1:80/reset/AbCdEf0123456789xyzQ", "/reset/{id}"),
    ("http://10.0.0.1:80/api/v1/checkout/", "/api/v1/checkout/"),
    ("http://10.0.0.1:80", "/"),
    ("-", "/"),
])
def test_path_templates(url: str, template: str) -> None:
    expression = sql.path_template(sql.DUCKDB, "u")
    assert duckdb.connect().execute(f"SELECT {expression} FROM (SELECT ? AS u)", [url]).fetchone()[0] == template
