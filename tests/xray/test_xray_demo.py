"""The demo incident (agent/scenarios/demo.py): X-Ray names DynamoDB and the connect timeout as the root cause."""

from __future__ import annotations

import pytest

from agent.scenarios import demo
from tests.xray.conftest import run
from tools.common.snapshot import Snapshot

FACTS = demo.DEMO_FACTS


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return Snapshot.open(demo.build_demo(tmp_path_factory.mktemp("demo") / "snapshot"))


def test_fault_root_cause_is_the_dynamodb_connect_timeout(snapshot: Snapshot) -> None:
    outcome = run({"window": f"{FACTS['start']}/{FACTS['end']}"}, snapshot=snapshot)
    result = outcome.result
    assert result is not None and result.status == "ok"
    top = result.evidence[0]
    assert top.attrs["service"] == FACTS["service"]
    assert top.attrs["downstream"].startswith("DynamoDB ") and FACTS["dynamodb_table"] in top.attrs["downstream"]
    assert top.attrs["exception"] == FACTS["exception"]
    assert FACTS["error_signature"] in top.attrs["message"]
    assert FACTS["dynamodb_table"] in top.attrs["resources"]
    assert top.attrs["onset"] >= FACTS["onset"] and top.attrs["onset"] < "2026-11-20T09:42"
    assert all(e.attrs["downstream"].startswith("DynamoDB") for e in result.evidence)  # nothing else faults
    assert "Top root cause: checkout → DynamoDB" in outcome.body and "connect timed out" in outcome.body
    for secret in FACTS["leaked_secrets"]:
        assert secret not in outcome.body


def test_no_faults_before_the_onset(snapshot: Snapshot) -> None:
    result = run({"window": f"{FACTS['start']}/{FACTS['onset']}"}, snapshot=snapshot).result
    assert result is not None and result.status == "empty" and not result.evidence
