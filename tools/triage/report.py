"""The triage report: the JSON of ``triage-report.schema.json``, the Slack answer (markdown, at most 2,500
characters, evidence ids and console links inline) and the ToolResult body the agent reads (< 20 KB)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from tools.common.decisive import shorten
from tools.common.evidence import Evidence, log_group_link
from tools.common.incident import session_values
from tools.common.limits import SLACK_LIMIT
from tools.common.result import ToolResult
from tools.common.safety import FENCE_CLOSE, FENCE_OPEN, redact
from tools.common.timewindow import Window, iso
from tools.triage.headline import all_clear, could_not_check, nothing_read
from tools.triage.rank import Hypothesis, hhmm

EVIDENCE_PER_HYPOTHESIS = 8
EVIDENCE_IN_SLACK = 5


LINK_BUDGET = 1300  # characters of URLs in one answer; the rest of the ids are shown without a link
LONG_LINK = 600  # a longer link (a Logs Insights query) is replaced by its log group's page in Slack
LOWER_RANK_EVIDENCE = 3  # evidence lines shown for hypotheses below the top one (ids usable for drill-down)


def _region_of(link: str) -> str:
    """The region of a console link (any partition), or "" when it is not one."""
    from tools.common.links.console import split

    try:
        return split(link).region
    except ValueError:
        return ""


def _shorter_logs_link(link: str, item: Evidence) -> str | None:
    """A Logs Insights link too long for Slack: the same window and groups with the pattern's compact query, else
    the log group's page."""
    from tools.common.links.logs import decode_insights, insights_link
    from tools.logs.digest import compact_pattern_query

    groups = item.attrs.get("log_groups") or []
    try:
        detail = decode_insights(link)
    except ValueError:
        detail = None
    template = item.attrs.get("template")
    if detail and isinstance(template, str) and template:
        compact = insights_link(detail["region"], detail["source"], compact_pattern_query(template), detail["start"],
                                detail["end"])
        if len(compact) <= LONG_LINK:
            return compact
    region = _region_of(link)
    return log_group_link(region, str(groups[0])) if groups and region else None


class _Links:
    """Slack link markup ``<url|id>`` within a budget of URL characters; each URL appears once."""

    def __init__(self, budget: int = LINK_BUDGET) -> None:
        self.budget = budget
        self.used: set[str] = set()

    def __call__(self, item: Evidence) -> str:
        link = item.link
        if link and len(link) > LONG_LINK and item.source == "logs":
            link = _shorter_logs_link(link, item)
        if not link or item.id in self.used or len(link) > min(self.budget, LONG_LINK):
            return f"`{item.id}`"
        self.used.add(item.id)
        self.budget -= len(link)
        url = link.replace(">", "%3E").replace("|", "%7C").replace(" ", "%20")
        return f"<{url}|{item.id}>"


def _one_line(text: str, limit: int) -> str:
    """A tool's evidence summary on one line, cut to ``limit``; its ⟦ ⟧ fences around untrusted text are kept
    (and closed when the cut falls inside one), so the model and the reader both see what is quoted data."""
    line = redact(text).replace("\n", " ").replace("\r", " ")
    # Slack reads <url|label> and <!channel> anywhere: escape the "<" that opens them (and "&" before an
    # entity name, so data cannot spell one); a lone ">" or "&" is shown as typed.
    line = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", line).replace("<", "&lt;")
    if len(line) > limit:
        line = shorten(line, limit)  # keeps the exception and its message, fences balanced
    if line.count(FENCE_OPEN) > line.count(FENCE_CLOSE):
        line += FENCE_CLOSE
    return line


def build_summary(
    hypotheses: list[Hypothesis],
    onset: datetime | None,
    window: Window,
    sources: dict[str, dict[str, str]],
    question: str | None = None,
    limit: int = SLACK_LIMIT,
) -> str:
    """The Slack answer: what could not be checked first (``headline``), then the top cause with inline evidence
    ids and links, also possible, not configured."""
    lines: list[str] = []
    _link = _Links()
    gap = could_not_check(sources)
    if gap:
        lines.append(gap)
    unconfigured = [name for name, entry in sources.items() if entry.get("status") == "not_configured"]
    tail: list[str] = []
    if unconfigured:
        tail.append("*Not configured:* " + ", ".join(unconfigured) + ".")
    window_line = f"_Window {iso(window.start)} to {iso(window.end)}" + (f"; onset {hhmm(onset)}" if onset else "; no onset found") + "._"

    top = hypotheses[0] if hypotheses else None
    if top is None or top.confidence == "low" and all(h.confidence == "low" for h in hypotheses):
        if not (gap and nothing_read(sources)):
            lines.append(all_clear(sources))
        for hypothesis in hypotheses[:2]:
            ids = ", ".join(_link(e) for e in hypothesis.evidence(2))
            lines.append(f"• Weak lead (low): {hypothesis.title} — {ids}")
        lines.append(window_line)
        lines.extend(tail)
        return _fit(lines, limit)

    lines.append(f"*Most likely cause ({top.confidence}):* {top.title}")
    evidence = top.evidence(EVIDENCE_IN_SLACK)
    budget_lines: list[str] = []
    for item in evidence:
        budget_lines.append(f"• {_link(item)} {_one_line(item.summary, 180)}")
    lines.extend(budget_lines)
    lines.append(window_line)
    others = hypotheses[1:4]
    if others:
        lines.append("*Also possible:*")
        for index, hypothesis in enumerate(others, start=2):
            ids = ", ".join(_link(e) for e in hypothesis.evidence(2))
            lines.append(f"{index}. {hypothesis.title} ({hypothesis.confidence}) — {ids}")
    lines.extend(tail)
    log_ids = [e.id for e in evidence if e.source == "logs"]
    if log_ids:
        lines.append(f"_Next: ask \"show the raw lines for {log_ids[0]}\" or \"what changed before that?\"_")
    return _fit(lines, limit)


