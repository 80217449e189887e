"""Fixtures of the X-Ray tests: a Stubber on the cached xray client, and helpers to run the tool."""

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
from tools.xray.service import find_trace_faults

FUNCTION = catalogue.find("xray", "find_trace_faults")


@pytest.fixture(scope="module")
def _client() -> Iterator[Any]:
    """The tool's cached xray client, created once per module (model loading is slow), dropped afterwards."""
    aws.client.cache_clear()
    yield aws.client("xray")
    aws.client.cache_clear()


@pytest.fixture
def xray_stub(_client: Any) -> Iterator[Stubber]:
    """A Stubber on the client the tool gets from ``aws.client``; every queued response must be consumed."""
    assert aws.client("xray") is _client
    stubber = Stubber(_client)
    with stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def run(params: dict[str, Any] | None = None, *, snapshot: Snapshot | None = None, deadline: Deadline | None = None) -> Outcome:
    """Call find_trace_faults as the handler would, with Bedrock-style parameters."""
    raw = [{"name": k, "type": "string", "value": v} for k, v in (params or {}).items()]
    assert FUNCTION is not None
    return execute(FUNCTION, find_trace_faults, raw, snapshot=snapshot, deadline=deadline, use_environment_snapshot=snapshot is not None)
