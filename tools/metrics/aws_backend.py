"""Read CloudWatch metrics from AWS: ListMetrics (paginated, per namespace) and GetMetricData in batches.

Every loop checks the request deadline; when it runs out, or AWS fails after some data was read, the result
is marked partial and says what is missing. A failure before anything was read raises ``SourceError``.
boto3 is imported lazily through ``tools.common.aws.client``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from tools.common import aws, coverage
from tools.common.deadline import Deadline
from tools.common.errors import SourceError
from tools.common.timewindow import to_utc
from tools.metrics.model import Fetched
from tools.metrics.model import MetricKey, Series, unit_for

SOURCE = "metrics"
BATCH = 500          # GetMetricData: at most 500 MetricDataQueries per call
RECENT = timedelta(hours=3)


def _client() -> Any:
    return aws.client("cloudwatch")


def list_metrics(
    namespaces: Sequence[str], resource: str | None, since: datetime, now: datetime, deadline: Deadline, limit: int
) -> tuple[list[MetricKey], Fetched]:
    """Candidate metrics of ``namespaces`` (dimension value containing ``resource``), at most ``limit``.

    ``since`` is the start of the span to analyse: when it lies within the last 3 hours only recently active
    metrics are listed (``RecentlyActive=PT3H``), which skips the long tail of dead metrics.
    """
    client = _client()
    found: dict[MetricKey, None] = {}
    outcome = Fetched()
    recent = now - since <= RECENT
    capped = False
    errors: list[SourceError] = []
    for namespace in namespaces:
        kwargs: dict[str, Any] = {"Namespace": namespace}
        if recent:
            kwargs["RecentlyActive"] = "PT3H"
        while True:
            if deadline.expired():
                outcome.partial = True
                outcome.notes.append(f"stopped listing metrics at {namespace}: the time budget ran out")
                return list(found), outcome
            try:
                page = client.list_metrics(**kwargs)
            except Exception as exc:  # noqa: BLE001 - botocore errors become SourceError / a failure line
                errors.append(aws.explain(SOURCE, f"ListMetrics {namespace}", exc))
                break
            for metric in page.get("Metrics", []):
                key = MetricKey.of(metric.get("Namespace", namespace), metric.get("MetricName", ""), metric.get("Dimensions", []))
                if not key.mentions(resource):
                    continue
                if len(found) >= limit:
                    capped = True
                    break
                found[key] = None
            token = page.get("NextToken")
            if capped or not token:
                break
            kwargs["NextToken"] = token
        if capped:
            outcome.notes.append(f"scanned the first {limit} metrics only (metrics.max_metrics); name a namespace or resource to narrow")
            coverage.not_read("metrics", f"metrics beyond the first {limit} (metrics.max_metrics)")
            break
    if errors and not found:
        raise errors[0]
    for error in errors:
        outcome.failures.append(f"{error.what} — {error.hint}")
        outcome.partial = True
    outcome.candidates = len(found)
    return list(found), outcome


def _query(index: int, key: MetricKey, statistic: str, period: int) -> dict[str, Any]:
    return {
        "Id": f"m{index}",
        "MetricStat": {
            "Metric": {"Namespace": key.namespace, "MetricName": key.metric, "Dimensions": key.api_dimensions()},
            "Period": period,
            "Stat": statistic,
        },
        "ReturnData": True,
    }


def get_series(
    keys: Sequence[MetricKey],
    statistic_of: Callable[[MetricKey], str],
    start: datetime,
    end: datetime,
    period: int,
    deadline: Deadline,
    outcome: Fetched | None = None,
) -> Fetched:
    """GetMetricData for ``keys`` in batches of 500 (ids ``m<n>``), following NextToken, within the deadline."""
    client = _client()
    outcome = outcome or Fetched(candidates=len(keys))
    start = datetime.fromtimestamp(int(start.timestamp()) // period * period, timezone.utc)  # period-aligned: exact buckets
    for offset in range(0, len(keys), BATCH):
        batch = list(keys[offset: offset + BATCH])
        stats = [statistic_of(k) for k in batch]
        queries = [_query(i, key, stat, period) for i, (key, stat) in enumerate(zip(batch, stats))]
        points: dict[str, list[tuple[datetime, float]]] = {q["Id"]: [] for q in queries}
        request: dict[str, Any] = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end, "ScanBy": "TimestampAscending"}
        if not _read_pages(client, request, points, deadline, outcome):
            # An incomplete batch is dropped: a series cut short would look like a drop to zero.
            outcome.notes.append(f"{len(keys) - offset} of {len(keys)} metric(s) not read")
            return outcome
        for i, (key, stat) in enumerate(zip(batch, stats)):
            outcome.series.append(Series(key, stat, period, sorted(points[f"m{i}"]), unit_for(key.metric)))
    return outcome


def _read_pages(client: Any, request: dict[str, Any], points: dict[str, list[tuple[datetime, float]]], deadline: Deadline, outcome: Fetched) -> bool:
    """Follow NextToken for one batch; False when the deadline or an error stopped it (outcome marked partial)."""
    while True:
        if deadline.expired():
            outcome.partial = True
            outcome.notes.append("stopped reading datapoints: the time budget ran out; results are partial")
            return False
        try:
            page = client.get_metric_data(**request)
        except Exception as exc:  # noqa: BLE001
            error = aws.explain(SOURCE, "GetMetricData", exc)
            if not outcome.series:
                raise error from None
            outcome.partial = True
            outcome.failures.append(f"{error.what} — {error.hint}")
            return False
        for result in page.get("MetricDataResults", []):
            target = points.get(result.get("Id", ""))
            if target is None:
                continue
            target.extend((to_utc(t), float(v)) for t, v in zip(result.get("Timestamps", []), result.get("Values", [])))
            if result.get("StatusCode") in ("InternalError", "Forbidden"):
                outcome.partial = True
                outcome.notes.append(f"GetMetricData returned {result['StatusCode']} for some metrics")
        for message in page.get("Messages", [])[:2]:
            outcome.notes.append(f"CloudWatch: {str(message.get('Code', ''))[:60]} {str(message.get('Value', ''))[:120]}".strip())
        token = page.get("NextToken")
        if not token:
            return True
        request = dict(request, NextToken=token)


def metric_exists(key: MetricKey) -> bool:
    """ListMetrics with the exact name and dimensions: does CloudWatch know this metric (last 2 weeks)?"""
    try:
        page = _client().list_metrics(Namespace=key.namespace, MetricName=key.metric, Dimensions=key.api_dimensions())
    except Exception as exc:  # noqa: BLE001
        raise aws.explain(SOURCE, "ListMetrics", exc) from None
    return any(MetricKey.of(m.get("Namespace", ""), m.get("MetricName", ""), m.get("Dimensions", [])) == key for m in page.get("Metrics", []))
