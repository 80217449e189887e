"""The metrics functions of the catalogue: ``find_changed_metrics`` and ``get_metric``.

Each reads top to bottom: parameters -> fetch (AWS or snapshot) -> digest -> result.
"""

from __future__ import annotations

from tools.common import coverage
from tools.common.app import ToolRequest
from tools.common.availability import not_configured
from tools.common.result import ToolResult
from tools.common.safety import fence
from tools.common.snapshot import ReadStats
from tools.common.timewindow import Window
from tools.metrics import aws_backend, digest, snapshot_backend
from tools.metrics.model import Fetched
from tools.metrics.model import MetricKey, parse_dimensions, statistic_for
from tools.metrics.period import choose_period

DEFAULT_RESULTS = 10


def _scope(namespaces: list[str], resource: str | None) -> str:
    text = ", ".join(namespaces) if namespaces else "the snapshot's namespaces"
    return text + (f" (dimension value containing {fence(resource, 100)})" if resource else "")


def _fetch_changed(request: ToolRequest, namespace: str | None, resource: str | None, limit: int) -> tuple[Fetched, list[str]]:
    """Baseline+window series of the candidate metrics, from the snapshot or from CloudWatch."""
    assert request.window is not None
    span = digest.span_of(request.window)

    def statistic_of(key: MetricKey) -> str:
        return statistic_for(key.metric)

    if request.snapshot is not None:
        def keep(key: MetricKey) -> bool:
            return (namespace is None or key.namespace == namespace) and key.mentions(resource)

        fetched = snapshot_backend.read_series(request.snapshot, statistic_of, keep, ReadStats())
        if len(fetched.series) > limit:
            coverage.not_read("metrics", f"scanned the first {limit} of {len(fetched.series)} series only (metrics.max_metrics)")
            fetched.series = fetched.series[:limit]
        return fetched, [namespace] if namespace else sorted({s.key.namespace for s in fetched.series})
    namespaces = [namespace] if namespace else list(request.config["metrics"]["namespaces"])
    keys, listing = aws_backend.list_metrics(namespaces, resource, span.start, request.now, request.deadline, limit)
    period = choose_period(span.start, span.end, request.now)
    return aws_backend.get_series(keys, statistic_of, span.start, span.end, period, request.deadline, listing), namespaces


def find_changed_metrics(request: ToolRequest) -> ToolResult:
    """The metrics that changed most, and closest to the onset, in the window vs the baseline before it."""
    off = not_configured(request)
    if off is not None:
        return off
    assert request.window is not None
    namespace = request.params.get("namespace") or None
    resource = request.params.get("resource") or None
    limit = int(request.config["metrics"]["max_metrics"])
    fetched, namespaces = _fetch_changed(request, namespace, resource, limit)
    return digest.changed_metrics(
        fetched, request.window, request.now, request.region, _scope(namespaces, resource),
        int(request.params.get("max_results") or DEFAULT_RESULTS),
    )


def _not_found(key: MetricKey, window: Window | None, where: str) -> ToolResult:
    result = ToolResult(digest.SOURCE, f"get_metric: {key.namespace} {key.metric}", window, status="empty")
    result.headline.append(
        f"No metric {fence(key.label(), 300)} in {where}. Names and dimensions are exact and case-sensitive and "
        "every dimension must be given; find_changed_metrics (with resource=...) lists the metrics that exist."
    )
    return result


def get_metric(request: ToolRequest) -> ToolResult:
    """One series in the window, downsampled, with min/max/mean/p50/p95/p99 and a console link."""
    off = not_configured(request)
    if off is not None:
        return off
    assert request.window is not None
    window = request.window
    key = MetricKey.of(request.params["namespace"], request.params["metric_name"], parse_dimensions(request.params.get("dimensions")))
    statistic = request.params.get("statistic") or statistic_for(key.metric)
    if request.snapshot is not None:
        fetched = snapshot_backend.read_series(request.snapshot, lambda _k: statistic, lambda k: k == key, ReadStats())
        if not fetched.series:
            return _not_found(key, window, "the snapshot")
    else:
        if not aws_backend.metric_exists(key):
            return _not_found(key, window, "this account and region (CloudWatch lists metrics with data in the last 2 weeks)")
        period = choose_period(window.start, window.end, request.now)
        fetched = aws_backend.get_series([key], lambda _k: statistic, window.start, window.end, period, request.deadline)
    series = fetched.series[0]
    result = digest.metric_table(series, window, request.region)
    if series.statistic != statistic:
        result.notes.append(f"the snapshot has no {statistic} for this metric; showing {series.statistic}")
    result.notes.extend(fetched.notes)
    for failure in fetched.failures:
        result.fail(failure, partial=True)
    if fetched.partial and result.status == "ok":
        result.status = "partial"
    return result
