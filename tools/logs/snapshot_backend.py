"""Snapshot backend of the logs tools: stream a snapshot's CloudWatch Logs events and mine or search them.

One pass over the events of the window and its baseline (bounded memory: per-pattern counters and a few kept
lines, a bounded heap for search); both stop when the request's deadline runs out and say the answer is partial. The template miner sees every error line of both windows, so a pattern's id
does not depend on ``contains`` and search_logs can find the same pattern again by re-mining.

``scan_patterns`` reads raw line blocks and parses a canonical event line without json.loads (see "the fast
scan" below); every other line goes through the reader's exact checks, so the answer is that of a full parse:
malformed lines are counted wherever they are, in the window or not.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from json.decoder import scanstring
from typing import Any

from tools.common.deadline import Deadline
from tools.common.snapshot import ReadStats, Snapshot, line_blocks, parse_log_event
from tools.common.timewindow import UTC, Window
from tools.logs.digest import bucket_seconds, from_millis, merge_by_template
from tools.logs.errorline import is_error_line
from tools.logs.groups import GroupSelection, check_seen
from tools.logs.matching import ERROR_REGEX, Match, is_error
from tools.logs.miner import TemplateMiner
from tools.logs.model import LogLine, PatternScan, PatternStats

CHECK_EVERY = 2000  # events between deadline checks


def _moment(event: dict[str, Any], stats: ReadStats) -> datetime | None:
    """An event's time; None (a skipped record) when its timestamp is out of range."""
    try:
        return from_millis(float(event["timestamp"]))
    except (OverflowError, OSError, ValueError):
        stats.skip_record("logs", "timestamp out of range")
        return None


def _events(snapshot: Snapshot, span: Window, selection: GroupSelection, stats: ReadStats, seen: set[str]) -> Iterator[LogLine]:
    """The events inside ``span`` of the selected groups (every group name is recorded in ``seen``)."""
    for event in snapshot.log_events(stats):
        group = event["logGroupName"]
        seen.add(group)
        if not selection.admits(group):
            continue
        moment = _moment(event, stats)
        if moment is not None and span.contains(moment):
            yield LogLine(moment, group, str(event.get("logStreamName", "")), event["message"])


# --- the fast scan of find_error_patterns ------------------------------------------------------
# Most events of a large snapshot are neither errors nor malformed, and json.loads of every line was most of the
# cost. A line in the shape of a CloudWatch Logs event (FilterLogEvents' keys in their order, compact or
# json.dumps spacing; group and stream without escapes) is read with one anchored regular expression for its
# head, the JSON decoder's own string scanner (``scanstring``, strict: the same checks and the same value as
# json.loads) for the message, and one for the tail: that proves the line is valid JSON and gives the fields
# without building a dict. Any other line (another key order, escapes in the group, floats, a malformed line)
# takes the exact path of the reader (``parse_log_event``), so counts, skipped-line notes, patterns and ids are
# those of a full parse.

_STRING = r'[^"\\\x00-\x1f]*'  # a JSON string body without escapes: its text is its value
_EVENT_HEAD = re.compile(
    r'\{"logGroupName": ?"(' + _STRING + r')", ?"logStreamName": ?"(' + _STRING + r')", ?"timestamp": ?(0|[1-9][0-9]{0,14}), ?"message": ?"'
).match
_EVENT_TAIL = re.compile(r'(?:, ?"ingestionTime": ?-?(?:0|[1-9][0-9]{0,17}))?(?:, ?"eventId": ?"' + _STRING + r'")?\}').fullmatch
# Below 2**31 s, float(ms) / 1000 is within 0.2 microsecond of the exact instant, so ``from_millis`` gives exactly
# ms * 1000 microseconds and comparing integer milliseconds with the window is the same test.
_SAFE_MILLIS = 2**31 * 1000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _error_words() -> tuple[str, ...] | None:
    """The words of the fixed error filter when it is a plain case-insensitive alternation (else None)."""
    found = re.fullmatch(r"\(\?i\)\(([a-z |]+)\)", ERROR_REGEX)
    return tuple(found.group(1).split("|")) if found else None


_WORDS = _error_words()


