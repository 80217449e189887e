"""The fast paths of find_error_patterns give what the plain reader and plain masking give."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.logs.conftest import CHECKOUT, PAYMENT, START, event, incident_events, write_snapshot
from tools.common.snapshot import ReadStats, Snapshot, line_blocks
from tools.common.timewindow import UTC, Window
from tools.logs import groups, miner, snapshot_backend
from tools.logs.digest import bucket_seconds, from_millis, merge_by_template
from tools.logs.matching import is_error
from tools.logs.model import PatternStats

WINDOW = Window(START + timedelta(hours=1), START + timedelta(hours=2))


def reference_scan(snapshot: Snapshot, window: Window, selection: groups.GroupSelection, contains: str | None = None) -> tuple:
    """The scan as it was before the fast path: every line through json.loads, the regex error filter, plain mask."""
    seconds = bucket_seconds(window)
    span = Window(window.baseline().start, window.end)
    stats, seen = ReadStats(), set()
    plain = miner.TemplateMiner()
    plain._mask = miner.mask  # type: ignore[assignment]
    clusters: dict[int, PatternStats] = {}
    buckets = max(1, int(-(-window.seconds // seconds)))
    scanned = errors = baseline = 0
    seen_groups: set[str] = set()
    for line in snapshot_backend._events(snapshot, span, selection, stats, seen):
        in_window = window.contains(line.timestamp)
        if in_window:
            scanned += 1
            seen_groups.add(line.group)
        if not is_error(line.message):
            continue
        key = plain.add(line.message)
        if contains and contains.lower() not in line.message.lower():
            continue
        cluster = clusters.setdefault(key, PatternStats("", [0] * buckets))
        if in_window:
            errors += 1
            cluster.add(line, window, seconds, 2)
        else:
            baseline += 1
            cluster.baseline_count += 1
    for key, cluster in clusters.items():
        cluster.template = plain.template(key)
    patterns = [p for p in merge_by_template(list(clusters.values()), 2) if p.count > 0]
    return summary(scanned, errors, baseline, seen_groups, patterns, stats.describe(), stats.records)


def summary(scanned, errors, baseline, seen_groups, patterns, note, records) -> tuple:
    rows = sorted((p.id, p.template, p.count, p.baseline_count, tuple(p.trend), p.first_seen, p.last_seen, tuple(sorted(p.groups)),
                   tuple((l.timestamp, l.stream, l.message) for l in p.recent)) for p in patterns)
    return scanned, errors, baseline, sorted(seen_groups), rows, note, records


def fast_scan(snapshot: Snapshot, window: Window, selection: groups.GroupSelection, contains: str | None = None) -> tuple:
    stats_before = ReadStats()
    scan = snapshot_backend.scan_patterns(snapshot, window, selection, contains, 2)
    note = scan.notes[0] if scan.notes else None
    records = sum(1 for _ in snapshot.log_events(stats_before)) and stats_before.records
    return summary(scan.scanned, scan.error_lines, scan.baseline_error_lines, scan.groups, scan.patterns, note, records)


def tricky_lines() -> list[str]:
    """Lines the fast path must leave to the exact reader, or read exactly as json.loads does."""
    millis = int((START + timedelta(minutes=70)).timestamp() * 1000)
    head = f'{{"logGroupName":"{CHECKOUT}","logStreamName":"s1","timestamp":{millis},'
    return [
        head + '"message":"ERROR caf\\u00e9 timed out after 3000ms","ingestionTime":1,"eventId":"e1"}',  # \u escape
        head + '"message":"ERR\\u004fR in handler 42","ingestionTime":1}',  # an escaped letter makes "ERROR"
        head + '"message":"plain \\"quoted\\" info line\\n\\tat frame","ingestionTime":1}',
        head + '"message":"Exception in thread \\"main\\" java.lang.IllegalStateException: id 7\\n\\tat x.y(Z.java:1)"}',
        head + '"message":"crİtical path 17","ingestionTime":1}',  # non-ASCII letters that (?i) folds to ASCII
        head + '"message":"ſevere 18","ingestionTime":1}',
        head + '"message":"tracebac\u212a 19","ingestionTime":1}',
        head + '"message":"raw control \x01 char error 5","ingestionTime":1}',  # invalid JSON: counted as malformed
        head + '"message":"truncated error line 9',  # invalid JSON
        head + '"message":"bad escape \\x error","ingestionTime":1}',  # invalid JSON
        head + '"message":"trailing error 1","ingestionTime":1} x',  # trailing garbage
        head + '"message":"duplicate key error 2","timestamp":1,"ingestionTime":1}',  # the last timestamp wins
        f'{{"logGroupName":"{PAYMENT}","logStreamName":"s2","timestamp":{millis}.5,"message":"float stamp failed 3"}}',
        f'{{"timestamp":{millis},"logGroupName":"{PAYMENT}","message":"other key order failure 4"}}',
        f'{{"timestamp":{millis},"logGroupName":"{PAYMENT}","message":"other key order ſevere 6"}}',
        f'{{"logGroupName":"{PAYMENT}","logStreamName":"s2","timestamp":99999999999999999999,"message":"far future error"}}',
        f'{{"logGroupName":"{PAYMENT}","logStreamName":"s2","timestamp":0,"message":"epoch error"}}',
        f'{{"logGroupName":"/ecs/other","logStreamName":"s3","timestamp":{millis},"message":"other group error 8"}}',
        f'{{"logGroupName":"{CHECKOUT}","logStreamName":"s1","timestamp":true,"message":"bool stamp error"}}',
        '   ',
        '',
        '[1, 2]',
        f'{{"logGroupName": "{CHECKOUT}", "logStreamName": "s1", "timestamp": {millis + 1}, "message": "ERROR spaced 1"}}',
        f'{{"logGroupName":"{CHECKOUT}","logStreamName":"s1","timestamp":{millis + 2},"message":"ERROR eventId only","eventId":"e"}}',
    ]


def test_fast_scan_matches_the_plain_reader_on_tricky_lines(tmp_path: Path) -> None:
    rng = random.Random(3)
    events = incident_events()
    for index in range(300):
        moment = START + timedelta(minutes=rng.randrange(120), milliseconds=rng.randrange(60_000))
        word = rng.choice(["ERROR", "Timeout", "connection refused", "INFO ok", "Access DENIED", "unavailable", "THROTTLED"])
        events.append(event(rng.choice([CHECKOUT, PAYMENT]), moment, f"{word} call {index} to 10.0.{index % 9}.{index % 250} in {rng.randrange(900)}ms"))
    root = write_snapshot(tmp_path / "tricky", events, tricky_lines())
    # the same lines once more, compact, gzip-compressed and with CRLF line ends, in a second file
    compact = [json.dumps(e, separators=(",", ":")) for e in events] + tricky_lines()
    (root / "logs" / "ecs" / "part-0002.jsonl.gz").write_bytes(gzip.compress(("\r\n".join(compact) + "\r\n").encode()))
    snapshot = Snapshot.open(root)
    for selection in (groups.in_snapshot(None), groups.in_snapshot(PAYMENT), groups.in_snapshot("/ecs/")):
        for contains in (None, "timed"):
            assert fast_scan(snapshot, WINDOW, selection, contains) == reference_scan(snapshot, WINDOW, selection, contains)
    assert fast_scan(snapshot, WINDOW, groups.in_snapshot(None))[5].startswith("skipped 14 malformed record(s)")


def test_line_blocks_give_the_lines_of_the_text_reader(tmp_path: Path) -> None:
    rng = random.Random(5)
    pieces = ["a", "b", "\u00e9", "\r\n", "\n", "\r", " ", "{}", "\u2028", "\x85"]
    text = "".join(rng.choice(pieces) for _ in range(20_000))
    data = text.encode() + b"\xff\xfe broken utf-8 \xc3"
    root = write_snapshot(tmp_path / "lines", [])
    (root / "logs" / "ecs" / "part-0001.jsonl").write_bytes(data)
    (root / "logs" / "ecs" / "part-0002.jsonl.gz").write_bytes(gzip.compress(data)[:-30])  # truncated gzip
    snapshot = Snapshot.open(root)
    slow, fast = ReadStats(), ReadStats()
    expected = [line for _label, line in snapshot.lines("logs", slow)]
    got = [line for _label, block in line_blocks(snapshot, "logs", fast) for line in block if line.strip()]
    assert got == expected
    assert (fast.files, fast.skipped_files, fast.reasons) == (slow.files, slow.skipped_files, slow.reasons) == (2, 1, slow.reasons)


def test_integer_millisecond_window_test_is_the_datetime_test() -> None:
    rng = random.Random(11)
    start = datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC)
    low = snapshot_backend._ceil_millis(start)
    for _ in range(200_000):
        millis = rng.choice([rng.randrange(snapshot_backend._SAFE_MILLIS), low + rng.randrange(-3, 3)])
        assert (from_millis(float(millis)) >= start) == (millis >= low)
        assert from_millis(float(millis)) == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)


_PIECES = list("0123456789xXaAfFgz .:-_/=@()[]<>*,;'\"\tT\u0663") + ["Nov ", "Mon, ", "0x", "ms", "2026-11-20 ", "\ud800"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=6))
def test_memoised_mask_is_mask(lines: list[str]) -> None:
    memo = miner._MaskMemo()
    for line in lines + lines:
        assert memo(line) == miner.mask(line)
        varied = "".join(str((int(c) + 7) % 10) if c in "0123456789" else c for c in line)
        assert memo(varied) == miner.mask(varied)


def test_masking_expressions_keep_the_memo_valid() -> None:
    assert miner._MEMO_SAFE  # else the memo is off (correct, but every error line is masked again)
