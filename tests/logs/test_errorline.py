"""The error-line decision on several log formats: structured level and status fields first, then the words of
the values (never of the keys), then the text; and through find_error_patterns on a snapshot."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from tests.logs.conftest import START as T0, event, write_snapshot
from tools import catalogue
from tools.common.app import execute
from tools.common.snapshot import Snapshot
from tools.logs.errorline import is_error_line
from tools.logs.service import find_error_patterns

ACCESS_OK = json.dumps({"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "ip": "203.0.113.7", "httpMethod": "POST",
                        "resourcePath": "/orders", "status": "200", "protocol": "HTTP/1.1", "responseLength": "512",
                        "errorMessage": "-", "integrationErrorMessage": "-"})


@pytest.mark.parametrize("line, expected", [
    (ACCESS_OK, False),  # API Gateway access log: success, whatever its keys are called
    ('{"status":"302","errorMessage":"-","path":"/login"}', False),
    ('{"statusCode":503,"msg":"upstream timed out"}', True),
    ('{"status":"404","errorMessage":"Not Found"}', True),  # a 4xx with a real error value
    ('{"level":"INFO","message":"retrying after error from payments"}', False),  # the level is the witness
    ('{"timestamp":"2026-11-20T09:41:00Z","level":"ERROR","message":"payment declined"}', True),
    ('{"severity":"ERROR","textPayload":"db pool exhausted"}', True),
    ('{"@t":"2026-11-20T09:41:00Z","@l":"Information","@m":"Timeout setting is 30s"}', False),  # Serilog compact
    ('{"level":30,"msg":"0 errors in batch"}', False),  # pino/bunyan numeric info
    ('{"level":50,"msg":"unhandled rejection"}', True),  # pino/bunyan numeric error
    ('{"log":{"level":"warn"},"msg":"connection refused, retrying"}', True),  # warn: undecided, the words decide
    ('{"msg":"connection refused","error":null}', True),  # a placeholder error field says nothing; words decide
    ('{"msg":"order placed","error":null,"errorCode":"-"}', False),
    ('level=info msg="loaded timeout config" service=checkout', False),  # logfmt
    ('level=error msg="dial tcp 10.0.3.7:5432: i/o timeout"', True),
    ("2026-11-20 09:41:00.123 ERROR 1 --- [nio-8080-exec-3] c.e.OrderService : Failed to save order", True),
    ("2026-11-20 09:41:00.123  INFO 1 --- [main] c.e.App : Started App in 3.2 seconds", False),
    ('{"level":"INFO","msg":' + '"x' * 20001 + '"}', False),  # too long to parse: the text decides (no error word)
])
def test_each_format_is_judged_by_its_fields_first(line: str, expected: bool) -> None:
    assert is_error_line(line) is expected


def test_success_access_lines_make_no_error_pattern(tmp_path: Path) -> None:
    events = [event("/aws/apigateway/orders", T0 + timedelta(minutes=m % 110, seconds=m), ACCESS_OK) for m in range(300)]
    events += [event("/ecs/checkout", T0 + timedelta(minutes=50, seconds=s),
                     "2026-11-20 09:50:00 ERROR c.e.OrderService : Failed to save order 42: ConditionalCheckFailedException")
               for s in range(20)]
    root = write_snapshot(tmp_path / "snap", events)
    function = catalogue.find("logs", "find_error_patterns")
    assert function is not None
    outcome = execute(function, find_error_patterns, {"window": "2026-11-20T09:00:00Z/2026-11-20T11:00:00Z"},
                      snapshot=Snapshot.open(root), use_environment_snapshot=False)
    result = outcome.result
    assert result is not None and result.evidence, outcome.body
    templates = [item.attrs["template"] for item in result.evidence]
    assert all("errorMessage" not in t for t in templates), templates
    assert any("ConditionalCheckFailedException" in t for t in templates)
    assert result.evidence[0].attrs["count"] == 20
