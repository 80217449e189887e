"""The change detector: level shifts, spikes, new counts, flat and noisy series, missing data, onset, ranking."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.metrics import detect

UTC = timezone.utc
T0 = datetime(2026, 11, 20, 8, 40, tzinfo=UTC)
WINDOW_START = T0 + timedelta(minutes=60)
TIMES = [T0 + timedelta(minutes=i) for i in range(120)]


def noise(level: float, spread: float, seed: int, n: int = 120) -> list[float]:
    rng = random.Random(seed)
    return [level + rng.gauss(0, spread) for _ in range(n)]


def test_level_shift_up_is_found_at_the_right_minute() -> None:
    values = [v + (20 if i >= 80 else 0) for i, v in enumerate(noise(10, 1, 1))]
    shift = detect.detect_shift(TIMES, values, WINDOW_START)
    assert shift is not None and shift.kind == "shift" and shift.direction == "up"
    assert abs((shift.change_time - TIMES[80]).total_seconds()) <= 120
    assert shift.before.mean == pytest.approx(10, abs=0.5) and shift.after.mean == pytest.approx(30, abs=0.5)
    assert shift.magnitude == pytest.approx(2.0, abs=0.15)
    assert shift.score > 0.7 and shift.persistence > 0.9


def test_level_shift_down_to_zero() -> None:
    values = [0.0 if i >= 70 else v for i, v in enumerate(noise(500, 30, 2))]
    shift = detect.detect_shift(TIMES, values, WINDOW_START)
    assert shift is not None and shift.direction == "down"
    assert shift.magnitude == pytest.approx(-1.0)
    assert abs((shift.change_time - TIMES[70]).total_seconds()) <= 60


@pytest.mark.parametrize("width", [1, 2])
def test_spikes_are_ignored(width: int) -> None:
    values = noise(10, 1, 3)
    for i in range(90, 90 + width):
        values[i] = 200.0
    assert detect.detect_shift(TIMES, values, WINDOW_START) is None


def test_counts_that_appear_only_after_the_onset() -> None:
    rng = random.Random(4)
    values: list[float | None] = [0.0] * 80 + [float(rng.randint(3, 9)) for _ in range(40)]
    shift = detect.detect_shift(TIMES, values, WINDOW_START)
    assert shift is not None and shift.direction == "up" and shift.before.mean == 0
    assert shift.change_time == TIMES[80]
    assert shift.magnitude == detect.MAX_MAGNITUDE and shift.score > 0.9


def test_sporadic_counts_without_change_are_dropped() -> None:
    rng = random.Random(5)
    values = [1.0 if rng.random() < 0.1 else 0.0 for _ in range(120)]
    assert detect.detect_shift(TIMES, values, WINDOW_START) is None


def test_flat_series_is_unchanged() -> None:
    assert detect.detect_shift(TIMES, [42.0] * 120, WINDOW_START) is None
    assert detect.detect_shift(TIMES, [0.0] * 120, WINDOW_START) is None


@pytest.mark.parametrize("seed", range(20))
def test_noisy_series_without_change_raise_no_alarm(seed: int) -> None:
    assert detect.detect_shift(TIMES, noise(100, 15, 100 + seed), WINDOW_START) is None


def test_small_relative_change_is_not_reported() -> None:
    values = [v + (0.5 if i >= 80 else 0) for i, v in enumerate(noise(50, 0.05, 6))]
    assert detect.detect_shift(TIMES, values, WINDOW_START) is None  # huge in z, but only +1 %


def test_missing_datapoints_are_skipped() -> None:
    values: list[float | None] = [v + (20 if i >= 80 else 0) for i, v in enumerate(noise(10, 1, 7))]
    for i in range(0, 120, 3):
        values[i] = None
    shift = detect.detect_shift(TIMES, values, WINDOW_START)
    assert shift is not None and abs((shift.change_time - TIMES[80]).total_seconds()) <= 180


def test_shift_that_recovers_reports_when_it_ended() -> None:
    values = [v + (30 if 75 <= i < 95 else 0) for i, v in enumerate(noise(10, 1, 8))]
    shift = detect.detect_shift(TIMES, values, WINDOW_START)
    assert shift is not None and shift.end_time is not None
    assert abs((shift.end_time - TIMES[95]).total_seconds()) <= 180
    assert shift.after.mean == pytest.approx(40, abs=1.5)


def test_gauge_appearing_and_stopping() -> None:
    appeared = detect.detect_shift(TIMES, [None] * 60 + noise(5, 0.1, 9, 60), WINDOW_START)
    stopped = detect.detect_shift(TIMES, noise(5, 0.1, 9, 60) + [None] * 60, WINDOW_START)
    assert appeared is not None and appeared.kind == "new"
    assert stopped is not None and stopped.kind == "stopped" and stopped.direction == "down"
    assert detect.detect_shift(TIMES, [None] * 120, WINDOW_START) is None


def test_too_few_points_give_no_shift() -> None:
    assert detect.detect_shift(TIMES[:62], noise(1, 0.1, 10, 60) + [50.0, 50.0], WINDOW_START) is None


def test_change_time_is_the_shift_time() -> None:
    values = [v + (20 if i >= 85 else 0) for i, v in enumerate(noise(10, 1, 11))]
    assert detect.change_time(TIMES, values, WINDOW_START) == detect.detect_shift(TIMES, values, WINDOW_START).change_time  # type: ignore[union-attr]
    assert detect.change_time(TIMES, noise(10, 1, 12), WINDOW_START) is None


def test_align_fills_counts_with_zero_and_sums_buckets() -> None:
    points = [(T0, 1.0), (T0 + timedelta(seconds=30), 2.0), (T0 + timedelta(minutes=2), float("nan")), (T0 - timedelta(minutes=1), 9.0)]
    times, values = detect.align(points, T0, T0 + timedelta(minutes=3), 60, 0.0)
    assert times == [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    assert values == [3.0, 0.0, 0.0]
    _, gauges = detect.align(points, T0, T0 + timedelta(minutes=3), 60, None)
    assert gauges == [1.5, None, None]


def test_percentile_and_summary() -> None:
    assert detect.percentile([], 95) == 0.0
    assert detect.percentile([1, 2, 3, 4, 5], 50) == 3
    assert detect.percentile(list(range(101)), 95) == pytest.approx(95)
    stats = detect.summarise([1.0, 2.0, 3.0])
    assert (stats.count, stats.mean, stats.minimum, stats.maximum) == (3, 2.0, 1.0, 3.0)


def _shift(minute: int, score: float) -> detect.Shift:
    stats = detect.Stats(10, 1.0, 1.0, 1.0, 1.0, 1.0)
    return detect.Shift("shift", minute, T0 + timedelta(minutes=minute), stats, stats, "up", 1.0, 10.0, 1.0, score)


def test_onset_is_the_earliest_change_others_agree_with() -> None:
    shifts = [_shift(20, 0.9), _shift(61, 0.8), _shift(60, 0.9), _shift(63, 0.7), _shift(90, 0.3)]
    assert detect.estimate_onset(shifts, timedelta(minutes=3)) == T0 + timedelta(minutes=60)
    assert detect.estimate_onset([_shift(20, 0.9)], timedelta(minutes=3)) == T0 + timedelta(minutes=20)
    assert detect.estimate_onset([_shift(20, 0.2)], timedelta(minutes=3)) is None


def test_rank_prefers_strong_changes_close_to_the_onset() -> None:
    onset = T0 + timedelta(minutes=60)
    near, far, weak = _shift(61, 0.8), _shift(10, 0.9), _shift(60, 0.2)
    ranked = detect.rank([far, weak, near], onset, 3600)
    assert [s.change_index for s in ranked] == [61, 10, 60]
    assert ranked[0].rank_score > ranked[1].rank_score > ranked[2].rank_score


values_strategy = st.lists(
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6), st.sampled_from([0.0, 1.0])),
    min_size=0, max_size=120,
)


@given(values=values_strategy, split=st.integers(0, 120))
def test_detector_never_fails_and_stays_in_range(values: list[float | None], split: int) -> None:
    times = TIMES[: len(values)]
    shift = detect.detect_shift(times, values, T0 + timedelta(minutes=split))
    if shift is not None:
        assert 0.0 <= shift.score <= 1.0 and shift.direction in ("up", "down")
        assert shift.change_time in times and abs(shift.magnitude) <= detect.MAX_MAGNITUDE


def test_a_dependency_series_is_labelled_as_the_callers_calls_to_the_callee() -> None:
    from tools.metrics.digest import resource_label

    dims = {"Environment": "eks:shop", "Service": "storefront", "RemoteService": "catalog", "RemoteOperation": "GET /items"}
    assert resource_label(dims) == "calls from storefront to catalog"
    assert resource_label({"Environment": "eks:shop", "Service": "storefront"}) == "Service storefront"


def test_a_percentage_that_ramps_to_its_ceiling_is_dated_where_the_climb_began() -> None:
    # a disk steady at 60 %, then filling to full over 30 minutes and staying there: the baseline is partly the ramp
    # itself; the ceiling test finds it, dated where the climb began (a fill that starts before a nearby deploy is
    # not that deploy's effect) and marked as at its limit
    ramp = [60.0] * 40 + [min(100.0, 64 + 1.2 * i) for i in range(40)] + [99.8] * 40
    shift = detect.detect_ceiling(TIMES, ramp, WINDOW_START - timedelta(minutes=30))
    assert shift is not None and shift.at_limit and shift.direction == "up"
    assert shift.change_time == TIMES[40]
    assert shift.after.p50 >= detect.CEILING


def test_a_percentage_full_all_along_or_never_full_is_not_a_ceiling_change() -> None:
    assert detect.detect_ceiling(TIMES, [99.0] * 120, WINDOW_START) is None          # standing, not new in the window
    assert detect.detect_ceiling(TIMES, noise(70, 3, 4), WINDOW_START) is None        # never reaches the limit
    spike = noise(50, 2, 5)
    spike[90] = 100.0                                                                 # one point at the limit
    assert detect.detect_ceiling(TIMES, spike, WINDOW_START) is None


def test_free_storage_that_runs_out_is_dated_where_the_decline_began() -> None:
    # free space steady at 20 GB, then falling to nothing over 30 minutes and staying there: the mirror of the
    # ceiling (a level-shift test whose baseline is the decline misses it)
    decline = [20e9] * 40 + [max(4e7, 20e9 - 0.7e9 * (i + 1)) for i in range(40)] + [4e7] * 40
    shift = detect.detect_floor(TIMES, decline, WINDOW_START - timedelta(minutes=30))
    assert shift is not None and shift.at_limit and shift.direction == "down"
    assert shift.change_time == TIMES[40]
    assert shift.after.p50 <= detect.FLOOR_SHARE * 20e9


def test_a_volume_empty_all_along_or_never_empty_is_not_a_floor_change() -> None:
    assert detect.detect_floor(TIMES, [1e6] * 120, WINDOW_START) is None                # standing, not new in the window
    assert detect.detect_floor(TIMES, noise(70, 3, 4), WINDOW_START) is None             # never runs out
    dip = noise(50, 2, 5)
    dip[90] = 0.0                                                                      # one point at the floor
    assert detect.detect_floor(TIMES, dip, WINDOW_START) is None


def test_a_remaining_capacity_series_at_its_floor_becomes_at_limit_evidence() -> None:
    from tools.common.timewindow import Window
    from tools.metrics.digest import analyse, evidence_for, is_remaining
    from tools.metrics.model import MetricKey, Series

    decline = [20e9] * 60 + [max(4e7, 20e9 - 0.7e9 * (i + 1)) for i in range(30)] + [4e7] * 30
    key = MetricKey.of("AWS/RDS", "FreeStorageSpace", {"DBInstanceIdentifier": "orders-db"})
    series = Series(key, "Average", 60, list(zip(TIMES, decline)), "Bytes")
    assert is_remaining(series) and not is_remaining(Series(MetricKey.of("AWS/EC2", "CPUSurplusCreditBalance", None), "Average", 60))
    window = Window(WINDOW_START, TIMES[-1] + timedelta(minutes=1))
    findings = analyse([series], window, window.end)
    assert len(findings) == 1 and findings[0].shift.at_limit and findings[0].shift.direction == "down"
    evidence = evidence_for(findings[0], window, "us-east-1")
    assert "fell to its floor" in evidence.summary and evidence.attrs["at_limit"] is True
