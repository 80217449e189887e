"""summarize_alb_traffic in AWS mode: the Athena calls (Stubber, validated by the service model) and the answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from botocore.stub import Stubber

from tests.alb.test_snapshot_mode import FUNCTION, WINDOW
from tests.support import FakeClock
from tools.alb import aws_backend, service, snapshot_backend, sql
from tools.alb.model import Filters
from tools.common import athena, aws
from tools.common.app import Outcome, execute
from tools.common.deadline import Deadline
from tools.common.snapshot import Snapshot
from tools.common.timewindow import parse_window

QID = "9f0e8d7c-6b5a-4321-8fed-cba987654321"
_TYPES = {"facet": "varchar", "bucket": "bigint", "first_5xx": "varchar", "last_5xx": "varchar"}


def _type(name: str) -> str:
    if name in _TYPES:
        return _TYPES[name]
    if name in sql.KEYS:
        return "varchar"
    return "double" if name.endswith("_ms") else "bigint"


def athena_pages(rows: list[dict[str, Any]], size: int = 40) -> list[dict[str, Any]]:
    """The rows as GetQueryResults pages (header row first, NextToken between pages), as Athena returns them."""
    names = ["facet", *sql.KEYS, *sql.MEASURES]
    info = [{"Name": n, "Label": n, "Type": _type(n)} for n in names]
    cells = [[{"VarCharValue": n} for n in names]]
    for row in rows:
        cells.append([{"VarCharValue": str(row[n])} if row.get(n) is not None else {} for n in names])
    pages = []
    for start in range(0, len(cells), size):
        page: dict[str, Any] = {"ResultSet": {"Rows": [{"Data": c} for c in cells[start:start + size]],
                                              "ResultSetMetadata": {"ColumnInfo": info}}}
        if start + size < len(cells):
            page["NextToken"] = f"token-{start + size}"
        pages.append(page)
    return pages


@dataclass
class Stubbed:
    """The stubbed Athena client, the StartQueryExecution parameters as sent, and the fake clock of the deadline."""

    stubber: Stubber
    sent: list[dict[str, Any]]
    clock: FakeClock

    def run(self, seconds: float = 30.0, **params: Any) -> Outcome:
        return execute(FUNCTION, service.summarize_alb_traffic, {"window": WINDOW, **params},
                       deadline=Deadline(seconds, self.clock), use_environment_snapshot=False)

    def expect_states(self, *states: str, reason: str | None = None) -> None:
        self.stubber.add_response("start_query_execution", {"QueryExecutionId": QID})
        for state in states:
            status: dict[str, Any] = {"State": state, **({"StateChangeReason": reason} if reason else {})}
            self.stubber.add_response("get_query_execution", {"QueryExecution": {
                "QueryExecutionId": QID, "Status": status, "Statistics": {"DataScannedInBytes": 734003200}}},
                {"QueryExecutionId": QID})

    def expect_results(self, rows: list[dict[str, Any]]) -> None:
        token = None
        for page in athena_pages(rows):
            expected: dict[str, Any] = {"QueryExecutionId": QID, "MaxResults": athena.PAGE_SIZE}
            if token:
                expected["NextToken"] = token
            self.stubber.add_response("get_query_results", page, expected)
            token = page.get("NextToken")


@pytest.fixture()
def athena_stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubbed]:
    aws.client.cache_clear()
    client = aws.client("athena")
    sent: list[dict[str, Any]] = []
    client.meta.events.register("provide-client-params.athena.StartQueryExecution", lambda params, **_: sent.append(dict(params)))
    clock = FakeClock()
    monkeypatch.setattr(aws_backend, "sleep", clock.sleep)
    with Stubber(client) as stubber:
        yield Stubbed(stubber, sent, clock)
        stubber.assert_no_pending_responses()
    aws.client.cache_clear()


@pytest.fixture()
def rows(incident: Snapshot) -> list[dict[str, Any]]:
    window = parse_window(WINDOW, incident.manifest.end)
    return snapshot_backend.fetch(incident, window, Filters(), 60).rows


def test_query_parameters_and_answer(athena_stub: Stubbed, rows: list[dict[str, Any]]) -> None:
    athena_stub.expect_states("QUEUED", "RUNNING", "SUCCEEDED")
    athena_stub.expect_results(rows)
    outcome = athena_stub.run()
    request = athena_stub.sent[0]
    assert request["WorkGroup"] == "ops-agent" and request["QueryExecutionContext"]["Database"] == "ops_agent"
    assert '"ops_agent"."alb_access_logs"' in request["QueryString"]
    assert "l.day IN (?)" in request["QueryString"] and "l.time >= ? AND l.time < ?" in request["QueryString"]
    assert request["ExecutionParameters"][:3] == ["'2026/11/20'", "'2026-11-20T09:00:00.000000Z'", "'2026-11-20T10:00:00.000000Z'"]
    assert "ResultReuseConfiguration" not in request
    assert outcome.result is not None and outcome.result.status == "ok"
    assert "5xx onset ~09:40Z" in outcome.body and f"Athena query {QID} scanned 700.0 MB" in outcome.body
    checkout = next(e for e in outcome.result.evidence if e.attrs.get("path") == "/api/checkout/{id}")
    assert checkout.link is not None and QID in checkout.link and checkout.attrs["count"] == 120


def test_injection_is_bound_not_written(athena_stub: Stubbed) -> None:
    evil = "/x'))OR/**/1=1;DROP--"
    athena_stub.expect_states("SUCCEEDED")
    athena_stub.expect_results([])
    outcome = athena_stub.run(path_prefix=evil, load_balancer="shop-alb", status_class="5xx", bucket_minutes=5)
    query = athena_stub.sent[0]["QueryString"]
    assert evil not in query and "shop-alb" not in query
    assert "'/x''))OR/**/1=1;DROP--'" in athena_stub.sent[0]["ExecutionParameters"]
    assert outcome.result is not None and outcome.result.status == "empty"


def test_failed_query_says_why(athena_stub: Stubbed) -> None:
    athena_stub.expect_states("RUNNING", "FAILED", reason="Query exhausted resources: Bytes scanned limit was exceeded")
    outcome = athena_stub.run()
    assert outcome.result is not None and outcome.result.status == "error" and not outcome.reprompt
    assert "Bytes scanned limit" in outcome.body and "narrow the window" in outcome.body and QID in outcome.body


def test_cancelled_query(athena_stub: Stubbed) -> None:
    athena_stub.expect_states("CANCELLED", reason="Query cancelled")
    outcome = athena_stub.run()
    assert outcome.result is not None and outcome.result.status == "error" and "cancelled" in outcome.body


def test_query_out_of_time_is_stopped_and_partial(athena_stub: Stubbed) -> None:
    athena_stub.expect_states(*["RUNNING"] * 5)  # polls at 0, 0.3, 0.78, 1.55, 2.0 s
    athena_stub.stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": QID})
    outcome = athena_stub.run(seconds=2.0)
    assert outcome.result is not None and outcome.result.status == "partial"
    assert "did not finish within the time budget and was stopped" in outcome.body


@pytest.mark.parametrize("code,hint", [("ThrottlingException", "throttled"), ("AccessDeniedException", "IAM role")])
def test_start_errors_are_explained(athena_stub: Stubbed, code: str, hint: str) -> None:
    athena_stub.stubber.add_client_error("start_query_execution", code, "nope")
    outcome = athena_stub.run()
    assert outcome.result is not None and outcome.result.status == "error"
    assert code in outcome.body and hint in outcome.body


@pytest.mark.parametrize("window", ["last 30m", "2026-11-20T08:00Z/2026-11-20T09:00Z"])
def test_bound_queries_never_ask_for_result_reuse(athena_stub: Stubbed, window: str) -> None:
    """Reuse keys on the query text; nothing documents that execution parameters are part of the key."""
    athena_stub.expect_states("SUCCEEDED")
    athena_stub.expect_results([])
    athena_stub.run(window=window)
    assert "ResultReuseConfiguration" not in athena_stub.sent[0]
    assert athena_stub.sent[0]["ExecutionParameters"]  # still bound


def test_the_runner_refuses_reuse_with_parameters() -> None:
    from tools.common import athena

    with pytest.raises(ValueError, match="execution parameters"):
        athena.start("SELECT 1 WHERE x = ?", ["a"], database="d", workgroup="w", client=object(), reuse_minutes=5)
