"""Evidence: the facts tools report, each with a stable id and an AWS console link.

Ids are ``<prefix>-<8 hex>``, a hash of what the fact is (not of when it was asked), so the same pattern,
request group or event gets the same id in a follow-up and across tools, and a user can paste it back
("show the raw lines for L-3f9a2c1d"). Each feed declares its prefix in its source declaration
(``tools/<source>/source.py``): L logs, A alb, C cloudtrail, M metrics, X xray, S securityhub, G guardduty.

``attrs`` carries the structured details triage correlates on. Keys by ``kind``:

* every kind: ``resources`` (list of names/ids/ARNs the fact is about), ``onset`` (ISO time it began, or None)
* ``error_pattern`` (logs): template, count, baseline_count, new (bool), first_seen, last_seen, log_groups,
  trend (list of counts per bucket), bucket_seconds, severity (error|warn|fatal), keywords (exception/timeouts)
* ``alb_errors`` / ``alb_latency`` (alb): load_balancer, path, status_class, count, baseline_count, share,
  p95_ms, baseline_p95_ms, targets, target_groups, error_reasons
* ``change`` / ``failed_call`` (cloudtrail): event_name, event_source, event_id, principal, principal_type,
  error_code, read_only (bool), minutes_before_window, request (redacted, short), relevance (0..1, to the incident
  of the session), change_kind, mitigation (the rollback, or None), principal_arn,
  actor (human|automation|service), via (console, CLI, Terraform, an AWS service ...), invoked_by, source_ip
* ``metric_shift`` (metrics): namespace, metric, dimensions (dict), statistic, unit, before, after,
  change_time, direction (up|down), magnitude (relative change), score
* ``trace_fault`` (xray): service, entity_path, exception, message, downstream, count, kind, trace_ids
* ``finding`` (securityhub, guardduty): severity, finding_type, resource_type, first_seen, last_seen, count,
  standing (bool: first seen or last updated before the window: a pre-existing condition, not the incident)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tools import sources
from tools.common.timewindow import Window, iso



def prefix(source: str) -> str:
    """The evidence id prefix the registry declares for a report source (KeyError for an unknown source)."""
    feed = sources.registry().feed(source)
    if feed is None:
        raise KeyError(f"no registered source feeds {source!r}")
    return feed.prefix


def id_pattern(*feeds: str) -> re.Pattern[str]:
    """A pattern finding evidence ids in text: of the named feeds, or of every registered feed."""
    names = feeds or tuple(feed.name for feed in sources.registry().feeds())
    letters = "".join(sorted({prefix(name) for name in names}))
    return re.compile(rf"\b[{letters}]-[0-9a-f]{{8}}\b")


def evidence_id(source: str, *parts: object) -> str:
    """Stable id for a fact: source prefix plus 8 hex digits of a hash of its identifying parts."""
    digest = hashlib.blake2s("\x1f".join(str(p) for p in parts).encode("utf-8", "replace"), digest_size=4)
    return f"{prefix(source)}-{digest.hexdigest()}"


@dataclass
class Evidence:
    """One checkable fact: id, source, one-line summary, time, console link, and structured attributes."""

    id: str
    source: str
    kind: str
    summary: str
    time: datetime | None = None
    link: str | None = None
    score: float = 0.0
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_report(self) -> dict[str, Any]:
        """The evidence object of ``triage-report.schema.json``."""
        return {
            "id": self.id,
            "source": self.source,
            "summary": self.summary,
            "time": iso(self.time) if self.time else None,
            "link": self.link,
        }


# --- console links -------------------------------------------------------------------------


def _console(region: str, service: str, fragment: str) -> str:
    return f"https://{region}.console.aws.amazon.com/{service}/home?region={region}#{fragment}"


def _insights_escape(text: str) -> str:
    """The console's own escaping of the Logs Insights URL fragment ($ encoding of % and specials)."""
    return quote(text, safe="").replace("%", "*")


def logs_insights_link(region: str, log_groups: list[str], query: str, window: Window) -> str:
    """A Logs Insights console link that opens ``query`` over ``log_groups`` for ``window``."""
    detail = (
        "~(end~'" + _insights_escape(iso(window.end)) + "~start~'" + _insights_escape(iso(window.start))
        + "~timeType~'ABSOLUTE~tz~'UTC~editorString~'" + _insights_escape(query)
        + "~source~(" + "~".join("'" + _insights_escape(g) for g in log_groups) + "))"
    )
    fragment = "logsV2:logs-insights$3FqueryDetail$3D" + quote(detail, safe="").replace("%", "$")
    return _console(region, "cloudwatch", fragment)


def log_group_link(region: str, log_group: str) -> str:
    encoded = quote(quote(log_group, safe=""), safe="").replace("%", "$")
    return _console(region, "cloudwatch", f"logsV2:log-groups/log-group/{encoded}")


def athena_link(region: str, query_execution_id: str | None = None) -> str:
    if query_execution_id:
        return _console(region, "athena", f"/query-editor/history/{quote(query_execution_id, safe='')}")
    return _console(region, "athena", "/query-editor")


def cloudtrail_event_link(region: str, event_id: str) -> str:
    return _console(region, "cloudtrail", f"/events/{quote(event_id, safe='')}")


def metric_link(region: str, namespace: str, metric: str, dimensions: dict[str, str], window: Window, stat: str = "Average") -> str:
    parts = [namespace, metric]
    for name, value in dimensions.items():
        parts.extend([name, value])
    metric_json = "[" + ",".join('"' + p.replace('"', "") + '"' for p in parts) + "]"
    graph = (
        '{"metrics":[' + metric_json + '],"view":"timeSeries","stat":"' + stat + '","region":"' + region
        + '","start":"' + iso(window.start) + '","end":"' + iso(window.end) + '"}'
    )
    return _console(region, "cloudwatch", "metricsV2?graph=~" + quote(graph, safe=""))


def xray_trace_link(region: str, trace_id: str) -> str:
    return _console(region, "cloudwatch", f"xray:traces/{quote(trace_id, safe='')}")


def xray_traces_query_link(region: str, filter_expression: str, window: Window) -> str:
    query = quote(filter_expression, safe="")
    return _console(region, "cloudwatch", f"xray:traces/query?~(query~(expression~'{query})~context~(timeRange~(end~'{quote(iso(window.end), safe='')}~start~'{quote(iso(window.start), safe='')})))")


def securityhub_finding_link(region: str, finding_id: str) -> str:
    return f"https://{region}.console.aws.amazon.com/securityhub/home?region={region}#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A{quote(quote(finding_id, safe=''), safe='')}"


def guardduty_finding_link(region: str, finding_id: str) -> str:
    return f"https://{region}.console.aws.amazon.com/guardduty/home?region={region}#/findings?fId={quote(finding_id, safe='')}"
