"""On the demo incident (agent/scenarios/demo.py), list_changes finds the endpoint change behind the outage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cloudtrail.fixtures import FUNCTION, config
from tools.cloudtrail import service
from tools.common.app import execute
from tools.common.evidence import evidence_id
from tools.common.snapshot import Snapshot

from agent.scenarios import demo  # noqa: E402 - an import error must fail, not skip


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return Snapshot.open(demo.build_demo(Path(tmp_path_factory.mktemp("demo")) / "snapshot"))


def test_change_flagged_just_before_the_onset(snapshot: Snapshot) -> None:
    """'Why is checkout failing since 09:40?': the endpoint change is the closest change before the window."""
    outcome = execute(FUNCTION, service.list_changes, {"window": "since 09:40"}, snapshot=snapshot, config=config())
    result = outcome.result
    assert result is not None and result.status == "ok"
    top = result.evidence[0]
    assert top.attrs["event_name"] == "ModifyVpcEndpoint" and top.kind == "change"
    assert top.id == evidence_id("cloudtrail", demo.CHANGE_EVENT_ID)
    assert top.attrs["resources"][:2] == [demo.VPC_ENDPOINT, demo.ROUTE_TABLE]
    assert top.attrs["minutes_before_window"] == 1.8 and top.attrs["onset"] == "2026-11-20T09:38:12Z"
    assert "person via console" in top.summary
    headline = next(line for line in outcome.body.splitlines() if line.startswith("Most relevant change"))
    assert "ModifyVpcEndpoint (ec2)" in headline and "09:38:12Z (before the window)" in headline
    assert "network path" in headline
    first = outcome.body.split("### Most relevant changes (most relevant first)", 1)[1].splitlines()[1]
    assert demo.ROUTE_TABLE in first and '"RemoveRouteTableId"' in first  # what the request changed
    assert f"--vpc-endpoint-id {demo.VPC_ENDPOINT} --add-route-table-ids {demo.ROUTE_TABLE}" in outcome.body
    assert "min into the window" not in outcome.body


def test_full_window_lists_it_with_the_deploy_and_the_denied_call(snapshot: Snapshot) -> None:
    outcome = execute(FUNCTION, service.list_changes, {"window": "2026-11-20T09:00Z/2026-11-20T11:00Z"},
                      snapshot=snapshot, config=config())
    result = outcome.result
    assert result is not None and len(outcome.body.encode()) < 20_000
    ids = {e.id for e in result.evidence}
    for event_id in (demo.CHANGE_EVENT_ID, demo.CATALOG_DEPLOY_EVENT_ID, demo.CI_DENIED_EVENT_ID, demo.ALARM_EVENT_ID):
        assert evidence_id("cloudtrail", event_id) in ids
    change = next(e for e in result.evidence if e.attrs["event_id"] == demo.CHANGE_EVENT_ID)
    assert change.attrs["onset"] == "2026-11-20T09:38:12Z" and demo.ROUTE_TABLE in change.attrs["resources"]
    assert "routine service events omitted" in outcome.body and "read-only calls left out" in outcome.body
    assert "DescribeVpcEndpoints" not in outcome.body  # jane's reads before the change are noise here


def test_secrets_planted_in_the_demo_never_show(snapshot: Snapshot) -> None:
    outcome = execute(FUNCTION, service.list_changes, {"window": "2026-11-20T09:00Z/2026-11-20T11:00Z",
                                                        "include_read_only": True}, snapshot=snapshot, config=config())
    assert "IQoJb3JpZ2lu" not in outcome.body and "ASIA" not in outcome.body
