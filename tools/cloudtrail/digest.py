"""Digest CloudTrail records: the streaming reduction behind list_changes (``answer.py`` turns it into the result).

Records stream in (from any backend) and are reduced on the fly, so memory stays bounded on a busy account:

1. parse (``records.parse_call``); unreadable records are counted;
2. keep the span asked about (the window and the lookback before it) and the filters;
3. drop read-only calls unless asked (a *denied* read is kept: a role losing a permission shows up as
   AccessDenied on its reads) and routine service noise (``noise.py``), counting both;
4. group by principal, service and event name; keep the few most notable calls of each group.

Notability (``Evidence.score``) favours the changes closest before the window start (the usual cause of an
incident that begins at the window start), then changes early in the window; people over automation over
AWS services; removals over modifications over additions (``impact``).
"""

from __future__ import annotations

import heapq
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tools.cloudtrail.model import Call, ChangeQuery
from tools.cloudtrail.noise import is_routine
from tools.cloudtrail.records import parse_call
from tools.cloudtrail.resources import resources_of

MAX_EVIDENCE = 40
SAMPLES_PER_GROUP = 3
_DESTRUCTIVE = re.compile(r"^(?:Delete|Remove|Detach|Revoke|Disable|Disassociate|Deregister|Stop|Terminate|Reject|Cancel|Leave)")
_MODIFYING = re.compile(r"^(?:Modify|Update|Put|Replace|Set|Attach|Associate|Authorize|Change|Reboot|Restore|Enable|Reset)")
_REMOVING_KEY = re.compile(r'"(?:Remove|Delete|Detach|Revoke|Disassociate)')


def impact(call: Call) -> float:
    """Score bonus of the kind of change: removals and disabling first, then modifications, then additions.

    A Modify call whose request removes something (``RemoveRouteTableId``) counts as a removal.
    """
    name = call.event_name
    if _DESTRUCTIVE.match(name):
        return 0.08
    if _MODIFYING.match(name):
        if name.startswith("Modify") and _REMOVING_KEY.search(json.dumps(call.record.get("requestParameters"), default=str)):
            return 0.08
        return 0.04
    return 0.0


@dataclass
class Scored:
    """A call with its notability; ordered by score so a bounded heap keeps the best ones."""

    score: float
    seq: int
    call: Call

    def __lt__(self, other: Scored) -> bool:
        return (self.score, -self.seq) < (other.score, -other.seq)


@dataclass
class Group:
    """Calls of one principal to one API: counts, failures, time range, resources, best samples."""

    call: Call
    count: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    resources: dict[str, None] = field(default_factory=dict)
    samples: list[Scored] = field(default_factory=list)
    failed_samples: dict[str, Scored] = field(default_factory=dict)
    best: float = 0.0

    def add(self, scored: Scored, resources: list[str]) -> None:
        call = scored.call
        self.count += 1
        self.first = min(self.first, call.time) if self.first else call.time
        self.last = max(self.last, call.time) if self.last else call.time
        self.best = max(self.best, scored.score)
        for name in resources:
            if len(self.resources) < 8:
                self.resources.setdefault(name, None)
        if call.failed:
            self.errors[call.error_code] += 1
            kept = self.failed_samples.get(call.error_code)
            if kept is None or kept < scored:
                self.failed_samples[call.error_code] = scored
        elif len(self.samples) < SAMPLES_PER_GROUP:
            heapq.heappush(self.samples, scored)
        else:
            heapq.heappushpop(self.samples, scored)


@dataclass
class Digest:
    """The running reduction of the records of one list_changes call."""

    query: ChangeQuery
    groups: dict[tuple[str, str, str, str], Group] = field(default_factory=dict)
    seen: int = 0
    malformed: int = 0
    read_only: int = 0
    routine: Counter[str] = field(default_factory=Counter)
    kept: int = 0
    _seq: itertools.count = field(default_factory=itertools.count)

    def feed(self, records: Iterable[dict[str, Any]]) -> Digest:
        for record in records:
            self.add(record)
        return self

    def add(self, record: dict[str, Any]) -> None:
        self.seen += 1
        call = parse_call(record)
        if call is None:
            self.malformed += 1
            return
        q = self.query
        if not q.span.contains(call.time) or not self._matches(call):
            return
        if call.read_only and not q.include_read_only and not call.denied:
            self.read_only += 1
            return
        if is_routine(call):
            self.routine[f"{call.service}:{call.event_name}"] += 1
            return
        key = (call.principal.name, call.principal.type, call.event_source, call.event_name)
        group = self.groups.get(key)
        # Resource extraction is the costly step: only for the resource filter or a group still listing them.
        resources = resources_of(call.record) if q.resource or group is None or len(group.resources) < 8 else []
        if q.resource and not self._touches(call, resources):
            return
        self.kept += 1
        if group is None:
            group = self.groups[key] = Group(call)
        group.add(Scored(self.score(call), next(self._seq), call), resources)

    def _matches(self, call: Call) -> bool:
        q = self.query
        if q.event_source and call.event_source.lower() != q.event_source:
            return False
        if q.principal:
            needle = q.principal.lower()
            if needle not in call.principal.arn.lower() and needle not in call.principal.name.lower():
                return False
        return True

    def _touches(self, call: Call, resources: list[str]) -> bool:
        """The resource filter: a substring of an extracted resource, else of the raw request or response."""
        needle = (self.query.resource or "").lower()
        if any(needle in r.lower() for r in resources):
            return True
        raw = json.dumps([call.record.get("requestParameters"), call.record.get("responseElements")], default=str)
        return needle in raw.lower()

    def minutes_before(self, call: Call) -> float:
        return round((self.query.window.start - call.time).total_seconds() / 60.0, 1)

    def score(self, call: Call) -> float:
        """0..1: closest before the window scores highest, then early in the window; people over services."""
        q = self.query
        before = self.minutes_before(call)
        if before > 0:
            horizon = max(q.lookback.total_seconds() / 60.0, 1.0)
            base = 0.55 + 0.4 * (1.0 - min(before / horizon, 1.0))
        else:
            base = 0.7 - 0.3 * min(-before * 60.0 / max(q.window.seconds, 1.0), 1.0)
        base += {"human": 0.05, "automation": 0.0, "service": -0.2}[call.actor]
        base += impact(call)
        base += 0.05 if call.denied else 0.0
        base -= 0.3 if call.read_only else 0.0
        return round(max(0.0, min(base, 1.0)), 3)

    def notable(self) -> list[Scored]:
        """The calls worth an evidence item, best first: the best samples of every group and its most notable
        failure per error code, at most ``MAX_EVIDENCE``."""
        pool = [s for g in self.groups.values() for s in (*g.samples, *g.failed_samples.values())]
        return heapq.nlargest(MAX_EVIDENCE, pool)
