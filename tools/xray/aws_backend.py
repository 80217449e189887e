"""Fetch X-Ray root causes from AWS: GetTraceSummaries over the window (split into 6-hour calls, paginated
inside the deadline), then BatchGetTraces for a few sample traces per group to name the exception message and
the failing downstream call. The filter expression is fixed text plus a strictly validated service name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from tools.common import aws
from tools.common.app import ToolRequest
from tools.common.timewindow import Window, iso
from tools.xray.model import SERVICE_NAME, SLOW_SECONDS, Fault, Fetched, Kind, Query
from tools.xray.segments import root_cause, trace_time

MAX_CALL_HOURS = 6
BATCH_SIZE = 5
SAMPLE_GROUPS = 8
SAMPLES_PER_GROUP = 2
BASELINE_PAGES = 5
_CONDITION = {"fault": "fault = true", "error": "error = true", "throttle": "throttle = true", "slow": f"responsetime > {SLOW_SECONDS}"}
_CAUSES = {"fault": "FaultRootCauses", "error": "ErrorRootCauses", "throttle": "ErrorRootCauses", "slow": "ResponseTimeRootCauses"}
_COMPUTE_TYPES = {
    "client", "AWS::EC2::Instance", "AWS::ECS::Container", "AWS::EKS::Container", "AWS::ElasticBeanstalk::Environment",
    "AWS::Lambda", "AWS::Lambda::Function", "AWS::ApiGateway::Stage", "AWS::AppSync::GraphQLAPI", "AWS::StepFunctions::StateMachine",
}


def filter_expression(query: Query) -> str:
    """The X-Ray filter expression: fixed text per kind, plus ``service("name")`` for a validated name."""
    condition = _CONDITION[query.kind]
    if query.service is None:
        return condition
    if not SERVICE_NAME.fullmatch(query.service):  # defence in depth: service.py validated it already
        raise ValueError("service name failed validation")
    return f'service("{query.service}") AND {condition}'


def split_window(window: Window, hours: int = MAX_CALL_HOURS) -> list[Window]:
    """Consecutive windows of at most ``hours`` covering ``window`` (GetTraceSummaries' per-call limit)."""
    parts, start = [], window.start
    while start < window.end:
        end = min(window.end, start + timedelta(hours=hours))
        parts.append(Window(start, end))
        start = end
    return parts


def _pick_service(services: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    """The service that recorded the exception, and a downstream named by an inferred AWS/remote service."""
    with_exc = [s for s in services if any(e.get("Exceptions") for e in s.get("EntityPath") or [])]
    chosen = (with_exc or services)[-1]
    kind = str(chosen.get("Type") or "")
    index = services.index(chosen)
    if (kind == "remote" or (kind.startswith("AWS::") and kind not in _COMPUTE_TYPES)) and index > 0:
        return services[index - 1], str(chosen.get("Name") or "")
    return chosen, ""


def from_summary(summary: dict[str, Any], kind: Kind) -> Fault:
    """A Fault from a trace summary's root causes (refined later from a sample trace)."""
    trace_id = str(summary.get("Id", ""))
    causes = [c for c in summary.get(_CAUSES[kind]) or [] if c.get("Services")]
    causes.sort(key=lambda c: not c.get("ClientImpacting", False))
    fault = Fault(trace_id, trace_time(trace_id, summary.get("StartTime")), "?", (), f"{kind} (no root cause recorded)")
    if not causes:
        return fault
    service, downstream = _pick_service(causes[0]["Services"])
    path = [e for e in service.get("EntityPath") or [] if isinstance(e, dict)]
    exceptions = [x for e in path for x in e.get("Exceptions") or []]
    remote = [str(e.get("Name")) for e in path if e.get("Remote") and e.get("Name") != service.get("Name")]
    fault.service = str(service.get("Name") or "?")
    fault.entity_path = tuple(str(e.get("Name", "?")) for e in path) or (fault.service,)
    if kind == "slow":
        fault.exception = f"slow (> {SLOW_SECONDS} s)"
    elif exceptions:
        fault.exception = str(exceptions[-1].get("Name") or fault.exception)
        fault.message = str(exceptions[-1].get("Message") or "")
    fault.downstream = downstream or (remote[-1] if remote else "")
    fault.resources = tuple(r for r in (fault.downstream, fault.service) if r)
    return fault


def _pages(client: Any, window: Window, expression: str, request: ToolRequest, fetched: Fetched, max_pages: int | None = None) -> Iterator[dict[str, Any]]:
    """GetTraceSummaries pages over ``window`` (6 h per call) until done, the deadline or ``max_pages``."""
    pages = 0
    for part in split_window(window):
        token: str | None = None
        while True:
            if request.deadline.expired():
                fetched.partial.append(f"the time budget ran out while listing traces (reached {iso(part.start)})")
                return
            if max_pages is not None and pages >= max_pages:
                fetched.baseline_partial = True
                return
            args: dict[str, Any] = {"StartTime": part.start, "EndTime": part.end, "FilterExpression": expression, "Sampling": False}
            if token:
                args["NextToken"] = token
            try:
                page = client.get_trace_summaries(**args)
            except Exception as exc:  # noqa: BLE001 - botocore errors are translated below
                error = aws.explain("xray", "GetTraceSummaries", exc)
                if pages == 0 and max_pages is None:
                    raise error from None
                fetched.partial.append(f"{error.what} after {pages} page(s) — {error.hint}")
                return
            pages += 1
            yield page
            token = page.get("NextToken")
            if not token:
                break


def _summaries(client: Any, request: ToolRequest, query: Query, fetched: Fetched) -> None:
    limit = int(request.config["xray"]["max_traces"])
    expression = filter_expression(query)
    processed = 0
    assert request.window is not None
    for page in _pages(client, request.window, expression, request, fetched):
        processed += int(page.get("TracesProcessedCount") or 0)
        for summary in page.get("TraceSummaries") or []:
            if len(fetched.faults) >= limit:
                fetched.partial.append(f"stopped after {limit} traces (xray.max_traces); counts are a lower bound")
                fetched.total = max(processed, len(fetched.faults))
                return
            fetched.faults.append(from_summary(summary, query.kind))
    fetched.total = max(processed, len(fetched.faults))


def _samples(client: Any, request: ToolRequest, query: Query, fetched: Fetched) -> None:
    """Refine the biggest groups from a few full traces: exception message, downstream call, resources."""
    groups: dict[tuple[str, str, str], list[Fault]] = defaultdict(list)
    for fault in fetched.faults:
        groups[fault.key].append(fault)
    ranked = sorted(groups.values(), key=len, reverse=True)[:SAMPLE_GROUPS]
    wanted = {f.trace_id: f.key for members in ranked for f in members[:SAMPLES_PER_GROUP]}
    ids = list(wanted)
    refined: dict[str, Fault] = {}
    for start in range(0, len(ids), BATCH_SIZE):
        if request.deadline.expired():
            fetched.notes.append("the time budget ran out before all sample traces were read")
            break
        try:
            for trace in _batch(client, ids[start:start + BATCH_SIZE]):
                fault = root_cause(trace, query.kind)
                if fault is not None:
                    refined[fault.trace_id] = fault
        except Exception as exc:  # noqa: BLE001 - samples are optional; the counts stand without them
            error = aws.explain("xray", "BatchGetTraces", exc)
            fetched.notes.append(f"sample traces not read: {error.what} — {error.hint}")
            break
    by_group: dict[tuple[str, str, str], Fault] = {}
    for trace_id, fault in refined.items():
        by_group.setdefault(wanted[trace_id], fault)
    for fault in fetched.faults:
        sample = refined.get(fault.trace_id) or by_group.get(fault.key)
        if sample is not None:
            _adopt(fault, sample, exact=fault.trace_id in refined)


def _adopt(fault: Fault, sample: Fault, exact: bool) -> None:
    """Take the sample's service, exception, downstream and resources (and its message and time when exact)."""
    fault.service, fault.exception, fault.downstream = sample.service, sample.exception, sample.downstream
    fault.entity_path, fault.resources = sample.entity_path, sample.resources
    if exact or not fault.message:
        fault.message = sample.message or fault.message
    if exact and sample.time is not None:
        fault.time = sample.time


def _batch(client: Any, trace_ids: list[str]) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        args: dict[str, Any] = {"TraceIds": trace_ids}
        if token:
            args["NextToken"] = token
        page = client.batch_get_traces(**args)
        yield from page.get("Traces") or []
        token = page.get("NextToken")
        if not token:
            return


def _baseline(client: Any, request: ToolRequest, query: Query, fetched: Fetched) -> None:
    """How many traces had the same problem in the equal window before (a few pages at most)."""
    assert request.window is not None
    if request.deadline.remaining() < 5:
        return
    scratch = Fetched()
    pages = _pages(client, request.window.baseline(), filter_expression(query), request, scratch, BASELINE_PAGES)
    count = sum(len(page.get("TraceSummaries") or []) for page in pages)
    if scratch.partial and count == 0:
        return
    fetched.baseline = count
    fetched.baseline_partial = scratch.baseline_partial or bool(scratch.partial)


def fetch(request: ToolRequest, query: Query) -> Fetched:
    """Root causes of the window's faulty traces, refined from samples, with totals and a baseline count."""
    client = aws.client("xray")
    fetched = Fetched()
    _summaries(client, request, query, fetched)
    if fetched.faults:
        _samples(client, request, query, fetched)
    if not fetched.partial:
        _baseline(client, request, query, fetched)
    return fetched
