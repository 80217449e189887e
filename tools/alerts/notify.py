"""The alert as an AWS Chatbot custom notification, and its publication on the SNS topic.

Shape (Chatbot custom notifications, version 1.0): ``content`` (client-markdown title, description, nextSteps,
keywords) and ``metadata`` (``threadId`` = the incident, so its updates stay in one Slack thread; summary,
eventType, relatedResources, additionalContext). The description leads with the new template (redacted and
fenced as data), its counts since when, then the top hypothesis with its evidence links, matching runbooks,
similar past incidents, what could not be checked, and the follow-up line ``@aws ask <connector> ...``.
Everything stays inside the limits below.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tools.alerts.detector import Trigger
from tools.alerts.state import Incident
from tools.alerts.thresholds import MAX_NOTIFICATIONS_PER_INCIDENT
from tools.common.limits import CHATBOT_TITLE_LIMIT, SLACK_LIMIT
from tools.common.safety import fence, safe

TITLE_LIMIT = CHATBOT_TITLE_LIMIT
DESCRIPTION_LIMIT = SLACK_LIMIT
NEXT_STEPS = 5
STEP_LIMIT = 300
KEYWORDS = 5
KEYWORD_LIMIT = 40
SUMMARY_LIMIT = 250
RELATED_RESOURCES = 10
LINK_LIMIT = 600  # a longer console link (a Logs Insights query) is shown as its id only
TEMPLATE_LIMIT = 300


@dataclass
class Alert:
    """What alerts: the incident, this notification's number, the triggering templates (biggest first)."""

    incident: Incident
    number: int
    service: str
    triggers: list[Trigger]
    region: str
    account: str = ""
    time: int = 0  # epoch seconds of the decision

    @property
    def headline(self) -> Trigger:
        return self.triggers[0]

    @property
    def since(self) -> int:
        return min(t.record.first_seen for t in self.triggers)


@dataclass
class Enrichment:
    """What was found around the alert: the triage report, runbooks, similar incidents, what failed."""

    report: dict[str, Any] | None = None
    runbooks: list[dict[str, str]] = field(default_factory=list)  # {"title", "link"}
    similar: list[dict[str, str]] = field(default_factory=list)  # {"title", "date", "id", "link"?}
    problems: list[str] = field(default_factory=list)


def incident_id(service: str, template_id: str, opened: int) -> str:
    """A stable, readable id: ``alert-20261120T0941-<8 hex>``."""
    stamp = datetime.fromtimestamp(opened, timezone.utc).strftime("%Y%m%dT%H%M")
    digest = hashlib.sha256(f"{service}\x1f{template_id}\x1f{opened}".encode()).hexdigest()[:8]
    return f"alert-{stamp}-{digest}"


