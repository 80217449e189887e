"""Root causes from segment documents: the deepest faulted node, folded into the downstream call it belongs to."""

from __future__ import annotations

import json
from typing import Any

from tests.xray.traces import DDB_TIMEOUT, T0, checkout_trace
from tools.xray.segments import root_cause, trace_start


def _trace(*docs: dict[str, Any], trace_id: str = "1-6b001588-000000000000000000000001") -> dict[str, Any]:
    return {"Id": trace_id, "Duration": 1.0, "Segments": [{"Id": d.get("id", "x"), "Document": json.dumps(d)} for d in docs]}


def test_checkout_dynamodb_timeout_is_the_root_cause() -> None:
    fault = root_cause(checkout_trace(1, T0.timestamp(), fault=True), "fault")
    assert fault is not None
    assert (fault.service, fault.exception, fault.downstream) == ("checkout", "ConnectTimeoutError", "DynamoDB PutItem table orders")
    assert fault.message == DDB_TIMEOUT
    assert fault.entity_path == ("checkout", "## place_order", "DynamoDB")
    assert fault.resources == ("orders", "checkout")
    assert fault.time == T0


def test_cause_given_as_an_exception_id_is_resolved() -> None:
    fault = root_cause(checkout_trace(2, T0.timestamp(), fault=True, cause_by_id=True), "fault")
    assert fault is not None and fault.exception == "ConnectTimeoutError" and fault.message == DDB_TIMEOUT


def test_healthy_trace_has_no_root_cause() -> None:
    assert root_cause(checkout_trace(3, T0.timestamp(), fault=False), "fault") is None


def test_sdk_internals_below_the_call_fold_into_the_call() -> None:
    """Go SDK style (shared/data/xray ddbSample): attempt/wait subsegments under the faulted dynamodb call."""
    exc = {"id": "e1", "type": "dynamodb.ResourceNotFoundException", "message": "ResourceNotFoundException: Requested resource not found"}
    doc = {
        "trace_id": "1-5f29ab21-d4ebf299219a65bd5c31d6da", "id": "88ad1df59cd7a7be", "name": "DDB",
        "start_time": 1596566305.5354, "end_time": 1596566305.5928, "fault": True, "cause": {"exceptions": [exc]},
        "subsegments": [{
            "id": "7df694142c905d8d", "name": "DDB.DescribeExistingTableAndPutToMissingTable", "start_time": 1596566305.5354,
            "end_time": 1596566305.5928, "fault": True, "cause": {"exceptions": [dict(exc, id="e2")]},
            "subsegments": [
                {"id": "a1", "name": "dynamodb", "namespace": "aws", "start_time": 1596566305.54, "end_time": 1596566305.55,
                 "aws": {"operation": "DescribeTable", "table_name": "xray_sample_table"}, "http": {"response": {"status": 200}}},
                {"id": "a2", "name": "dynamodb", "namespace": "aws", "start_time": 1596566305.55, "end_time": 1596566305.59,
                 "fault": True, "cause": {"exceptions": [dict(exc, id="e3")]},
                 "aws": {"operation": "PutItem", "table_name": "does_not_exist"}, "http": {"response": {"status": 400}},
                 "subsegments": [{"id": "a3", "name": "marshal", "start_time": 1596566305.55, "end_time": 1596566305.56},
                                 {"id": "a4", "name": "attempt", "start_time": 1596566305.56, "end_time": 1596566305.58,
                                  "fault": True, "cause": {"exceptions": [dict(exc, id="e4")]}}]},
            ],
        }],
    }
    fault = root_cause(_trace(doc), "fault")
    assert fault is not None
    assert fault.downstream == "dynamodb PutItem table does_not_exist"
    assert fault.exception == "dynamodb.ResourceNotFoundException"
    assert fault.entity_path[-1] == "dynamodb" and fault.service == "DDB"


def test_errored_remote_call_under_a_faulted_segment_names_the_host() -> None:
    doc = {
        "id": "s1", "name": "checkout", "start_time": 1795136400.0, "end_time": 1795136401.0, "fault": True,
        "http": {"response": {"status": 502}},
        "subsegments": [{"id": "r1", "name": "payments.example.com", "namespace": "remote", "error": True,
                         "start_time": 1795136400.1, "end_time": 1795136400.9,
                         "http": {"request": {"url": "https://payments.example.com/charge", "method": "POST"}, "response": {"status": 429}}}],
    }
    fault = root_cause(_trace(doc), "fault")
    assert fault is not None
    assert fault.downstream == "payments.example.com POST" and fault.exception == "HTTP 429"
    assert "payments.example.com" in fault.resources


def test_fault_in_a_called_service_is_attributed_to_that_service() -> None:
    caller = {"id": "c1", "name": "checkout", "start_time": 1795136400.0, "end_time": 1795136401.0, "fault": True,
              "subsegments": [{"id": "c2", "name": "payment", "namespace": "remote", "traced": True, "fault": True,
                               "start_time": 1795136400.1, "end_time": 1795136400.9,
                               "http": {"request": {"url": "http://payment.internal/pay", "method": "POST"}, "response": {"status": 500}}}]}
    callee = {"id": "p1", "name": "payment", "parent_id": "c2", "start_time": 1795136400.2, "end_time": 1795136400.8, "fault": True,
              "subsegments": [{"id": "p2", "name": "RDS", "namespace": "remote", "fault": True, "start_time": 1795136400.3,
                               "end_time": 1795136400.7, "sql": {"url": "jdbc:postgresql://db.cluster-x.us-east-1.rds.amazonaws.com:5432/pay"},
                               "cause": {"exceptions": [{"id": "x1", "type": "PSQLException", "message": "too many connections"}]}}]}
    fault = root_cause(_trace(caller, callee), "fault")
    assert fault is not None
    assert fault.service == "payment" and fault.exception == "PSQLException"
    assert fault.downstream == "db.cluster-x.us-east-1.rds.amazonaws.com"
    assert fault.entity_path == ("checkout", "payment", "payment", "RDS")


def test_slow_follows_the_longest_child_to_the_call() -> None:
    trace = checkout_trace(4, T0.timestamp(), fault=True)
    fault = root_cause(trace, "slow")
    assert fault is not None and fault.downstream == "DynamoDB PutItem table orders" and fault.exception.startswith("slow")
    assert root_cause(checkout_trace(5, T0.timestamp(), fault=False), "slow") is None


def test_malformed_documents_are_skipped_not_fatal() -> None:
    trace = {"Id": "1-6b001588-000000000000000000000009", "Segments": [{"Id": "a", "Document": "{not json"}, {"Id": "b", "Document": 7}, "junk"]}
    assert root_cause(trace, "fault") is None
    assert trace_start(trace) is not None  # falls back to the time in the trace id
