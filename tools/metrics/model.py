"""The metric data model shared by the backends, the detector and the digest.

A ``MetricKey`` names one CloudWatch metric (namespace, name, dimensions); a ``Series`` is its datapoints for
one statistic; ``Fetched`` is what either backend hands to the digest: the series it read and what it could
not read. ``statistic_for``/``unit_for`` give the defaults for a metric name, ``parse_dimensions`` reads the
``Name=Value,Name=Value`` form operators and models write, and ``series_id`` is the evidence id of a metric,
shared with triage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from tools.common.errors import InputError
from tools.common.evidence import evidence_id
from tools.common.timewindow import Window

DIMENSIONS_ACCEPTED = (
    "Name=Value pairs separated by commas, e.g. 'LoadBalancer=app/shop-alb/50dc6c495c0c9188' or "
    "'TableName=orders,Operation=PutItem' (names and values non-empty, no ',' or '=' inside, each name once)"
)
MAX_DIMENSIONS = 30
_DIMENSION_NAME = re.compile(r"^[A-Za-z0-9_.:\-/# ]{1,255}$")

# Metrics that count things per period: summed, and a missing datapoint means zero. By name ending or prefix,
# plus a few well-known counters; minus the gauges whose names look like counts.
_COUNT_SUFFIXES = ("Count", "Errors", "Error", "Throttles", "Invocations", "Requests", "Faults", "Events", "CapacityUnits")
_COUNT_PREFIXES = ("NumberOf",)
_COUNTERS = {"ProcessedBytes", "NetworkIn", "NetworkOut", "NetworkPacketsIn", "NetworkPacketsOut", "IncomingBytes", "BytesIn", "BytesOut"}
_GAUGES = {
    "HealthyHostCount", "UnHealthyHostCount", "RunningTaskCount", "DesiredTaskCount", "PendingTaskCount",
    "ConcurrentExecutions", "DatabaseConnections", "CurrConnections", "TaskCount", "ServiceCount", "ContainerInstanceCount",
}
_UNITS = {
    "TargetResponseTime": "Seconds",
    "Latency": "Seconds",
    "SuccessfulRequestLatency": "Milliseconds",
    "Duration": "Milliseconds",
    "CPUUtilization": "Percent",
    "MemoryUtilization": "Percent",
    "FreeStorageSpace": "Bytes",
    "FreeableMemory": "Bytes",
    "ReadLatency": "Seconds",
    "WriteLatency": "Seconds",
}


@dataclass(frozen=True)
class MetricKey:
    """One metric: namespace, name and its dimensions as sorted (name, value) pairs."""

    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, namespace: str, metric: str, dimensions: dict[str, str] | list[dict[str, str]] | None) -> MetricKey:
        """From a dict or the API's ``[{"Name": ..., "Value": ...}]`` list."""
        if isinstance(dimensions, list):
            pairs = {str(d.get("Name", "")): str(d.get("Value", "")) for d in dimensions if isinstance(d, dict)}
        else:
            pairs = dict(dimensions or {})
        return cls(namespace, metric, tuple(sorted(pairs.items())))

    @property
    def dims(self) -> dict[str, str]:
        return dict(self.dimensions)

    def api_dimensions(self) -> list[dict[str, str]]:
        return [{"Name": n, "Value": v} for n, v in self.dimensions]

    def label(self) -> str:
        """``Namespace Metric Name=Value,...`` for one line of a body (fence it: values are user-set names)."""
        dims = ",".join(f"{n}={v}" for n, v in self.dimensions)
        return f"{self.namespace} {self.metric}" + (f" {dims}" if dims else "")

    def mentions(self, resource: str | None) -> bool:
        """True when no filter is given or a dimension value contains ``resource`` (case-insensitive)."""
        if not resource:
            return True
        needle = resource.lower()
        return any(needle in value.lower() for _, value in self.dimensions)

    def evidence_id(self) -> str:
        """``M-xxxxxxxx``: the stable id of this metric's shift, the same across tools and follow-ups."""
        return series_id(self.namespace, self.metric, self.dims)


def series_id(namespace: str, metric: str, dimensions: dict[str, str]) -> str:
    """Evidence id of a metric: ``evidence_id("metrics", namespace, metric, *values sorted by dimension name)``."""
    return evidence_id("metrics", namespace, metric, *(value for _, value in sorted(dimensions.items())))


@dataclass
class Series:
    """Datapoints of one metric for one statistic, sorted by time; ``period`` in seconds."""

    key: MetricKey
    statistic: str
    period: int
    points: list[tuple[datetime, float]] = field(default_factory=list)
    unit: str = ""

    @property
    def is_count(self) -> bool:
        """Missing datapoints are zeros: a count metric read with Sum or SampleCount."""
        return is_count(self.key.metric) and self.statistic in ("Sum", "SampleCount")


def is_count(metric: str) -> bool:
    """Counts are summed and a missing datapoint is a zero (no requests, no errors)."""
    if metric in _GAUGES:
        return False
    return metric in _COUNTERS or metric.endswith(_COUNT_SUFFIXES) or metric.startswith(_COUNT_PREFIXES)


def statistic_for(metric: str) -> str:
    """Default statistic: Sum for counts (``*Count``, ``Errors``, ``NumberOf*`` ...), else Average."""
    return "Sum" if is_count(metric) else "Average"


def unit_for(metric: str) -> str:
    """Best-known unit of a metric name when the source does not say (GetMetricData never does)."""
    if metric in _UNITS:
        return _UNITS[metric]
    if metric.endswith(("Bytes", "In", "Out")) and not metric.startswith("NetworkPackets"):
        return "Bytes"
    if is_count(metric) or metric in _GAUGES:
        return "Count"
    if metric.endswith(("Utilization", "Percent")):
        return "Percent"
    return "None"


def parse_dimensions(text: str | None) -> dict[str, str]:
    """Strictly parse ``Name=Value,Name=Value``; InputError naming ``dimensions`` otherwise. Empty -> {}."""
    if text is None or not text.strip():
        return {}
    result: dict[str, str] = {}
    pairs = text.split(",")
    if len(pairs) > MAX_DIMENSIONS:
        raise InputError("dimensions", f"has {len(pairs)} pairs (CloudWatch allows at most {MAX_DIMENSIONS})", DIMENSIONS_ACCEPTED)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name, value = name.strip(), value.strip()
        shown = pair.strip()[:60]
        if not sep or not name or not value:
            raise InputError("dimensions", f"{shown!r} is not a Name=Value pair", DIMENSIONS_ACCEPTED)
        if not _DIMENSION_NAME.match(name):
            raise InputError("dimensions", f"dimension name {name[:60]!r} has characters CloudWatch does not allow", DIMENSIONS_ACCEPTED)
        if "=" in value:
            raise InputError("dimensions", f"{shown!r} holds two '=' (separate pairs with commas)", DIMENSIONS_ACCEPTED)
        if len(value) > 1024:
            raise InputError("dimensions", f"the value of {name!r} is longer than 1024 characters", DIMENSIONS_ACCEPTED)
        if name in result:
            raise InputError("dimensions", f"names {name!r} twice", DIMENSIONS_ACCEPTED)
        result[name] = value
    return result


@dataclass
class Fetched:
    """Series read, how many metrics were candidates, notes, failures, and whether reading stopped early.

    ``coverage`` is the time the source holds data for (a snapshot's window); outside it a missing count is
    unknown, not zero. None: the whole requested span (CloudWatch).
    """

    series: list[Series] = field(default_factory=list)
    candidates: int = 0
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    partial: bool = False
    coverage: Window | None = None
