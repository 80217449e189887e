"""Onset: when the problem began — the first sustained change in errors, 5xx or latency.

Candidates are the begin times of abnormal symptoms (log error patterns, ALB errors/latency, metric shifts,
X-Ray faults), each weighted by how abnormal it is and by how many symptoms from other sources start near it.
A lone early blip does not win over a cluster: the onset is the earliest candidate whose neighbourhood
(a few minutes) holds most of the strongest cluster's weight. Log patterns with a per-bucket trend are
refined to the first bucket of a sustained run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tools.triage.signals import Signal, as_time, number
from tools.common.timewindow import Window

MIN_STRENGTH = 0.3
NEIGHBOURHOOD = timedelta(minutes=6)
EARLY_SLACK = timedelta(minutes=2)


def _sustained_start(item: Signal, window: Window) -> datetime | None:
    """First bucket of a run where the pattern stays present (at least 2 of the next 3 buckets)."""
    trend = item.evidence.attrs.get("trend")
    seconds = number(item.evidence.attrs.get("bucket_seconds"))
    if not isinstance(trend, list) or not trend or seconds <= 0:
        return None
    values = [number(v) for v in trend]
    start = as_time(item.evidence.attrs.get("trend_start")) or window.start
    for index, value in enumerate(values):
        if value <= 0:
            continue
        ahead = values[index : index + 3]
        if sum(1 for v in ahead if v > 0) >= min(2, len(ahead)):
            return start + timedelta(seconds=seconds * index)
    return None


def candidates(signals: list[Signal], window: Window) -> list[tuple[datetime, float, Signal]]:
    found: list[tuple[datetime, float, Signal]] = []
    lower = window.start - timedelta(minutes=5)
    for item in signals:
        if item.strength < MIN_STRENGTH or item.kind == "failed_call":
            continue
        moment = item.onset
        if item.kind == "error_pattern":
            moment = item.onset or _sustained_start(item, window)
        if moment is None or moment < lower or moment > window.end:
            continue
        found.append((moment, item.strength, item))
    return sorted(found, key=lambda c: c[0])


def find_onset(signals: list[Signal], window: Window) -> tuple[datetime | None, list[Signal]]:
    """The onset and the symptoms that begin near it (empty when nothing abnormal began in the window)."""
    found = candidates(signals, window)
    if not found:
        return None, []

    def weight_near(moment: datetime) -> tuple[float, set[str]]:
        total, sources = 0.0, set()
        for other, strength, item in found:
            if moment - EARLY_SLACK <= other <= moment + NEIGHBOURHOOD:
                total += strength
                sources.add(item.source)
        return total + 0.3 * (len(sources) - 1), sources

    scored = [(moment, *weight_near(moment)) for moment, _, _ in found]
    best = max(weight for _, weight, _ in scored)
    for moment, weight, _ in scored:  # earliest candidate carrying most of the best cluster's weight
        if weight >= 0.7 * best:
            basis = [item for other, _, item in found if moment - EARLY_SLACK <= other <= moment + NEIGHBOURHOOD]
            earliest = min((other for other, _, item in found if item in basis), default=moment)
            return max(earliest, window.start - timedelta(minutes=5)), basis
    return found[0][0], [found[0][2]]
