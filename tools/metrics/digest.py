"""Digest fetched series into answers: ranked shifts with evidence, and a compact table of one series.

``analyse`` aligns each series on baseline+window and runs the detector; ``changed_metrics`` ranks the shifts
and builds the ``ToolResult`` (headline counts, one line and one ``metric_shift`` evidence per shift);
``metric_table`` renders one series downsampled to at most ``MAX_ROWS`` rows with summary statistics.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tools.common.evidence import Evidence, metric_link
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.common.timewindow import Window, iso
from tools.metrics import detect
from tools.metrics.model import Fetched
from tools.metrics.model import Series
from tools.metrics.period import choose_period

SOURCE = "metrics"
MAX_ROWS = 60


@dataclass(frozen=True)
class Finding:
    """One series that changed, with its shift."""

    series: Series
    shift: detect.Shift


def span_of(window: Window) -> Window:
    """The baseline (equal length, just before) plus the window, fetched as one series."""
    return Window(window.baseline().start, window.end)


def split_point(window: Window, coverage: Window | None) -> tuple[datetime, str | None]:
    """Where "before" ends: the window start, or a third into the data when the source holds less than half
    of the baseline (a snapshot that starts with the window); the second value explains the fallback."""
    baseline = window.baseline()
    held = baseline.clip(coverage) if coverage is not None else baseline
    if coverage is None or (held is not None and held.seconds >= baseline.seconds / 2):
        return window.start, None
    data_start = max(coverage.start, baseline.start)
    split = data_start + (min(coverage.end, window.end) - data_start) / 3
    return split, (
        f"the source holds no baseline before {iso(coverage.start)}: the data up to {iso(split)} served as the baseline"
    )


def analyse(
    series_list: list[Series], window: Window, now: datetime, coverage: Window | None = None, params: detect.Params = detect.DEFAULT
) -> list[Finding]:
    """Detect the shift of every series around the window start (see ``split_point``); unchanged ones are dropped.

    Missing counts are zeros only inside ``coverage`` (where the source would have had them).
    """
    split, _ = split_point(window, coverage)
    span = span_of(window)
    target = choose_period(span.start, span.end, now)
    findings = []
    for series in series_list:
        period = max(series.period, target)
        times, values = detect.align(series.points, span.start, span.end, period, 0.0 if series.is_count else None)
        if coverage is not None:
            values = [v if coverage.contains(t) else None for t, v in zip(times, values)]
        shift = detect.detect_shift(times, values, split, params)
        if is_remaining(series):  # running out of free storage or a balance is the failure, however gradual
            floor = detect.detect_floor(times, values, split, params)
            if floor is not None:
                shift = replace(shift, at_limit=True) if shift is not None and shift.direction == "down" else floor
        elif is_percentage(series):  # reaching 100 % is the failure, whatever the level-shift test saw of the ramp
            ceiling = detect.detect_ceiling(times, values, split, params)
            if ceiling is not None:
                shift = replace(shift, at_limit=True) if shift is not None else ceiling
        if shift is not None:
            findings.append(Finding(series, shift))
    return findings


# Names of series that measure what is left (free storage, freeable memory, burst or CPU credit balances): they
# fail at their floor, as utilisations fail at 100 %.
REMAINING = re.compile(r"^(Free|Available)|Freeable|^(?!.*Surplus).*(Balance|Credits?)$", re.I)


def is_remaining(series: Series) -> bool:
    """A remaining-capacity gauge (not a count): it has a floor."""
    return not series.is_count and bool(REMAINING.search(series.key.metric))


def is_percentage(series: Series) -> bool:
    """A 0-100 utilisation (unit Percent, or named so when GetMetricData gives no unit): it has a ceiling."""
    name = series.key.metric.lower()
    return not series.is_count and (series.unit == "Percent" or name.endswith(("percent", "percentage", "utilization")))


def _round(value: float) -> float:
    """Four significant digits: enough to compare, short in the attrs triage reads."""
    return float(f"{value:.4g}")


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.3g}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def _change_text(shift: detect.Shift) -> str:
    if shift.kind != "shift":
        return {"new": "appeared in the window", "stopped": "stopped reporting"}[shift.kind]
    if shift.at_limit and shift.direction == "down":
        return f"fell to its floor ({_number(shift.after.p50)}, from {_number(shift.before.p50)}), starting"
    if shift.at_limit:
        return f"climbed to its limit ({_number(shift.after.p50)} %), starting"
    if shift.before.mean == 0:
        return f"{shift.direction} from 0"
    return f"{shift.direction} {shift.magnitude * 100:+.0f}%"


# Dimensions in the order that names a resource best (the instance, table or function before the cluster).
_RESOURCE_DIMENSIONS = ("DBInstanceIdentifier", "DBClusterIdentifier", "TableName", "FunctionName", "QueueName",
                        "ServiceName", "PodName", "TaskDefinitionFamily", "CacheClusterId", "TargetGroup", "FileSystemId", "InstanceId", "StreamName",
                        "TopicName", "BucketName", "ApiName", "DomainName", "Service", "ClusterName", "LoadBalancer")
_PLACEHOLDERS = {"", "-", "default", "generic:default", "none", "null", "unknown", "all"}


def resource_label(dims: dict[str, str]) -> str:
    """The resource a series is about, for its evidence line: the most specific dimension value (a placeholder such
    as ``generic:default`` is skipped; a series without a real dimension says so)."""
    caller, callee = dims.get("Service"), dims.get("RemoteService")
    if caller and callee and str(callee).strip().lower() not in _PLACEHOLDERS:
        # an Application Signals dependency metric: what ``Service`` sees of its calls to ``RemoteService``
        return f"calls from {safe(str(caller), 60)} to {safe(str(callee), 80)}"
    ordered = [k for k in _RESOURCE_DIMENSIONS if k in dims] + sorted(k for k in dims if k not in _RESOURCE_DIMENSIONS)
    named = [(k, str(dims[k])) for k in ordered if str(dims[k]).strip().lower() not in _PLACEHOLDERS]
    if not named:
        return "an unnamed resource" if dims else "the whole account (no dimension)"
    key, value = named[0]
    label = safe(value, 100)
    # a load balancer or cluster alone is ambiguous beside its target groups and services: say which it is
    return f"{key} {label}" if key in ("LoadBalancer", "ClusterName", "Service") else label


def evidence_for(finding: Finding, window: Window, region: str) -> Evidence:
    """The ``metric_shift`` evidence of a finding (attrs as documented in ``tools.common.evidence``).

    ``before``/``after`` are the means of the segments (numbers: triage compares them); p95s are in the body.
    """
    series, shift = finding.series, finding.shift
    key = series.key
    link = metric_link(region, key.namespace, key.metric, key.dims, span_of(window), series.statistic)
    # AWS/ namespaces are AWS's own (PutMetricData refuses them); names in custom namespaces are untrusted.
    name = key.metric if key.namespace.startswith("AWS/") else fence(key.metric, 120)
    resource = resource_label(key.dims)
    summary = (
        f"{name} of {resource} ({series.statistic}) {_change_text(shift)} at {iso(shift.change_time)}: "
        f"mean {_number(shift.before.mean)} -> {_number(shift.after.mean)} {series.unit}"
    )
    return Evidence(
        id=key.evidence_id(),
        source=SOURCE,
        kind="metric_shift",
        summary=summary,
        time=shift.change_time,
        link=link,
        score=shift.rank_score,
        attrs={
            "namespace": key.namespace,
            "metric": key.metric,
            "dimensions": key.dims,
            "statistic": series.statistic,
            "unit": series.unit,
            "before": _round(shift.before.mean),
            "after": _round(shift.after.mean),
            "change_time": iso(shift.change_time),
            "direction": shift.direction,
            "shift": shift.kind,
            "at_limit": shift.at_limit,
            "magnitude": shift.magnitude,
            "score": shift.rank_score,
            "resources": [value for _, value in key.dimensions],
            "onset": iso(shift.change_time),
        },
    )


def _line(rank: int, evidence: Evidence, finding: Finding) -> str:
    series, shift = finding.series, finding.shift
    ended = f", back by {iso(shift.end_time)[11:16]}Z" if shift.end_time else ""
    return (
        f"{rank}. {evidence.id} {fence(series.key.label(), 300)} {series.statistic} {_change_text(shift)} "
        f"at {iso(shift.change_time)[11:16]}Z{ended}: mean {_number(shift.before.mean)} -> {_number(shift.after.mean)}, "
        f"p95 {_number(shift.before.p95)} -> {_number(shift.after.p95)} {series.unit}; score {shift.rank_score:.2f} | {evidence.link}"
    )


def changed_metrics(
    fetched: Fetched,
    window: Window,
    now: datetime,
    region: str,
    scope: str,
    max_results: int = 10,
    onset: datetime | None = None,
) -> ToolResult:
    """Rank the shifts of ``fetched`` (by strength and closeness to ``onset``, estimated when None)."""
    result = ToolResult(SOURCE, f"find_changed_metrics: {scope}", window)
    result.notes.extend(fetched.notes)
    for failure in fetched.failures:
        result.fail(failure, partial=True)
    if fetched.partial:
        result.status = "partial"
    scanned = len(fetched.series)
    if not scanned:
        if result.status == "ok":
            result.status = "empty"
        result.headline.append(f"No metrics found in {scope}. Check the namespace and resource filter (dimension value substring).")
        return result
    findings = analyse(fetched.series, window, now, fetched.coverage)
    fallback = split_point(window, fetched.coverage)[1]
    if fallback:
        result.notes.append(fallback)
    shifts = [f.shift for f in findings]
    period = max(s.period for s in fetched.series)
    onset = onset or detect.estimate_onset(shifts, timedelta(seconds=max(3 * period, window.seconds / 20)))
    scores = detect.rank_scores(shifts, onset, window.seconds)
    ordered = sorted(
        (Finding(f.series, replace(f.shift, rank_score=score)) for f, score in zip(findings, scores)),
        key=lambda f: (-f.shift.rank_score, f.shift.change_time, f.series.key.label()),
    )
    shown = ordered[:max_results]
    onset_text = f" Onset (earliest sustained change): {iso(onset)}." if onset else ""
    result.headline.append(
        f"Scanned {scanned} metric(s) in {scope}: {len(findings)} changed, {scanned - len(findings)} unchanged (dropped); "
        f"showing the top {len(shown)} by strength and closeness to the onset.{onset_text}"
    )
    if not findings:
        result.headline.append("No metric shifted beyond its baseline noise around the window start.")
    section = result.section("Changed metrics (window vs the equal baseline before it)", "lower max_results or name a namespace/resource")
    data_start = fetched.coverage.start if fallback and fetched.coverage is not None else None
    for rank, finding in enumerate(shown, 1):
        evidence = evidence_for(finding, window, region)
        if data_start is not None:  # no baseline before the data: "before" is the data's own first part
            evidence.summary += f" (no data before {iso(data_start)[11:16]}Z: compared with the data after it)"
            evidence.attrs.update(no_baseline=True, baseline_from=iso(data_start))
        result.evidence.append(evidence)
        section.lines.append(_line(rank, evidence, finding))
    result.data.update({"onset": iso(onset) if onset else None, "scanned": scanned, "changed": len(findings)})
    return result


# --- one series ------------------------------------------------------------------------------------------


def _combine(values: list[float], statistic: str) -> float:
    if statistic in ("Sum", "SampleCount"):
        return sum(values)
    if statistic == "Maximum":
        return max(values)
    if statistic == "Minimum":
        return min(values)
    return statistics.fmean(values)


def downsample(points: list[tuple[datetime, float]], window: Window, statistic: str, max_rows: int = MAX_ROWS) -> tuple[int, list[tuple[datetime, float]]]:
    """(bucket seconds, rows): datapoints combined into at most ``max_rows`` buckets as the statistic combines."""
    bucket = max(60, math.ceil(window.seconds / max_rows / 60) * 60)
    rows: dict[int, list[float]] = {}
    for moment, value in points:
        if window.contains(moment):
            rows.setdefault(int((moment - window.start).total_seconds() // bucket), []).append(value)
    return bucket, [(window.start + timedelta(seconds=k * bucket), _combine(v, statistic)) for k, v in sorted(rows.items())]


def metric_table(series: Series, window: Window, region: str) -> ToolResult:
    """One series as a compact table with min/max/mean/p50/p95/p99 and a console link."""
    key = series.key
    result = ToolResult(SOURCE, f"get_metric: {key.namespace} {key.metric}", window)
    values = [v for t, v in series.points if window.contains(t)]
    link = metric_link(region, key.namespace, key.metric, key.dims, window, series.statistic)
    if not values:
        result.status = "empty"
        result.headline.append(f"{fence(key.label(), 300)} exists but has no datapoints in the window. Console: {link}")
        return result
    ordered = sorted(values)
    figures = {
        "min": ordered[0], "max": ordered[-1], "mean": statistics.fmean(values),
        "p50": detect.percentile(ordered, 50), "p95": detect.percentile(ordered, 95), "p99": detect.percentile(ordered, 99),
    }
    result.headline.append(
        f"{fence(key.label(), 300)} {series.statistic} ({series.unit}), {len(values)} datapoint(s) of {series.period}s: "
        + ", ".join(f"{name} {_number(value)}" for name, value in figures.items())
    )
    result.headline.append(f"Console: {link}")
    bucket, rows = downsample(series.points, window, series.statistic)
    section = result.section(f"{series.statistic} per {bucket // 60} min (UTC)", "narrow the window")
    section.lines.extend(f"{iso(moment)[11:16]}Z {_number(value)}" for moment, value in rows)
    result.data.update({"statistic": series.statistic, **{k: v for k, v in figures.items()}})
    return result
