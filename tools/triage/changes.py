"""Change hypotheses: every mutating CloudTrail change is a candidate cause, scored by how close it came before the
onset and by how well it explains the symptoms — through the service graph or shared resources, by a kind of
change that explains the kind of symptom. AWS-service reactions (the ECS scheduler registering targets during a
deploy, Application Auto Scaling resizing a service, a schedule's RunTask, service-linked roles) are marked as
consequences. Also here: merging the steps of one operation, and a change taking over the fault it explains.
"""

from __future__ import annotations

import re
from datetime import datetime

from tools.common.evidence import Evidence
from tools.triage import weights as W
from tools.triage.graph import aliases
from tools.triage.hypothesis import Context, Hypothesis, explained_share, overlap, support, take_over
from tools.triage.patterns import (CATEGORIES, CONDITIONS, DEPENDENCY_TEXT, FAR_REACHING, INERT, POISON_TEXT, PREPARATORY,
                                   REACTION_CALLERS, REACTION_EVENTS, SERVICE_LINKED_ROLE, plain_event)
from tools.triage.signals import Signal, as_time
from tools.triage.titles import change_title


def reaction_of(change: Evidence) -> str:
    """Who reacted, when ``change`` is an AWS service acting on its own ('' for a person's or automation's change)."""
    a = change.attrs
    event = plain_event(a.get("event_name"))
    invoked_by = str(a.get("invoked_by") or "")
    principal = " ".join(str(a.get(k) or "") for k in ("principal", "principal_arn"))
    actor = str(a.get("actor") or "")
    caller = invoked_by or (str(a.get("via") or "") if actor == "service" else "")
    if a.get("principal_type") == "AWSService" or SERVICE_LINKED_ROLE.search(principal):
        return (caller or "service-linked role").split(".")[0]
    if actor == "service" and (REACTION_EVENTS.match(event) or REACTION_CALLERS.search(caller)):
        return (caller or "AWS service").split(".")[0]
    if REACTION_EVENTS.match(event) and REACTION_CALLERS.search(caller):
        return caller.split(".")[0]
    return ""


def categories_of(change: Signal) -> list[tuple[str, re.Pattern[str]]]:
    name = plain_event(change.evidence.attrs.get("event_name"))
    return [(label, symptom) for label, pattern, symptom in CATEGORIES if pattern.search(name)]


def _condition_text(symptom: Signal) -> bool:
    """The symptom names a condition a deploy does not cause by itself (a full disk, a throttle, a timeout)."""
    text = symptom.text
    return bool(any(pattern.search(text) for _, _, pattern in CONDITIONS) or DEPENDENCY_TEXT.search(text)
                and not POISON_TEXT.search(text))


def link(ctx: Context, change: Signal, symptom: Signal, categories: list[tuple[str, re.Pattern[str]]]) -> float:
    """0..1: how well ``change`` explains ``symptom``: shared resources or a graph path, and a kind of change that
    explains the kind of symptom (a local kind of change only as far as it is linked to the symptom)."""
    shared = overlap(change.subject, symptom.tokens, ctx.idf)
    specific = overlap(change.subject, symptom.tokens, ctx.idf, specific=True)
    related = ctx.graph.relation(change.evidence, symptom.evidence)
    closeness = max(min(1.0, specific / W.CLOSE_OVERLAP), related)
    category = 0.0
    for label, pattern in categories:
        if not pattern.search(symptom.text):
            continue
        if label == "deploy":
            # deploys are frequent: one explains new errors only in the component it deployed, and not errors
            # that name a condition (a full disk, a throttle) which code alone does not produce
            fresh = symptom.kind in ("trace_fault", "error_pattern") or bool(symptom.evidence.attrs.get("new"))
            near = specific >= 0.25 or related >= 1.0
            strong = fresh and near and not _condition_text(symptom)
            category = max(category, W.DEPLOY_FRESH_LINK if strong else W.DEPLOY_WEAK_LINK)
        elif label in FAR_REACHING:
            category = max(category, 1.0)
        else:
            category = max(category, W.UNLINKED_CATEGORY, closeness)
    graph_part = W.LINK_GRAPH * related if specific < 0.25 and category > 0 else 0.0
    return min(1.0, W.LINK_OVERLAP * shared + W.LINK_CATEGORY * category + graph_part)


