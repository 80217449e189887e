"""On the demo incident (agent/scenarios/demo.py) the ALB tool surfaces the checkout 5xx starting at 09:40."""

from __future__ import annotations

import pytest

from tools import catalogue
from tools.alb import service
from tools.common.app import Outcome, execute
from tools.common.snapshot import Snapshot

from agent.scenarios import demo  # noqa: E402 - an import error must fail, not skip
FUNCTION = next(f for f in catalogue.FUNCTIONS if f.name == "summarize_alb_traffic")
LB = "app/shop-alb/50dc6c495c0c9188"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return Snapshot.open(demo.build_demo(tmp_path_factory.mktemp("demo") / "snapshot"))


def run(snapshot: Snapshot, **params: object) -> Outcome:
    return execute(FUNCTION, service.summarize_alb_traffic, params, snapshot=snapshot, use_environment_snapshot=False)


@pytest.mark.parametrize("window", ["09:20 to 10:20", "since 09:30"])
def test_checkout_5xx_from_0940(snapshot: Snapshot, window: str) -> None:
    outcome = run(snapshot, window=window)
    assert outcome.result is not None and outcome.result.status == "ok"
    assert "5xx onset ~09:40Z" in outcome.body
    errors = {e.attrs["path"]: e for e in outcome.result.evidence if e.kind == "alb_errors"}
    checkout = [p for p in errors if p.startswith("/api/checkout") or p.startswith("/api/orders")]
    assert "/api/checkout" in checkout and "/api/orders/{id}" in checkout
    for path in checkout:
        attrs = errors[path].attrs
        assert attrs["status_class"] == "5xx" and attrs["load_balancer"] == LB
        assert attrs["onset"] >= "2026-11-20T09:40:00" and attrs["onset"] < "2026-11-20T09:42:00"
        assert attrs["count"] > 10 * max(1, attrs["baseline_count"])
        assert any("checkout" in group for group in attrs["target_groups"])
    assert outcome.result.evidence[0].attrs["path"] in checkout  # the strongest fact comes first


def test_checkout_latency_rises(snapshot: Snapshot) -> None:
    outcome = run(snapshot, window="09:20 to 10:20", path_prefix="/api/checkout")
    latency = [e for e in outcome.result.evidence if e.kind == "alb_latency"]  # type: ignore[union-attr]
    assert latency and latency[0].attrs["p95_ms"] > 5 * latency[0].attrs["baseline_p95_ms"]


def test_planted_credentials_are_not_repeated(snapshot: Snapshot) -> None:
    body = run(snapshot, window="09:00 to 11:00").body
    for secret in (demo.LEAKED_PASSWORD, demo.LEAKED_ACCESS_KEY, demo.LEAKED_SECRET_KEY):
        assert secret not in body