def _hhmm(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M UTC")


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _slack_text(text: str) -> str:
    """Our text with embedded values: redacted, one line, and Slack's ``<...>`` markup disarmed."""
    return safe(text, 400).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _template_block(template: str) -> str:
    """The template redacted and fenced as data, in a code block that no backtick can close and where no Slack
    markup (``<!channel>``, ``<url|text>``) is live."""
    text = fence(template, TEMPLATE_LIMIT).replace("`", "'")
    return "```\n" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "\n```"


def _link(item: dict[str, Any]) -> str:
    link = item.get("link") or ""
    if link and len(link) <= LINK_LIMIT:
        return f"<{link.replace('>', '%3E').replace('|', '%7C').replace(' ', '%20')}|{item['id']}>"
    return f"`{item['id']}`"


def _counts_line(alert: Alert) -> str:
    top = alert.headline
    what = "New error" if top.kind == "new" else "Error rate jumped"
    line = f"*{what} in {_slack_text(alert.service)}*: {top.recent} events in the last 5 min, first seen {_hhmm(top.record.first_seen)}"
    if top.kind == "risen":
        line += f" (usually about {top.baseline_rate:.0f} per 5 min)"
    if top.log_group:
        line += f" in `{_slack_text(top.log_group)}`"
    return line + "."


def _triage_lines(report: dict[str, Any] | None) -> list[str]:
    if report is None:
        return []
    hypotheses = report.get("hypotheses") or []
    if not hypotheses:
        return ["*Triage:* nothing else stands out across the sources checked."]
    top = hypotheses[0]
    links = ", ".join(_link(e) for e in top.get("evidence", [])[:3])
    lines = [f"*Most likely cause ({top['confidence']}):* {_slack_text(top['title'])} — {links}"]
    for item in top.get("evidence", [])[:2]:
        lines.append(f"• `{item['id']}` {_slack_text(item.get('summary', ''))[:200]}")
    return lines


def _sources_line(report: dict[str, Any] | None, problems: list[str]) -> str | None:
    failed = list(problems)
    if report is not None:
        failed += [f"{name} ({entry['status']})" for name, entry in report.get("sources", {}).items()
                   if entry.get("status") in ("error", "partial", "not_configured")]
    return ("*Could not check:* " + ", ".join(failed[:6]) + ".") if failed else None


def follow_up(alert: Alert, connector: str) -> str:
    return f"@aws ask {connector} why is {alert.service} failing since {_hhmm(alert.since)[:5]}?"


def _fit(head: list[str], body: list[str], tail: list[str]) -> str:
    """head and tail always; body lines dropped from the end until the whole fits the Slack limit."""
    body = list(body)
    while True:
        text = "\n".join(head + body + tail)
        if len(text) <= DESCRIPTION_LIMIT or not body:
            break
        body.pop()
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def build(alert: Alert, enrichment: Enrichment, connector: str) -> dict[str, Any]:
    """The Chatbot custom notification for ``alert``."""
    top = alert.headline
    update = alert.number > 1
    head = [_counts_line(alert), _template_block(top.record.template)]
    others = [t for t in alert.triggers[1:4]]
    body: list[str] = []
    if others:
        body.append("Also new: " + "; ".join(f"`{t.record.template_id}` ({t.recent})" for t in others))
    body += _triage_lines(enrichment.report)
    for runbook in enrichment.runbooks[:2]:
        link = runbook.get("link") or ""
        body.append(f"*Runbook:* <{link}|{_slack_text(runbook['title'])}>" if link.startswith("https://")
                    else f"*Runbook:* {_slack_text(runbook['title'])} (`{_slack_text(link)}`)")
    for past in enrichment.similar[:2]:
        body.append(f"*Similar to* {_slack_text(past['title'])}, on {_slack_text(past['date'])} (`{_slack_text(past['id'])}`)")
    sources = _sources_line(enrichment.report, enrichment.problems)
    tail = [sources] if sources else []
    tail.append(f"_Ask in this thread:_ `{follow_up(alert, connector)}`")
    description = _fit(head, body, tail)

    cause = ""
    hypotheses = (enrichment.report or {}).get("hypotheses") or []
    if hypotheses:
        cause = f": likely {hypotheses[0]['title']} ({hypotheses[0]['confidence']})"
    prefix = ":arrows_counterclockwise: Update" if update else ":rotating_light: New errors"
    title = f"{prefix} in {safe(alert.service, 64)}{safe(cause, 200)}"
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"

    steps: list[str] = []
    evidence = hypotheses[0].get("evidence", []) if hypotheses else []
    if evidence and evidence[0].get("link") and len(evidence[0]["link"]) <= STEP_LIMIT - 20:
        steps.append(f"Check {evidence[0]['id']}: {evidence[0]['link']}")
    for runbook in enrichment.runbooks[:1]:
        steps.append(f"Follow the runbook {safe(runbook['title'], 120)}: {runbook.get('link', '')}"[:STEP_LIMIT])
    steps.append(f"Ask in this thread: @aws ask {connector} show the raw lines for {top.record.template_id}"[:STEP_LIMIT])
    steps.append(f"Ask in this thread: @aws ask {connector} what changed before {_hhmm(alert.since)[:5]}?"[:STEP_LIMIT])

    keywords = [alert.service, top.record.template_id, "new error" if top.kind == "new" else "error spike"]
    if hypotheses:
        keywords.append(hypotheses[0]["confidence"])
    log_groups = sorted({t.log_group for t in alert.triggers if t.log_group})
    resources = [f"arn:aws:logs:{alert.region}:{alert.account}:log-group:{g}" if alert.account else g for g in log_groups]
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"{alert.incident.id}-{alert.number}",
        "content": {
            "textType": "client-markdown",
            "title": title,
            "description": description,
            "nextSteps": steps[:NEXT_STEPS],
            "keywords": [re.sub(r"\s+", " ", safe(k, KEYWORD_LIMIT)) for k in keywords[:KEYWORDS]],
        },
        "metadata": {
            "threadId": alert.incident.id,
            "summary": safe(f"{'Update: ' if update else ''}{top.kind} error template in {alert.service} "
                            f"({top.recent} in 5 min){cause}", SUMMARY_LIMIT),
            "eventType": "ErrorBurstUpdate" if update else "ErrorBurst",
            "relatedResources": resources[:RELATED_RESOURCES],
            "additionalContext": {
                "service": alert.service,
                "templateId": top.record.template_id,
                "kind": top.kind,
                "firstSeen": _iso(top.record.first_seen),
                "eventsLast5Min": str(top.recent),
                "notification": f"{alert.number} of at most {MAX_NOTIFICATIONS_PER_INCIDENT}",
                "services": ",".join(sorted(alert.incident.services))[:200],
            },
        },
    }
