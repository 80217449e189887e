"""Coverage: what a tool could and could not read, per source, so no answer is silent about missing data.

Three things are tracked, and every tool result, the triage report's ``sources`` and the Slack answer carry them:

* **missing data** — files a snapshot reader could not read (and why: "truncated gzip", "not JSON"), records it
  skipped, pages or log groups not read, the deadline. Snapshot readers report into the collector of the call
  (``collecting()``, a context variable set by the tool contract and by triage's fan-out), so no tool can drop a
  skipped file silently; ``apply_gaps`` then turns an ``ok``/``empty`` result into ``partial`` and says what is
  missing.
* **no baseline** — the data of a source starts at time T (a snapshot's manifest start; in AWS mode, for logs,
  the latest of a log group's creation and now minus its retention, from DescribeLogGroups), so nothing before T
  can be compared with: a pattern first seen at T is not "new", a metric at T did not "appear". ``Baseline`` says
  whether the comparison window is covered, shortened or missing, and ``new_without_baseline`` decides whether
  something first seen after T is new in the data that exists.
* the per-source coverage entry, ``result.data['coverage'][source]`` = ``{"missing": [...], "baseline_from":
  ISO or absent, "no_baseline": bool, "no_baseline_parts": [...] or absent}``, copied into the triage report's
  ``sources`` entries (optional fields of ``triage-report.schema.json``). ``no_baseline_parts`` names the parts
  (log groups) whose data starts late when the source as a whole has its baseline.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tools.common.timewindow import Window, iso

MAX_MISSING = 5  # unreadable files named per source; the rest are counted
# Something first seen after the data began is "new" only if, at the rate it then occurred, it would have shown
# at least this many times in the data before it: P(no occurrence | Poisson(3)) = e^-3 < 5 %, so a pattern
# that simply had not happened yet by chance is not called new (a rare one first seen soon after T is not).
NEW_MIN_EXPECTED = 3.0


@dataclass
class SourceGaps:
    """What one source's readers skipped."""

    files: list[str] = field(default_factory=list)
    unreadable_files: int = 0
    skipped_records: int = 0
    record_reasons: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # parts not read: log groups or series beyond a cap, pages

    def missing(self) -> list[str]:
        """Human lines: the unreadable files and why, the count of skipped records, the parts not read."""
        lines = list(self.parts) + [f"unreadable file {f}" for f in self.files]
        if self.unreadable_files > len(self.files):
            lines.append(f"{self.unreadable_files - len(self.files)} more unreadable file(s)")
        if self.skipped_records:
            lines.append(f"{self.skipped_records} malformed record(s) skipped" +
                         (f" (e.g. {self.record_reasons[0]})" if self.record_reasons else ""))
        return lines


@dataclass
class Gaps:
    """Per source (snapshot folder), what the readers of one tool call skipped."""

    by_source: dict[str, SourceGaps] = field(default_factory=dict)

    def of(self, source: str) -> SourceGaps:
        return self.by_source.setdefault(source, SourceGaps())

    def __bool__(self) -> bool:
        return any(g.unreadable_files or g.skipped_records or g.parts for g in self.by_source.values())


_CURRENT: ContextVar[Gaps | None] = ContextVar("opsagent_read_gaps", default=None)


@contextmanager
def collecting() -> Iterator[Gaps]:
    """Collect what snapshot readers skip during one tool call (nested calls share the outer collector)."""
    outer = _CURRENT.get()
    if outer is not None:
        yield outer
        return
    gaps = Gaps()
    token = _CURRENT.set(gaps)
    try:
        yield gaps
    finally:
        _CURRENT.reset(token)


def _source_of(label: str) -> str:
    return label.split("/", 1)[0] if "/" in label else label


def _entry(label: str) -> SourceGaps | None:
    """The gaps entry of ``label``'s source in the current collection, or None outside one."""
    gaps = _CURRENT.get()
    return None if gaps is None else gaps.of(_source_of(label))


def unreadable_file(label: str, why: str) -> None:
    """A reader could not read (all or the end of) the file ``label`` (``<folder>/<path>``)."""
    entry = _entry(label)
    if entry is None:
        return
    entry.unreadable_files += 1
    if len(entry.files) < MAX_MISSING:
        entry.files.append(f"{label}: {why}")


def skipped_record(label: str, why: str) -> None:
    """A reader skipped one malformed record of ``label`` (a file, or a bare folder name)."""
    entry = _entry(label)
    if entry is None:
        return
    entry.skipped_records += 1
    if len(entry.record_reasons) < 2:
        entry.record_reasons.append(f"{label}: {why}")


def not_read(source: str, what: str) -> None:
    """A part of ``source`` was not read (log groups or series beyond a cap, pages not fetched): the answer is
    ``partial`` and names it."""
    gaps = _CURRENT.get()
    if gaps is None:
        return
    parts = gaps.of(source).parts
    if what not in parts and len(parts) < MAX_MISSING:
        parts.append(what)


def entry(result: Any, source: str) -> dict[str, Any]:
    """The coverage entry of ``source`` in ``result.data`` (created empty)."""
    coverage = result.data.setdefault("coverage", {})
    return coverage.setdefault(source, {"missing": []})


def mark_missing(result: Any, source: str, what: str) -> None:
    """Say that part of ``source`` was not read; an ``ok``/``empty`` result becomes ``partial``."""
    missing = entry(result, source)["missing"]
    if what not in missing:
        missing.append(what)
    if result.status in ("ok", "empty"):
        result.status = "partial"
    line = f"not read ({source}): {what}"
    if line not in result.failures:
        result.failures.append(line)


