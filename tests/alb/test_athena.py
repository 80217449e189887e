"""The shared Athena runner against botocore's Stubber (request parameters validated by the service model)."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from botocore.stub import Stubber

from tests.support import FakeClock, stubbed
from tools.common import athena, aws
from tools.common.deadline import Deadline
from tools.common.errors import SourceError

QID = "11111111-2222-3333-4444-555555555555"


@pytest.fixture()
def stub() -> Iterator[Stubber]:
    with stubbed("athena") as stubber:
        yield stubber


def expect_start(stub: Stubber, sql: str = "SELECT 1 WHERE x = ?", params: list[str] | None = None) -> None:
    expected: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": "ops_agent", "Catalog": "AwsDataCatalog"},
        "WorkGroup": "ops-agent",
    }
    if params is not None:
        expected["ExecutionParameters"] = params
    stub.add_response("start_query_execution", {"QueryExecutionId": QID}, expected)


def expect_state(stub: Stubber, state: str, reason: str | None = None, scanned: int = 0) -> None:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    stub.add_response(
        "get_query_execution",
        {"QueryExecution": {"QueryExecutionId": QID, "Status": status,
                            "Statistics": {"DataScannedInBytes": scanned, "EngineExecutionTimeInMillis": 1200}}},
        {"QueryExecutionId": QID},
    )


def page(rows: list[list[str | None]], token: str | None = None, header: bool = False) -> dict[str, Any]:
    columns = [{"Name": "path", "Type": "varchar"}, {"Name": "requests", "Type": "bigint"}, {"Name": "p95", "Type": "double"}]
    data = [[{"VarCharValue": "path"}, {"VarCharValue": "requests"}, {"VarCharValue": "p95"}]] if header else []
    data += [[{"VarCharValue": v} if v is not None else {} for v in row] for row in rows]
    response: dict[str, Any] = {"ResultSet": {"Rows": [{"Data": d} for d in data], "ResultSetMetadata": {"ColumnInfo": columns}}}
    if token:
        response["NextToken"] = token
    return response


def run(clock: FakeClock, seconds: float = 30.0, **kwargs: Any) -> athena.QueryResult:
    return athena.run_query(
        kwargs.pop("sql", "SELECT 1 WHERE x = ?"), kwargs.pop("params", ["a"]), database="ops_agent", workgroup="ops-agent",
        deadline=Deadline(seconds, clock), client=aws.client("athena"), sleep=clock.sleep, **kwargs,
    )


def test_queued_running_succeeded_with_pages(stub: Stubber) -> None:
    clock = FakeClock()
    expect_start(stub, params=["'a'"])
    expect_state(stub, "QUEUED")
    expect_state(stub, "RUNNING")
    expect_state(stub, "SUCCEEDED", scanned=5 * 1024 * 1024)
    stub.add_response("get_query_results", page([["/a", "3", "12.5"]], token="t2", header=True),
                      {"QueryExecutionId": QID, "MaxResults": athena.PAGE_SIZE})
    stub.add_response("get_query_results", page([["/b", "4", None]]),
                      {"QueryExecutionId": QID, "MaxResults": athena.PAGE_SIZE, "NextToken": "t2"})
    result = run(clock)
    assert result.query_execution_id == QID
    assert result.rows == [{"path": "/a", "requests": 3, "p95": 12.5}, {"path": "/b", "requests": 4, "p95": None}]
    assert result.bytes_scanned == 5 * 1024 * 1024 and result.complete
    assert len(clock.sleeps) == 2 and clock.sleeps[1] > clock.sleeps[0]  # backoff between polls


def test_failed_query_explains_the_reason(stub: Stubber) -> None:
    expect_start(stub, params=["'a'"])
    expect_state(stub, "FAILED", "Query exhausted resources: Bytes scanned limit was exceeded")
    with pytest.raises(athena.AthenaError) as caught:
        run(FakeClock())
    assert caught.value.state == "FAILED" and caught.value.query_execution_id == QID
    assert "Bytes scanned limit" in caught.value.what
    assert "narrow the window" in caught.value.hint


def test_cancelled_query(stub: Stubber) -> None:
    expect_start(stub, params=["'a'"])
    expect_state(stub, "CANCELLED", "Query cancelled by user")
    with pytest.raises(athena.AthenaError) as caught:
        run(FakeClock())
    assert caught.value.state == "CANCELLED" and "cancelled" in caught.value.what


def test_query_that_never_finishes_is_stopped(stub: Stubber) -> None:
    clock = FakeClock()
    expect_start(stub, params=["'a'"])
    for _ in range(5):  # polls at t = 0, 0.3, 0.78, 1.55 and 2.0 (backoff, then the deadline)
        expect_state(stub, "RUNNING")
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": QID})
    with pytest.raises(athena.AthenaError) as caught:
        run(clock, seconds=2.0)
    assert caught.value.state == "TIMEOUT" and caught.value.status == "partial"
    assert "stopped" in caught.value.what and "narrow the window" in caught.value.hint
    assert clock.now <= 2.0


def test_paging_stops_at_the_deadline_with_partial_rows(stub: Stubber) -> None:
    clock = FakeClock()
    expect_start(stub, params=["'a'"])
    expect_state(stub, "SUCCEEDED")

    def expire(*_: Any, **__: Any) -> None:
        clock.now += 100

    stub.add_response("get_query_results", page([["/a", "1", "1.0"]], token="t2", header=True),
                      {"QueryExecutionId": QID, "MaxResults": athena.PAGE_SIZE})
    aws.client("athena").meta.events.register_first("after-call.athena.GetQueryResults", expire)
    result = run(clock, seconds=30.0)
    assert not result.complete and len(result.rows) == 1 and result.notes


def test_throttling_on_start_is_explained(stub: Stubber) -> None:
    stub.add_client_error("start_query_execution", "ThrottlingException", "Rate exceeded")
    with pytest.raises(SourceError) as caught:
        run(FakeClock())
    assert "ThrottlingException" in caught.value.what and "throttled" in caught.value.hint


def test_throttled_poll_is_retried(stub: Stubber) -> None:
    expect_start(stub, params=["'a'"])
    stub.add_client_error("get_query_execution", "ThrottlingException", "Rate exceeded")
    expect_state(stub, "SUCCEEDED")
    stub.add_response("get_query_results", page([]), {"QueryExecutionId": QID, "MaxResults": athena.PAGE_SIZE})
    assert run(FakeClock()).rows == []


def test_access_denied_is_explained(stub: Stubber) -> None:
    stub.add_client_error("start_query_execution", "AccessDeniedException", "User is not authorized")
    with pytest.raises(SourceError) as caught:
        run(FakeClock())
    assert "AccessDeniedException" in caught.value.what and "IAM role" in caught.value.hint


def test_parameters_are_literals_and_never_in_the_sql(stub: Stubber) -> None:
    evil = "x' OR '1'='1"
    sql = "SELECT 1 FROM t WHERE a = ? AND b = ? AND c = ?"
    expect_start(stub, sql, ["'x'' OR ''1''=''1'", "42", "1.5"])
    expect_state(stub, "SUCCEEDED")
    stub.add_response("get_query_results", page([]), {"QueryExecutionId": QID, "MaxResults": athena.PAGE_SIZE})
    run(FakeClock(), sql=sql, params=[evil, 42, 1.5])


def test_literal_forms() -> None:
    assert athena.literal("it's") == "'it''s'"
    assert athena.literal(True) == "TRUE" and athena.literal(None) == "NULL" and athena.literal(7) == "7"
    with pytest.raises(ValueError):
        athena.literal(float("nan"))


def test_explain_reason_hints() -> None:
    assert "Glue table" in athena.explain_reason("TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.x.y does not exist")
    assert "role" in athena.explain_reason("Access denied when writing to location: s3://results/")
    assert "console" in athena.explain_reason("something odd")


def test_csv_lines_quote_properly() -> None:
    lines = athena.csv_lines(["a", "b"], [["x,y", 'say "hi"'], [None, 3]])
    assert lines == ["a,b", '"x,y","say ""hi"""', ",3"]
