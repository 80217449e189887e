"""Titles of hypotheses, in our words: event names, exception classes, metric names and resource ids go in only
when they pass strict patterns; untrusted text (log messages, request parameters) never reaches a title."""

from __future__ import annotations

import re
from datetime import datetime

from tools.common.patterns import ARN_STRICT, HEX_ID, UUID
from tools.triage.signals import Signal, as_time, number


# --- strict patterns for anything copied into a title ----------------------------------------------

ID_PATTERN = re.compile(f"^(?:{HEX_ID}|{ARN_STRICT}|{UUID})$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/@+=-]{0,120}$")
EVENT_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]{2,80}$")
EXCEPTION_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.$]{2,120}(Exception|Error|Fault|Timeout|Exceeded|Denied|Throttled|Refused|Unavailable)$")
METRIC_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,120}$")
FINDING_TYPE_PATTERN = re.compile(r"^[A-Za-z0-9:/._!\-]{3,160}$")
_WORDY = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,40}$")


def strict_id(value: object) -> str | None:
    text = str(value or "")
    return text if ID_PATTERN.match(text) else None


def strict_name(value: object) -> str | None:
    text = str(value or "").strip()
    if NAME_PATTERN.match(text) and not re.search(r"(ignore|instruction|prompt|system|assistant)", text, re.I):
        return text
    return None


def strict_exception(value: object) -> str | None:
    text = str(value or "").strip()
    return text if EXCEPTION_PATTERN.match(text) else None


