"""Offline mode: a deterministic planner standing in for the model, over the real tool handlers.

Each question is read into an intent (``intents.py``, a table of cue words), a time (``timephrases.py``: absolute
and relative times, "yesterday same time" as a comparison window, impossible times reported), filters
(``filters.py``: "in IAM", "on the load balancer", "only payment") and references to the last answer ("that",
"those errors", an evidence id). ``plan`` turns them into function calls with explicit parameters; ``ask`` runs
them through the handlers, with the session attributes carried over as Bedrock would, and composes a Slack-sized
answer. Help, thanks, off-topic questions and requests for secrets or actions get a short reply and no tool call;
a question it cannot place gets what it can do instead of another triage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agent.runtime.filters import Filters, read_filters
from agent.runtime.intents import INTENTS, classify, words
from agent.runtime.timephrases import TimeAsk, read_times, yesterday
from agent.runtime.tools import ToolBox, ToolCall
from tools import catalogue, sources
from tools.common.evidence import id_pattern
from tools.common.limits import SLACK_LIMIT
from tools.common.session import updated
from tools.common.timewindow import Window

# The first investigation starts this long before the time the operator names: the hour before the symptoms
# is the baseline that shows what changed.
TRIAGE_LEAD = timedelta(minutes=60)
# An investigation without a time reads the last two hours (relative to the snapshot's end offline).
DEFAULT_TRIAGE_WINDOW = "last 2h"
RAW_LINES = 20
_REFERENCE_WORDS = frozenset({"that", "those", "these", "this", "it", "them"})
INVESTIGATE = catalogue.INVESTIGATE.qualified_name


def routes() -> dict[str, str]:
    """The function each intent calls, from the source registry (read when called): a topic intent calls its
    source's broad function (its triage task's), a drill-down intent its source's drill-down; ``triage``
    investigates. An intent whose source is not registered (or declares no such function) has no route."""
    found: dict[str, str] = {}
    for intent in INTENTS:
        source = sources.registry().get(intent.source) if intent.source else None
        if source is None:
            continue
        function = source.drill_down if intent.drill_down else (source.triage.function if source.triage else "")
        if function:
            found[intent.name] = f"{source.name}__{function}"
    return found | {"triage": INVESTIGATE}

# Per intent: (field of the named source, the parameter it fills, the parameter a service name fills).
FILTER_PARAMETERS: dict[str, tuple[str | None, str | None, str | None]] = {
    "changes": ("cloudtrail", "service", "resource"),
    "metrics": ("namespace", "namespace", "resource"),
    "errors": (None, None, "contains"),
    "traces": (None, None, "service"),
    "security": (None, None, "resource"),
}
# Security questions include standing findings: "any findings?" means all open ones, not only new ones.
_FIXED_PARAMETERS: dict[str, dict[str, Any]] = {"security": {"include_standing": True}}

HELP = (
    "I investigate incidents in this AWS workload from its telemetry (read-only). Ask in plain words, e.g.:\n"
    "• why are checkout requests failing since 09:40? (a full triage, ranked causes with evidence)\n"
    "• what changed in IAM in the last hour? (changes ranked by relevance, with a rollback)\n"
    "• errors between 10:00 and 10:30 / show the raw lines for that\n"
    "• metrics on the load balancer / traces for payment / any security findings?\n"
    "• compare with yesterday same time\n"
    "Times are UTC ('since 9:40am', 'last 15 minutes'); follow-ups keep the window and the evidence ids."
)


@dataclass
class Plan:
    """What one question becomes: tool calls (name, parameters), or a reply without tools; plus notes."""

    intent: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reply: str = ""
    notes: list[str] = field(default_factory=list)
    comparison: Window | None = None


def _slack(text: str, limit: int | None = SLACK_LIMIT) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 60].rsplit("\n", 1)[0] + "\n… (cut to fit Slack; ask for less)"


class OfflineAgent:
    """One conversation (one Slack thread)."""

    def __init__(self, tools: ToolBox, now: datetime | None = None, full: bool = False) -> None:
        self.tools = tools
        self.now = now or snapshot_now()
        self.full = full
        self.report_body: str | None = None
        self.turns = 0
        self.last_topic: str | None = None
        self.last_ids: list[str] = []
        self.last_lines: dict[str, str] = {}
        self.last_mitigation: str | None = None

    # -- reading the question --------------------------------------------------------------------

    def _session_window(self) -> Window | None:
        text = self.tools.session.get("opsagent_window")
        return Window.decode(text) if text else None

    def _referenced(self, question: str, prefix: str | None = None) -> str | None:
        """An evidence id the question names, or the one 'that' / 'those errors' points at in the last answer."""
        named = [m.group(0) for m in id_pattern().finditer(question)]
        if prefix:
            named = [i for i in named if i.startswith(prefix)]
        if named:
            return named[0]
        if not _REFERENCE_WORDS & set(words(question)):
            return None
        pool = [i for i in self.last_ids if prefix is None or i.startswith(prefix)]
        if prefix == "L" and not pool and self.tools.session.get("opsagent_top_log"):
            return self.tools.session["opsagent_top_log"]
        return pool[0] if pool else None

    def plan(self, question: str) -> Plan:
        q = question.strip()
        intent = classify(q)
        when = read_times(q, self.now)
        filters = read_filters(q)
        if intent in ("refuse_secret", "refuse_action", "help", "thanks", "off_topic"):
            return Plan(intent, reply=self._reply(intent))
        if when.problem:
            return Plan(intent, reply=f"I can't use that time: {when.problem}. Times are UTC, e.g. 'since 09:40', "
                                      "'between 10:00 and 10:30' or 'last 15 minutes'.")
        named_ids = [m.group(0) for m in id_pattern().finditer(q)]
        if intent == "unsure" and named_ids:
            intent = "raw_lines" if named_ids[0].startswith("L") else "explain"
        if intent == "errors" and self._referenced(q, "L") and _REFERENCE_WORDS & set(words(q)):
            intent = "raw_lines"  # "show me those errors": the lines behind the pattern of the last answer
        follow_up = False
        if intent == "compare" or (when.comparison and intent == "unsure"):
            intent = self.last_topic if self.last_topic and self.last_topic != "triage" else "metrics"
            when = TimeAsk(when.window, True, None, when.phrase)
            follow_up = True
        if intent == "unsure" and filters.service and self.last_topic:
            intent = self.last_topic  # "only the payment service": the last question again, narrowed
            follow_up = True
            if intent == "raw_lines":  # a pattern's lines cannot be narrowed by service: its errors can
                intent = "errors"
        if intent == "unsure" and filters.source is not None and filters.source.cloudtrail == "elasticloadbalancing":
            intent = "traffic"  # "and the load balancer?"
        if intent == "unsure":
            return Plan("unsure", reply="I'm not sure what you need. " + HELP)
        if intent == "explain":
            return self._explain(q, named_ids)
        return self._tool_plan(intent, q, when, filters, follow_up)

    def _tool_plan(self, intent: str, q: str, when: TimeAsk, filters: Filters, follow_up: bool = False) -> Plan:
        route = routes().get(intent)
        if route is None:  # its source is not registered here
            return Plan(intent, reply="No data source here answers that. " + HELP)
        plan = Plan(intent)
        window = when.window.encode() if when.window else None
        params: dict[str, Any] = {}
        if intent == "triage":
            params["question"] = q[:1000]
            if when.window:
                params["window"] = Window(when.window.start - TRIAGE_LEAD, when.window.end).encode()
            elif self.turns == 0 and "opsagent_window" not in self.tools.session:
                params["window"] = DEFAULT_TRIAGE_WINDOW
            if filters.service:
                params["service"] = filters.service
        elif intent == "raw_lines":
            target = self._referenced(q, "L")
            if target is None and follow_up:  # "compare to yesterday" after raw lines: the same pattern's lines
                target = next((i for i in self.last_ids if i.startswith("L")), None)
            if target is None:
                return Plan(intent, reply="Which pattern? Ask for the errors first ('what errors since 09:40?'), then "
                                          "'show the raw lines for L-…' or 'show me those errors'.")
            params = {"match": target, "limit": RAW_LINES}
            if window:
                params["window"] = window
        else:
            if window:
                params["window"] = window
            params.update(self._filter_params(intent, q, filters))
        if when.comparison:
            base = when.window or self._session_window() or Window(self.now - timedelta(hours=2), self.now)
            params["window"] = base.encode()
            plan.comparison = yesterday(base)
            plan.calls.append((route, params))
            plan.calls.append((route, {**params, "window": yesterday(base).encode()}))
            return plan
        onset = self.tools.session.get("opsagent_onset")
        if intent == "changes" and onset and not when.window and "before" in words(q) and _REFERENCE_WORDS & set(words(q)):
            # "what changed before that?": list_changes reads the hour before its window, so a window that
            # starts at the onset asks exactly that.
            moment = datetime.fromisoformat(onset.replace("Z", "+00:00"))
            params["window"] = Window(moment - timedelta(minutes=1), moment + timedelta(minutes=15)).encode()
        if intent == "changes" and not onset:
            # No investigation yet: run one first so the changes rank by the incident's onset and symptoms.
            first = {"question": q[:1000], "window": (Window(when.window.start - TRIAGE_LEAD, when.window.end).encode()
                                                      if when.window else DEFAULT_TRIAGE_WINDOW)}
            plan.calls.append((INVESTIGATE, first))
            plan.notes.append("(ranked against a quick investigation of the incident first)")
        plan.calls.append((route, params))
        return plan

    def _filter_params(self, intent: str, q: str, filters: Filters) -> dict[str, Any]:
        """The parameters a question's filters become for the intent's function (``FILTER_PARAMETERS``)."""
        params: dict[str, Any] = dict(_FIXED_PARAMETERS.get(intent, {}))
        source_field, source_param, service_param = FILTER_PARAMETERS.get(intent, (None, None, None))
        value = getattr(filters.source, source_field) if filters.source and source_field else None
        if value and source_param:
            params[source_param] = value
        if filters.service and service_param:
            params[service_param] = filters.service
        if intent == "traffic":
            code = next((c for c in ("5xx", "4xx", "2xx", "3xx") if c in q.lower()), None)
            if code:
                params["status_class"] = code
        return params

    def _explain(self, q: str, ids: list[str]) -> Plan:
        known = [self.last_lines[i] for i in ids if i in self.last_lines]
        if known:
            return Plan("explain", reply="\n".join(known))
        return Plan("explain", reply=f"I don't have {', '.join(ids)} in this conversation. Ids come from earlier answers "
                                     "in the same thread; ask the question again here, or 'what changed?'.")

    def _reply(self, intent: str) -> str:
        if intent == "refuse_secret":
            return ("I won't show secrets, keys, passwords or my instructions: the tools redact credentials before "
                    "anything leaves them. I can tell you which secret or key changed and when: ask 'what changed in "
                    "Secrets Manager?' or 'what changed in IAM?'.")
        if intent == "refuse_action":
            text = "I can't change anything in your account: I only read telemetry."
            if self.last_mitigation:
                text += f" The rollback I suggested, for you to run after checking: {self.last_mitigation}"
            return text + " Ask 'what changed?' for the changes with a rollback for each."
        if intent == "thanks":
            return "You're welcome. Ask in this thread if it comes back: I keep the window and the evidence ids."
        if intent == "off_topic":
            return "I only answer questions about this AWS workload's health and incidents. " + HELP.split("\n", 1)[1]
        return HELP

    # -- answering -------------------------------------------------------------------------------

    def ask(self, question: str) -> tuple[str, list[ToolCall]]:
        plan = self.plan(question)
        executed = [self.tools.call(name, params, question) for name, params in plan.calls]
        if plan.comparison is not None and executed:
            # Yesterday's window was a comparison, not a new focus: follow-ups stay on the window asked about.
            self.tools.session = updated(self.tools.session, Window.decode(executed[0].params["window"]), {})
        self.turns += 1
        if not executed:
            return _slack(plan.reply, None if self.full else SLACK_LIMIT), executed
        answer = self.compose(plan, executed)
        self.last_topic = plan.intent if plan.intent in routes() else self.last_topic
        return answer, executed

    def compose(self, plan: Plan, calls: list[ToolCall]) -> str:
        parts: list[str] = []
        shown = calls
        if plan.intent == "changes" and len(calls) == 2 and calls[0].name == INVESTIGATE:
            self.report_body = calls[0].body
            shown = calls[1:]
        for index, call in enumerate(shown):
            if call.reprompt:
                parts.append(f"I could not run {call.name}: {call.body}")
                continue
            text = _answer_section(call.body) if call.name == INVESTIGATE else _slack_markdown(call.body)
            if call.name == INVESTIGATE:
                self.report_body = call.body
            if plan.comparison is not None:
                label = "Yesterday, same time" if index == 1 else "Now"
                window = call.params.get("window", "")
                text = f"*{label} ({window.replace('/', ' to ')})*\n{text}"
            parts.append(text)
        self._remember(calls)
        limit = None if self.full else SLACK_LIMIT
        if plan.comparison is not None and limit is not None and len(parts) > 1:
            # Both sides of a comparison are the answer: each gets an equal share of Slack's limit, so "yesterday"
            # is never cut away by a long "now".
            share = (limit - 2 * (len(parts) - 1)) // len(parts)
            parts = [_slack(part, share) for part in parts]
        text = "\n\n".join(p for p in parts if p)
        notes = "\n".join(plan.notes)
        if notes and (limit is None or len(text) + len(notes) + 2 <= limit):
            text = f"{text}\n\n{notes}"  # notes last: the first line is the answer
        return _slack(text, limit)

    def _remember(self, calls: list[ToolCall]) -> None:
        """The evidence ids of this answer (most relevant first) and their lines, for 'that' and id follow-ups."""
        ids: list[str] = []
        lines: dict[str, str] = {}
        for call in reversed(calls):  # the last call is the one the question was about
            for line in call.body.splitlines():
                for match in id_pattern().finditer(line):
                    ids.append(match.group(0))
                    # the evidence line itself ("- C-… [cloudtrail] …", "[C-…] …") over a mention in the answer
                    own = line.lstrip("-[ ").startswith(match.group(0))
                    if own or match.group(0) not in lines:
                        lines[match.group(0)] = line.strip("- ")
            mitigation = next((l for l in call.body.splitlines() if l.startswith("Mitigation if this is the cause:")), None)
            if mitigation:
                self.last_mitigation = mitigation.split(":", 1)[1].strip()
        if ids:
            self.last_ids = list(dict.fromkeys(ids))
            self.last_lines.update(lines)


def _slack_markdown(body: str) -> str:
    """A tool body as a Slack message: its headline first (the answer), then the tool's title and window in
    italics, then the sections with bold headings; the model-facing data notice is left out."""
    from tools.common.safety import DATA_NOTICE

    head: list[str] = []
    lines = [line for line in body.splitlines() if line != DATA_NOTICE]
    title = next((line[3:] for line in lines if line.startswith("## ")), "")
    window = next((line for line in lines if line.startswith("window: ")), "")
    rest = [line for line in lines if not line.startswith("## ") and line != window]
    split = next((i for i, line in enumerate(rest) if line.startswith("### ")), len(rest))
    head = rest[:split]
    source = f"_{title}; {window}_" if title or window else ""
    sections = [f"*{line[4:]}*" if line.startswith("### ") else line for line in rest[split:]]
    return "\n".join([*head, source, *sections]).strip()


def _answer_section(body: str) -> str:
    """The Slack-ready answer that triage__investigate puts first in its body."""
    lines = body.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("### answer")) + 1
    except StopIteration:
        return body
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("### ")), len(lines))
    return "\n".join(lines[start:end]).strip()


def snapshot_now() -> datetime:
    """'Now' of the offline conversation: the end of the snapshot the tools read (the clock without one)."""
    import os

    from tools.common.snapshot import Snapshot, SnapshotError
    from tools.common.timewindow import UTC

    path = os.environ.get("OPSAGENT_SNAPSHOT")
    try:
        return Snapshot.open(path).manifest.end if path else datetime.now(UTC)
    except SnapshotError:
        return datetime.now(UTC)



