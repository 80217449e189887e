"""Read metric series from a snapshot's ``metrics/`` folder (``snapshot-format.md``).

Every line is one series (the ``Metric`` of ListMetrics plus GetMetricStatistics datapoints); the namespaces
in the snapshot define what exists. Malformed lines and datapoints are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tools.common.snapshot import ReadStats, Snapshot
from tools.common.timewindow import parse_instant, to_utc
from tools.metrics.model import Fetched
from tools.metrics.model import MetricKey, Series, unit_for

STATISTICS = ("Average", "Sum", "Maximum", "Minimum", "SampleCount")


def _statistic(datapoints: list[Any], wanted: str) -> str | None:
    """``wanted`` when the datapoints carry it, else the first of the five statistics they carry."""
    present = {name for dp in datapoints if isinstance(dp, dict) for name in dp}
    extended = {name for dp in datapoints if isinstance(dp, dict) for name in (dp.get("ExtendedStatistics") or {})}
    if wanted in present or wanted in extended:
        return wanted
    return next((name for name in STATISTICS if name in present), None)


def _instant(text: str, now: datetime) -> datetime:
    """ISO 8601 fast (``fromisoformat`` reads the API's ``...Z``), anything else through ``parse_instant``."""
    try:
        return to_utc(datetime.fromisoformat(text))
    except ValueError:
        return parse_instant(text, now)


def _points(datapoints: list[Any], statistic: str, now: datetime, stats: ReadStats) -> tuple[list[tuple[datetime, float]], str]:
    points: list[tuple[datetime, float]] = []
    unit = ""
    for dp in datapoints:
        value = dp.get(statistic, (dp.get("ExtendedStatistics") or {}).get(statistic)) if isinstance(dp, dict) else None
        stamp = dp.get("Timestamp") if isinstance(dp, dict) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not isinstance(stamp, str):
            stats.skip_record("metrics", "datapoint lacks a Timestamp or a numeric statistic")
            continue
        try:
            moment = _instant(stamp, now)
        except ValueError:
            stats.skip_record("metrics", "datapoint Timestamp is not ISO 8601")
            continue
        points.append((moment, float(value)))
        unit = unit or str(dp.get("Unit", ""))
    return sorted(points), unit


def read_series(
    snapshot: Snapshot,
    statistic_of: Callable[[MetricKey], str],
    keep: Callable[[MetricKey], bool],
    stats: ReadStats,
) -> Fetched:
    """Every series of the snapshot that ``keep`` accepts, with the statistic ``statistic_of`` prefers."""
    outcome = Fetched(coverage=snapshot.manifest.window)
    merged: dict[MetricKey, Series] = {}
    now = snapshot.manifest.end
    for raw in snapshot.metric_series(stats):
        namespace = raw.get("Namespace")
        dimensions = raw.get("Dimensions", [])
        if not isinstance(namespace, str) or not isinstance(dimensions, list):
            stats.skip_record("metrics", "series lacks a Namespace or has malformed Dimensions")
            continue
        key = MetricKey.of(namespace, raw["MetricName"], dimensions)
        if not keep(key):
            continue
        statistic = _statistic(raw["Datapoints"], statistic_of(key))
        if statistic is None:
            if raw["Datapoints"]:  # an empty series is a metric without data (no 5xx at all), not a malformed one
                stats.skip_record("metrics", f"series {key.metric[:60]} has no datapoints with a statistic")
            continue
        points, unit = _points(raw["Datapoints"], statistic, now, stats)
        period = raw.get("Period")
        period = int(period) if isinstance(period, (int, float)) and not isinstance(period, bool) and period >= 1 else 60
        if key in merged:
            merged[key].points = sorted(merged[key].points + points)
        else:
            merged[key] = Series(key, statistic, period, points, unit or unit_for(key.metric))
    outcome.series = list(merged.values())
    outcome.candidates = len(merged)
    note = stats.describe()
    if note:
        outcome.notes.append(note)
    return outcome
