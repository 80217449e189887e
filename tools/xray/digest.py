"""Digest X-Ray root causes into facts: groups by (service, exception, downstream) with counts, onset, sample
traces and console links, plus per-service and per-exception counts and faulty-versus-total traces."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from tools.common.evidence import Evidence, evidence_id, xray_trace_link, xray_traces_query_link
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.common.timewindow import UTC, Window, iso
from tools.xray.model import Fault, Fetched, Query

MAX_GROUPS = 25
MAX_TRACE_IDS = 5
MAX_SAMPLES = 5
_NAME = 120
_LATEST = datetime.max.replace(tzinfo=UTC)
_NOUN = {"fault": "faults (5xx)", "error": "errors (4xx)", "throttle": "throttles (429)", "slow": "slow responses"}


@dataclass
class Group:
    """The faults sharing one (service, exception, downstream).

    Built complete by ``group()``; the derived figures are computed once on first use (they are read per fault
    and per section while rendering), so ``faults`` must not change after that.
    """

    service: str
    exception: str
    downstream: str
    faults: list[Fault] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.faults)

    @cached_property
    def onset(self) -> datetime | None:
        times = [f.time for f in self.faults if f.time is not None]
        return min(times) if times else None

    @cached_property
    def message(self) -> str:
        return next((f.message for f in self.faults if f.message), "")

    @cached_property
    def entity_path(self) -> tuple[str, ...]:
        return Counter(f.entity_path for f in self.faults).most_common(1)[0][0]

    @cached_property
    def trace_ids(self) -> list[str]:
        ordered = sorted(self.faults, key=lambda f: (f.time or _LATEST, f.trace_id))
        return list(dict.fromkeys(f.trace_id for f in ordered if f.trace_id))[:MAX_TRACE_IDS]

    @cached_property
    def resources(self) -> list[str]:
        return list(dict.fromkeys(r for f in self.faults for r in f.resources if r))[:10]

    def describe(self) -> str:
        """``checkout → DynamoDB PutItem table orders: ConnectTimeoutError`` (our text around their names)."""
        target = f"{self.service} → {self.downstream}" if self.downstream else self.service
        return safe(f"{target}: {self.exception}", 3 * _NAME)


def group(faults: list[Fault]) -> list[Group]:
    """Groups, biggest first (ties: earliest onset, then name)."""
    groups: dict[tuple[str, str, str], Group] = {}
    for fault in faults:
        groups.setdefault(fault.key, Group(*fault.key)).faults.append(fault)
    return sorted(groups.values(), key=lambda g: (-g.count, g.onset or _LATEST, g.service, g.exception, g.downstream))


def _evidence(g: Group, query: Query, region: str, total_faults: int) -> Evidence:
    sample = g.trace_ids[0] if g.trace_ids else ""
    onset = g.onset
    return Evidence(
        id=evidence_id("xray", g.service, g.exception, g.downstream),
        source="xray",
        kind="trace_fault",
        summary=f"{g.count} trace(s): " + g.describe(),
        time=onset,
        link=xray_trace_link(region, sample) if sample else None,
        score=g.count / total_faults if total_faults else 0.0,
        attrs={  # names come from segment documents: redacted and neutralised like any untrusted text
            "service": safe(g.service, _NAME),
            "entity_path": safe(" > ".join(g.entity_path), 2 * _NAME),
            "exception": safe(g.exception, 2 * _NAME),
            "message": safe(g.message, 400),
            "downstream": safe(g.downstream, 2 * _NAME),
            "count": g.count,
            "kind": query.kind,
            "trace_ids": [safe(t, 80) for t in g.trace_ids],
            "resources": [safe(r, 2 * _NAME) for r in g.resources],
            "onset": iso(onset) if onset else None,
        },
    )


def _counts_line(counter: Counter[str]) -> str:
    return ", ".join(f"{safe(name, _NAME)} {count}" for name, count in counter.most_common(10))


def _headline(result: ToolResult, query: Query, fetched: Fetched, groups: list[Group]) -> None:
    faulty = len(fetched.faults)
    noun = _NOUN[query.kind]
    scope = f" through service {safe(query.service, _NAME)}" if query.service else ""
    if fetched.total:
        share = f" ({100.0 * faulty / fetched.total:.1f}%)" if fetched.total >= faulty else ""
        result.headline.append(f"{faulty} of {fetched.total} traces in the window had {noun}{scope}{share}.")
    else:
        result.headline.append(f"{faulty} traces{scope} in the window had {noun}.")
    if fetched.baseline is not None:
        bound = "at least " if fetched.baseline_partial else ""
        result.headline.append(f"Baseline (the equal window before): {bound}{fetched.baseline} trace(s) with {noun}.")
    if groups:
        top = groups[0]
        since = f", first at {iso(top.onset)}" if top.onset else ""
        result.headline.append(f"Top root cause: {top.describe()} ({top.count} of {faulty} traces{since}).")


def _root_causes(result: ToolResult, groups: list[Group]) -> None:
    causes = result.section("Root causes (service → downstream: exception)", "add service=... or narrow the window")
    for g, ev in zip(groups, result.evidence):
        when = f" first {iso(g.onset)}" if g.onset else ""
        message = f" {fence(g.message, 300)}" if g.message else ""
        path = safe(" > ".join(g.entity_path), 2 * _NAME)
        causes.lines.append(f"{ev.id} {g.count}× {g.describe()}{message}{when} | path {path}" + (f" | trace {ev.link}" if ev.link else ""))
    if len(groups) > MAX_GROUPS:
        causes.lines.append(f"… {len(groups) - MAX_GROUPS} smaller group(s) not listed")


def _counts_and_samples(result: ToolResult, faults: list[Fault], groups: list[Group], region: str) -> None:
    counts = result.section("Counts")
    counts.lines.append("services: " + _counts_line(Counter(f.service for f in faults)))
    counts.lines.append("exceptions: " + _counts_line(Counter(f.exception for f in faults)))
    downstream = Counter(f.downstream for f in faults if f.downstream)
    if downstream:
        counts.lines.append("downstream calls: " + _counts_line(downstream))
    samples = result.section("Sample traces")
    for g in groups[:MAX_SAMPLES]:
        first = g.trace_ids[0] if g.trace_ids else None
        sample = next((f for f in g.faults if first is not None and f.trace_id == first), g.faults[0])
        when = iso(sample.time) if sample.time else "time unknown"
        samples.lines.append(f"{safe(sample.trace_id, 80)} {when} {g.describe()} {xray_trace_link(region, sample.trace_id)}")


def build(query: Query, fetched: Fetched, window: Window | None, region: str, expression: str) -> ToolResult:
    """The ToolResult of ``find_trace_faults`` from what a backend fetched."""
    groups = group(fetched.faults)
    status = "partial" if fetched.partial else ("ok" if fetched.faults else "empty")
    result = ToolResult("xray", f"find_trace_faults: {len(fetched.faults)} trace(s) with {_NOUN[query.kind]}", window, status=status)
    _headline(result, query, fetched, groups)
    result.evidence = [_evidence(g, query, region, len(fetched.faults)) for g in groups[:MAX_GROUPS]]
    if fetched.faults:
        _root_causes(result, groups)
        _counts_and_samples(result, fetched.faults, groups, region)
    else:
        scope = "among the traces read" if fetched.partial else "in the window"
        result.headline.append(f"No trace had {_NOUN[query.kind]} {scope}.")
    if window is not None:
        result.notes.append(f"all matching traces in the X-Ray console: {xray_traces_query_link(region, expression, window)}")
    result.notes.extend(fetched.notes)
    for what in fetched.partial:
        result.fail(what, "counts cover what was read; narrow the window or add service=...", partial=True)
    return result
