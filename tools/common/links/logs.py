"""CloudWatch Logs console links: a Logs Insights query over log groups and an absolute window, a log group, and
a log stream's events around a moment.

The logs console keeps its path in the fragment with ``%`` written as ``$``: ``?queryDetail=`` is ``$3FqueryDetail$3D``
and a log group name is URL-encoded twice (``/ecs/checkout`` -> ``$252Fecs$252Fcheckout``). The query detail itself
is tilde notation (``links.jsurl``): ``~(end~'...~start~'...~timeType~'ABSOLUTE~tz~'UTC~editorString~'<query>~source~(~'<group>...))``,
the form the console writes in its address bar. Each builder has a decoder that reads its link back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from tools.common.links import console, jsurl

INSIGHTS = "logsV2:logs-insights$3FqueryDetail$3D"
GROUP = "logsV2:log-groups/log-group/"


def _twice(text: str) -> str:
    return quote(quote(text, safe=""), safe="").replace("%", "$")


def _untwice(text: str) -> str:
    return unquote(unquote(text.replace("$", "%")))


def insights_link(region: str, log_groups: list[str], query: str, start: str, end: str) -> str:
    """Logs Insights with ``query`` over ``log_groups`` from ``start`` to ``end`` (ISO 8601 UTC)."""
    detail = {"end": end, "start": start, "timeType": "ABSOLUTE", "tz": "UTC", "editorString": query,
              "source": list(log_groups)}
    return console.url(region, "cloudwatch", INSIGHTS + jsurl.dumps(detail))


def decode_insights(link: str) -> dict[str, Any]:
    """The query detail of an ``insights_link`` (keys end, start, timeType, tz, editorString, source) and region."""
    region, rest = console.state(link, "cloudwatch", INSIGHTS)
    return {**jsurl.loads(rest), "region": region}


def log_group_link(region: str, log_group: str) -> str:
    return console.url(region, "cloudwatch", GROUP + _twice(log_group))


def log_events_link(region: str, log_group: str, stream: str, start_ms: int, end_ms: int) -> str:
    """The events of one stream between two instants (epoch milliseconds)."""
    return f"{log_group_link(region, log_group)}/log-events/{_twice(stream)}$3Fstart$3D{start_ms:d}$26end$3D{end_ms:d}"


def decode_log_group(link: str) -> dict[str, Any]:
    """``{"region", "log_group"}`` plus ``stream``, ``start_ms``, ``end_ms`` for a log-events link."""
    region, rest = console.state(link, "cloudwatch", GROUP)
    group, _, events = rest.partition("/log-events/")
    out: dict[str, Any] = {"region": region, "log_group": _untwice(group)}
    if events:
        stream, _, query = events.partition("$3F")
        out["stream"] = _untwice(stream)
        for pair in _untwice(query).split("&"):
            key, _, value = pair.partition("=")
            if key in ("start", "end"):
                out[f"{key}_ms"] = int(value)
    return out


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