def causal(change_time: datetime | None, symptom: Signal) -> float:
    """A symptom that began well before the change cannot be its effect."""
    if change_time is None or symptom.onset is None:
        return 1.0
    return W.BEFORE_CHANGE_FACTOR if symptom.onset < change_time - W.BEFORE_CHANGE_SLACK else 1.0


def proximity(change_time: datetime | None, onset: datetime | None) -> float:
    if change_time is None:
        return W.PROXIMITY_UNKNOWN_TIME
    if onset is None:
        return W.PROXIMITY_NO_ONSET
    minutes = (onset - change_time).total_seconds() / 60.0
    if minutes >= 0:
        return next(factor for limit, factor in W.PROXIMITY_STEPS if minutes <= limit)
    if minutes >= -W.ONSET_RESOLUTION_MINUTES:
        return W.PROXIMITY_AT_ONSET
    if minutes >= -W.JUST_AFTER_MINUTES:
        return W.PROXIMITY_JUST_AFTER
    return W.PROXIMITY_AFTER


def change_hypotheses(ctx: Context) -> list[Hypothesis]:
    """One hypothesis per mutating change."""
    found: list[Hypothesis] = []
    for change in ctx.changes:
        categories = categories_of(change)
        when = change.evidence.time or as_time(change.evidence.attrs.get("onset"))
        prox = proximity(when, ctx.onset)
        raw = {s.evidence.id: link(ctx, change, s, categories) * causal(when, s) for s in ctx.symptoms}
        _spread_in_component(ctx, raw)
        links = [(s.strength * raw[s.evidence.id], s) for s in ctx.symptoms]
        links = [(value, s) for value, s in links if value >= W.SYMPTOM_MIN]
        linked = support(value for value, _ in links)
        sources = {s.source for value, s in links if value >= 0.2} | {"cloudtrail"}
        score = prox * (W.CHANGE_BASE + linked) + W.CHANGE_SOURCE_BONUS * (len(sources) - 1)
        event = plain_event(change.evidence.attrs.get("event_name"))
        reaction = reaction_of(change.evidence)
        if INERT.match(event):
            score *= W.INERT_FACTOR
        if reaction:
            score *= W.REACTION_FACTOR
        if PREPARATORY.match(event):
            score *= W.PREPARATORY_FACTOR
        mentioned = {t for value, symptom in links for t in symptom.tokens}
        hypothesis = Hypothesis("change", change_title(change, ctx.onset, mentioned, reaction), score, [change.evidence],
                                [(v, s.evidence) for v, s in links], linked, sources)
        hypothesis.reason = (f"proximity {prox:.2f}, linked symptoms {linked:.2f} from {len(sources)} source(s)"
                             + (f"; a reaction of {reaction}, a consequence" if reaction else ""))
        hypothesis.proximity = prox
        hypothesis.consequence = bool(reaction)
        found.append(hypothesis)
    return found


def _spread_in_component(ctx: Context, raw: dict[str, float]) -> None:
    """A change that explains a symptom of a component also explains the other symptoms of that component that
    began with it (its X-Ray 500s and its target group's 5xx beside the exception it caused), at a share."""
    explained = [s for s in ctx.symptoms if raw.get(s.evidence.id, 0.0) >= W.EXPLAINS_COMPONENT]
    for symptom in ctx.symptoms:
        if raw.get(symptom.evidence.id, 0.0) >= W.EXPLAINS_COMPONENT:
            continue
        within = ctx.graph.placement(symptom.evidence).within
        for cause in explained:
            if not within & ctx.graph.placement(cause.evidence).within:
                continue
            if cause.onset and symptom.onset and abs((cause.onset - symptom.onset).total_seconds()) > W.SAME_START_MINUTES * 60:
                continue
            spread = W.COMPONENT_SHARE * raw[cause.evidence.id]
            raw[symptom.evidence.id] = max(raw.get(symptom.evidence.id, 0.0), spread)


