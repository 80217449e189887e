"""Console links to one resource by its id, each with its decoder: an Athena query execution, a CloudTrail event,
an X-Ray trace or trace query, a Security Hub finding and a GuardDuty finding.

Formats, as the consoles write them in their address bar (no AWS page documents them; they are what the
consoles' own "copy link" and navigation produce):

* Athena: ``athena/home?region=R#/query-editor/history/<query execution id>`` (the execution's SQL, status, results)
* CloudTrail: ``cloudtrailv2/home?region=R#/events/<event id>`` (the event record; the CloudTrail console moved from
  ``cloudtrail/home`` to ``cloudtrailv2/home``)
* X-Ray (in CloudWatch): ``cloudwatch/home?region=R#xray:traces/<trace id>`` and
  ``#xray:traces/query?~(query~(expression~'...)~context~(timeRange~(end~'...~start~'...)))`` (tilde notation)
* Security Hub: ``securityhub/home?region=R#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A<id>``
  (the filter ``Id=\\operator\\:EQUALS\\:<id>``, URL-encoded twice)
* GuardDuty: ``guardduty/home?region=R#/findings?fId=<finding id>``
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tools.common.links import console, jsurl

ATHENA_HISTORY = "/query-editor/history/"
CLOUDTRAIL_EVENT = "/events/"
XRAY_TRACE = "xray:traces/"
XRAY_QUERY = "xray:traces/query?"
SECURITYHUB_OPERATOR = "\\operator\\:EQUALS\\:"


def athena_execution_link(region: str, query_execution_id: str) -> str:
    return console.url(region, "athena", ATHENA_HISTORY + quote(query_execution_id, safe=""))


def decode_athena_execution(link: str) -> dict[str, str]:
    region, rest = console.state(link, "athena", ATHENA_HISTORY)
    return {"region": region, "query_execution_id": unquote(rest)}


def cloudtrail_event_link(region: str, event_id: str) -> str:
    return console.url(region, "cloudtrailv2", CLOUDTRAIL_EVENT + quote(event_id, safe=""))


def decode_cloudtrail_event(link: str) -> dict[str, str]:
    region, rest = console.state(link, "cloudtrailv2", CLOUDTRAIL_EVENT)
    return {"region": region, "event_id": unquote(rest)}


def xray_trace_link(region: str, trace_id: str) -> str:
    return console.url(region, "cloudwatch", XRAY_TRACE + quote(trace_id, safe=""))


def decode_xray_trace(link: str) -> dict[str, str]:
    region, rest = console.state(link, "cloudwatch", XRAY_TRACE)
    if rest.startswith("query?"):
        raise ValueError("an X-Ray trace query link, not a trace link")
    return {"region": region, "trace_id": unquote(rest)}


def xray_query_link(region: str, filter_expression: str, start: str, end: str) -> str:
    state = {"query": {"expression": filter_expression}, "context": {"timeRange": {"end": end, "start": start}}}
    return console.url(region, "cloudwatch", XRAY_QUERY + jsurl.dumps(state))


def decode_xray_query(link: str) -> dict[str, str]:
    region, rest = console.state(link, "cloudwatch", XRAY_QUERY)
    state = jsurl.loads(rest)
    span = state["context"]["timeRange"]
    return {"region": region, "expression": state["query"]["expression"], "start": span["start"], "end": span["end"]}


def securityhub_finding_link(region: str, finding_id: str) -> str:
    search = "Id=" + quote(SECURITYHUB_OPERATOR + finding_id, safe="")
    return console.url(region, "securityhub", "/findings?search=" + quote(search, safe=""))


def decode_securityhub_finding(link: str) -> dict[str, str]:
    region, rest = console.state(link, "securityhub", "/findings?")
    search = (parse_qs(rest).get("search") or [""])[0]
    key, _, value = search.partition("=")
    value = unquote(value)
    if key != "Id" or not value.startswith(SECURITYHUB_OPERATOR):
        raise ValueError(f"not a Security Hub finding filter: {search[:80]!r}")
    return {"region": region, "finding_id": value[len(SECURITYHUB_OPERATOR):]}


def guardduty_finding_link(region: str, finding_id: str) -> str:
    return console.url(region, "guardduty", "/findings?fId=" + quote(finding_id, safe=""))


def decode_guardduty_finding(link: str) -> dict[str, str]:
    region, rest = console.state(link, "guardduty", "/findings?")
    return {"region": region, "finding_id": (parse_qs(rest).get("fId") or [""])[0]}


def decode(link: str) -> dict[str, Any]:
    """Whatever resource link this is, decoded, with ``kind`` naming its format."""
    for kind, reader in (("athena", decode_athena_execution), ("cloudtrail", decode_cloudtrail_event),
                         ("xray_query", decode_xray_query), ("xray_trace", decode_xray_trace),
                         ("securityhub", decode_securityhub_finding), ("guardduty", decode_guardduty_finding)):
        try:
            return {"kind": kind, **reader(link)}
        except (ValueError, KeyError, TypeError):
            continue
    raise ValueError(f"not a resource link: {urlsplit(link).path[:80]!r}")