def short(value: str, limit: int = 64) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def hhmm(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") + "Z" if moment else "?"


def short_arn(value: str) -> str:
    """The resource part of an ARN (``task-definition/pricing:113``); other ids unchanged."""
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[5]:
            return parts[5]
    return value


def change_title(change: Signal, onset: datetime | None, mentioned: set[str] | None = None, reaction: str = "") -> str:
    a = change.evidence.attrs
    event = str(a.get("event_name") or "")
    event = event if EVENT_PATTERN.match(event) else "a change"
    raw = [r for r in (a.get("resources") or []) if isinstance(r, str)]
    # A resource the failing symptoms also name is the one to show (a plain name only when it passes the strict
    # name pattern); otherwise an id or ARN that passes the strict id pattern.
    named = [r for r in raw if mentioned and r.lower() in mentioned and (strict_id(r) or (strict_name(r) and len(r) <= 64))]
    ids = [r for r in (strict_id(r) for r in raw) if r]
    plain = [r for r in ids if not r.startswith("arn:")]
    arns = sorted((r for r in ids if r.startswith("arn:")), key=lambda r: (-r.count("/"), len(r)))
    shown = [short_arn(r) for r in (named[:1] + (plain or arns)[:1])]
    shown = [r for i, r in enumerate(shown) if r not in shown[:i] and not any(r in other for other in shown[:i])]
    resource = shown[0] + (f" ({shown[1]})" if len(shown) > 1 else "") if shown else None
    when = as_time(change.evidence.time) if change.evidence.time else None
    title = f"CloudTrail change {event}"
    if reaction:
        title = f"AWS-service reaction {event} ({reaction})"
    if resource:
        title += f" on {short(resource, 120)}"
    if when is not None:
        title += f" at {hhmm(when)}"
        if onset is not None:
            minutes = round((onset - when).total_seconds() / 60)
            if minutes > 0:
                title += f", {minutes} min before the onset"
            elif minutes == 0:
                title += ", at the onset"
    return title


def metric_resource(attrs: dict) -> str | None:
    """The resource a metric is about, from its dimensions (the most specific strict name)."""
    dims = attrs.get("dimensions") if isinstance(attrs.get("dimensions"), dict) else {}
    caller, callee = strict_name(dims.get("Service")), strict_name(dims.get("RemoteService"))
    if caller and callee:  # a dependency metric: what the caller sees of its calls to the callee
        return f"calls from {caller} to {callee}"
    preferred = ("DBInstanceIdentifier", "DBClusterIdentifier", "TableName", "FunctionName", "QueueName", "ServiceName",
                 "PodName", "TaskDefinitionFamily", "CacheClusterId", "TargetGroup", "LoadBalancer", "FileSystemId", "InstanceId", "StreamName", "Service",
                 "ClusterName", "BucketName", "ApiName", "DomainName")
    ordered = [dims[k] for k in preferred if k in dims] + [v for k, v in dims.items() if k not in preferred]
    for value in ordered:
        name = strict_name(value)
        if name and name.lower() not in ("default", "generic:default", "none", "all"):
            return name
    return None


def fault_title(anchor: Signal) -> str:
    a = anchor.evidence.attrs
    kind = anchor.kind
    if kind == "trace_fault":
        exception = strict_exception(a.get("exception"))
        service = strict_name(a.get("service"))
        downstream = a.get("downstream")
        downstream_words = [w for w in str(downstream or "").split() if NAME_PATTERN.match(w)][:4]
        title = f"X-Ray: {exception or 'faults'}"
        if service:
            title += f" in {service}"
        if downstream_words:
            title += f" calling {' '.join(downstream_words)}"
        return title
    if kind == "metric_shift":
        metric = str(a.get("metric") or "")
        metric = metric if METRIC_PATTERN.match(metric) else "a metric"
        resource = metric_resource(a)
        direction = "rose" if str(a.get("direction", "up")) == "up" else "fell"
        before, after = number(a.get("before")), number(a.get("after"))
        change = f" ({before:g} -> {after:g})" if before or after else ""
        moment = as_time(a.get("change_time"))
        return f"Metric {metric}{' of ' + short(resource, 80) if resource else ''} {direction}{change}" + (f" at {hhmm(moment)}" if moment else "")
    if kind == "error_pattern":
        keywords = a.get("keywords") if isinstance(a.get("keywords"), list) else []
        exception = next((strict_exception(k) for k in keywords if strict_exception(k)), None)
        groups = [strict_name(g) for g in (a.get("log_groups") or []) if strict_name(g)]
        new = "New error pattern" if a.get("new") else "Error surge"
        what = f" ({exception})" if exception else f" {anchor.evidence.id}"
        return f"{new}{what}" + (f" in {groups[0]}" if groups else "")
    if kind in ("alb_errors", "alb_latency"):
        lb = strict_name(a.get("load_balancer"))
        status = str(a.get("status_class") or "5xx")
        status = status if re.fullmatch(r"[2-5]xx", status) else "5xx"
        origin = str(a.get("origin") or "")
        origin = f" ({origin})" if re.fullmatch(r"[a-z -]{3,40}", origin) else ""
        what = f"{status} errors{origin}" if kind == "alb_errors" else "latency"
        return f"Load balancer {what}" + (f" on {lb}" if lb else "")
    if kind == "failed_call":
        code = str(a.get("error_code") or "")
        code = code if _WORDY.match(code) else "errors"
        event = str(a.get("event_name") or "")
        return f"Failed AWS API calls ({code})" + (f" on {event}" if EVENT_PATTERN.match(event) else "")
    return f"Anomaly in {anchor.source}"


def security_title(finding: Signal, others: int = 0) -> str:
    a = finding.evidence.attrs
    finding_type = str(a.get("finding_type") or "")
    finding_type = finding_type if FINDING_TYPE_PATTERN.match(finding_type) else "security finding"
    resources = [strict_id(r) or strict_name(r) for r in (a.get("resources") or []) if isinstance(r, str)]
    resource = next((r for r in resources if r), None)
    service = "GuardDuty" if finding.source == "guardduty" else "Security Hub"
    more = f" (+{others} related finding{'s' if others > 1 else ''})" if others else ""
    return f"Possible security incident: {service} {short(finding_type, 90)}{more}" + (f" on {short(resource, 80)}" if resource else "")
