"""``triage --html FILE``: the investigation as one self-contained page: the markdown report's content, plus
charts of the changed metrics around the onset (changes marked on the time axis) and a timeline chart.

No network at view time: inline CSS, inline SVG, no scripts, and a Content-Security-Policy that forbids any
fetch (``default-src 'none'``). Every value is HTML-escaped; links are kept only when they are https URLs.
"""

from __future__ import annotations

import html
import re

from agent.reports import charts
from agent.reports.investigation import Investigation
from agent.reports.markdown import SLACK_LINK, clock, not_checked
from tools.common.safety import redact

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1000px;color:#1b1b1b;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f4f4f4}.gap{background:#fff4e5;border-left:4px solid #ef6c00;padding:8px 12px}
.summary{white-space:pre-wrap;background:#f7f7f9;border-left:4px solid #1565c0;padding:8px 12px}
.chart{margin:12px 0;border:1px solid #eee;padding:4px}.chart svg{width:100%;height:auto}
.high{color:#2e7d32}.medium{color:#ef6c00}.low{color:#757575}code{background:#f4f4f4;padding:0 3px}
"""


def _e(text: object, limit: int = 600) -> str:
    value = redact(str(text))
    return html.escape(value if len(value) <= limit else value[: limit - 1] + "…")


def _a(item_id: str, url: str | None) -> str:
    if url and url.startswith("https://") and " " not in url:
        return f'<a href="{html.escape(url, quote=True)}">{_e(item_id)}</a>'
    return f"<code>{_e(item_id)}</code>"


def slack_to_html(text: str) -> str:
    """The Slack answer as HTML: ``<url|id>`` links become anchors, ``*bold*`` bold, entities read back once."""
    parts: list[str] = []
    last = 0
    for match in SLACK_LINK.finditer(text):
        parts.append(_inline(text[last:match.start()]))
        parts.append(_a(match.group(2), match.group(1)))
        last = match.end()
    parts.append(_inline(text[last:]))
    return "".join(parts)


def _inline(text: str) -> str:
    escaped = _e(html.unescape(text), 3000)
    return re.sub(r"(?m)^\*([^*\n]{1,120})\*", r"<b>\1</b>", escaped)  # Slack's "*Most likely cause (high):*"


def render(inv: Investigation) -> str:
    report = inv.report
    top = report["hypotheses"][0] if report["hypotheses"] else None
    body: list[str] = [f"<h1>Incident investigation: {_e(report.get('question') or 'unnamed incident', 200)}</h1>",
                       f"<p><b>Window</b> {_e(report['window']['start'])} to {_e(report['window']['end'])} (UTC) · "
                       f"<b>Onset</b> {_e(report.get('onset') or 'none found')} · <b>Data</b> {_e(inv.data_source, 200)}</p>",
                       ]
    gaps = not_checked(inv)
    gap_section = ["<h2>What could not be checked</h2>",
                   '<div class="gap"><ul>' + "".join(f"<li>{_e(g)}</li>" for g in gaps) + "</ul></div>" if gaps
                   else "<p>Every configured source was read.</p>"]
    if gaps:  # what could not be checked comes first
        body += gap_section
    body.append("<h2>Summary</h2>")
    if top:
        body.append(f'<p><b>{_e(inv.lead())} (<span class="{top["confidence"]}">{top["confidence"]} confidence</span>):</b> '
                    f"{_e(top['title'])}</p>")
    else:
        body.append(f"<p><b>No hypothesis:</b> {_e(inv.no_hypothesis())}</p>")
    body.append(f'<div class="summary">{slack_to_html(report["summary"])}</div>')
    if not gaps:
        body += gap_section
    mitigation = inv.top_mitigation()
    if mitigation:
        change, text = mitigation
        body.append(f"<h2>Mitigation</h2><p>If {_e(change.attrs.get('event_name'))} {_a(change.id, change.link)} is the cause: "
                    f"{_e(text)}</p>")
    body.append("<h2>Metrics around the onset</h2>")
    if inv.charts:
        body += [f'<div class="chart" data-evidence="{_e(c.evidence_id)}">{charts.metric_svg(c, inv)}</div>' for c in inv.charts]
    else:
        body.append("<p>No changed metric is part of the hypotheses.</p>")
    body.append("<h2>Timeline (UTC)</h2>")
    timeline = charts.timeline_svg(inv)
    if timeline:
        body.append(f'<div class="chart" data-evidence="timeline">{timeline}</div>')
    rows = "".join(f"<tr><td>{clock(m)}</td><td>{_e(lane)}</td><td>{_e(label)}</td></tr>" for m, lane, label in charts.timeline_events(inv))
    body.append(f"<table><tr><th>time</th><th>kind</th><th>what</th></tr>{rows}</table>")
    body.append("<h2>Hypotheses and evidence</h2>")
    for h in report["hypotheses"]:
        body.append(f'<h3>{h["rank"]}. {_e(h["title"])} — <span class="{h["confidence"]}">{h["confidence"]}</span></h3><ul>')
        body += [f"<li>{_a(i['id'], i.get('link'))} {_e(i['source'])} {_e(i.get('time') or '')}: {_e(i['summary'])}</li>" for i in h["evidence"]]
        body.append("</ul>")
    body.append("<h2>Changes ranked by relevance to the incident</h2>")
    if inv.changes:
        body.append("<table><tr><th>time</th><th>change</th><th>relevance</th><th>rollback</th></tr>" + "".join(
            f"<tr><td>{clock(c.time)}</td><td>{_a(c.id, c.link)} {_e(c.summary)}</td><td>{_e(c.attrs.get('relevance', ''))} "
            f"({_e(c.attrs.get('change_kind', ''))})</td><td>{_e(c.attrs.get('mitigation') or '—')}</td></tr>" for c in inv.changes) + "</table>")
    else:
        body.append("<p>No changes were found in the window and the hour before it.</p>")
    body.append("<h2>Sources</h2><table><tr><th>source</th><th>status</th><th>detail</th></tr>" + "".join(
        f"<tr><td>{_e(n)}</td><td>{_e(s['status'])}</td><td>{_e(s.get('detail', ''))}</td></tr>" for n, s in report["sources"].items()) + "</table>")
    title = _e(f"Investigation: {report.get('question') or report['window']['start']}", 150)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>"
            f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
