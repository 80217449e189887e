"""Builders of X-Ray data in the real formats (segment documents as JSON strings inside BatchGetTraces
responses; GetTraceSummaries root causes), modelled on the samples in shared/data/xray."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

T0 = datetime(2026, 11, 20, 9, 40, tzinfo=timezone.utc)
DDB_TIMEOUT = 'Connect timeout on endpoint URL: "https://dynamodb.us-east-1.amazonaws.com/"'


def trace_id(epoch: float, n: int) -> str:
    return f"1-{int(epoch):08x}-{n:024x}"


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


def ddb_subsegment(rng: random.Random, start: float, *, fault: bool, message: str = DDB_TIMEOUT,
                   exc_type: str = "ConnectTimeoutError", table: str = "orders", operation: str = "PutItem") -> dict[str, Any]:
    """A DynamoDB call as the X-Ray SDK records it (namespace aws), faulted with an exception or fine."""
    sub: dict[str, Any] = {
        "id": _hex(rng), "name": "DynamoDB", "start_time": start + 0.01, "end_time": start + (3.01 if fault else 0.02),
        "namespace": "aws",
        "aws": {"operation": operation, "region": "us-east-1", "table_name": table, "retries": 3 if fault else 0,
                "resource_names": [table]},
    }
    if fault:
        sub["fault"] = True
        sub["cause"] = {"exceptions": [{"id": _hex(rng), "type": exc_type, "message": message, "remote": True,
                                        "stack": [{"path": "botocore/httpsession.py", "line": 492, "label": "send"}]}]}
    else:
        sub["http"] = {"response": {"status": 200, "content_length": 2}}
    return sub


def checkout_trace(n: int, epoch: float, *, fault: bool, message: str = DDB_TIMEOUT, exc_type: str = "ConnectTimeoutError",
                   cause_by_id: bool = False, service: str = "checkout") -> dict[str, Any]:
    """One BatchGetTraces trace: the checkout service calling DynamoDB, optionally faulted at DynamoDB."""
    rng = random.Random(n * 7919 + int(epoch))
    tid = trace_id(epoch, n)
    sub = ddb_subsegment(rng, epoch, fault=fault, message=message, exc_type=exc_type)
    segment: dict[str, Any] = {
        "id": _hex(rng), "name": service, "trace_id": tid, "start_time": epoch, "end_time": epoch + (3.05 if fault else 0.05),
        "origin": "AWS::ECS::Container",
        "http": {"request": {"method": "POST", "url": "https://shop.example.com/api/checkout", "client_ip": "10.0.1.7"},
                 "response": {"status": 500 if fault else 200}},
        "aws": {"xray": {"sdk": "X-Ray for Python", "sdk_version": "2.14.0"}},
        "subsegments": [{"id": _hex(rng), "name": "## place_order", "start_time": epoch, "end_time": epoch + 3.04,
                         **({"fault": True, "cause": sub["cause"]["exceptions"][0]["id"]} if fault and cause_by_id else {}),
                         "subsegments": [sub]}],
    }
    if fault:
        segment["fault"] = True
        segment["cause"] = {"working_directory": "/app", "exceptions": [
            {"id": _hex(rng), "type": exc_type, "message": message, "stack": [{"path": "app/orders.py", "line": 88, "label": "place_order"}]}]}
    inferred = {"id": _hex(rng), "name": "DynamoDB", "trace_id": tid, "parent_id": sub["id"], "inferred": True,
                "start_time": sub["start_time"], "end_time": sub["end_time"], "origin": "AWS::DynamoDB::Table",
                "aws": sub["aws"], **({"fault": True} if fault else {})}
    return {"Id": tid, "Duration": segment["end_time"] - epoch, "LimitExceeded": False,
            "Segments": [{"Id": segment["id"], "Document": json.dumps(segment)}, {"Id": inferred["id"], "Document": json.dumps(inferred)}]}


def batch_response(traces: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Traces": traces, "UnprocessedTraceIds": []}


def summary(tid: str, *, service: str = "checkout", exc: str = "ConnectTimeoutError", message: str = DDB_TIMEOUT,
            start: datetime | None = None) -> dict[str, Any]:
    """A GetTraceSummaries trace summary whose fault root cause is checkout's DynamoDB call."""
    item: dict[str, Any] = {
        "Id": tid, "Duration": 3.05, "ResponseTime": 3.05, "HasFault": True, "HasError": False, "HasThrottle": False,
        "IsPartial": False,
        "Http": {"HttpURL": "https://shop.example.com/api/checkout", "HttpStatus": 500, "HttpMethod": "POST"},
        "FaultRootCauses": [{"Services": [{"Name": service, "Names": [service], "Type": "AWS::ECS::Container",
                                           "AccountId": "123456789012", "Inferred": False,
                                           "EntityPath": [{"Name": service}, {"Name": "## place_order"},
                                                          {"Name": "DynamoDB", "Remote": True,
                                                           "Exceptions": [{"Name": exc, "Message": message}]}]}],
                             "ClientImpacting": True}],
    }
    if start is not None:
        item["StartTime"] = start
    return item


def write_snapshot(root: Path, traces: list[dict[str, Any]], *, start: str = "2026-11-20T09:00:00Z",
                   end: str = "2026-11-20T11:00:00Z", per_file: int = 200) -> Path:
    """A snapshot directory with a manifest and the traces as BatchGetTraces responses (several files)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({"version": 1, "account": "123456789012", "region": "us-east-1",
                                                    "start": start, "end": end}))
    folder = root / "xray" / "2026" / "11" / "20"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(0, max(1, len(traces)), per_file):
        (folder / f"batch-{index:06d}.json").write_text(json.dumps(batch_response(traces[index:index + per_file])))
    return root
