"""Fetch X-Ray root causes from a snapshot's ``xray/`` BatchGetTraces documents: the same root-cause analysis
as the AWS path's samples (``segments.root_cause``), applied to every trace of the window and its baseline."""

from __future__ import annotations

from typing import Any

from tools.common.app import ToolRequest
from tools.common.snapshot import ReadStats
from tools.common.timewindow import iso
from tools.xray.model import Fetched, Query
from tools.xray.segments import analyse, documents, start_of

_CHECK_EVERY = 200


def _through(docs: list[dict[str, Any]], service: str | None) -> bool:
    if service is None:
        return True
    wanted = service.lower()
    return any(str(doc.get("name", "")).lower() == wanted for doc in docs)


def fetch(request: ToolRequest, query: Query) -> Fetched:
    """Every trace of the window (deduplicated by id): totals, root causes and the baseline count."""
    assert request.snapshot is not None and request.window is not None
    window, baseline = request.window, request.window.baseline()
    fetched = Fetched(total=0, baseline=0)
    stats = ReadStats()
    seen: set[str] = set()
    for index, trace in enumerate(request.snapshot.xray_traces(stats)):
        if index % _CHECK_EVERY == 0 and request.deadline.expired():
            fetched.partial.append(f"the time budget ran out after {index} traces of the snapshot")
            break
        trace_id = str(trace.get("Id", ""))
        if not trace_id or trace_id in seen:
            continue
        seen.add(trace_id)
        docs = documents(trace)  # each Document string is parsed once per trace
        moment = start_of(trace_id, docs)
        if moment is None:
            continue
        in_window = window.contains(moment)
        if not in_window and not baseline.contains(moment):
            continue  # outside both windows: no root-cause analysis needed
        fault = analyse(trace_id, docs, query.kind) if _through(docs, query.service) else None
        if in_window:
            fetched.total = (fetched.total or 0) + 1
            if fault is not None:
                fault.time = moment
                fetched.faults.append(fault)
        elif fault is not None:
            fetched.baseline = (fetched.baseline or 0) + 1
    skipped = stats.describe()
    if skipped:
        fetched.notes.append(skipped)
    covered = request.snapshot.manifest.start
    if covered >= baseline.end:
        fetched.baseline = None
        fetched.notes.append(f"no baseline: the snapshot starts at {iso(covered)}, with the window")
    elif covered > baseline.start:
        fetched.baseline_partial = True
        fetched.notes.append(f"the snapshot starts at {iso(covered)}, so the baseline is shorter than the window")
    return fetched
