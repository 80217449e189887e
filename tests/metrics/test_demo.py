"""On the demo incident (``agent.scenarios.demo``), the ALB and DynamoDB shifts of the outage outrank noise."""

from __future__ import annotations


import pytest

from tools import catalogue
from tools.common.app import execute
from tools.common.result import ToolResult
from tools.common.snapshot import Snapshot
from tools.metrics import service

from agent.scenarios import demo  # noqa: E402 - an import error must fail, not skip
FIND = catalogue.find("metrics", "find_changed_metrics")
INCIDENT = {demo.DEMO_FACTS["load_balancer"], demo.DEMO_FACTS["dynamodb_table"], "checkout", "order-events", "/ecs/checkout"}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return Snapshot.open(demo.build_demo(tmp_path_factory.mktemp("demo") / "snapshot"))


def changed(snapshot: Snapshot, window: str) -> ToolResult:
    params = [{"name": "window", "type": "string", "value": window}, {"name": "max_results", "type": "integer", "value": "25"}]
    outcome = execute(FIND, service.find_changed_metrics, params, snapshot=snapshot)
    assert outcome.result is not None and outcome.result.status == "ok", outcome.body
    return outcome.result


def related(resources: list[str]) -> bool:
    return any(r in INCIDENT or r.endswith(f"/{demo.DEMO_FACTS['load_balancer']}") for r in resources)


@pytest.mark.parametrize("window", ["09:00 to 11:00", "since 09:40", "2026-11-20T09:30Z/2026-11-20T10:30Z"])
def test_demo_outage_metrics_rank_above_unrelated_noise(snapshot: Snapshot, window: str) -> None:
    result = changed(snapshot, window)
    evidence = result.evidence
    top = [(e.attrs["namespace"], e.attrs["metric"], tuple(e.attrs["resources"])) for e in evidence[:4]]
    lb = demo.DEMO_FACTS["load_balancer"]
    assert ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", (lb,)) in top
    assert ("AWS/ApplicationELB", "TargetResponseTime", (lb,)) in top
    ddb = [i for i, e in enumerate(evidence) if e.attrs["namespace"] == "AWS/DynamoDB" and "orders" in e.attrs["resources"]]
    unrelated = [i for i, e in enumerate(evidence) if not related(e.attrs["resources"])]
    assert ddb, "no DynamoDB shift on the orders table"
    assert not unrelated or max(ddb) < min(unrelated), [(e.attrs["metric"], e.attrs["resources"]) for e in evidence]
    assert result.data["onset"] == demo.DEMO_FACTS["onset"]
    assert all(e.attrs["direction"] == "down" for e in evidence if e.attrs["metric"] == "ConsumedWriteCapacityUnits")
