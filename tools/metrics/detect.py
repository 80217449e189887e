"""Change detection on metric series: pure functions, no I/O.

The detector compares a window with the baseline just before it, robustly:

1. every value becomes a robust z-score against the baseline (median and MAD, with floors so flat and
   all-zero baselines work), clipped so one wild point cannot dominate;
2. a running median removes single spikes, then a CUSUM-style statistic (the mean-difference of the two
   segments weighted by ``sqrt(n1*n2/n)``) finds the most likely change point; a second pass finds where a
   shift ended when the series came back inside the window;
3. the change is kept only when it is large in robust units (``effect``), large relative to the level before
   (``magnitude``) and sustained (``persistence``: the share of points after the change that stay beyond half
   the shift), so spikes, noise and flat series are dropped.

API for triage: ``detect_shift`` (one series -> ``Shift`` or None), ``change_time`` (just the time),
``estimate_onset`` (earliest sustained change supported by other metrics), ``rank`` (strength x closeness to
the onset), plus ``align``/``summarise``/``percentile`` helpers.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

Kind = Literal["shift", "new", "stopped"]
MAX_MAGNITUDE = 1000.0
APPEARANCE_SCORE = 0.35  # a series appearing or going silent: worth showing, weaker than a measured shift


@dataclass(frozen=True)
class Params:
    """Detector thresholds; defaults tuned on the NAB AWS series (see ``bench/metrics_detection.py``)."""

    min_effect: float = 4.0        # robust z of the shift
    min_relative: float = 0.2      # |after - before| / |before| (medians)
    min_persistence: float = 0.6   # share of post-change points beyond half the shift
    min_after: int = 3             # points after the change
    clip: float = 12.0             # z-score clip
    smooth: int = 5                # running-median width


DEFAULT = Params()


@dataclass(frozen=True)
class Stats:
    """Summary of a segment."""

    count: int = 0
    mean: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    minimum: float = 0.0
    maximum: float = 0.0


@dataclass(frozen=True)
class Shift:
    """A sustained change of one series."""

    kind: Kind
    change_index: int
    change_time: datetime
    before: Stats
    after: Stats
    direction: Literal["up", "down"]
    magnitude: float          # relative change of the mean, capped at +-MAX_MAGNITUDE (-1 = dropped to zero)
    effect: float             # robust z of the median shift
    persistence: float
    score: float              # strength 0..1 (before closeness to the onset)
    end_time: datetime | None = None   # when the series came back, if it did inside the window
    rank_score: float = field(default=0.0, compare=False)
    at_limit: bool = False    # reached its ceiling (``detect_ceiling``) or its floor (``detect_floor``)


# --- small statistics ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` in 0..100; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(values: Sequence[float]) -> Stats:
    if not values:
        return Stats()
    return Stats(len(values), statistics.fmean(values), percentile(values, 50), percentile(values, 95), min(values), max(values))


def robust_level(values: Sequence[float]) -> tuple[float, float]:
    """(median, scale): scale is 1.4826*MAD, else the mean absolute deviation, else a floor (flat series)."""
    if not values:
        return 0.0, 1.0
    center = statistics.median(values)
    deviations = [abs(v - center) for v in values]
    scale = 1.4826 * statistics.median(deviations)
    if scale <= 0:
        scale = 1.2533 * statistics.fmean(deviations)
    floor = max(0.02 * abs(center), 1e-9)
    return center, max(scale, floor)


def running_median(values: Sequence[float], width: int) -> list[float]:
    """Centered running median (shrinking at the edges): removes spikes shorter than width/2."""
    half = max(0, width // 2)
    return [statistics.median(values[max(0, i - half): i + half + 1]) for i in range(len(values))]


def best_split(values: Sequence[float], lo: int, hi: int) -> tuple[int, float]:
    """Index c in [lo, hi] maximising |mean(v[:c]) - mean(v[c:])| * sqrt(c*(n-c)/n); (-1, 0) if none."""
    n = len(values)
    prefix = [0.0]
    for v in values:
        prefix.append(prefix[-1] + v)
    best, best_stat = -1, 0.0
    for c in range(max(1, lo), min(n - 1, hi) + 1):
        left = prefix[c] / c
        right = (prefix[n] - prefix[c]) / (n - c)
        stat = abs(left - right) * math.sqrt(c * (n - c) / n)
        if stat > best_stat:
            best, best_stat = c, stat
    return best, best_stat


def align(
    points: Sequence[tuple[datetime, float]], start: datetime, end: datetime, period: int, fill: float | None
) -> tuple[list[datetime], list[float | None]]:
    """Put datapoints on the grid ``start + k*period`` (k < n); missing buckets get ``fill`` (0 for counts).

    Several points in one bucket are summed when ``fill`` is 0 (counts), else averaged; non-finite values
    and points outside [start, end) are dropped.
    """
    period = max(1, int(period))
    n = max(0, math.ceil((end - start).total_seconds() / period))
    times = [start + timedelta(seconds=k * period) for k in range(n)]
    buckets: list[list[float]] = [[] for _ in range(n)]
    for moment, value in points:
        if value is None or not math.isfinite(value):
            continue
        index = math.floor((moment - start).total_seconds() / period)
        if 0 <= index < n:
            buckets[index].append(float(value))
    values: list[float | None] = []
    for bucket in buckets:
        if not bucket:
            values.append(fill)
        else:
            values.append(sum(bucket) if fill == 0 else statistics.fmean(bucket))
    return times, values


# --- detection -------------------------------------------------------------------------------------------


def _relative(before: float, after: float) -> float:
    if before == 0:
        return 0.0 if after == 0 else math.copysign(MAX_MAGNITUDE, after)
    return max(-MAX_MAGNITUDE, min(MAX_MAGNITUDE, (after - before) / abs(before)))


def _strength(effect: float, relative: float, persistence: float) -> float:
    robust = 1.0 - math.exp(-effect / 6.0)
    size = min(1.0, math.log1p(abs(relative)) / math.log1p(4.0))
    return round(persistence * (0.55 * robust + 0.45 * size), 4)


def _appearance(kind: Kind, moment: datetime, index: int, values: list[float]) -> Shift:
    """A gauge that only reports after (``new``) or only before (``stopped``) the split, from ``moment``."""
    after = summarise(values if kind == "new" else [])
    before = summarise(values if kind == "stopped" else [])
    direction: Literal["up", "down"] = "up" if kind == "new" else "down"
    return Shift(kind, index, moment, before, after, direction, _relative(before.mean, after.mean), 0.0, 1.0, APPEARANCE_SCORE)


def _finite(times: Sequence[datetime], values: Sequence[float | None],
            window_start: datetime) -> tuple[list[datetime], list[float], int]:
    """The points with a finite value (times, values) and how many of them lie before ``window_start``."""
    pairs = [(t, float(v)) for t, v in zip(times, values) if v is not None and math.isfinite(v)]
    ts = [t for t, _ in pairs]
    return ts, [v for _, v in pairs], sum(1 for t in ts if t < window_start)


def _at_limit(ts: list[datetime], xs: list[float], n_base: int, start: int, reached: int, reference: float,
              persistence: float, direction: Literal["up", "down"]) -> Shift:
    """The shift of a series that left ``reference`` at ``start`` and was at its limit from ``reached`` on
    (``detect_ceiling``, ``detect_floor``): its effect measured against the baseline's spread."""
    before, after = summarise(xs[:start] or xs[:reached]), summarise(xs[reached:])
    _, scale = robust_level(xs[:n_base])
    gap = (after.p50 - reference) if direction == "up" else (reference - after.p50)
    effect = min(100.0, gap / scale)
    relative = gap / max(abs(reference), 1e-12)
    return Shift(
        "shift", start, ts[start], before, after, direction, round(_relative(before.mean, after.mean), 4),
        round(effect, 2), round(persistence, 3), max(_strength(effect, relative, persistence), APPEARANCE_SCORE), None,
        at_limit=True,
    )


