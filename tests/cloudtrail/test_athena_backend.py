"""Athena mode through the shared runner, with Stubber on the athena client: bound parameters, partition
pruning, pushed-down filters, row rebuilding, the row cap, FAILED queries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from tests.cloudtrail.fixtures import WINDOW, config, request
from tools.cloudtrail import athena_backend, service
from tools.cloudtrail.model import ChangeQuery
from tools.common import athena, aws
from tools.common.errors import SourceError

COLUMNS = ["eventtime", "eventsource", "eventname", "awsregion", "sourceipaddress", "useragent", "errorcode", "readonly",
           "eventid", "eventtype", "sessioncredentialfromconsole", "requestparameters", "identity_type", "identity_arn",
           "identity_username", "identity_invokedby", "identity_principalid", "identity_accountid", "issuer_username",
           "resource_arns"]


@pytest.fixture(autouse=True)
def _fresh_clients(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    aws.client.cache_clear()
    monkeypatch.setattr(athena.time, "sleep", lambda seconds: None)
    yield
    aws.client.cache_clear()


@pytest.fixture
def stub() -> Iterator[Stubber]:
    with Stubber(aws.client("athena")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def row(**values: Any) -> dict[str, Any]:
    return {"Data": [{"VarCharValue": values[c]} if values.get(c) is not None else {} for c in COLUMNS]}


VPCE_ROW = dict(
    eventtime="2026-11-20T08:57:12Z", eventsource="ec2.amazonaws.com", eventname="ModifyVpcEndpoint", awsregion="eu-west-1",
    sourceipaddress="198.51.100.24", useragent="Mozilla/5.0 (Macintosh)", readonly="false",
    eventid="4b9e7c21-5d3a-4f6e-8a1b-2c3d4e5f6a7b", eventtype="AwsApiCall", sessioncredentialfromconsole="true",
    requestparameters='{"ModifyVpcEndpointRequest":{"VpcEndpointId":"vpce-0a1b2c3d4e5f67890","RemoveRouteTableId":{"tag":1,"content":"rtb-0c4f2a1e9b8d7c6a5"}}}',
    identity_type="AssumedRole", identity_arn="arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1/jane.doe@example.com",
    identity_principalid="AROA:jane.doe@example.com", identity_accountid="123456789012", issuer_username="AWSReservedSSO_Admin_1",
)
DENIED_ROW = dict(
    eventtime="2026-11-20T09:41:00Z", eventsource="secretsmanager.amazonaws.com", eventname="GetSecretValue",
    awsregion="eu-west-1", sourceipaddress="10.0.1.7", useragent="aws-sdk-java/2.20", errorcode="AccessDenied",
    readonly="true", eventid="e-denied", eventtype="AwsApiCall", requestparameters='{"secretId":"prod/checkout/db"}',
    identity_type="AssumedRole", identity_arn="arn:aws:sts::123456789012:assumed-role/checkout-task/abc",
    resource_arns="arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/checkout/db-AbCd arn:aws:kms:eu-west-1:123456789012:key/k1",
)


def results(*rows: dict[str, Any]) -> dict[str, Any]:
    header = {"Data": [{"VarCharValue": c} for c in COLUMNS]}
    return {"ResultSet": {"Rows": [header, *[row(**r) for r in rows]],
                          "ResultSetMetadata": {"ColumnInfo": [{"Name": c, "Label": c, "Type": "varchar"} for c in COLUMNS]}},
            "UpdateCount": 0}


def expect_query(stub: Stubber, params: list[str], state: str = "SUCCEEDED", reason: str | None = None) -> None:
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"}, {
        "QueryString": ANY, "QueryExecutionContext": {"Database": "ops_agent", "Catalog": "AwsDataCatalog"},
        "WorkGroup": "ops-agent", "ExecutionParameters": params})
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    stub.add_response("get_query_execution", {"QueryExecution": {
        "QueryExecutionId": "q-1", "Status": status, "Statistics": {"DataScannedInBytes": 3_355_443}}},
        {"QueryExecutionId": "q-1"})


def athena_config():
    return config(mode="athena")


def test_query_binds_every_value_and_prunes_partitions() -> None:
    query = ChangeQuery(WINDOW.widen(after=timedelta(hours=14)), timedelta(minutes=60), "ec2.amazonaws.com",
                        "alice'; DROP TABLE x; --", "vpce-0a1b", False, "eu-west-1")
    sql, params = athena_backend.build_sql(query, "cloudtrail_logs")
    assert sql.count("?") == len(params)
    assert "region IN (?, ?) AND day IN (?, ?)" in sql
    assert params[:4] == ["eu-west-1", "us-east-1", "2026/11/20", "2026/11/21"]
    assert "alice'; drop table x; --" in params and "DROP" not in sql and "vpce" not in sql and "eu-west-1" not in sql
    assert "readonly <> 'true'" in sql and "eventsource = ?" in sql and sql.rstrip().endswith("LIMIT 5001")
    everything = ChangeQuery(WINDOW, timedelta(0), include_read_only=True, region="us-east-1")
    sql, params = athena_backend.build_sql(everything, "cloudtrail_logs")
    assert "readonly" not in sql.split("WHERE", 1)[1] and params[:2] == ["us-east-1", "2026/11/20"]


def test_list_changes_in_athena_mode(stub: Stubber) -> None:
    # Every bound value is a WHERE value; the ORDER BY's onset (1795165200) is a literal in the text.
    expect_query(stub, ["'us-east-1'", "'2026/11/20'", "'2026-11-20T08:00:00Z'", "'2026-11-20T11:00:00Z'",
                        "'accessdenied'", "'unauthorized'"])
    stub.add_response("get_query_results", results(VPCE_ROW, DENIED_ROW), {"QueryExecutionId": "q-1", "MaxResults": 1000})
    result = service.list_changes(request(cfg=athena_config()))
    assert result.status == "ok"
    by_name = {e.attrs["event_name"]: e for e in result.evidence}
    vpce = by_name["ModifyVpcEndpoint"]
    assert vpce.attrs["resources"][:2] == ["vpce-0a1b2c3d4e5f67890", "rtb-0c4f2a1e9b8d7c6a5"]
    assert vpce.attrs["minutes_before_window"] == 2.8 and "person via console" in vpce.summary
    denied = by_name["GetSecretValue"]
    assert denied.kind == "failed_call" and denied.attrs["read_only"] is True
    assert "arn:aws:kms:eu-west-1:123456789012:key/k1" in denied.attrs["resources"]
    assert any("Athena scanned 3.2 MB" in n and "q-1" in n for n in result.notes)


def test_row_cap_makes_the_answer_partial(stub: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(athena_backend, "MAX_ROWS", 1)
    expect_query(stub, ANY)
    stub.add_response("get_query_results", results(VPCE_ROW, DENIED_ROW), {"QueryExecutionId": "q-1", "MaxResults": 1000})
    result = service.list_changes(request(cfg=athena_config()))
    assert result.status == "partial" and [e.attrs["event_name"] for e in result.evidence] == ["ModifyVpcEndpoint"]
    assert any("more than 1 calls matched" in n for n in result.notes)


def test_failed_query_is_a_source_error(stub: Stubber) -> None:
    expect_query(stub, ANY, "FAILED", "TABLE_NOT_FOUND: line 8:6: Table 'awsdatacatalog.ops_agent.cloudtrail_logs' does not exist")
    with pytest.raises(SourceError) as error:
        service.list_changes(request(cfg=athena_config()))
    assert "failed" in error.value.what and "deploy the stack" in error.value.hint


def test_rows_rebuild_the_record_shape() -> None:
    record = athena_backend.to_record({"eventtime": "2026-11-20T09:00:00Z", "eventname": "X", "requestparameters": "not json",
                                       "resource_arns": None, "identity_type": "Root"})
    assert record["requestParameters"] == "not json" and record["resources"] == []
    assert record["userIdentity"]["type"] == "Root"
    assert athena_backend.days(ChangeQuery(WINDOW, timedelta(hours=10))) == ["2026/11/19", "2026/11/20"]
