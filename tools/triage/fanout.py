"""Fan-out: call every configured source's tool in-process, in parallel, inside one deadline.

Each source becomes a ``SourceRun`` (status, detail, the tool's ``ToolResult`` when it answered). A source that
raises, is missing, or does not finish in its share of the budget is recorded as ``error``/``partial`` and the
others still count. The tasks come from the source registry (``tools.sources``): each enabled source's declared
triage call. The report's ``sources`` map has one entry per registered feed (``logs``, ``alb``, ``cloudtrail``,
``metrics``, ``xray``, ``securityhub``, ``guardduty``); the findings tool serves the last two.
"""

from __future__ import annotations

import importlib
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable

from tools import catalogue, sources
from tools.common import coverage
from tools.common.aws_errors import describe, is_aws_exception
from tools.common.deadline import Deadline
from tools.common.evidence import Evidence
from tools.common.result import ToolResult
from tools.common.safety import safe

RANKING_RESERVE_SECONDS = 1.5


def report_sources() -> tuple[str, ...]:
    """The report's source names: every registered feed, in registry order."""
    return tuple(feed.name for feed in sources.registry().feeds())


@dataclass(frozen=True)
class Task:
    """One tool call of the fan-out: which function, which report sources it serves, its parameters."""

    key: str
    action_group: str
    function: str
    sources: tuple[str, ...]
    params: dict[str, Any]


@dataclass
class SourceRun:
    """What one task produced."""

    task: Task
    status: str
    detail: str
    seconds: float = 0.0
    result: ToolResult | None = None

    @property
    def evidence(self) -> list[Evidence]:
        return list(self.result.evidence) if self.result is not None else []


@dataclass
class FanoutResult:
    runs: dict[str, SourceRun] = field(default_factory=dict)
    seconds: float = 0.0

    def evidence(self) -> list[Evidence]:
        seen: dict[str, Evidence] = {}
        for run in self.runs.values():
            for item in run.evidence:
                seen.setdefault(item.id, item)
        return list(seen.values())

    def sources(self) -> dict[str, dict[str, Any]]:
        """One entry per report source: status and detail, and what was not read / the baseline it had
        (``missing``, ``baseline_from``, ``no_baseline``, ``no_baseline_parts``: optional fields of the report
        schema)."""
        report: dict[str, dict[str, Any]] = {}
        for run in self.runs.values():
            for source in run.task.sources:
                status, detail = _split_status(run, source)
                entry: dict[str, Any] = {"status": status, "detail": detail}
                cover = _coverage(run, source)
                missing = [safe(str(m), 300) for m in cover.get("missing") or []][:6]
                if missing:
                    entry["missing"] = missing
                    if status in ("ok", "empty"):
                        entry["status"] = "partial"
                if cover.get("baseline_from"):
                    entry["baseline_from"] = str(cover["baseline_from"])
                if cover.get("recorded_error"):  # the source exists but the recording could not capture it
                    entry["status"] = "error"
                    entry["detail"] = "; ".join(missing) or entry["detail"]
                if "no_baseline" in cover:
                    entry["no_baseline"] = bool(cover["no_baseline"])
                parts = [safe(str(p), 300) for p in cover.get("no_baseline_parts") or []][:6]
                if parts:  # some parts (log groups) begin late: the source keeps its baseline, these have none
                    entry["no_baseline_parts"] = parts
                report[source] = entry
        names = report_sources()
        for source in names:
            report.setdefault(source, {"status": "not_configured", "detail": "no tool for this source in this deployment"})
        return {s: report[s] for s in names} | {k: v for k, v in report.items() if k not in names}


def _coverage(run: SourceRun, source: str) -> dict[str, Any]:
    """The tool's coverage entry for ``source`` (``tools.common.coverage``), or {}."""
    if run.result is None or not isinstance(run.result.data, dict):
        return {}
    entry = (run.result.data.get("coverage") or {}).get(source)
    return entry if isinstance(entry, dict) else {}


def _split_status(run: SourceRun, source: str) -> tuple[str, str]:
    """Status of one report source; the findings tool may say per source (``data['sources']``)."""
    if len(run.task.sources) > 1 and run.result is not None:
        per_source = run.result.data.get("sources") if isinstance(run.result.data, dict) else None
        if isinstance(per_source, dict) and isinstance(per_source.get(source), dict):
            entry = per_source[source]
            status = str(entry.get("status", run.status))
            if status in ("ok", "empty", "not_configured", "error", "partial"):
                return status, safe(str(entry.get("detail", run.detail)), 300)
        if run.status in ("ok", "empty"):
            count = sum(1 for e in run.evidence if e.source == source)
            return ("ok" if count else "empty"), f"{count} finding group(s) in the window"
    return run.status, run.detail


