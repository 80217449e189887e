"""Fixtures of the logs tests: small snapshots in the real format (written here, never copied), a stubbed
CloudWatch Logs client, and helpers to call the tools through ``execute`` and the real ``lambda_handler``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

UTC = timezone.utc
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
END = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
CHECKOUT, PAYMENT = "/ecs/checkout", "/ecs/payment"
SECRETS = (
    "AKIAIOSFODNN7EXAMPLE",
    "hunter2secret",
    "s3cr3tP4ssw0rd",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "abcdefghijklmnopqrstuvwx0123",
)
DYNAMO = (
    "ERROR c.s.checkout.OrderRepository - com.amazonaws.SdkClientException: Unable to execute HTTP request: "
    "Connect to dynamodb.us-east-1.amazonaws.com:443 [dynamodb.us-east-1.amazonaws.com/3.218.180.{n}] failed: "
    "connect timed out (requestId={rid})"
)
PAYMENT_503 = "WARN PaymentClient retry {n} for order {order} failed: HTTP 503 from payments.internal"
CREDENTIALS = (
    "ERROR login failed for key AKIAIOSFODNN7EXAMPLE password=hunter2secret db=https://admin:s3cr3tP4ssw0rd@db.internal:5432/shop "
    "Authorization: Bearer abcdefghijklmnopqrstuvwx0123 jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)


def event(group: str, moment: datetime, message: str, stream: str = "ecs/app/4f1c") -> dict[str, Any]:
    millis = int(moment.timestamp() * 1000)
    return {"logGroupName": group, "logStreamName": stream, "timestamp": millis, "message": message, "ingestionTime": millis + 300}


def incident_events() -> list[dict[str, Any]]:
    """Baseline 09:00-10:00: payment retries. Window 10:00-11:00: payment retries go on; from 10:20 DynamoDB
    connect timeouts (NEW); one line with planted credentials; INFO traffic throughout."""
    events = []
    for minute in range(0, 120, 2):
        moment = START + timedelta(minutes=minute)
        events.append(event(CHECKOUT, moment, f"2026-11-20 {moment:%H:%M:%S}.120 INFO GET /api/orders/{1000 + minute} 200 {12 + minute % 7}ms"))
        if minute % 6 == 0:
            events.append(event(PAYMENT, moment + timedelta(seconds=5), PAYMENT_503.format(n=minute % 3 + 1, order=70000 + minute), "ecs/pay/9a0b"))
    for index in range(40):
        moment = START + timedelta(minutes=80, seconds=index * 30)
        events.append(event(CHECKOUT, moment, DYNAMO.format(n=10 + index % 7, rid=f"{index:04d}-7f3a9c2e-{index * 7919:08x}")))
    events.append(event(CHECKOUT, START + timedelta(minutes=95), CREDENTIALS))
    return events


def write_snapshot(root: Path, events: list[dict[str, Any]], extra_lines: list[str] = (), name: str = "logs/ecs/part-0001.jsonl") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({
        "version": 1, "account": "123456789012", "region": "us-east-1",
        "start": "2026-11-20T09:00:00Z", "end": "2026-11-20T11:00:00Z", "description": "shop on ECS",
    }))
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(e) for e in events] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n")
    return root


MALFORMED = ["not json at all", '{"logGroupName": 5, "timestamp": "x"}', "[1, 2, 3]"]


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    return write_snapshot(tmp_path / "incident", incident_events(), MALFORMED)


@pytest.fixture
def stubbed_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The cached CloudWatch Logs client with a Stubber; configured groups; sleeps that do not wait."""
    from tests.support import stubbed
    from tools.logs import aws_backend

    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"logs": {"log_groups": [CHECKOUT, PAYMENT]}}))
    monkeypatch.setattr(aws_backend, "sleep", lambda seconds: None)
    with stubbed("logs") as stubber:
        yield stubber


def params(**values: Any) -> list[dict[str, Any]]:
    return [{"name": k, "type": "integer" if isinstance(v, int) else "string", "value": v} for k, v in values.items()]


def call(function: str, snapshot: Path | None = None, session: dict[str, str] | None = None, deadline: Any = None, **values: Any) -> Any:
    """Run a logs function through ``execute`` (the handler's path without the envelope)."""
    from tools import catalogue
    from tools.common.app import execute
    from tools.common.snapshot import Snapshot
    from tools.logs.handler import IMPLEMENTATIONS

    spec = catalogue.find("logs", function)
    assert spec is not None
    return execute(
        spec, IMPLEMENTATIONS[function], params(**values), session=session, deadline=deadline,
        snapshot=Snapshot.open(snapshot) if snapshot is not None else None, use_environment_snapshot=False,
    )