def _strip_links(line: str) -> str:
    return re.sub(r"<https?://[^|>]+\|([^>]+)>", r"`\1`", line)


def _fit(lines: list[str], limit: int) -> str:
    """Join lines under ``limit`` characters: drop links from the lowest lines first, then whole lines."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    lines = list(lines)
    for index in range(len(lines) - 1, 0, -1):  # keep the top cause's links longest
        lines[index] = _strip_links(lines[index])
        text = "\n".join(lines)
        if len(text) <= limit:
            return text
    lines[0] = _strip_links(lines[0])
    while len("\n".join(lines)) > limit and len(lines) > 1:
        # drop the longest bullet that is not the headline
        index = max(range(1, len(lines)), key=lambda i: len(lines[i]))
        lines.pop(index)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hypothesis_entry(rank: int, hypothesis: Hypothesis) -> dict[str, Any]:
    return {
        "rank": rank,
        "title": hypothesis.title,
        "confidence": hypothesis.confidence,
        "score": round(hypothesis.score, 3),
        "kind": hypothesis.kind,
        "confidence_value": round(hypothesis.confidence_value, 4),
        "evidence": [e.to_report() for e in hypothesis.evidence(EVIDENCE_PER_HYPOTHESIS)],
    }


def build_report(
    window: Window,
    question: str | None,
    onset: datetime | None,
    hypotheses: list[Hypothesis],
    sources: dict[str, dict[str, str]],
) -> dict[str, Any]:
    return {
        "window": {"start": iso(window.start), "end": iso(window.end)},
        "question": question,
        "onset": iso(onset) if onset else None,
        "summary": build_summary(hypotheses, onset, window, sources, question),
        "hypotheses": [hypothesis_entry(i, h) for i, h in enumerate(hypotheses, start=1)],
        "sources": sources,
    }


def to_tool_result(report: dict[str, Any], hypotheses: list[Hypothesis], window: Window, seconds: float) -> ToolResult:
    """The body the agent reads: the Slack answer first, then each hypothesis with evidence ids and links."""
    statuses = [entry["status"] for entry in report["sources"].values()]
    status = "ok"
    if all(s in ("error", "not_configured") for s in statuses):
        status = "error"
    elif any(s in ("error", "partial") for s in statuses):
        status = "partial"
    result = ToolResult("triage", "triage investigation", window, status=status)
    result.headline.append(f"onset: {report['onset'] or 'none found'}; {len(hypotheses)} hypothesis(es); {seconds:.1f}s")
    result.headline.append("Post the 'answer' section as the reply (it fits Slack); keep its evidence ids and links.")
    answer = result.section("answer (Slack-ready)")
    answer.lines.extend(report["summary"].split("\n"))
    sources = result.section("sources")
    for name, entry in report["sources"].items():
        sources.lines.append(f"{name}: {entry['status']}" + (f" — {entry.get('detail', '')}" if entry.get("detail") else ""))
    shown: set[str] = set()
    for entry, hypothesis in zip(report["hypotheses"], hypotheses):
        block = result.section(f"#{entry['rank']} {entry['title']} — {entry['confidence']} (score {entry['score']})")
        block.lines.append(f"why: {hypothesis.reason}")
        limit = None if entry["rank"] == 1 else LOWER_RANK_EVIDENCE
        again = [item["id"] for item in entry["evidence"] if item["id"] in shown]
        fresh = [item for item in entry["evidence"] if item["id"] not in shown][:limit]
        for item in fresh:
            shown.add(item["id"])
            block.lines.append(f"- {item['id']} [{item['source']}] {item['time'] or ''} {item['summary']}")
            # Each link once and only for the top cause: the answer has the rest; all are in the JSON report.
            linked_in_answer = f"|{item['id']}>" in report["summary"]
            if entry["rank"] == 1 and item.get("link") and not linked_in_answer and len(item["link"]) <= LONG_LINK:
                block.lines.append(f"  link: {item['link']}")
        if again:
            block.lines.append("- also: " + ", ".join(again))
        for runbook in entry.get("runbooks", []):
            block.lines.append(f"- runbook: {runbook['title']} {runbook['link']}")
    if report.get("similar_incidents"):
        past = result.section("similar past incidents")
        past.lines.extend(f"{p['id']} on {p['date']}: {p['title']} (similarity {p['score']})" for p in report["similar_incidents"])
    result.evidence = [e for h in hypotheses for e in h.evidence(EVIDENCE_PER_HYPOTHESIS)]
    result.data["report"] = report
    top_logs = [e.id for h in hypotheses[:1] for e in h.evidence() if e.source == "logs"]
    # Onset and symptoms for follow-ups that rank by relevance to the incident (list_changes).
    result.session.update(session_values(report["onset"], [e for h in hypotheses[:1] for e in h.evidence()]))
    if hypotheses:
        result.session["opsagent_top_evidence"] = ",".join(e.id for e in hypotheses[0].evidence(4))
    if top_logs:
        result.session["opsagent_top_log"] = top_logs[0]
    return result
