"""Digest of log data, whichever backend fetched it: pattern statistics, ranking, evidence and the tool result.

Backends fill ``PatternStats`` (one per template) and ``LogLine`` lists; this module decides what is NEW, when a
pattern began (onset), how significant it is, and renders sections and ``error_pattern`` evidence with the
attributes documented in ``tools/common/evidence.py``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from tools.common.coverage import new_without_baseline
from tools.common.decisive import exception_in, shorten
from tools.common.evidence import Evidence, log_events_link, logs_insights_link
from tools.common.patterns import ARN_IN_TEXT
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.common.timewindow import UTC, Window, iso
from tools.logs.matching import escape_literal, escape_slashes, severity
from tools.logs.miner import template_regex
from tools.logs.model import LogLine, PatternScan, PatternStats

BUCKET_CHOICES = (60, 300, 600, 900, 1800, 3600, 7200)
MAX_BUCKETS = 24
MAX_EVIDENCE = 30
_EXCEPTION = re.compile(r"\b((?:[A-Za-z_][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error|Fault|Timeout))\b")
_TIMEOUT_WORDS = re.compile(r"(?i)\b(timed out|timeout|throttl\w*|refused|denied|unavailable|unreachable|reset)\b")
_ARN = re.compile(ARN_IN_TEXT)
_AWS_HOST = re.compile(r"\b(?:[a-z0-9-]+\.)+amazonaws\.com\b")

LINE_CONTEXT = timedelta(seconds=30)  # a line's link opens its stream this long either side of it


def bucket_seconds(window: Window) -> int:
    """The smallest bucket width giving at most ``MAX_BUCKETS`` buckets over the window."""
    for seconds in BUCKET_CHOICES:
        if window.seconds / seconds <= MAX_BUCKETS:
            return seconds
    return BUCKET_CHOICES[-1]


def from_millis(value: float) -> datetime:
    return datetime.fromtimestamp(value / 1000.0, UTC)


def merge_by_template(clusters: list[PatternStats], keep: int) -> list[PatternStats]:
    """Clusters whose templates coincide are one pattern."""
    merged: dict[str, PatternStats] = {}
    for cluster in clusters:
        key = cluster.id
        if key in merged:
            merged[key].merge(cluster, keep)
        else:
            merged[key] = cluster
    return list(merged.values())


# --- ranking --------------------------------------------------------------------------------


def _onset(stats: PatternStats, window: Window, seconds: int, no_baseline: bool = False) -> datetime | None:
    """When the pattern began or surged: first seen if new, else the first bucket well above the baseline rate
    (none without a baseline: a pattern present since the data began has no known start)."""
    if stats.new:
        return stats.first_seen
    if no_baseline:
        return None
    buckets = max(1, len(stats.trend))
    baseline_rate = stats.baseline_count / buckets
    if stats.count < 5 or stats.count < 2 * max(stats.baseline_count, 1):
        return None
    for index, value in enumerate(stats.trend):
        if value > max(2 * baseline_rate, 1):
            return window.start + timedelta(seconds=index * seconds)
    return None


def rank(scan: PatternScan) -> list[PatternStats]:
    """Mark NEW patterns, find onsets and order most significant first (new, large, recent onset)."""
    window = scan.window
    for stats in scan.patterns:
        data_start, no_baseline = scan.data_start_of(stats), scan.no_baseline_of(stats)
        if data_start is None:
            stats.new = stats.count > 0 and stats.baseline_count == 0
        else:  # the data starts late: new only if first seen well after it (coverage.new_without_baseline)
            stats.new = stats.baseline_count == 0 and new_without_baseline(
                stats.first_seen, stats.last_seen, stats.count, data_start, scan.bucket_seconds)
        stats.onset = _onset(stats, window, scan.bucket_seconds, no_baseline)
        # without a baseline, growth against "before" is unknown: no growth credit
        growth = 1.0 if no_baseline and not stats.new else (stats.count + 1) / (stats.baseline_count + 1)
        score = math.log10(1 + stats.count) + (3.0 if stats.new else min(2.0, math.log2(growth)) if growth > 1 else 0.0)
        if stats.onset is not None and window.seconds > 0:
            score += 0.5 * max(0.0, min(1.0, (stats.onset - window.start).total_seconds() / window.seconds))
        score += {"fatal": 0.3, "error": 0.1}.get(_severity(stats), 0.0)
        stats.score = round(score, 3)
    return sorted(scan.patterns, key=lambda s: (-s.score, -s.count, s.template))


def _severity(stats: PatternStats) -> str:
    label = (stats.severity_label or "").lower()
    if label.startswith(("fatal", "crit", "emerg", "panic")):
        return "fatal"
    if label.startswith("warn"):
        return "warn"
    sample = stats.first.message if stats.first else stats.template
    return severity(sample)


def keywords(text: str) -> list[str]:
    found = list(dict.fromkeys(m.group(1).rsplit(".", 1)[-1] for m in _EXCEPTION.finditer(text)))
    found += list(dict.fromkeys(m.group(1).lower() for m in _TIMEOUT_WORDS.finditer(text)))
    return list(dict.fromkeys(found))[:8]


def resources(stats: PatternStats) -> list[str]:
    text = " ".join(line.message for line in stats.samples()) or stats.template
    found = sorted(stats.groups) + [safe(m.group(0), 200) for m in _ARN.finditer(text)] + _AWS_HOST.findall(text)
    return list(dict.fromkeys(found))[:10]


# --- result ---------------------------------------------------------------------------------


def pattern_query(template: str) -> str:
    """The Logs Insights query that shows a pattern's lines (used in console links)."""
    return (
        "fields @timestamp, @log, @logStream, @message | filter @message like /"
        + escape_slashes(template_regex(template))
        + "/ | sort @timestamp desc | limit 50"
    )


