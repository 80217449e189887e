"""triage__investigate: fan out to every configured source within one deadline, find the onset, rank
hypotheses, and answer with a Slack-sized summary plus the structured report (``data['report']``)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from tools.common.result import ToolResult
from tools.knowledge.attach import attach as attach_knowledge
from tools.triage import fanout
from tools.triage.onset import find_onset
from tools.triage.rank import rank
from tools.triage.report import build_report, to_tool_result
from tools.triage.signals import as_time, discount_edge_shifts, signal


def investigate(request: Any) -> ToolResult:
    """The whole investigation for ``request.window`` (question and service focus optional)."""
    started = time.monotonic()
    focus = request.params.get("service") or None
    question = request.params.get("question") or None
    tasks = fanout.plan(request.config, focus)
    outcome = fanout.fan_out(request, tasks, request.deadline)
    evidence = outcome.evidence()
    signals = [signal(item) for item in evidence]
    data_start = request.window.start
    log_baseline_missing = False
    if request.snapshot is not None:  # a snapshot holds no data before its manifest's start
        data_start = max(data_start, request.snapshot.manifest.start)
        # the logs' baseline is the equal period before the window: mostly outside the data, nothing is "new"
        log_baseline_missing = request.snapshot.manifest.start > request.window.start - (request.window.end - request.window.start) / 2
    discount_edge_shifts(signals, data_start, log_baseline_missing=log_baseline_missing, window_start=request.window.start)
    onset, basis = find_onset(signals, request.window)
    hypotheses = rank(signals, onset, request.window, focus, onset_basis=basis, question=question)
    if onset is None and hypotheses and hypotheses[0].kind == "security" and hypotheses[0].confidence != "low":
        # no availability symptom: the incident began with the first linked finding or suspicious call
        times = [e.time for e in hypotheses[0].evidence(10) if e.time is not None]
        times += [t for t in (as_time(e.attrs.get("first_seen")) for e in hypotheses[0].evidence(10)) if t is not None]
        times = [t for t in times if request.window.start - timedelta(hours=1) <= t <= request.window.end]
        onset = min(times) if times else None
    report = build_report(request.window, question, onset, hypotheses, outcome.sources())
    knowledge_problems = attach_knowledge(report, hypotheses, focus, request.config)
    result = to_tool_result(report, hypotheses, request.window, time.monotonic() - started)
    result.notes.extend(knowledge_problems)
    if focus:
        result.session["service"] = focus
    return result


class InvestigationError(RuntimeError):
    """The investigation could not run (refused input, configuration, snapshot); the message is one line."""


def investigate_window(window: Any, *, deadline: Any, config: Any = None, snapshot: Any = None,
                       question: str | None = None, service: str | None = None) -> Any:
    """``triage__investigate`` of ``window`` in-process, through the tool contract (validation, budget, rendering),
    for callers without a Bedrock event (the CLI, the alarm and alert handlers). Returns the ``Outcome``, whose
    ``result.data['report']`` is the report; raises ``InvestigationError`` when there is no report."""
    from tools import catalogue
    from tools.common.app import execute

    params: dict[str, Any] = {"window": window.encode()}
    if question:
        params["question"] = question[:1000]
    if service:
        params["service"] = service
    function = catalogue.find("triage", "investigate")
    if function is None:
        raise InvestigationError("triage__investigate is not in the catalogue")
    outcome = execute(function, investigate, params, deadline=deadline, config=config, snapshot=snapshot,
                      use_environment_snapshot=False)
    if outcome.reprompt:
        raise InvestigationError(outcome.body)
    if outcome.result is None or "report" not in outcome.result.data:
        lines = [line for line in outcome.body.splitlines() if line and not line.startswith(("## ", "window:"))]
        raise InvestigationError((lines[0] if lines else "the investigation could not run")[:300])
    return outcome
