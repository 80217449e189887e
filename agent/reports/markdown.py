"""``triage --format md``: the investigation as postmortem-ready markdown.

Sections, in the order an incident review reads them: summary (the top hypothesis and its confidence), what could
not be checked (first, so a gap is never mistaken for "all clear"), mitigation, a timeline of changes, onset and
symptoms (clock times, UTC), onset and symptoms, every hypothesis with its evidence and console links, the
sources read. Values from telemetry stay inside table cells and code spans; pipes and newlines are escaped.
"""

from __future__ import annotations

import re
from datetime import datetime

from agent.reports.charts import timeline_events
from agent.reports.investigation import Investigation
from tools.common.safety import redact

_PROBLEMS = ("error", "partial", "not_configured")
# A Slack link in the triage answer: <url|evidence id>.
SLACK_LINK = re.compile(r"<(https://[^|>\s]+)\|([^>]{1,40})>")


def cell(text: object, limit: int = 300) -> str:
    """One table cell: one line, redacted, pipes escaped, cut to ``limit``."""
    value = redact(str(text)).replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def link(item_id: str, url: str | None) -> str:
    return f"[{item_id}]({url})" if url and url.startswith("https://") and " " not in url else f"`{item_id}`"


def clock(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}Z" if moment else "—"


def not_checked(inv: Investigation) -> list[str]:
    """Sources that could not be read fully, and other limits of this investigation."""
    lines = [f"{name}: {entry['status']} — {entry.get('detail', '')}" for name, entry in inv.report["sources"].items()
             if entry["status"] in _PROBLEMS]
    return lines + inv.notes


def render(inv: Investigation) -> str:
    report = inv.report
    top = report["hypotheses"][0] if report["hypotheses"] else None
    out = [f"# Incident investigation: {cell(report.get('question') or 'unnamed incident', 200)}", ""]
    out.append(f"- **Window:** {report['window']['start']} to {report['window']['end']} (UTC)")
    out.append(f"- **Onset:** {report.get('onset') or 'none found'}")
    out.append(f"- **Data:** {cell(inv.data_source, 200)}" + (f", account {inv.account}, {inv.region}" if inv.account else ""))
    gaps = not_checked(inv)
    gap_section = ["## What could not be checked", ""]
    gap_section += [f"- {cell(line, 400)}" for line in gaps] or ["- Every configured source was read."]
    if gaps:  # what could not be checked comes first
        out += ["", *gap_section]
    out += ["", "## Summary", ""]
    if top:
        out.append(f"**{inv.lead()} ({top['confidence']} confidence):** {cell(top['title'], 400)}")
    else:
        out.append(f"**No hypothesis:** {inv.no_hypothesis()}")
    summary = SLACK_LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", report["summary"])
    out += ["", "> " + summary.replace("\n", "\n> "), ""]
    if not gaps:
        out += gap_section
    mitigation = inv.top_mitigation()
    if mitigation:
        change, text = mitigation
        out += ["", "## Mitigation", "", f"If {change.attrs.get('event_name')} [{change.id}] is the cause: {cell(text, 500)}"]
    out += ["", "## Timeline (UTC)", "", "| time | what | evidence |", "|---|---|---|"]
    lines_by_id = {e.id: e for e in [*inv.changes, *inv.evidence]}
    for moment, lane, label in timeline_events(inv):
        item_id = label.rsplit("[", 1)[-1].rstrip("]") if "[" in label else ""
        item = lines_by_id.get(item_id)
        what = "**onset of the symptoms**" if lane == "onset" else cell(item.summary if item else label, 220)
        out.append(f"| {clock(moment)} | {what} | {link(item_id, item.link if item else None) if item_id else ''} |")
    out += ["", "## Onset and symptoms", ""]
    symptoms = [e for e in inv.evidence if e.source != "cloudtrail"]
    out.append(f"Symptoms began at {report.get('onset') or 'an unknown time (no onset found)'}.")
    out += [f"- {link(e.id, e.link)} {e.source}, {clock(e.time)}: {cell(e.summary, 300)}" for e in symptoms[:10]]
    out += ["", "## Hypotheses and evidence", ""]
    if not report["hypotheses"]:
        out.append("None.")
    for h in report["hypotheses"]:
        out.append(f"### {h['rank']}. {cell(h['title'], 300)} — {h['confidence']} (score {h.get('score', 0)})")
        out.append("")
        out += [f"- {link(i['id'], i.get('link'))} {i['source']} {i.get('time') or ''}: {cell(i['summary'], 300)}" for i in h["evidence"]]
        out.append("")
    out += ["## Changes ranked by relevance to the incident", ""]
    if inv.changes:
        out += ["| time | change | relevance | rollback |", "|---|---|---|---|"]
        for change in inv.changes:
            out.append(f"| {clock(change.time)} | {link(change.id, change.link)} {cell(change.summary, 240)} | "
                       f"{change.attrs.get('relevance', '')} ({cell(change.attrs.get('change_kind', ''), 40)}) | "
                       f"{cell(change.attrs.get('mitigation') or '—', 240)} |")
    else:
        out.append("No changes were found in the window and the hour before it.")
    out += ["", "## Sources", "", "| source | status | detail |", "|---|---|---|"]
    out += [f"| {name} | {entry['status']} | {cell(entry.get('detail', ''), 300)} |" for name, entry in report["sources"].items()]
    return "\n".join(out) + "\n"
