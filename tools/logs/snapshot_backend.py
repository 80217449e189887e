"""Snapshot backend of the logs tools: stream a snapshot's CloudWatch Logs events and mine or search them.

One pass over the events of the window and its baseline (bounded memory: per-pattern counters and a few kept
lines, a bounded heap for search); both stop when the request's deadline runs out and say the answer is partial. The template miner sees every error line of both windows, so a pattern's id
does not depend on ``contains`` and search_logs can find the same pattern again by re-mining.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime

from tools.common.deadline import Deadline
from tools.common.snapshot import ReadStats, Snapshot
from tools.common.timewindow import Window
from tools.logs.digest import LogLine, PatternScan, PatternStats, bucket_seconds, from_millis, merge_by_template
from tools.logs.groups import GroupSelection, check_seen
from tools.logs.matching import Match, is_error
from tools.logs.miner import TemplateMiner

CHECK_EVERY = 2000  # events between deadline checks


def _events(snapshot: Snapshot, span: Window, selection: GroupSelection, stats: ReadStats, seen: set[str]) -> Iterator[LogLine]:
    """The events inside ``span`` of the selected groups (every group name is recorded in ``seen``)."""
    for event in snapshot.log_events(stats):
        group = event["logGroupName"]
        seen.add(group)
        if not selection.admits(group):
            continue
        try:
            moment = from_millis(float(event["timestamp"]))
        except (OverflowError, OSError, ValueError):
            stats.skip_record("logs", "timestamp out of range")
            continue
        if span.contains(moment):
            yield LogLine(moment, group, str(event.get("logStreamName", "")), event["message"])


def scan_patterns(
    snapshot: Snapshot,
    window: Window,
    selection: GroupSelection,
    contains: str | None = None,
    keep: int = 2,
    deadline: Deadline | None = None,
) -> PatternScan:
    """Mine the error lines of the window and its baseline; count per template (only lines with ``contains``)."""
    seconds = bucket_seconds(window)
    baseline = window.baseline()
    stats, seen = ReadStats(), set()
    miner = TemplateMiner()
    clusters: dict[int, PatternStats] = {}
    buckets = max(1, int(-(-window.seconds // seconds)))
    scan = PatternScan(window, seconds, [], trend=[0] * buckets)
    needle = contains.lower() if contains else None
    for count, line in enumerate(_events(snapshot, Window(baseline.start, window.end), selection, stats, seen)):
        if count % CHECK_EVERY == 0 and deadline is not None and deadline.expired():
            scan.partial = f"ran out of time after reading {count} events; the counts cover only those"
            break
        in_window = window.contains(line.timestamp)
        if in_window:
            scan.scanned += 1
            scan.groups.add(line.group)
        if not is_error(line.message):
            continue
        key = miner.add(line.message)
        if needle is not None and needle not in line.message.lower():
            continue
        cluster = clusters.get(key)
        if cluster is None:
            cluster = clusters[key] = PatternStats("", [0] * buckets)
        if in_window:
            scan.error_lines += 1
            index = scan.bucket(line.timestamp)
            if index is not None:
                scan.trend[index] += 1
            cluster.add(line, window, seconds, keep)
        else:
            scan.baseline_error_lines += 1
            cluster.baseline_count += 1
    if scan.partial is None:
        check_seen(selection, seen)
    for key, cluster in clusters.items():
        cluster.template = miner.template(key, cluster.first.message if cluster.first else None)
    scan.patterns = [p for p in merge_by_template(list(clusters.values()), keep) if p.count > 0]
    note = stats.describe()
    if note:
        scan.notes.append(note)
    return scan


def search_lines(
    snapshot: Snapshot, window: Window, selection: GroupSelection, match: Match, limit: int, deadline: Deadline | None = None
) -> tuple[list[LogLine], int, int, list[str], str | None]:
    """The newest ``limit`` lines of the window that match: (lines, matched, scanned, notes, partial reason)."""
    stats, seen = ReadStats(), set()
    heap: list[tuple[datetime, int, LogLine]] = []
    matched = scanned = 0
    partial = None
    for order, line in enumerate(_events(snapshot, window, selection, stats, seen)):
        if order % CHECK_EVERY == 0 and deadline is not None and deadline.expired():
            partial = f"ran out of time after reading {order} events; newer matches may be missing"
            break
        scanned += 1
        if not match.matches(line.message):
            continue
        matched += 1
        item = (line.timestamp, order, line)
        if len(heap) < limit:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    if partial is None:
        check_seen(selection, seen)
    lines = [item[2] for item in sorted(heap, reverse=True)]
    note = stats.describe()
    return lines, matched, scanned, [note] if note else [], partial
