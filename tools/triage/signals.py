"""Signals: read the ``attrs`` of each Evidence into what ranking needs — how abnormal a symptom is, when it
began, and which tokens (resource ids, names, service words) it mentions — tolerant of missing keys."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tools.common.evidence import Evidence
from tools.common.patterns import HEX_ID, UUID, is_region
from tools.common.timewindow import parse_instant, to_utc, UTC
from tools.triage import weights as W
from tools.triage.patterns import HOST, SERVICE_PRINCIPAL

SYMPTOM_KINDS = {"error_pattern", "alb_errors", "alb_latency", "metric_shift", "trace_fault", "failed_call"}

_SYMPTOM_METRIC = re.compile(
    r"(error|5xx|4xx|fault|throttl|latency|duration|timeout|reject|fail|unhealthy|dlq|deadletter|"
    r"iteratorage|responsetime|deadlock|spillover|surgequeue|dropped|denied)",
    re.I,
)
_SATURATION = re.compile(r"(connection|cpu|memory|swap|queuedepth|diskqueue|backlog|concurrent|inflight|pending|"
                         r"throttl|exhaust|saturat|maxconn|approximatenumberofmessagesvisible|approximateageofoldestmessage)", re.I)
# A percentage at its ceiling is bad when it measures use of something finite (not a hit ratio or an availability).
_SATURATION_OR_STORAGE = re.compile(r"(used|usage|util|cpu|mem|disk|storage|swap|inode|full|capacity|connection)", re.I)
_FALLING_BAD = re.compile(r"^(Free|Available)|FreeStorage|FreeableMemory|FreeLocalStorage|Balance$|Credit|^HealthyHostCount$", re.I)
_HEX_ID = re.compile(f"^{HEX_ID}$")
_UUID = re.compile(f"^{UUID}$")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*[A-Za-z0-9]|[A-Za-z0-9]")
_STOP = {
    "aws", "amazonaws", "com", "arn", "http", "https", "www", "the", "and", "for", "from", "with", "error", "errors",
    "exception", "failed", "failure", "request", "requests", "response", "true", "false", "null", "none", "info",
    "warn", "warning", "debug", "fatal", "api", "app", "service", "services", "server", "client", "default",
    "count", "sum", "average", "status", "code", "time", "timed", "out", "after", "not", "was", "are", "this", "that",
    "get", "put", "post", "delete", "list", "describe", "update", "create", "modify", "user", "role", "assumed",
    "assumed-role", "policy", "root", "id", "name", "type", "value", "message", "level", "ms", "sec", "seconds",
    "us", "east", "west", "eu", "ap", "region", "account", "elb", "tcp", "ip",
    "lb", "loadbalancer", "targetgroup", "metric", "dimension", "v1", "v2", "prod", "production", "staging", "dev",
    "calling", "call", "operation", "op", "on", "in", "to", "of", "at", "by", "is", "be", "an", "a", "or", "no",
    "ecs", "task", "container", "path", "host", "port", "connection", "internal", "unknown",
}
# Region names (``us-east-1``, ``ap-south-2``, ...) are stop words too, by rule (``tools.common.patterns.REGION``):
# every resource of a workload shares its region, so it links nothing.
# Words that name an AWS service: overlap on them is meaningful but weaker than an id.
SERVICE_WORDS = {
    "dynamodb", "kms", "s3", "sqs", "sns", "rds", "aurora", "elasticache", "redis", "lambda", "secretsmanager",
    "ssm", "sts", "iam", "kinesis", "firehose", "eventbridge", "events", "stepfunctions", "states", "ecr", "efs",
    "opensearch", "es", "cognito", "apigateway", "execute-api", "route53", "acm", "msk", "kafka", "memcached",
    "mysql", "postgres", "postgresql", "docdb", "neptune", "bedrock", "sagemaker", "logs", "monitoring", "xray",
}


PART_WEIGHT = 0.25  # a word that is only part of a compound name (see ``tokenize``)


@dataclass
class Signal:
    """One piece of evidence as ranking sees it."""

    evidence: Evidence
    strength: float
    onset: datetime | None
    tokens: dict[str, float] = field(default_factory=dict)
    text: str = ""
    subject: dict[str, float] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.evidence.source

    @property
    def kind(self) -> str:
        return self.evidence.kind


def as_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000.0 if value > 1e11 else value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        return parse_instant(str(value), datetime.now(UTC))
    except ValueError:
        return None


def number(value: Any, default: float = 0.0) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def _flatten(value: Any, out: list[str], depth: int = 0) -> None:
    if depth > 4 or len(out) > 400:
        return
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _flatten(item, out, depth + 1)
    elif isinstance(value, (list, tuple, set)):
        for item in list(value)[:50]:
            _flatten(item, out, depth + 1)
    elif value is not None and not isinstance(value, bool):
        out.append(str(value))


_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}|^\d{1,2}:\d{2}|^t?\d{2}$|^\d+(ms|s|z)?$")


def token_weight(token: str) -> float:
    if _TIMESTAMP.match(token):
        return 0.0
    if _HEX_ID.match(token) or _UUID.match(token) or (len(token) >= 12 and re.search(r"\d", token) and re.search(r"[a-z]", token) and "-" in token):
        return 3.0
    if token in SERVICE_WORDS:
        return 1.0
    if re.fullmatch(r"\d+", token):
        return 0.0
    if "-" in token or "_" in token:
        return 1.5
    return 0.5 if len(token) >= 4 else 0.0


def tokenize(text: str) -> dict[str, float]:
    """Tokens worth matching across sources, with a weight: ids 3, compound names 1.5, words and services 1."""
    tokens: dict[str, float] = {}
    lowered = text.lower()
    whole = set(_TOKEN.findall(lowered))
    # Sub-parts of compound names and of hostnames/ARNs (``vpce-0ab.dynamodb.us-east-1`` -> dynamodb); a plain word
    # that is only part of a name (``medibook`` of ``medibook-web-alb``) says little: it weighs a quarter.
    parts: set[str] = set()
    for piece in whole:
        for part in re.split(r"[_\-]", piece):
            if (len(part) >= 4 or part in SERVICE_WORDS) and part not in whole:
                parts.add(part)
    for token in whole | parts:
        if token in _STOP or len(token) < 2 or is_region(token):
            continue
        weight = token_weight(token)
        if token in parts and token not in SERVICE_WORDS:
            weight = min(weight, PART_WEIGHT)
        if weight > 0:
            tokens[token] = max(tokens.get(token, 0.0), weight)
    # A fully qualified host name (two dots or more) names one endpoint, as an id names one resource: a DNS record
    # deleted for ``cart-svc.internal.acme.com`` and errors calling it share more than the word ``cart-svc``.
    for host in HOST.findall(lowered):
        host = host.rstrip(".")
        if host.count(".") >= 2 and not SERVICE_PRINCIPAL.match(host):
            tokens[host] = W.HOST_WEIGHT
    return tokens


def _text_of(item: Evidence) -> str:
    parts: list[str] = [item.summary]
    interesting = {k: v for k, v in item.attrs.items() if k not in ("trend", "bucket_seconds", "count", "baseline_count", "score", "magnitude", "before", "after", "share")}
    _flatten(interesting, parts)
    return " ".join(parts)


def _ratio(count: float, baseline: float) -> float:
    return (count + 1.0) / (baseline + 1.0)


def _fresh_strength(count: float) -> float:
    """The strength of a NEW error pattern of ``count`` lines (more lines, stronger, up to 0.9)."""
    return 0.35 + min(0.55, math.log10(count) / 6)


def uncompared(item: Evidence) -> bool:
    """An error pattern whose source has no data before the window (``no_baseline``) and that is not NEW in the
    data that exists: its ``baseline_count`` 0 was never measured, so it is neither new nor a surge."""
    a = item.attrs
    return item.kind == "error_pattern" and bool(a.get("no_baseline")) and not a.get("new") and number(a.get("baseline_count")) == 0


def symptom_strength(item: Evidence) -> float:
    """How abnormal a symptom is, 0..1 (0: not a symptom or background noise)."""
    a = item.attrs
    kind = item.kind
    if kind == "error_pattern":
        count = number(a.get("count"))
        base = number(a.get("baseline_count"))
        if count < 3:
            return 0.0
        volume = min(0.3, math.log10(count) / 8)
        if a.get("new") or (base == 0 and count >= 5 and not a.get("no_baseline")):
            value = _fresh_strength(count)
        elif uncompared(item):  # 0 before means "no data before", not "absent": not new; background until its
            value = _fresh_strength(count) * W.EDGE_BACKGROUND  # trend steps up (discount_edge_shifts)
        else:
            ratio = _ratio(count, base)
            value = 0.45 + volume if ratio >= 4 else 0.3 if ratio >= 2 else 0.05
        if str(a.get("severity", "error")).lower() == "warn":
            value *= 0.6
        return min(1.0, value)
    if kind == "alb_errors":
        count = number(a.get("count"))
        base = number(a.get("baseline_count"))
        share = number(a.get("share"))
        if count < 3:
            return 0.0
        ratio = _ratio(count, base)
        value = 0.0
        if ratio >= 3:
            value = 0.5 + min(0.4, share * 2)
        elif ratio >= 1.5:
            value = 0.25
        if str(a.get("status_class", "5xx")).startswith("4"):
            value *= 0.5
        return min(1.0, value)
    if kind == "alb_latency":
        p95 = number(a.get("p95_ms"))
        base = number(a.get("baseline_p95_ms"))
        if p95 <= 0:
            return 0.0
        ratio = p95 / base if base > 0 else 3.0
        return 0.7 if ratio >= 3 else 0.5 if ratio >= 1.8 else 0.1
    if kind == "metric_shift":
        if a.get("shift") == "new":
            return W.NEW_GAUGE_STRENGTH  # began reporting in the window: no level before it to compare with
        if a.get("at_limit") and str(a.get("direction", "up")) == "down":
            return W.AT_LIMIT_STRENGTH  # free storage, freeable memory or a balance that fell to its floor
        if a.get("at_limit") and str(a.get("direction", "up")) == "up" and _SATURATION_OR_STORAGE.search(str(a.get("metric", ""))):
            return W.AT_LIMIT_STRENGTH  # a disk, memory or CPU that climbed to 100 %
        magnitude = abs(number(a.get("magnitude")))
        score = number(a.get("score"), magnitude)
        name = str(a.get("metric", ""))
        base_value = min(1.0, max(score, min(magnitude, 5.0) / 3))
        if _SYMPTOM_METRIC.search(name) and str(a.get("direction", "up")) == "up":
            return min(1.0, 0.35 + 0.5 * base_value)
        value = min(0.7, 0.2 + 0.4 * base_value) if magnitude >= 0.3 else 0.05
        if magnitude >= 0.3 and _SATURATION.search(name) and str(a.get("direction", "up")) == "up":
            value = min(0.8, value + 0.2)  # a resource running out is diagnostic, more than its throughput
        elif magnitude >= 0.3 and _FALLING_BAD.search(name) and str(a.get("direction", "up")) == "down":
            value = min(0.8, value + 0.2)  # free space, free memory, a credit balance running out
        return value
    if kind == "trace_fault":
        count = number(a.get("count"), 1)
        if count < 2:
            return 0.2
        return min(1.0, 0.5 + math.log10(count) / 6)
    if kind == "failed_call":
        count = number(a.get("count"), 1)
        return 0.5 if count >= 5 else 0.3 if count >= 2 else 0.1
    return 0.0


def onset_of(item: Evidence) -> datetime | None:
    a = item.attrs
    for key in ("onset", "change_time", "first_seen"):
        moment = as_time(a.get(key))
        if moment is not None:
            return moment
    return to_utc(item.time) if item.time else None


_SUBJECT_KEYS = ("resources", "request", "principal", "event_source", "load_balancer", "targets", "target_groups",
                 "dimensions", "service", "downstream", "log_groups", "exception")


def _subject_of(item: Evidence) -> dict[str, float]:
    """Tokens of what the fact is about (resources, request, principal), not of its wording. A change's principal
    is who made it, not what it touched: a person's e-mail domain or SSO role name says nothing about which
    service the change affects (a failed call's principal is the identity that failed, and stays)."""
    parts: list[str] = []
    keys = [k for k in _SUBJECT_KEYS if not (item.kind == "change" and k == "principal")]
    _flatten({k: item.attrs.get(k) for k in keys if item.attrs.get(k)}, parts)
    tokens = tokenize(" ".join(parts))
    # Resource names are specific even when they are plain words ("pricing", "orders"): weigh them as names.
    for resource in item.attrs.get("resources") or []:
        if isinstance(resource, str) and 4 <= len(resource) <= 64 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", resource):
            key = resource.lower()
            if key not in _STOP:
                tokens[key] = max(tokens.get(key, 0.0), 1.5)
    source = str(item.attrs.get("event_source") or "").split(".")[0].lower()
    if source in SERVICE_WORDS:
        tokens[source] = max(tokens.get(source, 0.0), 1.0)
    return tokens


def signal(item: Evidence) -> Signal:
    text = _text_of(item)
    strength = symptom_strength(item) if item.kind in SYMPTOM_KINDS else 0.0
    return Signal(item, strength, onset_of(item), tokenize(text), text.lower(), _subject_of(item))


def discount_edge_shifts(signals: list[Signal], data_start: datetime, minutes: float = 3.0,
                         log_baseline_missing: bool = False, window_start: datetime | None = None) -> None:
    """A metric that 'changes' where the data begins (no baseline before it) says nothing about when the
    problem began: keep it as weak context only. A log pattern without a baseline (``uncompared``), and, when
    the logs' baseline period holds no data at all, a pattern 'new' at the data start, only looks new: both are
    rebased on their own trend (see ``_rebase_edge_pattern``)."""
    from datetime import timedelta

    edge = data_start + timedelta(minutes=minutes)
    for item in signals:
        if item.kind == "metric_shift" and item.onset is not None and item.onset <= edge:
            item.strength *= 0.2
        elif uncompared(item.evidence):
            count = number(item.evidence.attrs.get("count"))
            reference = item.strength / W.EDGE_BACKGROUND if count >= 3 else 0.0  # its strength as if new
            start = as_time(item.evidence.attrs.get("baseline_from")) or data_start
            _rebase_edge_pattern(item, start, window_start or start, reference)
        elif (log_baseline_missing and item.kind == "error_pattern" and item.onset is not None and item.onset <= edge
              and item.evidence.attrs.get("new")):
            _rebase_edge_pattern(item, data_start, window_start or data_start, item.strength)


def _rebase_edge_pattern(item: Signal, data_start: datetime, window_start: datetime, reference: float) -> None:
    """A log pattern 'new' where the data begins was there all along as far as we know: when its trend steps up
    later, that step is its onset (a surge, dated at the end of the step's bucket: the bucket only says the step
    happened by then) and it keeps ``EDGE_STEP`` of its ``reference`` strength (as if new); otherwise it is
    background (``EDGE_BACKGROUND``), without an onset."""
    from datetime import timedelta

    a = item.evidence.attrs
    trend = [number(v) for v in a.get("trend") or []] if isinstance(a.get("trend"), list) else []
    seconds = number(a.get("bucket_seconds"))
    start = as_time(a.get("trend_start")) or window_start  # the tool's buckets start where its window does
    skip = max(0, int((data_start - start).total_seconds() // seconds)) if seconds > 0 else 0
    step = _step_up(trend[skip:])  # buckets before the data begins are empty, not quiet
    if step is not None and seconds > 0:
        item.onset = start + timedelta(seconds=seconds * (skip + step + 1))
        item.strength = reference * W.EDGE_STEP
        return
    item.strength = reference * W.EDGE_BACKGROUND
    item.onset = None


def _step_up(trend: list[float]) -> int | None:
    """The first bucket after which the rate stays at least three times the rate before it (None if none)."""
    for index in range(2, len(trend) - 1):
        before = sum(trend[:index]) / index
        after = trend[index:]
        if min(after[:2]) >= 3 * max(before, 1.0) and sum(after) / len(after) >= 3 * max(before, 1.0):
            return index
    return None
