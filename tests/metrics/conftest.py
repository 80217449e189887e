"""Fixtures of the metrics tests: snapshot directories in the real ``metrics/`` format, series builders."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

UTC = timezone.utc
ONSET = datetime(2026, 11, 20, 9, 40, tzinfo=UTC)
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
END = datetime(2026, 11, 20, 10, 20, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def series_line(
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    values: Callable[[datetime], float | None],
    *,
    start: datetime = START,
    end: datetime = END,
    unit: str = "Count",
    statistics: tuple[str, ...] = ("Sum", "Average", "SampleCount", "Minimum", "Maximum"),
) -> dict[str, Any]:
    """One ``metrics/`` line: the ListMetrics Metric plus GetMetricStatistics datapoints (None = no datapoint)."""
    datapoints = []
    moment = start
    while moment < end:
        value = values(moment)
        if value is not None:
            point: dict[str, Any] = {"Timestamp": stamp(moment), "Unit": unit}
            for name in statistics:
                point[name] = 1.0 if name == "SampleCount" else float(value)
            datapoints.append(point)
        moment += timedelta(minutes=1)
    random.Random(metric).shuffle(datapoints)  # the format does not promise sorted datapoints
    return {
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        "Period": 60,
        "Datapoints": datapoints,
    }


def write_snapshot(root: Path, lines: list[dict[str, Any] | str], *, start: datetime = START, end: datetime = END) -> Path:
    """A snapshot directory with a manifest and one ``metrics/series.jsonl`` (strings are written verbatim)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({
        "version": 1, "account": "123456789012", "region": "eu-west-1", "start": stamp(start), "end": stamp(end),
    }))
    (root / "metrics").mkdir(exist_ok=True)
    with open(root / "metrics" / "series.jsonl", "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return root


def noisy(level: float, spread: float, seed: str) -> Callable[[datetime], float]:
    rng = random.Random(seed)
    return lambda _m: max(0.0, level + rng.gauss(0, spread))


def step(before: Callable[[datetime], float], after: Callable[[datetime], float], at: datetime = ONSET) -> Callable[[datetime], float]:
    return lambda m: after(m) if m >= at else before(m)


@pytest.fixture
def cloudwatch() -> Iterator[Any]:
    """A Stubber-wrapped CloudWatch client, installed as the cached ``aws.client('cloudwatch')``."""
    from tests.support import stubbed

    with stubbed("cloudwatch") as stubber:
        yield stubber
