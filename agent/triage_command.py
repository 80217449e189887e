"""``python -m agent triage``: one investigation of a window, printed as JSON (triage-report.schema.json) or
as a readable terminal report. Reads a snapshot (``--snapshot`` or ``OPSAGENT_SNAPSHOT``), else AWS."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from typing import Any

from agent.errors import INSTANT_FORMS, UsageError


def _instant(text: str, name: str, now: datetime) -> datetime:
    from tools.common.timewindow import parse_instant

    try:
        return parse_instant(text, now)
    except ValueError as exc:
        raise UsageError(f"--{name}: {exc}; {INSTANT_FORMS}") from None


def resolve(args: argparse.Namespace) -> tuple[Any, Any]:
    """(snapshot or None, window) from the arguments; UsageError on bad input."""
    from tools.common.snapshot import Snapshot, SnapshotError
    from tools.common.timewindow import UTC, Window

    path = getattr(args, "snapshot", None) or os.environ.get("OPSAGENT_SNAPSHOT")
    snapshot = None
    if path:
        try:
            snapshot = Snapshot.open(path)
        except SnapshotError as exc:
            raise UsageError(str(exc)) from None
    now = snapshot.manifest.end if snapshot else datetime.now(UTC)
    default = snapshot.manifest.window if snapshot else None
    start = _instant(args.start, "start", now) if getattr(args, "start", None) else None
    end = _instant(args.end, "end", now) if getattr(args, "end", None) else None
    if default is None:
        from datetime import timedelta

        end = end or now
        start = start or end - timedelta(hours=1)
    else:
        start = start or default.start
        end = end or default.end
    if start >= end:
        raise UsageError(f"the window ends before it starts ({start.isoformat()} to {end.isoformat()})")
    window = Window(start, end)
    if snapshot is not None and not window.overlaps(snapshot.manifest.window):
        raise UsageError(f"the window {window} is outside the snapshot, which covers {snapshot.manifest.window}")
    return snapshot, window


def investigation_outcome(snapshot: Any, window: Any, question: str | None = None, service: str | None = None,
                          seconds: float | None = None) -> tuple[Any, Any]:
    """The triage service's investigation of ``window`` (its Outcome with a report, and the config); its failures
    become one-line usage errors."""
    from tools.common import config as config_module
    from tools.common.deadline import Deadline
    from tools.common.errors import ConfigError
    from tools.triage.service import InvestigationError, investigate_window

    try:
        config = config_module.load()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    budget = seconds if seconds is not None else float(config["limits"]["tool_seconds"])
    try:
        outcome = investigate_window(window, deadline=Deadline(budget), config=config, snapshot=snapshot,
                                     question=question, service=service)
    except InvestigationError as exc:
        raise UsageError(str(exc)) from None
    return outcome, config


def investigate(snapshot: Any, window: Any, question: str | None = None, service: str | None = None, seconds: float | None = None) -> dict[str, Any]:
    """Run triage__investigate in-process through the tool contract; the report dict."""
    outcome, _ = investigation_outcome(snapshot, window, question, service, seconds)
    return outcome.result.data["report"]


def render_terminal(report: dict[str, Any]) -> str:
    """A readable report for a terminal."""
    lines: list[str] = []
    first = report["summary"].split("\n", 1)[0].replace("*", "")
    if first.startswith("Could not check"):  # what could not be checked is the first line, here as in Slack
        lines += [first, ""]
    lines += [f"Window  {report['window']['start']} to {report['window']['end']}", f"Onset   {report.get('onset') or 'none found'}"]
    if report.get("question"):
        lines.append(f"Question {report['question']}")
    lines.append("")
    if not report["hypotheses"]:
        lines.append("No hypothesis (the answer below says what was and was not read).")
    for hypothesis in report["hypotheses"]:
        lines.append(f"#{hypothesis['rank']} [{hypothesis['confidence']:<6}] {hypothesis['title']}  (score {hypothesis.get('score', 0)})")
        for item in hypothesis["evidence"]:
            lines.append(f"     {item['id']:<11} {item['source']:<11} {(item.get('time') or '')[:19]:<19} {item['summary'][:140]}")
            if item.get("link"):
                lines.append(f"                 {item['link'][:200]}")
    lines.append("")
    lines.append("Sources")
    for name, entry in report["sources"].items():
        lines.append(f"  {name:<12} {entry['status']:<15} {entry.get('detail', '')[:150]}")
    lines.append("")
    lines.append(f"Slack answer ({len(report['summary'])} chars)")
    lines.append("-" * 60)
    lines.append(report["summary"])
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "format", None) == "md" or getattr(args, "html", None):
        from agent.reports.command import run_report

        return run_report(args)
    args.json = getattr(args, "json", False) or getattr(args, "format", None) == "json"
    snapshot, window = resolve(args)
    report = investigate(snapshot, window, getattr(args, "question", None) or (snapshot.manifest.question if snapshot else None),
                         getattr(args, "service", None))
    if getattr(args, "json", False):
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(render_terminal(report))
    return exit_status(report)


NOTHING_READ = 3  # exit status when no data source could be read at all (interfaces.md)


def exit_status(report: dict[str, Any]) -> int:
    """0, or 3 when no data source could be read at all (the answer then says what could not be checked)."""
    from tools.triage.headline import nothing_read

    return NOTHING_READ if nothing_read(report["sources"]) else 0