def same_operation(a: Evidence, b: Evidence, minutes: float = W.OPERATION_MINUTES) -> bool:
    """Two changes minutes apart on one resource: the same ARN, or the same resource name by the same principal or
    through the same AWS service (a person's RotateSecret and the rotation function's PutSecretValue)."""
    if a.time is None or b.time is None or abs((a.time - b.time).total_seconds()) > minutes * 60:
        return False
    arns_a = {str(r) for r in a.attrs.get("resources") or [] if str(r).startswith("arn:")}
    arns_b = {str(r) for r in b.attrs.get("resources") or [] if str(r).startswith("arn:")}
    if arns_a & arns_b:
        return True  # the same resource changed twice within minutes (e.g. a rotation and its steps)
    same_actor = bool(a.attrs.get("principal")) and a.attrs.get("principal") == b.attrs.get("principal")
    same_service = bool(a.attrs.get("event_source")) and a.attrs.get("event_source") == b.attrs.get("event_source")
    if not (same_actor or same_service):
        return False

    def names(item: Evidence) -> set[str]:
        found: set[str] = set()
        for resource in item.attrs.get("resources") or []:
            found |= aliases(resource)
        return found

    return bool(names(a) & names(b))


_ACTOR_ORDER = {"human": 0, "automation": 1, "service": 2}


def _decisive_first(hypothesis: Hypothesis) -> tuple[int, int, float]:
    """Within one operation: a person's decision before automation's steps, the applying change before the
    preparatory one, then the stronger."""
    a = hypothesis.primary[0].attrs
    return (_ACTOR_ORDER.get(str(a.get("actor") or "automation"), 1),
            1 if PREPARATORY.match(plain_event(a.get("event_name"))) else 0, -hypothesis.score)


def merge_operations(hypotheses: list[Hypothesis]) -> list[Hypothesis]:
    """Changes on one resource within minutes are one operation (RotateSecret + PutSecretValue +
    UpdateSecretVersionStage; RegisterTaskDefinition + UpdateService): one hypothesis, led by its decisive change,
    with the operation's best score and every step as evidence."""
    changes = sorted((h for h in hypotheses if h.kind == "change" and not h.consequence), key=lambda h: -h.score)
    merged: set[int] = set()
    for index, first in enumerate(changes):
        if id(first) in merged:
            continue
        operation = [first] + [other for other in changes[index + 1:]
                               if id(other) not in merged and same_operation(first.primary[0], other.primary[0])]
        if len(operation) == 1:
            continue
        keeper = min(operation, key=_decisive_first)
        best = max(operation, key=lambda h: h.score)
        for other in operation:
            if other is keeper:
                continue
            merged.add(id(other))
            keeper.support.append((0.5, other.primary[0]))
            keeper.support.extend(other.support)
        keeper.score = best.score
        keeper.linked_strength = max(h.linked_strength for h in operation)
        keeper.sources |= {s for h in operation for s in h.sources}
        keeper.proximity = max(h.proximity for h in operation)
        keeper.title += f" (+{len(operation) - 1} related change{'s' if len(operation) > 2 else ''})"
    return [h for h in hypotheses if id(h) not in merged]


def inherit_explained(hypotheses: list[Hypothesis]) -> None:
    """A change just before the onset that explains a fault or a condition is its cause: it inherits that
    hypothesis's weight, and the fault (the same story seen from the symptom side) drops just below it."""
    effects: dict[str, list[Hypothesis]] = {}
    for hypothesis in hypotheses:
        if hypothesis.kind in ("fault", "condition"):
            effects.setdefault(hypothesis.primary[0].id, []).append(hypothesis)
    for cause in hypotheses:
        if cause.kind != "change" or cause.consequence or cause.proximity < W.INHERIT_MIN_PROXIMITY:
            continue
        if INERT.match(plain_event(cause.primary[0].attrs.get("event_name"))):
            continue
        for value, item in cause.support:
            for effect in effects.get(item.id, []):
                share = explained_share(value, effect)
                if share < W.INHERIT_MIN_EXPLAINED:
                    continue
                take_over(cause, effect, effect.score * cause.proximity * min(1.0, share / W.INHERIT_FULL_EXPLAINED))