def detect_shift(
    times: Sequence[datetime],
    values: Sequence[float | None],
    window_start: datetime,
    params: Params = DEFAULT,
) -> Shift | None:
    """The sustained change of a series around ``window_start``, or None when it did not change.

    ``times``/``values`` are the baseline followed by the window (from ``align``; None = missing, dropped).
    """
    ts, xs, n_base = _finite(times, values, window_start)
    if not xs:
        return None
    n_win = len(xs) - n_base
    if n_base < 3 or n_win < params.min_after:
        if n_win >= params.min_after and n_base == 0 and any(t < window_start for t in times):
            return _appearance("new", ts[0], 0, xs)
        silent = [t for t in times if t > ts[-1]]
        if n_base >= 3 and n_win == 0 and silent and silent[-1] >= window_start:
            return _appearance("stopped", silent[0], n_base, xs)
        return None
    center, scale = robust_level(xs[:n_base])
    z = [max(-params.clip, min(params.clip, (v - center) / scale)) for v in xs]
    smooth = running_median(z, params.smooth if len(z) >= 3 * params.smooth else 3)
    c, _ = best_split(smooth, n_base // 2, len(xs) - params.min_after)
    if c < 0:
        return None
    before_vals = xs[:c]
    med_before, scale_before = robust_level(before_vals)
    end = _end_of_shift(smooth, c, params)
    after_vals = xs[c:end]
    delta = statistics.median(after_vals) - med_before
    if delta == 0:
        return None
    sign = 1.0 if delta > 0 else -1.0
    c = _refine(xs, c, med_before, delta, max(n_base // 2, 1))
    after_vals = xs[c:end]
    persistence = sum(1 for v in after_vals if (v - med_before) * sign >= 0.5 * abs(delta)) / len(after_vals)
    effect = min(100.0, abs(delta) / scale_before)
    rel_median = abs(delta) / max(abs(med_before), 1e-12)
    if effect < params.min_effect or persistence < params.min_persistence or rel_median < params.min_relative:
        return None
    before, after = summarise(xs[:c]), summarise(after_vals)
    magnitude = _relative(before.mean, after.mean)
    return Shift(
        "shift", c, ts[c], before, after, "up" if sign > 0 else "down", round(magnitude, 4), round(effect, 2),
        round(persistence, 3), _strength(effect, rel_median, persistence), ts[end] if end < len(ts) else None,
    )


CEILING = 95.0
"""A percentage (disk, memory, CPU utilisation) at or above this is at its limit: writes fail, allocations fail."""

CEILING_HEADROOM = 10.0
"""Before reaching the ceiling the series spent at least a quarter of its points this far below it: a ramp up to
the limit, not a disk that was full all along (that is a standing condition, not a change in this window)."""

CEILING_NEAR = 5.0
"""After reaching the ceiling, points within this of it count as 'still at the limit' (persistence)."""


def detect_ceiling(
    times: Sequence[datetime],
    values: Sequence[float | None],
    window_start: datetime,
    params: Params = DEFAULT,
) -> Shift | None:
    """A percentage that climbed to its ceiling after ``window_start`` and stayed there: a disk filling up
    gradually. A level-shift test misses it when its baseline is the ramp itself (noisy 'before', small relative
    change). The change time is where the climb began (a leak or a fill that starts before a nearby deploy is not
    that deploy's effect); the evidence says it ended at the limit."""
    ts, xs, n_base = _finite(times, values, window_start)
    if n_base < 3 or max(xs[:n_base]) >= CEILING:
        return None
    c = next((i for i in range(n_base, len(xs)) if xs[i] >= CEILING), None)
    if c is None or len(xs) - c < params.min_after:
        return None
    approach, after_vals = xs[:c], xs[c:]
    if percentile(approach, 25) > CEILING - CEILING_HEADROOM:
        return None
    persistence = sum(1 for v in after_vals if v >= CEILING - CEILING_NEAR) / len(after_vals)
    if persistence < params.min_persistence:
        return None
    reference = percentile(approach, 25)
    # the climb begins after the last point still at the approach's lower quartile
    last_low = max(i for i in range(c) if xs[i] <= reference)
    start = min(last_low + 1, c)
    return _at_limit(ts, xs, n_base, start, c, reference, persistence, "up")


FLOOR_SHARE = 0.05
"""A remaining-capacity series (free storage, freeable memory, a burst or credit balance) at or below this share of
the highest level it had before the window has run out: writes, allocations or bursts fail there."""

FLOOR_HEADROOM = 0.25
"""Before running out the series spent at least a quarter of its points at this share of that level or more: a
decline to the floor, not a volume that was empty all along (a standing condition, not a change in this window)."""

FLOOR_NEAR = 0.1
"""After reaching the floor, points at or below this share of that level count as 'still out' (persistence)."""


def detect_floor(
    times: Sequence[datetime],
    values: Sequence[float | None],
    window_start: datetime,
    params: Params = DEFAULT,
) -> Shift | None:
    """A remaining-capacity series that fell to its floor after ``window_start`` and stayed there: free storage
    running out gradually. The mirror of ``detect_ceiling``: a level-shift test misses it when its baseline is the
    decline itself (a wide 'before', small effect). The change time is where the decline began; the evidence says
    it ended at the limit."""
    ts, xs, n_base = _finite(times, values, window_start)
    if n_base < 3 or min(xs) < 0:
        return None
    top = max(xs[:n_base])
    if top <= 0 or min(xs[:n_base]) <= FLOOR_SHARE * top:
        return None
    c = next((i for i in range(n_base, len(xs)) if xs[i] <= FLOOR_SHARE * top), None)
    if c is None or len(xs) - c < params.min_after:
        return None
    approach, after_vals = xs[:c], xs[c:]
    reference = percentile(approach, 75)
    if reference < FLOOR_HEADROOM * top:
        return None
    persistence = sum(1 for v in after_vals if v <= FLOOR_NEAR * top) / len(after_vals)
    if persistence < params.min_persistence:
        return None
    # the decline begins after the last point still at the approach's upper quartile
    last_high = max(i for i in range(c) if xs[i] >= reference)
    start = min(last_high + 1, c)
    return _at_limit(ts, xs, n_base, start, c, reference, persistence, "down")


def _end_of_shift(smooth: list[float], c: int, params: Params) -> int:
    """Where a shift that began at ``c`` ended (the series came back), else the end of the series."""
    tail = smooth[c:]
    if len(tail) < 2 * params.min_after:
        return len(smooth)
    c2, _ = best_split(tail, params.min_after, len(tail) - params.min_after)
    if c2 < 0:
        return len(smooth)
    level_before = statistics.median(smooth[:c])
    shifted = statistics.median(tail[:c2])
    back = statistics.median(tail[c2:])
    if abs(back - level_before) < 0.3 * abs(shifted - level_before):
        return c + c2
    return len(smooth)


def _refine(xs: list[float], c: int, level: float, delta: float, lo: int) -> int:
    """Move the change index back to the first point that already crossed half the shift (smoothing lags)."""
    sign = 1.0 if delta > 0 else -1.0
    index = c
    for i in range(c - 1, max(lo, c - 3) - 1, -1):
        nxt = xs[i + 1] if i + 1 < len(xs) else xs[i]
        if (xs[i] - level) * sign >= 0.5 * abs(delta) and (nxt - level) * sign >= 0.5 * abs(delta):
            index = i
        else:
            break
    return index


def change_time(
    times: Sequence[datetime], values: Sequence[float | None], window_start: datetime, params: Params = DEFAULT
) -> datetime | None:
    """When the series changed (sustained), or None; the per-series onset triage correlates on."""
    shift = detect_shift(times, values, window_start, params)
    return shift.change_time if shift else None


# --- onset and ranking -----------------------------------------------------------------------------------


def estimate_onset(shifts: Sequence[Shift], tolerance: timedelta, min_score: float = 0.5) -> datetime | None:
    """The earliest sustained change that at least one other strong shift follows within ``tolerance``.

    A lone early change (noise) is skipped when others agree on a later time; with a single strong shift its
    time is the onset; None when nothing is strong enough.
    """
    strong = sorted(s.change_time for s in shifts if s.kind == "shift" and s.score >= min_score)
    if not strong:
        return None
    if len(strong) == 1:
        return strong[0]
    for i, moment in enumerate(strong[:-1]):
        if strong[i + 1] - moment <= tolerance:
            return moment
    return strong[0]


def rank_scores(shifts: Sequence[Shift], onset: datetime | None, window_seconds: float) -> list[float]:
    """Strength x closeness to the onset, in the order of ``shifts``.

    Closeness is ``0.25 + 0.75 * exp(-distance / (window/6))``: a change at the onset keeps its strength, one
    a sixth of the window away keeps about half, a distant one a quarter (it is likely another story).
    """
    tau = max(window_seconds / 6.0, 60.0)
    scores = []
    for shift in shifts:
        closeness = 1.0
        if onset is not None:
            distance = abs((shift.change_time - onset).total_seconds())
            closeness = 0.25 + 0.75 * math.exp(-distance / tau)
        scores.append(round(shift.score * closeness, 4))
    return scores


def rank(shifts: Sequence[Shift], onset: datetime | None, window_seconds: float) -> list[Shift]:
    """Shifts with ``rank_score`` set, best first (ties: earlier change first)."""
    scored = [replace(s, rank_score=r) for s, r in zip(shifts, rank_scores(shifts, onset, window_seconds))]
    return sorted(scored, key=lambda s: (-s.rank_score, s.change_time))
