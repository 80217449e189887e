"""The error-line decision on several log formats: structured level and status fields first, then the words of
the values (never of the keys), then the text; and through find_error_patterns on a snapshot."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.logs.conftest import START as T0, event, write_snapshot
from tools import catalogue
from tools.common.app import execute
from tools.common.snapshot import Snapshot
from tools.logs.errorline import (
    INSIGHTS_ERROR_LEVEL,
    INSIGHTS_NOT_ERROR,
    MAX_PARSE,
    _level,
    _status,
    is_error_line,
)
from tools.logs.matching import ERROR_REGEX
from tools.logs.snapshot_backend import _is_error as snapshot_is_error
from tools.logs.service import find_error_patterns

ACCESS_OK = json.dumps({"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "ip": "203.0.113.7", "httpMethod": "POST",
                        "resourcePath": "/orders", "status": "200", "protocol": "HTTP/1.1", "responseLength": "512",
                        "errorMessage": "-", "integrationErrorMessage": "-"})


FORMATS = [
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
]


@pytest.mark.parametrize("line, expected", FORMATS)
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


# --- the Logs Insights filter derived from the same tables -------------------------------------------------------

# Where the Insights filter keeps a line the snapshot scan drops (the AWS backend's sample check drops it there):
# an error word only in a key, with no level or status; a level key deeper than errorline reads.
INSIGHTS_KEEPS_MORE = [
    '{"errorMessage":"-","path":"/orders"}',
    '{"msg":"order placed","error":null,"errorCode":"-"}',
    '{"status":200,"a":{"b":{"c":{"d":{"level":"e"}}}},"msg":"failed"}',
]
# Where it drops one the snapshot scan keeps: a quiet level key deeper than errorline reads.
INSIGHTS_DROPS_MORE = ['{"a":{"b":{"c":{"d":{"level":"info"}}}},"msg":"failed"}']
AGREEMENT = [line for line, _ in FORMATS if len(line) <= MAX_PARSE and line not in INSIGHTS_KEEPS_MORE] + [
    '{"level":"INFO","msg":"payment failed, will retry"}',
    '{"level":"info","msg":"timeout config loaded"}',
    '{"ts":1,"level":"debug","msg":"error budget 3%"}',
    '{"Level" : " Information ", "msg": "no errors"}',
    '{"status":200,"errorMessage":"-","path":"/orders"}',
    '{"status":"200","errorMessage":"-"}',
    '{"statusCode": 302, "error": "-", "location": "/login"}',
    '{"elb_status_code":"204","error_message":"-"}',
    '{"status":500,"errorMessage":"Internal Server Error"}',
    '{"statusCode":"502","msg":"bad gateway"}',
    '{"status":404,"error":"Not Found"}',
    '{"status":429,"msg":"throttled"}',
    '{"status":2000,"msg":"error count"}',  # not an HTTP status: the words decide
    '{"status":200.5,"msg":"error"}',
    '{"status":"200 OK","msg":"error"}',
    '{"level":"error","status":200,"msg":"handler failed after responding"}',  # the level is asked first
    '{"level":"ERROR","statusCode":302,"msg":"redirect loop failed"}',
    '{"level":50,"status":200,"msg":"failed"}',
    '{"level":"warn","status":200,"msg":"slow, timeout near"}',  # warn is undecided: the status decides
    '{"level":"warn","status":503,"msg":"upstream timeout"}',
    '{"log":{"level":"info"},"msg":"timeout set"}',
    '{"log":{"level":"error"},"msg":"timeout"}',
    '{"log": {"level": "debug", "logger": "x"}, "status": 500, "message": "error"}',
    '{"http":{"status_code":201},"message":"created after retry on error"}',
    '{"level":30,"msg":"error budget"}',
    '{"level":3,"msg":"disk error"}',
    '{"level":6,"msg":"error summary: 0"}',
    '{"level":40,"msg":"timeout warning"}',
    '{"level":45.5,"msg":"failed"}',
    '{"message":"saw \\"level\\":\\"info\\" in payload","detail":"parse error"}',  # escaped: data, not a key
    '{"sublevel":"info","msg":"failed"}',
    '{\n  "level": "info",\n  "msg": "retry after error"\n}',  # pretty-printed (a Lambda console.log)
    "  {\"severity\":\"DEBUG\",\"msg\":\"timeout 30s\"}",
    'level=info msg="timeout config loaded"',
    'ts=2026-11-20T09:41:00Z level=debug msg="error budget"',
    'ts=2026-11-20T09:41:00Z lvl=ERROR msg="dial timeout"',
    'level=warn msg="connection refused"',
    'level=informational msg="failed"',  # logfmt words are whole: "informational" is a quiet level
    'level=infox msg="failed"',
    "2026-11-20 09:41:00 ERROR OrderService failed: status=200 level=info in upstream body",  # not logfmt first
    "ERROR payment failed with status 200",
    'WARN retry 3 failed {"status":200}',  # not a JSON line: the text decides
    "Traceback (most recent call last):",
    "INFO request completed",
]


def _insights_keeps(line: str) -> bool:
    """The Insights filter of tools.logs.aws_backend, evaluated with Python's re."""
    return (re.search(ERROR_REGEX, line) is not None
            and (re.search(INSIGHTS_NOT_ERROR, line) is None or re.search(INSIGHTS_ERROR_LEVEL, line) is not None))


def _insights_keeps_re2(lines: list[str]) -> list[bool]:
    """The same filter in RE2 (DuckDB's regexp_matches is RE2, as Logs Insights is)."""
    import duckdb

    rows = duckdb.execute(
        "SELECT regexp_matches(line, $e) AND (NOT regexp_matches(line, $n) OR regexp_matches(line, $l)) "
        "FROM unnest($lines) WITH ORDINALITY AS t(line, i) ORDER BY i",
        {"e": ERROR_REGEX, "n": INSIGHTS_NOT_ERROR, "l": INSIGHTS_ERROR_LEVEL, "lines": lines}).fetchall()
    return [bool(row[0]) for row in rows]


def test_the_insights_filter_and_errorline_agree() -> None:
    """The snapshot scan's decision (error words, then errorline) and the Insights query's keep the same lines."""
    python = {line: _insights_keeps(line) for line in AGREEMENT}
    expected = {line: snapshot_is_error(line) for line in AGREEMENT}
    assert python == expected
    assert _insights_keeps_re2(AGREEMENT) == [expected[line] for line in AGREEMENT]
    assert sum(expected.values()) >= 20 and len(expected) - sum(expected.values()) >= 20  # both verdicts tested


def test_the_documented_differences_stay_as_documented() -> None:
    for line in INSIGHTS_KEEPS_MORE:
        assert _insights_keeps(line) and not snapshot_is_error(line), line
    for line in INSIGHTS_DROPS_MORE:
        assert not _insights_keeps(line) and snapshot_is_error(line), line
    assert _insights_keeps_re2(INSIGHTS_KEEPS_MORE + INSIGHTS_DROPS_MORE) == [True, True, True, False]


def test_the_derivation_assumptions_hold() -> None:
    """The regexes list numeric levels 0-99 and take 100+ and negatives as errors; success statuses by hundreds."""
    assert all(_level(n) is True for n in (100, 101, 999, 12345, -1, -7))
    for hundred in range(1, 10):
        verdicts = {_status(hundred * 100 + n) for n in range(100)}
        assert len(verdicts) == 1, (hundred, verdicts)
    assert _status(199) is False and _status(399) is False and _status(400) is None and _status(500) is True
