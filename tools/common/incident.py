"""The incident context a triage leaves in the session for follow-ups: when the symptoms began and what they are.

Triage writes it (``session_values``); tools that rank by relevance to the incident read it back
(``IncidentContext.from_session``), e.g. ``list_changes`` ranking the change that explains the symptoms first.
Two session attributes, both bounded by ``session.MAX_VALUE``:

* ``opsagent_onset`` - ISO time the symptoms began;
* ``opsagent_symptoms`` - comma-separated symptom terms: resource names the symptoms are about (log group
  leaf, service, table, target group, key, secret, principal, IP) and classes of failure (``access``,
  ``network``, ``app_error``, ``throttle``, ``crypto``, ``credentials``, ``capacity``, ``security``).

The operator's question (Bedrock's ``inputText``) adds classes and names too, so a first "what changed? the
invoices API returns 502" ranks without a triage before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tools.common.patterns import is_region
from tools.common.timewindow import UTC, parse_instant

ONSET_KEY = "opsagent_onset"
SYMPTOMS_KEY = "opsagent_symptoms"
MAX_TERMS = 24

# Classes of failure and the words that reveal them in an error template, exception, metric or question.
SYMPTOM_CLASSES: dict[str, tuple[str, ...]] = {
    "access": ("accessdenied", "access denied", "not authorized", "unauthorized", "forbidden", "403"),
    "network": ("timed out", "timeout", "etimedout", "connect", "unreachable", "econnrefused", "no route", "504",
                "connection reset"),
    "app_error": ("exception", "500", "502", "5xx", "error", "failing", "failed", "panic", "traceback"),
    "throttle": ("throttl", "provisionedthroughput", "rate exceeded", "toomanyrequests", "429", "slowdown"),
    "crypto": ("kms", "disabledexception", "decrypt", "kmsinvalidstate", "key is disabled"),
    "credentials": ("password authentication", "authentication failed", "invalid credentials", "login failed",
                    "access denied for user", "secret"),
    "capacity": ("pool", "databaseconnections", "cpuutilization", "memory", "outofmemory", "oom", "saturat",
                 "queue full", "max connections"),
    "security": ("guardduty", "unauthorizedaccess", "recon", "tor ", "exfiltration", "credentialaccess",
                 "compromis", "malicious", "anomal"),
}
# Name parts too common to link a change to a symptom.
_GENERIC = frozenset({
    "aws", "ecs", "lambda", "prod", "production", "staging", "dev", "api", "app", "service", "services", "error",
    "errors", "role", "policy", "task", "default", "main", "web", "server", "http", "https", "arn", "log", "logs",
    "group", "table", "function", "cluster", "bucket", "user", "the", "and", "for", "with", "from", "requests",
    "request", "since", "what", "why", "changed", "failing", "returns", "returning", "about", "around",
    "amazonaws", "amazon", "east", "west", "north", "south", "central", "southeast", "northeast", "northwest",
    "gov", "com", "net", "org", "internal", "compute", "elb", "rds", "cache", "svc", "assumed-role", "account",
    "there", "anything", "something", "happened", "happen", "going", "wrong", "broken", "started", "start",
    "this", "that", "these", "those", "morning", "today", "yesterday", "minutes", "hour", "hours", "last",
    "show", "timing", "spiking", "users", "customers", "report", "reports", "alerted", "alert", "when", "were",
    "was", "does", "have", "been", "into", "after", "before", "only", "just", "please", "help", "check",
    "elasticloadbalancing", "targetgroup", "loadbalancer", "assumed", "amazonaws", "cluster", "dynamodb", "putitem",
    "getitem", "query", "scan", "batchwriteitem", "getobject", "putobject", "requestid", "security-group",
})
# The shortest name part that links a change to a symptom by containment ('shop' in 'shop-alb' is too weak).
MIN_PART = 5
_WORD = re.compile(r"[a-z0-9][a-z0-9_.:/@-]{2,120}")
_IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


@dataclass(frozen=True)
class IncidentContext:
    """What the ranking knows about the incident: onset, symptom classes and symptom names."""

    onset: datetime | None = None
    classes: frozenset[str] = frozenset()
    names: frozenset[str] = field(default_factory=frozenset)

    @property
    def known(self) -> bool:
        return self.onset is not None or bool(self.classes) or bool(self.names)

    @classmethod
    def from_session(cls, session: dict[str, str], question: str = "") -> IncidentContext:
        onset = None
        if session.get(ONSET_KEY):
            try:
                onset = parse_instant(session[ONSET_KEY], datetime.now(UTC))
            except ValueError:
                onset = None
        terms = [t for t in (session.get(SYMPTOMS_KEY) or "").split(",") if t]
        classes = {t for t in terms if t in SYMPTOM_CLASSES} | classes_of(question)
        names = {t for t in terms if t not in SYMPTOM_CLASSES} | set(names_of([question]))
        return cls(onset, frozenset(classes), frozenset(names))


def classes_of(text: str) -> set[str]:
    """The symptom classes named in ``text``."""
    lower = f" {text.lower()} "
    return {name for name, words in SYMPTOM_CLASSES.items() if any(word in lower for word in words)}


def names_of(values: Iterable[Any]) -> list[str]:
    """Specific names in ``values``, split at ``/ : @ .`` only: 'arn:...:role/invoices-create-lambda-role' gives
    'invoices-create-lambda-role'; '/ecs/pricing' gives 'pricing'; 'prod/orders-db/app' gives 'orders-db'.
    Generic words, region names, DNS suffixes and numbers are dropped; IP addresses are kept whole."""
    found: dict[str, None] = {}
    for value in values:
        for word in _WORD.findall(str(value).lower()):
            if _IP.match(word):
                found.setdefault(word, None)
                continue
            for segment in re.split(r"[/:@.]", word):
                if len(segment) >= 4 and segment not in _GENERIC and not segment.isdigit() and not is_region(segment):
                    found.setdefault(segment, None)
    return list(found)


def related(symptom: str, name: str) -> bool:
    """A change's ``name`` is the symptom's resource, or a more specific name built on it (the symptom name is a
    whole hyphen/underscore-delimited part of it, at least ``MIN_PART`` long): 'invoices-create' ~
    'invoices-create-lambda-role'. Not the other way round: a project prefix ('gigpass' in a parameter path) is
    part of every resource name ('gigpass-web-alb') and links nothing."""
    if symptom == name:
        return True
    return (len(symptom) >= MIN_PART and len(name) > len(symptom)
            and re.search(rf"(?:^|[-_]){re.escape(symptom)}(?:$|[-_])", name) is not None)


def session_values(onset: str | None, evidence: Iterable[Any]) -> dict[str, str]:
    """The attributes a triage leaves for follow-ups, from the onset and its hypotheses' non-change evidence."""
    names: list[str] = []
    classes: set[str] = set()
    for item in evidence:
        if getattr(item, "source", "") == "cloudtrail":
            continue  # changes are candidates to rank, not symptoms
        attrs = getattr(item, "attrs", {}) or {}
        classes |= classes_of(" ".join(str(attrs.get(k, "")) for k in ("template", "keywords", "exception", "metric",
                                                                         "finding_type", "error_reasons", "status_class")))
        names += names_of([*(attrs.get("resources") or []), *(attrs.get("log_groups") or []), attrs.get("service") or "",
                           attrs.get("downstream") or "", *(attrs.get("target_groups") or []),
                           *((attrs.get("dimensions") or {}).values() if isinstance(attrs.get("dimensions"), dict) else [])])
    terms = sorted(classes) + list(dict.fromkeys(names))[:MAX_TERMS]
    values = {SYMPTOMS_KEY: ",".join(terms)[:500].rsplit(",", 1)[0] if len(",".join(terms)) > 500 else ",".join(terms)}
    if onset:
        values[ONSET_KEY] = onset
    return values
