"""Offline mode: a deterministic planner standing in for the model. The first question runs a triage; follow-ups
("show the raw lines for L-xxxx", "what changed before that?", "only the payment service", "metrics for the load
balancer", "traces", "security findings") become drill-down calls through the real handlers, with the session's
window and focus carried over in the session attributes, as the deployed agent would."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from agent.runtime.tools import ToolBox, ToolCall
from tools.common.timewindow import UTC, Window, parse_instant

SLACK_LIMIT = 2500
_LOG_ID = re.compile(r"\bL-[0-9a-f]{8}\b")
_ANY_ID = re.compile(r"\b[ACMXSG]-[0-9a-f]{8}\b")
_SERVICE = re.compile(
    r"\b(?:only|just|focus on|narrow to|for)\s+(?:the\s+)?([a-z0-9][a-z0-9_./-]{1,60}?)(?:\s+(?:service|api|app|function|table|queue))?\s*[?.!]*$",
    re.I,
)
_NAMED = re.compile(r"\b([a-z][a-z0-9_-]{2,40})\s+(?:requests|service|api|calls|orders|endpoint|lambda)\b", re.I)
_GENERIC = {"the", "all", "our", "my", "some", "any", "http", "api", "web", "those", "these", "that", "this", "why", "are", "is"}


def _slack(text: str) -> str:
    return text if len(text) <= SLACK_LIMIT else text[: SLACK_LIMIT - 60].rsplit("\n", 1)[0] + "\n… (cut to fit Slack; ask for less)"


class OfflineAgent:
    """One conversation (one Slack thread)."""

    def __init__(self, tools: ToolBox) -> None:
        self.tools = tools
        self.report_body: str | None = None
        self.turns = 0

    # -- intents ---------------------------------------------------------------------------------

    def _window_before_onset(self) -> str | None:
        onset = self.tools.session.get("opsagent_onset")
        if not onset:
            return None
        try:
            moment = parse_instant(onset, datetime.now(UTC))
        except ValueError:
            return None
        # list_changes reads the hour before its window and flags the changes closest before it: a window that
        # starts at the onset asks exactly "what changed before that?"
        return Window(moment - timedelta(minutes=1), moment + timedelta(minutes=15)).encode()

    def plan(self, question: str) -> list[tuple[str, dict[str, Any]]]:
        q = question.strip()
        lower = q.lower()
        calls: list[tuple[str, dict[str, Any]]] = []
        log_ids = _LOG_ID.findall(q)
        if log_ids:
            return [("logs__search_logs", {"match": log_ids[0], "limit": 20})]
        if re.search(r"\b(what|which|any)\b.*\b(chang|deploy|modif)", lower) or "changes" in lower:
            params: dict[str, Any] = {}
            window = self._window_before_onset()
            if window and re.search(r"before (that|it|the onset|then)", lower):
                params["window"] = window
            return [("cloudtrail__list_changes", params)]
        if "metric" in lower:
            params = {}
            if re.search(r"load ?balancer|\balb\b|\belb\b", lower):
                params["namespace"] = "AWS/ApplicationELB"
            return [("metrics__find_changed_metrics", params)]
        if re.search(r"\btrace|x-?ray", lower):
            return [("xray__find_trace_faults", {})]
        if re.search(r"securit|finding|guardduty|security hub|compromis", lower):
            return [("findings__list_security_findings", {"include_standing": True})]
        if re.search(r"load ?balancer|\balb\b|5xx|4xx|latency|traffic|status code", lower) and self.turns > 0:
            return [("alb__summarize_alb_traffic", {})]
        if re.search(r"\b(errors?|exceptions?|log patterns?)\b", lower) and self.turns > 0 and not re.search(r"\bwhy\b", lower):
            return [("logs__find_error_patterns", {})]
        focus = _SERVICE.search(q) if self.turns > 0 else None
        params = {"question": q[:1000]}
        if self.turns == 0 and "opsagent_window" not in self.tools.session:
            params["window"] = _first_window(lower)
        name = focus.group(1) if focus else None
        if name is None:
            named = _NAMED.search(q)
            name = named.group(1) if named and named.group(1).lower() not in _GENERIC else None
        if name and name.lower() not in _GENERIC:
            params["service"] = name
        calls.append(("triage__investigate", params))
        return calls

    # -- answering -------------------------------------------------------------------------------

    def ask(self, question: str) -> tuple[str, list[ToolCall]]:
        executed: list[ToolCall] = []
        for name, params in self.plan(question):
            executed.append(self.tools.call(name, params, question))
        self.turns += 1
        return self.compose(question, executed), executed

    def compose(self, question: str, calls: list[ToolCall]) -> str:
        parts: list[str] = []
        for call in calls:
            if call.reprompt:
                parts.append(f"I could not run {call.name}: {call.body}")
                continue
            if call.name == "triage__investigate":
                parts.append(_answer_section(call.body))
                self.report_body = call.body
            else:
                parts.append(_slack_markdown(call.body))
        ids = [i for i in _ANY_ID.findall(question) if self.report_body and i in self.report_body]
        for evidence_id in ids:
            line = next((l for l in self.report_body.splitlines() if l.startswith(f"- {evidence_id}")), None)  # type: ignore[union-attr]
            if line:
                parts.append(line[2:])
        return _slack("\n\n".join(p for p in parts if p))


def _slack_markdown(body: str) -> str:
    """A tool body as a Slack message: headings in bold, the model-facing data notice left out."""
    from tools.common.safety import DATA_NOTICE

    lines = []
    for line in body.splitlines():
        if line == DATA_NOTICE:
            continue
        if line.startswith("### "):
            line = f"*{line[4:]}*"
        elif line.startswith("## "):
            line = f"*{line[3:]}*"
        lines.append(line)
    return "\n".join(lines)


def _first_window(lower: str) -> str:
    """The first investigation's window: an hour of baseline before 'since HH:MM', else the last two hours."""
    since = re.search(r"\bsince\s+(\d{1,2}):(\d{2})\b", lower)
    if since:
        hour, minute = int(since.group(1)), int(since.group(2))
        if hour < 24 and minute < 60:
            total = (hour * 60 + minute - 60) % (24 * 60)
            return f"{total // 60:02d}:{total % 60:02d} to now"
    return "last 2h"


def _answer_section(body: str) -> str:
    """The Slack-ready answer that triage__investigate puts first in its body."""
    lines = body.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("### answer")) + 1
    except StopIteration:
        return body
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("### ")), len(lines))
    return "\n".join(lines[start:end]).strip()