def apply_gaps(result: Any, gaps: Gaps) -> None:
    """Fold what the readers skipped into ``result``: each missing part named, status ``partial``."""
    for source, gap in gaps.by_source.items():
        for what in gap.missing():
            mark_missing(result, source, what)


def sources_of(action_group: str) -> tuple[str, ...]:
    """The report sources an action group's tools read (the findings tools read two)."""
    return ("securityhub", "guardduty") if action_group == "findings" else (action_group,)


def apply_recording(result: Any, sources: tuple[str, ...], recorded: dict[str, dict[str, str]]) -> None:
    """What ``record`` could not capture (the manifest's ``sources``) is said in the answer: a source that failed
    when recorded is an ``error`` (not "not configured"), a partly recorded one is ``partial``."""
    for source in sources:
        entry = recorded.get(source) or {}
        status, detail = entry.get("status"), entry.get("detail", "")
        if status == "error":
            per_source = result.data.get("sources") if isinstance(result.data.get("sources"), dict) else {}
            own = per_source.get(source) if isinstance(per_source.get(source), dict) else {}
            read_nothing = own.get("status", result.status) in ("not_configured", "empty", "error")
            mark_missing(result, source, f"not captured when the snapshot was recorded: {detail}")
            if read_nothing:  # an error, not "not configured": the source exists but could not be captured
                result.data["coverage"][source]["recorded_error"] = True
                if len(sources) == 1:
                    result.status = "error"
        elif status == "partial":
            mark_missing(result, source, f"only partly captured when the snapshot was recorded: {detail}")


# --- baselines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The comparison window of a question and where the data of the source begins (None: not known to start
    inside it, e.g. live AWS sources other than logs)."""

    window: Window
    data_start: datetime | None = None

    @property
    def missing(self) -> bool:
        """No data at all before the window: nothing can be called new or changed against 'before'."""
        return self.data_start is not None and self.data_start >= self.window.end

    @property
    def shortened(self) -> bool:
        return self.data_start is not None and self.window.start < self.data_start < self.window.end

    @property
    def covered(self) -> Window | None:
        """The part of the comparison window that has data."""
        if self.missing:
            return None
        if self.shortened and self.data_start is not None:
            return Window(self.data_start, self.window.end)
        return self.window

    def note(self) -> str | None:
        """One line for the tool body, or None when the baseline is complete."""
        if self.data_start is None:
            return None
        if self.missing:
            return (f"no baseline: the data starts at {iso(self.data_start)}, so nothing can be called new or changed "
                    "before it; 'new' below means first seen well after that")
        if self.shortened:
            return f"short baseline: the data starts at {iso(self.data_start)}, inside the comparison window {self.window}"
        return None

    def attrs(self) -> dict[str, Any]:
        """Evidence attrs ``no_baseline`` and ``baseline_from`` (see ``tools.common.evidence``)."""
        values: dict[str, Any] = {"no_baseline": self.missing}
        if self.missing or self.shortened:
            values["baseline_from"] = iso(self.data_start) if self.data_start else None
        return values

    def record(self, result: Any, source: str) -> None:
        """Write the baseline coverage of ``source`` into ``result`` (data and a headline line first)."""
        if self.data_start is None:
            return
        cover = entry(result, source)
        cover["no_baseline"] = self.missing
        if self.missing or self.shortened:
            cover["baseline_from"] = iso(self.data_start)
        note = self.note()
        if note and note not in result.headline:
            result.headline.insert(0, note)


def baseline_for(request: Any, window: Window | None = None) -> Baseline:
    """The baseline of ``request``'s window: a snapshot holds no data before its manifest's start."""
    window = window or request.window
    comparison = window.baseline()
    snapshot = getattr(request, "snapshot", None)
    data_start = snapshot.manifest.start if snapshot is not None else None
    if data_start is not None and data_start <= comparison.start:
        data_start = None  # the whole comparison window has data
    return Baseline(comparison, data_start)


# Findings carry their own first-seen and updated times (the snapshot's start does not hide them), triage is the
# fan-out itself: neither gets a baseline note from the window.
_OWN_HISTORY = ("findings", "triage")


def apply_baseline(result: Any, request: Any, action_group: str) -> None:
    """Say ``no baseline`` (or a short one) in every source's answer whose data starts inside the comparison
    window: the coverage entry, a first headline line, and ``no_baseline``/``baseline_from`` on every evidence
    (a tool that decided them itself keeps its values)."""
    if action_group in _OWN_HISTORY or getattr(request, "window", None) is None:
        return
    baseline = baseline_for(request)
    if baseline.data_start is None or result.status in ("error", "not_configured"):
        return
    for source in sources_of(action_group):
        baseline.record(result, source)
    values = baseline.attrs()
    for item in result.evidence:
        for key, value in values.items():
            item.attrs.setdefault(key, value)


def new_without_baseline(first_seen: datetime | None, last_seen: datetime | None, count: int,
                         data_start: datetime, bucket_seconds: float = 60.0) -> bool:
    """Whether something first seen at ``first_seen`` is new in data that begins at ``data_start``: at the rate
    it occurred from then on, it would have been seen ``NEW_MIN_EXPECTED`` times in the data before it."""
    if first_seen is None or count <= 0 or first_seen <= data_start:
        return False
    active = max(((last_seen or first_seen) - first_seen).total_seconds() + bucket_seconds, bucket_seconds)
    expected_before = count / active * (first_seen - data_start).total_seconds()
    return expected_before >= NEW_MIN_EXPECTED and not math.isnan(expected_before)
