"""AWS mode: Logs Insights calls through a botocore Stubber (parameters validated against the service model)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from tests.logs.conftest import CHECKOUT, PAYMENT, call
from tools.common.deadline import Deadline
from tools.logs import aws_backend
from tools.logs.errorline import INSIGHTS_ERROR_LEVEL, INSIGHTS_NOT_ERROR
from tools.logs.matching import ERROR_REGEX

UTC = timezone.utc
WINDOW = "2026-11-20T10:00:00Z/2026-11-20T11:00:00Z"
START = int(datetime(2026, 11, 20, 10, tzinfo=UTC).timestamp())
END = int(datetime(2026, 11, 20, 11, tzinfo=UTC).timestamp())
HOUR = 3600
ERRORS = (f"filter @message like /{ERROR_REGEX}/ | filter @message not like /{INSIGHTS_NOT_ERROR}/ or @message like "
          f"/{INSIGHTS_ERROR_LEVEL}/")
PATTERNS = f"fields @timestamp, @message | {ERRORS} | pattern @message | sort @sampleCount desc | limit 100"
TREND = f"{ERRORS} | stats count(*) as n by bin(300s)"
RECENT = f"fields @timestamp, @log, @logStream, @message | {ERRORS} | sort @timestamp desc | limit 1000"
DYNAMO_PATTERN = "ERROR OrderRepository - SdkClientException: Connect to <IP-1> failed: connect timed out (requestId= <Token-2>)"
PAYMENT_PATTERN = "WARN PaymentClient retry <*> for order <*> failed: HTTP <*>"


def rows(*items: dict[str, str]) -> list[list[dict[str, str]]]:
    return [[{"field": k, "value": v} for k, v in item.items()] for item in items]


def results(status: str, *items: dict[str, str], scanned: float = 0.0) -> dict[str, Any]:
    return {"status": status, "results": rows(*items), "statistics": {"recordsMatched": 1.0, "recordsScanned": scanned, "bytesScanned": 10.0}}


def start(stubber: Stubber, query_id: str, query: str, start: int = START, end: int = END, groups: list[str] | None = None, limit: int = 10000) -> None:
    stubber.add_response(
        "start_query",
        {"queryId": query_id},
        {"logGroupNames": groups or [CHECKOUT, PAYMENT], "startTime": start, "endTime": end, "queryString": query, "limit": limit},
    )


def get(stubber: Stubber, query_id: str, response: dict[str, Any]) -> None:
    stubber.add_response("get_query_results", response, {"queryId": query_id})


def stop(stubber: Stubber, query_id: str) -> None:
    stubber.add_response("stop_query", {"success": True}, {"queryId": query_id})


OLD_GROUP = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp() * 1000)  # creationTime (ms) of a group with history


def describe(stubber: Stubber, created: dict[str, int] | None = None, retention: dict[str, int] | None = None,
             groups: list[str] | None = None) -> None:
    """DescribeLogGroups of the exact names (logGroupIdentifiers): when each group was created, its retention."""
    names = groups or [CHECKOUT, PAYMENT]
    found = [{"logGroupName": name, "creationTime": (created or {}).get(name, OLD_GROUP)} | (
        {"retentionInDays": retention[name]} if retention and name in retention else {}) for name in names]
    stubber.add_response("describe_log_groups", {"logGroups": found}, {"logGroupIdentifiers": names})


def start_four(stubber: Stubber, patterns: str = PATTERNS, trend: str = TREND, recent: str = RECENT,
               created: dict[str, int] | None = None) -> None:
    describe(stubber, created)
    start(stubber, "q-now", patterns)
    start(stubber, "q-before", patterns, START - HOUR, START)
    start(stubber, "q-trend", trend)
    start(stubber, "q-recent", recent)


CURRENT = ({"@pattern": DYNAMO_PATTERN, "@sampleCount": "40", "@severityLabel": "Error"},
           {"@pattern": PAYMENT_PATTERN, "@sampleCount": "10", "@severityLabel": "Warning"})
RECENT_ROWS = tuple(
    {"@timestamp": f"2026-11-20 10:{20 + i}:00.000", "@log": f"123456789012:{CHECKOUT}", "@logStream": "ecs/app/4f1c",
     "@message": f"ERROR OrderRepository - SdkClientException: Connect to 3.218.180.{i} failed: connect timed out (requestId=r-{i}abc)"}
    for i in range(3)
)


def test_find_error_patterns_runs_insights_and_ranks_the_new_pattern_first(stubbed_logs: Stubber) -> None:
    start_four(stubbed_logs)
    get(stubbed_logs, "q-now", results("Running", CURRENT[0]))
    get(stubbed_logs, "q-before", results("Complete", {"@pattern": "WARN PaymentClient retry <Token-1> for order <Token-2> failed: HTTP <Token-3>", "@sampleCount": "12"}))
    get(stubbed_logs, "q-trend", results("Complete", {"bin(300s)": "2026-11-20 10:20:00.000", "n": "45"}, {"bin(300s)": "2026-11-20 10:25:00.000", "n": "5"}, scanned=5000.0))
    get(stubbed_logs, "q-recent", results("Complete", *RECENT_ROWS))
    get(stubbed_logs, "q-now", results("Complete", *CURRENT))
    outcome = call("find_error_patterns", window=WINDOW)
    result = outcome.result
    assert result.status == "ok", outcome.body
    top, second = result.evidence
    assert "SdkClientException" in top.attrs["template"] and top.attrs["new"] is True and top.attrs["count"] == 40
    assert second.attrs["new"] is False and second.attrs["baseline_count"] == 12
    assert top.attrs["first_seen"] == "2026-11-20T10:20:00Z" and top.attrs["last_seen"] == "2026-11-20T10:22:00Z"
    assert top.attrs["log_groups"] == [CHECKOUT] and top.attrs["trend"][4] == 3
    assert "Scanned 5000 events in 2 log group(s); 50 error lines in 2 patterns, 1 NEW" in outcome.body
    assert "requestId=r-2abc" in outcome.body  # a sample line from the newest lines
    assert "Error lines per 5 min: 0 0 0 0 45 5 0 0 0 0 0 0" in outcome.body


@pytest.mark.parametrize("status", ["Failed", "Cancelled", "Timeout"])
def test_a_query_that_ends_badly_is_a_source_failure(stubbed_logs: Stubber, status: str) -> None:
    start_four(stubbed_logs)
    get(stubbed_logs, "q-now", results(status))
    for query_id in ("q-before", "q-trend", "q-recent"):
        stop(stubbed_logs, query_id)
    outcome = call("find_error_patterns", window=WINDOW)
    assert outcome.result.status == "error" and not outcome.reprompt
    assert f"ended with status {status}" in outcome.body and "FAILED:" in outcome.body


def test_a_query_that_never_completes_is_stopped_and_answered_partially(stubbed_logs: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = {"now": 0.0}
    monkeypatch.setattr(aws_backend, "sleep", lambda seconds: clock.__setitem__("now", clock["now"] + seconds))
    deadline = Deadline(1.0, clock=lambda: clock["now"])
    start_four(stubbed_logs)
    for _round in range(2):
        get(stubbed_logs, "q-now", results("Running", CURRENT[0]))
        get(stubbed_logs, "q-before", results("Running"))
        get(stubbed_logs, "q-trend", results("Running"))
        get(stubbed_logs, "q-recent", results("Running", *RECENT_ROWS))
    for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
        stop(stubbed_logs, query_id)
    outcome = call("find_error_patterns", window=WINDOW, deadline=deadline)
    assert outcome.result.status == "partial"
    assert "did not finish in time" in outcome.body
    assert outcome.result.evidence[0].attrs["count"] == 40
    assert clock["now"] == pytest.approx(0.5)


def test_throttled_start_query(stubbed_logs: Stubber) -> None:
    stubbed_logs.add_client_error("start_query", "ThrottlingException", "Rate exceeded", 400)
    outcome = call("find_error_patterns", window=WINDOW)
    assert outcome.result.status == "error"
    assert "StartQuery failed: ThrottlingException" in outcome.body and "throttled" in outcome.body


def test_access_denied_while_polling_stops_the_queries(stubbed_logs: Stubber) -> None:
    start_four(stubbed_logs)
    stubbed_logs.add_client_error("get_query_results", "AccessDeniedException", "not authorized", 400)
    for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
        stop(stubbed_logs, query_id)
    outcome = call("find_error_patterns", window=WINDOW)
    assert "GetQueryResults failed: AccessDeniedException" in outcome.body and "lacks this permission" in outcome.body


def test_missing_log_group_names_the_configured_groups(stubbed_logs: Stubber) -> None:
    stubbed_logs.add_client_error("start_query", "ResourceNotFoundException", "Log group '/ecs/payment' does not exist", 400)
    outcome = call("find_error_patterns", window=WINDOW)
    assert "ResourceNotFoundException" in outcome.body and "/ecs/checkout, /ecs/payment" in outcome.body
    assert "log_groups" in outcome.body


def test_injection_in_contains_is_escaped_into_the_regex_literal(stubbed_logs: Stubber) -> None:
    attack = "x/ | stats count(*) by @logStream | filter @message like /y"
    escaped = r"(?i)x\/ \| stats count\(\*\) by @logStream \| filter @message like \/y"
    extra = f" | filter @message like /{escaped}/"
    patterns = f"fields @timestamp, @message | {ERRORS}{extra} | pattern @message | sort @sampleCount desc | limit 100"
    start_four(stubbed_logs, patterns, f"{ERRORS}{extra} | stats count(*) as n by bin(300s)",
               f"fields @timestamp, @log, @logStream, @message | {ERRORS}{extra} | sort @timestamp desc | limit 1000")
    for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
        get(stubbed_logs, query_id, results("Complete"))
    outcome = call("find_error_patterns", window=WINDOW, contains=attack)
    assert outcome.result.status == "empty"


def test_search_text_with_injection_builds_only_an_escaped_filter(stubbed_logs: Stubber) -> None:
    attack = "a/ | display @message | limit 10000 #"
    body = r"(?i)a\/ \| display @message \| limit 10000 #"
    start(stubbed_logs, "q-s", f"fields @timestamp, @log, @logStream, @message | filter @message like /{body}/ | sort @timestamp desc | limit 20", limit=20)
    get(stubbed_logs, "q-s", results("Complete", *RECENT_ROWS))
    outcome = call("search_logs", window=WINDOW, match=attack)
    assert outcome.result.status == "ok"
    assert outcome.body.count("\n2026-11-20T10:2") == 3
    assert "log-events/ecs$252Fapp$252F4f1c" in outcome.body


def test_search_regex_keeps_escapes_and_escapes_bare_slashes(stubbed_logs: Stubber) -> None:
    start(stubbed_logs, "q-r", r"fields @timestamp, @log, @logStream, @message | filter @message like /(?i)timed? ?out.*a\/b.*c\/d/ | sort @timestamp desc | limit 5", limit=5)
    get(stubbed_logs, "q-r", results("Complete"))
    outcome = call("search_logs", window=WINDOW, match=r"/timed? ?out.*a\/b.*c/d/", limit=5)
    assert outcome.result.status == "empty" and "0 newest lines" in outcome.body


def test_search_by_pattern_id_reruns_the_pattern_query(stubbed_logs: Stubber) -> None:
    from tools.logs.miner import template_id

    pattern_id = template_id(DYNAMO_PATTERN)
    start(stubbed_logs, "q-p", PATTERNS)
    get(stubbed_logs, "q-p", results("Complete", *CURRENT))
    start(stubbed_logs, "q-l", ANY, limit=3)
    get(stubbed_logs, "q-l", results("Complete", *RECENT_ROWS))
    outcome = call("search_logs", window=WINDOW, match=pattern_id, limit=3)
    assert outcome.result.status == "ok" and f"3 newest lines of {pattern_id}" in outcome.body


def test_unknown_pattern_id_in_aws(stubbed_logs: Stubber) -> None:
    start(stubbed_logs, "q-p", PATTERNS)
    get(stubbed_logs, "q-p", results("Complete", *CURRENT))
    outcome = call("search_logs", window=WINDOW, match="L-0000abcd")
    assert "Pattern id L-0000abcd is unknown for this window" in outcome.body


def test_log_group_outside_the_configuration_is_refused_without_calls(stubbed_logs: Stubber) -> None:
    outcome = call("find_error_patterns", window=WINDOW, log_group="/ecs/other")
    assert outcome.reprompt and "Parameter 'log_group'" in outcome.body
    assert CHECKOUT in outcome.body and PAYMENT in outcome.body


def test_prefixes_are_expanded_with_describe_log_groups(stubbed_logs: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"logs": {"log_groups": [CHECKOUT], "log_group_prefixes": ["/aws/lambda/shop-"]}}))
    stubbed_logs.add_response(
        "describe_log_groups",
        {"logGroups": [{"logGroupName": "/aws/lambda/shop-cart"}], "nextToken": "t1"},
        {"logGroupNamePrefix": "/aws/lambda/shop-", "limit": 50},
    )
    stubbed_logs.add_response(
        "describe_log_groups",
        {"logGroups": [{"logGroupName": "/aws/lambda/shop-pay"}]},
        {"logGroupNamePrefix": "/aws/lambda/shop-", "limit": 50, "nextToken": "t1"},
    )
    groups = [CHECKOUT, "/aws/lambda/shop-cart", "/aws/lambda/shop-pay"]
    start(stubbed_logs, "q-s", ANY, groups=groups, limit=20)
    get(stubbed_logs, "q-s", results("Complete"))
    outcome = call("search_logs", window=WINDOW, match="boom")
    assert outcome.result.status == "empty"


def test_not_configured_without_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"logs": {"log_groups": []}}))
    outcome = call("find_error_patterns", window=WINDOW)
    assert outcome.result.status == "not_configured" and "No log groups are configured" in outcome.body


def test_prefix_matching_no_group_is_a_clear_failure(stubbed_logs: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"logs": {"log_group_prefixes": ["/aws/lambda/shop-"]}}))
    stubbed_logs.add_response("describe_log_groups", {"logGroups": []}, {"logGroupNamePrefix": "/aws/lambda/shop-", "limit": 50})
    outcome = call("search_logs", window=WINDOW, match="boom")
    assert outcome.result.status == "error" and "no log group matches the configured prefixes" in outcome.body


def test_success_lines_are_filtered_in_the_query_and_never_shown_as_samples(stubbed_logs: Stubber) -> None:
    """The queries carry the structured filter (start_four pins the query text); the newest lines are judged again
    with errorline, so a line whose error word is only a JSON key is no sample, and a pattern whose newest lines
    are all such lines is left out and said so."""
    keyed = '{"requestId":"r-<*>","path":"/orders","errorMessage":"-","latency":<*>}'
    mixed = '{"path":"/cart","errorMessage":"<*>"}'
    start_four(stubbed_logs)
    get(stubbed_logs, "q-now", results("Complete", {"@pattern": keyed, "@sampleCount": "300"},
                                       {"@pattern": mixed, "@sampleCount": "25"}))
    get(stubbed_logs, "q-before", results("Complete"))
    get(stubbed_logs, "q-trend", results("Complete", {"bin(300s)": "2026-11-20 10:20:00.000", "n": "325"}))

    def row(minute: int, message: str) -> dict[str, str]:
        return {"@timestamp": f"2026-11-20 10:{minute}:00.000", "@log": f"123456789012:{CHECKOUT}",
                "@logStream": "api", "@message": message}

    access = [row(30 + i, f'{{"requestId":"r-{i}","path":"/orders","errorMessage":"-","latency":{12 + i}}}') for i in range(3)]
    cart = [row(40, '{"path":"/cart","errorMessage":"upstream connect error or disconnect/reset"}'),
            row(50, '{"path":"/cart","errorMessage":"-"}')]  # newest, but not an error line: no sample
    get(stubbed_logs, "q-recent", results("Complete", *access, *cart))
    outcome = call("find_error_patterns", window=WINDOW)
    [only] = outcome.result.evidence
    assert only.attrs["template"] == mixed and only.attrs["count"] == 25
    assert only.attrs["first_seen"] == only.attrs["last_seen"] == "2026-11-20T10:40:00Z"
    assert "upstream connect error" in outcome.body and '"errorMessage":"-"' not in outcome.body
    assert "25 error lines in 1 patterns" in outcome.body
    assert "1 pattern(s) left out (300 lines): their newest lines are not error lines" in outcome.body


# --- AWS mode baselines: where each log group's data begins (DescribeLogGroups) ---------------------------------


def _millis(hour: int, minute: int) -> int:
    return int(datetime(2026, 11, 20, hour, minute, tzinfo=UTC).timestamp() * 1000)


def _dynamo_incident(stubber: Stubber, created: dict[str, int]) -> None:
    """The incident of the first test (the DynamoDB timeouts from 10:20 on /ecs/checkout), groups created as given."""
    start_four(stubber, created=created)
    get(stubber, "q-now", results("Complete", *CURRENT))
    get(stubber, "q-before", results("Complete"))
    get(stubber, "q-trend", results("Complete", {"bin(300s)": "2026-11-20 10:20:00.000", "n": "50"}, scanned=900.0))
    get(stubber, "q-recent", results("Complete", *RECENT_ROWS))


def test_groups_created_inside_the_window_have_no_baseline_and_nothing_is_new(stubbed_logs: Stubber) -> None:
    _dynamo_incident(stubbed_logs, {CHECKOUT: _millis(10, 20), PAYMENT: _millis(10, 15)})
    outcome = call("find_error_patterns", window=WINDOW)
    result = outcome.result
    assert result.status == "ok", outcome.body
    assert result.headline[0].startswith("no baseline: the data starts at 2026-11-20T10:15:00Z")
    assert result.data["coverage"]["logs"] == {"missing": [], "no_baseline": True, "baseline_from": "2026-11-20T10:15:00Z"}
    top = next(item for item in result.evidence if "SdkClientException" in item.attrs["template"])
    assert top.attrs["new"] is False and top.attrs["no_baseline"] is True  # first seen where its group began
    assert top.attrs["baseline_from"] == "2026-11-20T10:20:00Z"
    assert "0 NEW (first seen well after the data starts" in outcome.body and "no data before 10:20Z" in outcome.body


def test_groups_created_inside_the_baseline_have_a_short_one(stubbed_logs: Stubber) -> None:
    _dynamo_incident(stubbed_logs, {CHECKOUT: _millis(9, 30), PAYMENT: _millis(9, 40)})
    outcome = call("find_error_patterns", window=WINDOW)
    result = outcome.result
    assert result.headline[0].startswith("short baseline: the data starts at 2026-11-20T09:30:00Z")
    assert result.data["coverage"]["logs"]["no_baseline"] is False
    top = result.evidence[0]
    assert top.attrs["new"] is True and top.attrs["baseline_from"] == "2026-11-20T09:30:00Z"  # 50 min of data before


def test_only_the_young_group_is_said_to_have_no_baseline(stubbed_logs: Stubber) -> None:
    _dynamo_incident(stubbed_logs, {PAYMENT: _millis(10, 5)})  # /ecs/checkout has a long history
    outcome = call("find_error_patterns", window=WINDOW)
    result = outcome.result
    cover = result.data["coverage"]["logs"]
    assert "no_baseline" not in cover and result.status == "ok"  # the source as a whole has its baseline
    assert cover["no_baseline_parts"] == ["/ecs/payment: data from 2026-11-20T10:05:00Z (no baseline)"]
    assert "no baseline for 1 of 2 log group(s)" in outcome.body and "/ecs/payment" in outcome.body
    top, other = result.evidence
    assert top.attrs["new"] is True and "no_baseline" not in top.attrs  # its lines are all in /ecs/checkout
    # none of its lines among the newest: its group is unknown, it may be the young one, so it is not NEW
    assert "PaymentClient" in other.attrs["template"] and other.attrs["new"] is False


def test_a_pattern_seen_only_in_a_young_group_is_not_new(stubbed_logs: Stubber) -> None:
    _dynamo_incident(stubbed_logs, {CHECKOUT: _millis(10, 20)})  # a new service: its errors began with its logs
    outcome = call("find_error_patterns", window=WINDOW)
    top = next(item for item in outcome.result.evidence if "SdkClientException" in item.attrs["template"])
    assert top.attrs["new"] is False and top.attrs["no_baseline"] is True
    assert top.attrs["baseline_from"] == "2026-11-20T10:20:00Z" and "no data before 10:20Z" in outcome.body
    assert "no_baseline" not in outcome.result.data["coverage"]["logs"]


def test_retention_moves_the_start_of_the_data() -> None:
    now = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    kept = {"logGroupName": CHECKOUT, "creationTime": OLD_GROUP, "retentionInDays": 1}
    assert aws_backend.group_data_start(kept, now) == datetime(2026, 11, 19, 11, 0, tzinfo=UTC)
    young = {"logGroupName": CHECKOUT, "creationTime": _millis(10, 30), "retentionInDays": 1}
    assert aws_backend.group_data_start(young, now) == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert aws_backend.group_data_start({"logGroupName": CHECKOUT}, now) is None


def test_groups_found_by_prefix_are_not_described_again(stubbed_logs: Stubber) -> None:
    from tools.logs.groups import GroupSelection

    stubbed_logs.add_response("describe_log_groups", {"logGroups": [
        {"logGroupName": "/aws/lambda/shop-cart", "creationTime": _millis(10, 40), "retentionInDays": 30}]},
        {"logGroupNamePrefix": "/aws/lambda/shop-", "limit": 50})
    describe(stubbed_logs, groups=[CHECKOUT])
    client = _client()
    resolved = aws_backend.resolve_groups(GroupSelection((CHECKOUT,), ("/aws/lambda/shop-",)), client)
    starts, problem = aws_backend.data_starts(client, resolved, datetime(2026, 11, 20, 11, 0, tzinfo=UTC))
    assert problem is None and resolved.names == [CHECKOUT, "/aws/lambda/shop-cart"]
    assert starts == {CHECKOUT: datetime(2025, 1, 1, tzinfo=UTC), "/aws/lambda/shop-cart": datetime(2026, 11, 20, 10, 40, tzinfo=UTC)}
    stubbed_logs.assert_no_pending_responses()


def test_when_the_groups_cannot_be_described_the_answer_says_so(stubbed_logs: Stubber) -> None:
    stubbed_logs.add_client_error("describe_log_groups", "AccessDeniedException", "not authorized", 400)
    start(stubbed_logs, "q-now", PATTERNS)
    start(stubbed_logs, "q-before", PATTERNS, START - HOUR, START)
    start(stubbed_logs, "q-trend", TREND)
    start(stubbed_logs, "q-recent", RECENT)
    for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
        get(stubbed_logs, query_id, results("Complete"))
    outcome = call("find_error_patterns", window=WINDOW)
    assert outcome.result.status == "empty"
    assert "could not read when the log groups' data begins" in outcome.body and "AccessDenied" in outcome.body


def _client() -> Any:
    from tools.common import aws

    return aws.client("logs")


def test_the_young_groups_reach_the_triage_report_sources(stubbed_logs: Stubber) -> None:
    """triage's fan-out copies the per-group baseline lines into the report's ``sources`` (an optional field)."""
    from tools.triage.fanout import FanoutResult, SourceRun, Task

    _dynamo_incident(stubbed_logs, {PAYMENT: _millis(10, 5)})
    outcome = call("find_error_patterns", window=WINDOW)
    task = Task("logs", "logs", "find_error_patterns", ("logs",), {})
    run = SourceRun(task, outcome.result.status, "2 patterns", result=outcome.result)
    entry = FanoutResult({"logs": run}).sources()["logs"]
    assert entry["status"] == "ok" and "no_baseline" not in entry
    assert entry["no_baseline_parts"] == ["/ecs/payment: data from 2026-11-20T10:05:00Z (no baseline)"]
