"""The logs tool's data model: a ``LogLine`` as either backend reads it, one template's ``PatternStats`` (window
and baseline counts, trend, samples) and the ``PatternScan`` a backend returns for the digest.

Both backends (Logs Insights and snapshot) fill the same types, so ``tools.logs.digest`` is shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tools.common.timewindow import Window
from tools.logs.miner import template_id

SAMPLES = 2  # lines shown per pattern: its first and its most recent


@dataclass
class LogLine:
    timestamp: datetime
    group: str
    stream: str
    message: str


@dataclass
class PatternStats:
    """One template's counts in the window and the baseline, with a few lines kept as samples."""

    template: str
    trend: list[int]
    count: int = 0
    baseline_count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    groups: set[str] = field(default_factory=set)
    first: LogLine | None = None
    recent: list[LogLine] = field(default_factory=list)  # newest first, at most ``keep`` lines
    severity_label: str | None = None
    onset: datetime | None = None
    new: bool = False
    score: float = 0.0

    @property
    def id(self) -> str:
        return template_id(self.template)

    def add(self, line: LogLine, window: Window, seconds: int, keep: int) -> None:
        """Count one line of the window."""
        self.count += 1
        self.groups.add(line.group)
        if self.first_seen is None or line.timestamp < self.first_seen:
            self.first_seen = line.timestamp
            self.first = line
        if self.last_seen is None or line.timestamp > self.last_seen:
            self.last_seen = line.timestamp
        index = int((line.timestamp - window.start).total_seconds() // seconds)
        if 0 <= index < len(self.trend):
            self.trend[index] += 1
        if len(self.recent) < keep or line.timestamp > self.recent[-1].timestamp:
            self.recent.append(line)
            self.recent.sort(key=lambda item: item.timestamp, reverse=True)
            del self.recent[keep:]

    def merge(self, other: PatternStats, keep: int) -> None:
        """Fold another cluster with the same template into this one."""
        self.count += other.count
        self.baseline_count += other.baseline_count
        self.groups |= other.groups
        self.trend = [a + b for a, b in zip(self.trend, other.trend)]
        if other.first_seen is not None and (self.first_seen is None or other.first_seen < self.first_seen):
            self.first_seen, self.first = other.first_seen, other.first
        if other.last_seen is not None and (self.last_seen is None or other.last_seen > self.last_seen):
            self.last_seen = other.last_seen
        self.recent = sorted(self.recent + other.recent, key=lambda item: item.timestamp, reverse=True)[:keep]

    def samples(self) -> list[LogLine]:
        chosen = [line for line in (self.first, self.recent[0] if self.recent else None) if line is not None]
        if len(chosen) == 2 and chosen[0].message == chosen[1].message:
            chosen = chosen[:1]
        return chosen[:SAMPLES]


@dataclass
class PatternScan:
    """What a backend found: the patterns, how much it read, and notes (skipped lines, caps, partial data)."""

    window: Window
    bucket_seconds: int
    patterns: list[PatternStats]
    scanned: int = 0
    error_lines: int = 0
    baseline_error_lines: int = 0
    groups: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    partial: str | None = None
    trend: list[int] = field(default_factory=list)  # all error lines per bucket
    data_start: datetime | None = None  # where the data begins when it begins after the baseline's start
    # AWS mode: where the data of a log group begins, for groups whose data begins after the baseline's start
    group_starts: dict[str, datetime] = field(default_factory=dict)

    @property
    def no_baseline(self) -> bool:
        return self.data_start is not None and self.data_start >= self.window.start

    def data_start_of(self, stats: PatternStats) -> datetime | None:
        """Where the data of a pattern begins: that of its log groups when every one of them begins late, the
        earliest late start when its groups are unknown (AWS mode: none of its lines among the newest, so it may
        be from a late group), else the source's (None: the whole baseline has data)."""
        if stats.groups and all(group in self.group_starts for group in stats.groups):
            return min(self.group_starts[group] for group in stats.groups)
        if not stats.groups and self.group_starts and self.data_start is None:
            return min(self.group_starts.values())
        return self.data_start

    def no_baseline_of(self, stats: PatternStats) -> bool:
        start = self.data_start_of(stats)
        return start is not None and start >= self.window.start

    def bucket(self, moment: datetime) -> int | None:
        index = int((moment - self.window.start).total_seconds() // self.bucket_seconds)
        return index if 0 <= index < len(self.trend) else None
