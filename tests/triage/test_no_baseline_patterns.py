"""An error pattern whose source has no data before the window (``no_baseline``) and that is not NEW in the data
that exists: its baseline count 0 was never measured, so triage must not read it as new (tools/triage/signals.py)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from evidence_factory import T0, WINDOW, at, change, pattern  # noqa: E402

from tools.common.timewindow import iso  # noqa: E402
from tools.triage import weights as W  # noqa: E402
from tools.triage.onset import find_onset  # noqa: E402
from tools.triage.rank import rank  # noqa: E402
from tools.triage.signals import discount_edge_shifts, signal, symptom_strength  # noqa: E402

BUSY = "WARN CacheClient miss for key <*>, reloading from db after error"


def _without_baseline(template: str, count: int, trend: list[int], new: bool = False) -> object:
    item = pattern(template, 0, count, baseline=0, new=new)
    item.attrs.update({"no_baseline": True, "baseline_from": iso(T0), "trend": trend, "bucket_seconds": 600,
                       "severity": "error", "onset": None})
    return item


def test_a_pattern_without_baseline_that_is_not_new_is_background() -> None:
    flat = _without_baseline(BUSY, 600, [50] * 12)
    assert symptom_strength(flat) < W.STRONG_SYMPTOM  # baseline_count 0 here is "not measured", not "absent"
    measured = pattern(BUSY, 0, 600, baseline=0, new=False)  # a real 0 before (data existed): it still counts
    assert symptom_strength(measured) >= W.STRONG_SYMPTOM
    fresh = _without_baseline(BUSY, 600, [0] * 6 + [100] * 6, new=True)  # NEW well after the data starts
    assert symptom_strength(fresh) >= W.STRONG_SYMPTOM
    signals = [signal(flat)]
    discount_edge_shifts(signals, T0, window_start=WINDOW.start)
    assert signals[0].onset is None and signals[0].strength < W.STRONG_SYMPTOM


def test_its_own_step_up_is_its_onset() -> None:
    stepped = _without_baseline(BUSY, 640, [5, 5, 5, 5, 5, 5, 100, 100, 100, 100, 100, 100])
    signals = [signal(stepped)]
    discount_edge_shifts(signals, T0, window_start=WINDOW.start)
    assert signals[0].onset == at(70)  # the end of the first stepped bucket (60-70 min)
    assert signals[0].strength >= W.STRONG_SYMPTOM


def test_a_standing_pattern_without_baseline_does_not_outrank_the_change_and_its_new_errors() -> None:
    deploy = change("UpdateService", "ecs.amazonaws.com", 40, ["arn:aws:ecs:us-east-1:123456789012:service/shop/checkout"])
    new = pattern("ERROR OrderService failed: NullPointerException in PriceCalculator", 41, 80)
    new.attrs.update({"no_baseline": True, "baseline_from": iso(T0)})
    standing = _without_baseline(BUSY, 2000, [170] * 12)
    signals = [signal(e) for e in (deploy, new, standing)]
    discount_edge_shifts(signals, T0, window_start=WINDOW.start)
    onset, basis = find_onset(signals, WINDOW)
    assert onset is not None and onset >= at(40)
    hypotheses = rank(signals, onset, WINDOW, onset_basis=basis)
    assert "UpdateService" in hypotheses[0].title
    assert all(BUSY not in h.title for h in hypotheses if h.confidence != "low")
