"""Fixtures of the findings tests: Stubbers on the cached securityhub and guardduty clients, and a runner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from tools import catalogue
from tools.common import aws
from tools.common.app import Outcome, execute
from tools.common.deadline import Deadline
from tools.common.snapshot import Snapshot
from tools.findings.service import list_security_findings

FUNCTION = catalogue.find("findings", "list_security_findings")


@pytest.fixture(scope="module")
def _clients() -> Iterator[dict[str, Any]]:
    """The tool's cached clients, created once per module (model loading is slow), dropped afterwards."""
    aws.client.cache_clear()
    yield {name: aws.client(name) for name in ("securityhub", "guardduty")}
    aws.client.cache_clear()


@pytest.fixture
def stubs(_clients: dict[str, Any]) -> Iterator[dict[str, Stubber]]:
    """Stubbers on the clients the tool gets from ``aws.client``; every queued response must be consumed."""
    assert all(aws.client(name) is client for name, client in _clients.items())
    stubbers = {name: Stubber(client) for name, client in _clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    yield stubbers
    for stubber in stubbers.values():
        stubber.deactivate()
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()


def run(params: dict[str, Any] | None = None, *, snapshot: Snapshot | None = None, deadline: Deadline | None = None) -> Outcome:
    """Call list_security_findings as the handler would, with Bedrock-style parameters."""
    raw = [{"name": k, "type": "boolean" if isinstance(v, bool) else "string", "value": str(v).lower() if isinstance(v, bool) else v}
           for k, v in (params or {}).items()]
    assert FUNCTION is not None
    return execute(FUNCTION, list_security_findings, raw, snapshot=snapshot, deadline=deadline, use_environment_snapshot=snapshot is not None)