COMPACT_FRAGMENTS = 2  # literal runs of a template a compact query filters on: few enough for a Slack-sized link
COMPACT_FRAGMENT_CHARS = 48  # each cut to this: a literal substring still singles out the template's lines


def compact_pattern_query(template: str) -> str:
    """A short Logs Insights query for a pattern's lines: its longest literal runs, each as a literal filter (for
    links that must fit a Slack answer; ``pattern_query`` is the exact form)."""
    runs = sorted({r.strip() for r in re.split(r"<\*>|\s{2,}", template) if len(r.strip()) >= 4}, key=lambda r: (-len(r), r))
    if not runs:
        return pattern_query(template)
    filters = " and ".join(f"@message like /{escape_literal(r[:COMPACT_FRAGMENT_CHARS].strip())}/"
                           for r in runs[:COMPACT_FRAGMENTS])
    return f"fields @timestamp, @log, @message | filter {filters} | sort @timestamp desc | limit 50"


def _clock(moment: datetime | None) -> str:
    return iso(moment)[11:19] if moment is not None else "-"


def evidence_of(stats: PatternStats, scan: PatternScan, region: str) -> Evidence:
    groups = sorted(stats.groups)
    text = stats.template + " " + " ".join(line.message for line in stats.samples())
    attrs = {
        "template": safe(stats.template, 500),
        "count": stats.count,
        "baseline_count": stats.baseline_count,
        "new": stats.new,
        "first_seen": iso(stats.first_seen) if stats.first_seen else None,
        "last_seen": iso(stats.last_seen) if stats.last_seen else None,
        "log_groups": groups,
        "trend": list(stats.trend),
        "bucket_seconds": scan.bucket_seconds,
        "severity": _severity(stats),
        "keywords": keywords(safe(text, 2000)),
        "resources": resources(stats),
        "onset": iso(stats.onset) if stats.onset else None,
    }
    label = "NEW " if stats.new else ""
    summary = f"{label}{stats.count} log lines ({_before(stats, scan)}) of {fence(shorten(stats.template, 200), 210)}"
    # The template may have generalised the exception away (``<*>``): show it from a sample line.
    sample_exception = next((e for e in (exception_in(line.message) for line in stats.samples()) if e), None)
    if sample_exception and sample_exception not in stats.template:
        summary += f", e.g. {fence(shorten(sample_exception, 160), 170)}"
    data_start = scan.data_start_of(stats)
    if data_start is not None:
        attrs["no_baseline"] = scan.no_baseline_of(stats)
        attrs["baseline_from"] = iso(data_start)
    return Evidence(
        id=stats.id,
        source="logs",
        kind="error_pattern",
        summary=summary,
        time=stats.onset or stats.first_seen,
        link=logs_insights_link(region, groups or sorted(scan.groups), pattern_query(stats.template), scan.window),
        score=stats.score,
        attrs=attrs,
    )