def plan(config: Any, focus: str | None) -> list[Task]:
    """The tool calls of one investigation: each enabled source's declared triage call, for the focus."""
    tasks: list[Task] = []
    for source in sources.registry():
        feeds = source.enabled_feeds(config)
        if source.triage is None or not feeds:
            continue
        params = source.triage.params(focus)
        tasks.append(Task(source.name, source.name, source.triage.function, tuple(f.name for f in feeds), params))
    return tasks


def _implementation(task: Task) -> Callable[[Any], ToolResult]:
    source = sources.registry().get(task.action_group)
    package = source.package if source is not None else f"tools.{task.action_group}"
    implementation = getattr(importlib.import_module(f"{package}.service"), task.function, None)
    if implementation is None:
        raise LookupError(f"tools.{task.action_group} has no {task.function}")
    return implementation


def _request(parent: Any, task: Task, deadline: Deadline) -> Any:
    from tools.common.app import ToolRequest

    function = catalogue.find(task.action_group, task.function)
    if function is None:
        raise LookupError(f"{task.action_group}__{task.function} is not in the catalogue")
    params = dict(task.params)
    if parent.window is not None and function.parameter("window") is not None:
        params["window"] = parent.window.encode()
    return ToolRequest(function, params, parent.window, parent.now, deadline, parent.config, parent.snapshot, {}, parent.input_text)


def _run(task: Task, parent: Any, deadline: Deadline) -> SourceRun:
    started = time.monotonic()
    try:
        implementation = _implementation(task)
    except (ImportError, LookupError) as exc:
        return SourceRun(task, "not_configured", f"tool not available in this build ({exc.__class__.__name__})", 0.0)
    except Exception as exc:  # noqa: BLE001 - a broken tool module (e.g. SyntaxError) is one failed source
        return SourceRun(task, "error", f"the tool could not be loaded ({exc.__class__.__name__})", 0.0)
    try:
        with coverage.collecting() as gaps:
            result = implementation(_request(parent, task, deadline))
        coverage.apply_gaps(result, gaps)
        coverage.apply_baseline(result, parent, task.action_group)
        if parent.snapshot is not None and parent.snapshot.manifest.sources:
            coverage.apply_recording(result, task.sources, parent.snapshot.manifest.sources)
    except Exception as exc:  # noqa: BLE001 - one failing source must not stop the investigation
        return SourceRun(task, "error", safe(_failure_detail(task, exc), 300), time.monotonic() - started)
    seconds = time.monotonic() - started
    status = result.status if result.status in ("ok", "empty", "not_configured", "error", "partial") else "ok"
    if status == "ok" and not result.evidence:
        status = "empty"
    detail_parts = [f"{len(result.evidence)} evidence item(s) in {seconds:.1f}s"]
    detail_parts += [safe(f, 200) for f in result.failures[:2]]
    if status == "not_configured" or status == "empty":
        detail_parts += [safe(h, 200) for h in result.headline[:1]]
    return SourceRun(task, status, "; ".join(detail_parts), seconds, result)


def _failure_detail(task: Task, exc: Exception) -> str:
    """What failed, for the report: a SourceError's text, a refused parameter, a botocore error explained, or the
    exception class."""
    from tools.common.errors import InputError, SourceError

    if isinstance(exc, InputError):  # e.g. the focus is not a configured log group: say which parameter and why
        return f"not queried: {exc}"
    if not isinstance(exc, SourceError) and is_aws_exception(exc):
        what, hint = describe(exc, "", task.action_group)
        return what + (f" — {hint}" if hint else "")
    if isinstance(exc, SourceError):
        return exc.what + (f" — {exc.hint}" if exc.hint else "")
    return f"the tool failed ({exc.__class__.__name__})"


def fan_out(parent: Any, tasks: list[Task], deadline: Deadline, workers: int = 8) -> FanoutResult:
    """Run ``tasks`` in parallel for the parent request; never raises, never outlives ``deadline``."""
    started = time.monotonic()
    budget = max(0.5, deadline.remaining() - RANKING_RESERVE_SECONDS)
    tool_deadline = deadline.sub(max(0.3, budget - 0.5))  # tools stop themselves a little before we give up
    outcome = FanoutResult()
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(tasks) or 1)), thread_name_prefix="triage")
    try:
        futures = {pool.submit(_run, task, parent, tool_deadline): task for task in tasks}
        done, pending = wait(futures, timeout=budget)
        for future in done:
            run = future.result()
            outcome.runs[run.task.key] = run
        for future in pending:
            task = futures[future]
            future.cancel()
            outcome.runs[task.key] = SourceRun(
                task, "error", f"did not answer within the {budget:.0f}s budget of this investigation; ask this source directly", budget
            )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    outcome.seconds = time.monotonic() - started
    return outcome