def _is_error(message: str) -> bool:
    """``matching.is_error``: on ASCII text, (?i) matching is lower-casing, and substring tests are far faster;
    a structured candidate then goes through ``errorline`` (its level or status field decides)."""
    if _WORDS is not None and message.isascii():
        low = message.lower()
        return any(word in low for word in _WORDS) and _judged(message)
    return is_error(message) and _judged(message)


def _judged(message: str) -> bool:
    """A line with an error word is an error unless its own fields say otherwise (JSON or logfmt lines only:
    for plain text the words were the decision)."""
    if message.lstrip()[:1] == "{" or "=" in message[:400]:
        return is_error_line(message)
    return True


def _ceil_millis(moment: datetime) -> int:
    """The smallest integer millisecond at or after ``moment``."""
    return -(-((moment - _EPOCH) // timedelta(microseconds=1)) // 1000)


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
    span = Window(baseline.start, window.end)
    stats, seen = ReadStats(), set()
    admitted: dict[str, bool] = {}
    miner = TemplateMiner()
    clusters: dict[int, PatternStats] = {}
    buckets = max(1, int(-(-window.seconds // seconds)))
    scan = PatternScan(window, seconds, [], trend=[0] * buckets)
    needle = contains.lower() if contains else None
    low_ms, start_ms, end_ms = _ceil_millis(span.start), _ceil_millis(window.start), _ceil_millis(window.end)
    words = _WORDS or ()
    count = scanned = records = 0
    groups: set[str] = set()

    def mine(moment: datetime, group: str, stream: str, message: str, in_window: bool) -> None:
        key = miner.add(message)
        if needle is not None and needle not in message.lower():
            return
        cluster = clusters.get(key)
        if cluster is None:
            cluster = clusters[key] = PatternStats("", [0] * buckets)
        if in_window:
            line = LogLine(moment, group, stream, message)
            scan.error_lines += 1
            index = scan.bucket(moment)
            if index is not None:
                scan.trend[index] += 1
            cluster.add(line, window, seconds, keep)
        else:
            scan.baseline_error_lines += 1
            cluster.baseline_count += 1

    for label, lines in line_blocks(snapshot, "logs", stats):
        if deadline is not None and deadline.expired():
            scan.partial = f"ran out of time after reading {count} events; the counts cover only those"
            break
        for text in lines:
            head = _EVENT_HEAD(text)
            if head is not None:
                try:
                    message, end = scanstring(text, head.end())
                except ValueError:  # not a valid JSON string: the exact path counts the line
                    message, end = "", -1
                group, stream, stamp = head.groups()
                millis = int(stamp)
                if end >= 0 and millis < _SAFE_MILLIS and _EVENT_TAIL(text, end) is not None:
                    records += 1
                    admits = admitted.get(group)
                    if admits is None:
                        seen.add(group)
                        admits = admitted[group] = selection.admits(group)
                    if not admits or not low_ms <= millis < end_ms:
                        continue
                    count += 1
                    in_window = millis >= start_ms
                    if in_window:
                        scanned += 1
                        groups.add(group)
                    if words and message.isascii():  # matching.is_error, inlined: (?i) on ASCII is lower-casing
                        low = message.lower()
                        for word in words:
                            if word in low:
                                break
                        else:
                            continue
                    elif not is_error(message):
                        continue
                    if not _judged(message):
                        continue
                    mine(from_millis(float(millis)), group, stream, message, in_window)
                    continue
            event = parse_log_event(label, text, stats)
            if event is None:
                continue
            group = event["logGroupName"]
            admits = admitted.get(group)
            if admits is None:
                seen.add(group)
                admits = admitted[group] = selection.admits(group)
            if not admits:
                continue
            moment = _moment(event, stats)
            if moment is None or not span.contains(moment):
                continue
            count += 1
            in_window = window.contains(moment)
            if in_window:
                scanned += 1
                groups.add(group)
            message = event["message"]
            if _is_error(message):
                mine(moment, group, str(event.get("logStreamName", "")), message, in_window)
    stats.records += records  # the exact path counts its own
    scan.scanned = scanned
    scan.groups |= groups
    if scan.partial is None:
        check_seen(selection, seen)
    for key, cluster in clusters.items():
        cluster.template = miner.template(key)
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