def _before(stats: PatternStats, scan: PatternScan) -> str:
    """'12 before', or 'no data before 09:00Z' when there is no baseline to count in."""
    data_start = scan.data_start_of(stats)
    if scan.no_baseline_of(stats) and data_start is not None:
        return f"no data before {_clock(data_start)[:5]}Z" + (f"; first at {_clock(stats.first_seen)[:5]}Z" if stats.new else "")
    return f"{stats.baseline_count} before"


def patterns_result(scan: PatternScan, region: str, max_patterns: int, title: str) -> ToolResult:
    """The find_error_patterns answer: headline, one block per pattern, evidence for up to 30 patterns."""
    ranked = rank(scan)
    status = "partial" if scan.partial else ("ok" if ranked else "empty")
    result = ToolResult("logs", title, scan.window, status=status)
    new_count = sum(1 for s in ranked if s.new)
    baseline = scan.window.baseline()
    compared = (f"{new_count} NEW (first seen well after the data starts at {iso(scan.data_start)}; there is no baseline)"
                if scan.no_baseline and scan.data_start is not None else
                f"{new_count} NEW compared with {baseline} ({scan.baseline_error_lines} error lines then)")
    result.headline.append(
        f"Scanned {scan.scanned} events in {len(scan.groups)} log group(s); {scan.error_lines} error lines in "
        f"{len(ranked)} patterns, {compared}."
    )
    if any(scan.trend):
        result.headline.append(f"Error lines per {scan.bucket_seconds // 60 or 1} min: {' '.join(str(v) for v in scan.trend)}")
    if scan.partial:
        result.fail(scan.partial, "the counts below are incomplete; narrow the window or name one log_group", partial=True)
    if not ranked:
        result.headline.append("No error, exception or timeout lines in that window.")
    section = result.section(
        f"Patterns, most significant first (trend per {scan.bucket_seconds // 60 or 1} min)",
        "ask search_logs with a pattern id for its lines",
    )
    for stats in ranked[:max_patterns]:
        tag = "NEW " if stats.new else ""
        section.lines.append(
            f"{stats.id} {tag}count {stats.count} ({_before(stats, scan)}) first {_clock(stats.first_seen)} "
            f"last {_clock(stats.last_seen)} onset {_clock(stats.onset)} groups {safe(', '.join(sorted(stats.groups)), 200)} "
            f"trend {' '.join(str(v) for v in stats.trend)}"
        )
        section.lines.append(f"  pattern {fence(stats.template, 300)}")
        for line in stats.samples():
            section.lines.append(f"  e.g. {_clock(line.timestamp)} {fence(line.message, 300)}")
    if len(ranked) > max_patterns:
        result.notes.append(f"{len(ranked) - max_patterns} smaller patterns not shown; their ids are in the evidence")
    result.evidence = [evidence_of(stats, scan, region) for stats in ranked[:MAX_EVIDENCE]]
    result.notes.extend(scan.notes)
    result.data["patterns"] = len(ranked)
    return result


def lines_result(
    lines: list[LogLine],
    window: Window,
    region: str,
    title: str,
    headline: str,
    notes: list[str],
    partial: str | None = None,
) -> ToolResult:
    """The search_logs answer: matching lines newest first, each with group, stream and a console link."""
    result = ToolResult("logs", title, window, status="partial" if partial else ("ok" if lines else "empty"))
    result.headline.append(headline)
    if partial:
        result.fail(partial, "the lines below are incomplete; narrow the window", partial=True)
    section = result.section("Lines, newest first", "lower the limit or narrow the window")
    for line in lines:
        section.lines.append(
            f"{iso(line.timestamp)} {safe(line.group, 200)} {safe(line.stream, 120)} {fence(line.message, 400)}"
        )
        section.lines.append(f"  link {line_link(line, region)}")
    result.notes.extend(notes)
    return result


def line_link(line: LogLine, region: str) -> str:
    """The console's log-events view of the line's stream, opened at the minute around the line."""
    return log_events_link(region, line.group, line.stream, line.timestamp - LINE_CONTEXT, line.timestamp + LINE_CONTEXT)
