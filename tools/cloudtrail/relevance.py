"""Relevance of a change to the incident: does it touch what the symptoms are about, is it a kind of change that
explains them, and did it happen just before they began?

``relevance(call, context, digest)`` is the kind's prior times a weighted sum of three parts (each 0..1):

* link   - a resource of the call (or its request, or its principal / source IP) names something the symptoms are
  about (``IncidentContext.names``: the log group's service, the role, table, key, secret, principal...);
* kind (the factor) - ``change_kinds.kind_of(call).prior``: a removed route or permission breaks things, a log
  retention policy does not; a Modify whose request removes something counts as a removal;
* fits   - the kind explains one of the symptom classes (AccessDenied <- permission, timeouts <- network path,
  KMS errors <- key, authentication failures <- secret, 5xx after a deploy...);
* timing - closeness before the onset (1.0 within 5 min of it, halving every 15 min before; a change after the
  onset cannot have caused it). Without an onset, the window start stands in for it, at half weight.

The old notability (``Digest.score``: people over automation, closeness to the window) only breaks ties.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from tools.cloudtrail.change_kinds import kind_of, removes_something
from tools.cloudtrail.digest import Digest, Scored
from tools.cloudtrail.resources import request_summary, resources_of
from tools.common.incident import IncidentContext, names_of, related

# Weights of the parts scaled by the kind's prior (they sum to 1): a link to the symptoms and the timing weigh
# most; BASE lets the prior alone order changes when nothing is known about the incident.
LINK_WEIGHT = 0.35
FITS_WEIGHT = 0.2
TIMING_WEIGHT = 0.35
BASE_WEIGHT = 0.1
# Timing: changes within one bucket of the onset count the same (an onset is read from minute buckets, and a
# rotation or deploy is a burst of calls whose first one is the trigger); each bucket further halves...
TIMING_BUCKET_MINUTES = 5.0
TIMING_HALF_LIFE_MINUTES = 15.0
# ...and a change more than this many minutes after the onset cannot have caused it.
ONSET_SLACK_MINUTES = 5.0
# Without an onset, timing is relative to the window start and weighs this much of its full weight.
NO_ONSET_TIMING_SHARE = 0.5
# A failed call changed nothing; it stays listed but ranks below changes that happened.
FAILED_CALL_FACTOR = 0.5
# A change an AWS service made on its own (auto scaling, a scheduler) is routine operation far more often than a
# cause; it stays listed but ranks below what people and pipelines changed.
AWS_SERVICE_FACTOR = 0.5
# Below this, no change explains the symptoms well and the answer says so.
EXPLAINS_THRESHOLD = 0.3


@dataclass(frozen=True)
class Relevance:
    score: float
    kind: str
    linked: tuple[str, ...]
    minutes_before_onset: float | None

    def reason(self) -> str:
        parts = [self.kind]
        if self.linked:
            parts.append("touches " + ", ".join(self.linked[:3]))
        return "; ".join(parts)


def _linked(scored: Scored, context: IncidentContext) -> tuple[str, ...]:
    if not context.names:
        return ()
    call = scored.call
    mine = names_of([*resources_of(call.record), request_summary(call.record, 2000), call.principal.name, call.source_ip])
    return tuple(sorted({m for m in mine if any(related(name, m) for name in context.names)}))


def _timing(moment: datetime, onset: datetime) -> float:
    before = (onset - moment).total_seconds() / 60.0
    if before < -ONSET_SLACK_MINUTES:
        return 0.0
    bucket = max(1, math.ceil(before / TIMING_BUCKET_MINUTES))
    return 0.5 ** ((bucket - 1) * TIMING_BUCKET_MINUTES / TIMING_HALF_LIFE_MINUTES)


def relevance(scored: Scored, context: IncidentContext, digest: Digest) -> Relevance:
    call = scored.call
    kind = kind_of(call)
    prior = max(kind.prior, 0.9 if call.event_name.startswith("Modify") and removes_something(call) else 0.0)
    linked = _linked(scored, context)
    fits = 1.0 if context.classes & kind.explains else 0.0
    if context.onset is not None:
        timing = _timing(call.time, context.onset)
        before = round((context.onset - call.time).total_seconds() / 60.0, 1)
    else:
        timing = _timing(call.time, digest.query.window.start) * NO_ONSET_TIMING_SHARE
        before = None
    score = prior * (LINK_WEIGHT * (1.0 if linked else 0.0) + FITS_WEIGHT * fits + TIMING_WEIGHT * timing + BASE_WEIGHT)
    if call.failed:
        score *= FAILED_CALL_FACTOR
    if call.actor == "service" and call.via.endswith(".amazonaws.com"):
        score *= AWS_SERVICE_FACTOR
    return Relevance(round(score, 3), kind.name, linked, before)


def rank(notable: list[Scored], context: IncidentContext, digest: Digest) -> list[tuple[Scored, Relevance]]:
    """The notable calls, most relevant to the incident first; ties go to the earlier call (the trigger of a
    burst), then to the more notable one."""
    pairs = [(s, relevance(s, context, digest)) for s in notable]
    pairs.sort(key=lambda pair: (-pair[1].score, pair[0].call.time, -pair[0].score))
    return pairs
