"""Condition hypotheses: causes without a change event — a resource running out (storage, memory, connections,
a queue backlog, a provisioned limit, CPU), a slow or failing dependency, a poison input, a surge of traffic.

Each cause-like signal (a saturation metric at its limit, an exception that names the condition, a dependency
timing out) is read as (kind, resource); signals of one kind on one resource make one hypothesis, corroborated by
the symptoms that the graph or shared names tie to that resource. A metric that drops (throughput, requests) or
recovers is never a condition: it is what errors look like from the other side.
"""

from __future__ import annotations

import re
from datetime import datetime

from tools.common.decisive import exception_in
from tools.triage import weights as W
from tools.triage.graph import aliases
from tools.triage.hypothesis import Context, Hypothesis, combine, explained_share, overlap, support, take_over
from tools.triage.patterns import (CONDITIONS, DEPENDENCY_TEXT, EDGE_METRIC, FALLING_IS_BAD, HOST, POISON_METRIC,
                                   POISON_TEXT, SURGE_METRIC)
from tools.triage.signals import Signal, number
from tools.triage.titles import NAME_PATTERN, metric_resource, short, strict_exception, strict_name

_LABEL = {
    "storage": "Storage full",
    "memory": "Memory exhausted",
    "connections": "Connections exhausted",
    "backlog": "Queue backlog",
    "throttling": "Throttled at a limit",
    "cpu": "CPU saturated",
    "dependency": "Failing dependency",
    "poison": "Poison input",
    "surge": "Traffic surge",
}
_SATURATION = {"storage", "memory", "connections", "backlog", "throttling", "cpu"}
_OPERATION = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+|table|queue|topic)$")
_HOST_PORT = re.compile(r"\b([a-z][a-z0-9-]{2,}):\d{2,5}\b")
_AWS_OWN = re.compile(r"amazonaws\.com|\.internal$|\.local$|^localhost", re.I)


def _metric_condition(signal: Signal) -> str | None:
    a = signal.evidence.attrs
    name = str(a.get("metric") or "")
    direction = str(a.get("direction") or "up")
    magnitude = abs(number(a.get("magnitude")))
    if magnitude < 0.3 and number(a.get("score")) < 0.5:
        return None
    falling_bad = bool(FALLING_IS_BAD.search(name))
    bad_direction = (direction == "down") if falling_bad else (direction == "up")
    if not bad_direction:
        return None
    if POISON_METRIC.search(name):
        return "poison"
    for kind, metric, _ in CONDITIONS:
        if metric.search(name):
            return kind
    if SURGE_METRIC.match(name) and direction == "up" and magnitude >= 1.0:
        return "surge"
    return None


def _text_condition(signal: Signal) -> str | None:
    text = signal.text
    if POISON_TEXT.search(text):
        return "poison"
    for kind, _, pattern in CONDITIONS:
        if pattern.search(text):
            return kind
    if DEPENDENCY_TEXT.search(text) and signal.kind in ("trace_fault", "error_pattern"):
        return "dependency"
    return None


def _resource(signal: Signal, kind: str) -> str:
    """The resource a condition is about: the metric's resource, the X-Ray downstream, a host the errors name,
    else the component the symptom is in."""
    a = signal.evidence.attrs
    if signal.kind == "metric_shift":
        return metric_resource(a) or ""
    if signal.kind == "trace_fault":
        downstream = [w for w in str(a.get("downstream") or "").split() if NAME_PATTERN.match(w)]
        # a resource name or host, not the operation or HTTP method ("DynamoDB PutItem table orders", "host POST")
        named = [w for w in downstream if aliases(w) and re.search(r"[.\-/_]", w) and not _OPERATION.match(w)]
        named = named or [w for w in downstream if aliases(w) and not _OPERATION.match(w)]
        if named:
            return named[-1] if kind != "dependency" else named[0]
        return strict_name(a.get("service")) or ""
    if signal.kind == "error_pattern":
        template = str(a.get("template") or "")
        hosts = [h for h in HOST.findall(template) if not re.fullmatch(r"[\d.]+", h)]
        hosts += [m.group(1) for m in _HOST_PORT.finditer(template)]
        external = [h for h in hosts if not _AWS_OWN.search(h) and not h.endswith((".java", ".py", ".js"))]
        for candidate in external + [str(r) for r in (a.get("resources") or []) if not str(r).startswith("/")]:
            name = strict_name(candidate)
            if name:
                return name
        groups = [strict_name(g) for g in (a.get("log_groups") or [])]
        return next((g for g in groups if g), "")
    return ""


def condition_of(signal: Signal) -> tuple[str, str] | None:
    """(kind, resource) when ``signal`` says a condition holds, else None."""
    if signal.strength < W.CONDITION_MIN_EVIDENCE:
        return None
    if signal.kind == "metric_shift":
        kind = _metric_condition(signal)
    elif signal.kind in ("trace_fault", "error_pattern", "failed_call"):
        kind = _text_condition(signal)
    else:
        kind = None
    if kind is None:
        return None
    return kind, _resource(signal, kind)


def _key(resource: str) -> str:
    names = sorted(aliases(resource))
    return names[0] if names else resource.lower()


def _title(kind: str, resource: str, members: list[Signal]) -> str:
    title = _LABEL[kind]
    if resource:
        title += f" on {short(resource, 80)}"
    detail = []
    for member in members:
        a = member.evidence.attrs
        if member.kind == "metric_shift" and not detail:
            metric = str(a.get("metric") or "")
            before, after = number(a.get("before")), number(a.get("after"))
            if re.fullmatch(r"[A-Za-z0-9_.\-]{1,80}", metric):
                detail.append(f"{metric} {before:g} -> {after:g}")
    for member in members:
        a = member.evidence.attrs
        found = exception_in(str(a.get("template") or a.get("message") or ""))
        exception = strict_exception(a.get("exception")) or next(
            (strict_exception(k) for k in (a.get("keywords") or []) if strict_exception(k)), None) or (
            strict_exception(found.split(":", 1)[0]) if found else None)
        if exception and exception not in detail:
            detail.append(exception)
    return title + (f": {', '.join(detail[:2])}" if detail else "")


def condition_hypotheses(ctx: Context) -> list[Hypothesis]:
    """One hypothesis per (condition kind, resource)."""
    groups: dict[tuple[str, str], list[Signal]] = {}
    for signal in ctx.symptoms:
        found = condition_of(signal)
        if found is None:
            continue
        kind, resource = found
        key = (kind, _key(resource) if resource else "")
        groups.setdefault(key, []).append(signal)
    _merge_same_resource(groups)
    # Signals that name a condition but no resource ("No space left on device") belong to the condition of that
    # kind that has one, when there is exactly one, or to a fleet of resources that ran out together.
    fleets: set[tuple[str, str]] = set()
    accounts: set[tuple[str, str]] = set()
    for (kind, resource), members in list(groups.items()):
        if resource:
            continue
        named = [key for key in groups if key[0] == kind and key[1]]
        shared = [m for m in members if _account_wide(m)]
        if shared and len(named) > 1:
            # an account-wide limit (Lambda's concurrency): the resources whose own series moved with it are
            # parts of one condition, told from the account
            moved = _moved_with(groups, named, shared)
            for other in moved:
                members.extend(groups.pop(other))
            if moved:
                accounts.add((kind, resource))
            continue
        if len(named) > 1:
            named = _fleet(groups, named, members)
        if named:
            for other in named[1:]:
                groups[named[0]].extend(groups.pop(other))
                fleets.add(named[0])
            groups[named[0]].extend(members)
            del groups[(kind, resource)]
    found_hypotheses: list[Hypothesis] = []
    for key, members in groups.items():
        kind = key[0]
        members.sort(key=lambda s: -s.strength)
        if kind in _SATURATION or kind == "surge":
            # the metric at its limit is the decisive fact of a resource running out, the most specific one first
            # (a target group's or a node's before the whole load balancer's or cluster's)
            members.sort(key=lambda s: (not (s.kind == "metric_shift" and s.strength >= 0.5), _aggregate(s), -s.strength))
        if key in accounts:  # the account-wide limit is the decisive fact; the resources that moved with it follow
            members.sort(key=lambda s: not _account_wide(s))
        anchor = members[0]
        own = combine(m.strength for m in members[:3])
        links = []
        member_ids = {m.evidence.id for m in members}
        egress = _is_egress(anchor)
        for other in ctx.symptoms:
            if other.evidence.id in member_ids:
                continue
            related = max(ctx.graph.relation(anchor.evidence, other.evidence),
                          overlap(anchor.subject or anchor.tokens, other.tokens, ctx.idf))
            if egress and _reaches_outside(other) and _began_together(anchor, other):
                related = max(related, W.EGRESS_LINK)
            value = other.strength * related
            if value >= W.SYMPTOM_MIN:
                links.append((value, other))
        corroboration = support(v for v, _ in links)
        strength = combine([own, W.CONDITION_CORROBORATION * corroboration])
        sources = {m.source for m in members} | {s.source for v, s in links if v >= 0.2}
        score = W.CONDITION_WEIGHT[kind] * strength + W.ANCHOR_SOURCE_BONUS * (len(sources) - 1)
        if ctx.onset is not None and anchor.onset is not None:
            # a resource fills up before the errors begin; a condition that began well after them, or hours
            # before, is another story
            lead = (ctx.onset - anchor.onset).total_seconds() / 60.0
            if lead < -W.ANCHOR_FAR_MINUTES or lead > W.CONDITION_LEAD_MINUTES:
                score *= W.ANCHOR_FAR_FACTOR
        support_items = [(1.0, m.evidence) for m in members[1:]] + [(v, s.evidence) for v, s in links]
        where = "the whole account" if key in accounts else _title_resource(members, key in fleets)
        hypothesis = Hypothesis("condition", _title(kind, where, members), score, [anchor.evidence], support_items,
                                strength, sources)
        hypothesis.anchor_strength = anchor.strength
        hypothesis.condition = kind
        hypothesis.reason = f"{kind} condition, {len(members)} signal(s) name it, corroborated by {len(sources)} source(s)"
        found_hypotheses.append(hypothesis)
    return found_hypotheses


def egress_explains(hypotheses: list[Hypothesis]) -> None:
    """A NAT gateway running out explains the external dependencies failing through it: it takes over the weight
    of the failing-dependency condition whose signals it links, which drops just below it (as a change takes
    over the fault it explains)."""
    dependencies = {h.primary[0].id: h for h in hypotheses if h.kind == "condition" and h.condition == "dependency"}
    for cause in hypotheses:
        if cause.kind != "condition" or cause.condition != "connections" or not _on_egress(cause.primary[0].attrs):
            continue
        for value, item in cause.support:
            effect = dependencies.get(item.id)
            if effect is not None and explained_share(value, effect) >= W.INHERIT_MIN_EXPLAINED:
                take_over(cause, effect, effect.score)


def _on_egress(attrs: dict) -> bool:
    dims = attrs.get("dimensions")
    return isinstance(dims, dict) and "NatGatewayId" in dims


def _is_egress(signal: Signal) -> bool:
    """A NAT gateway's own metric: the path private subnets take to anything outside the VPC."""
    return signal.kind == "metric_shift" and _on_egress(signal.evidence.attrs)


def _reaches_outside(signal: Signal) -> bool:
    """A symptom of calls to a host outside AWS (a partner API timing out, a connect error to it)."""
    if signal.kind not in ("trace_fault", "error_pattern") or not DEPENDENCY_TEXT.search(signal.text):
        return False
    resource = _resource(signal, "dependency")
    return bool(resource) and "." in resource and not _AWS_OWN.search(resource)


def _began_together(a: Signal, b: Signal) -> bool:
    if a.onset is None or b.onset is None:
        return False
    return abs((a.onset - b.onset).total_seconds()) <= W.ANCHOR_NEAR_MINUTES * 60


def _lb_of(signal: Signal) -> str:
    dims = signal.evidence.attrs.get("dimensions") if signal.kind == "metric_shift" else None
    return str(dims.get("LoadBalancer") or "") if isinstance(dims, dict) else ""


def _aggregate(signal: Signal) -> bool:
    """A metric of a whole load balancer or cluster (an aggregate of the resources behind it)."""
    dims = signal.evidence.attrs.get("dimensions") if signal.kind == "metric_shift" else None
    if not isinstance(dims, dict):
        return False
    return set(dims) <= {"LoadBalancer", "ClusterName", "AvailabilityZone", "Namespace", "Environment"}


def _merge_same_resource(groups: dict[tuple[str, str], list[Signal]]) -> None:
    """One resource seen under two names is one condition: a cache node (``sessions-0001-002``) and its
    endpoint (``sessions-0001``), a load balancer's aggregate metric and the target group behind it."""
    for key in sorted(groups, key=lambda k: -len(k[1])):
        kind, name = key
        if key not in groups or not name:
            continue
        for other in list(groups):
            if other == key or other[0] != kind or not other[1] or other not in groups:
                continue
            if name.startswith(other[1] + "-") and len(other[1]) >= 8:
                groups[other].extend(groups.pop(key))
                break
    for key in list(groups):
        if key not in groups or not all(_aggregate(m) for m in groups[key]):
            continue
        balancers = {_lb_of(m) for m in groups[key]} - {""}
        behind = [k for k in groups if k != key and k[0] == key[0]
                  and any(_lb_of(m) in balancers for m in groups[k])]
        if len(behind) == 1:
            groups[behind[0]].extend(groups.pop(key))


def _account_wide(signal: Signal) -> bool:
    """A metric with no dimension: the whole account's (Lambda ``ConcurrentExecutions``), not one resource's."""
    dims = signal.evidence.attrs.get("dimensions")
    return signal.kind == "metric_shift" and isinstance(dims, dict) and not dims


def _moved_with(groups: dict[tuple[str, str], list[Signal]], named: list[tuple[str, str]],
                shared: list[Signal]) -> list[tuple[str, str]]:
    """The named groups whose series began within ``SAME_START_MINUTES`` of the account-wide metric."""
    began = min((s.onset for s in shared if s.onset is not None), default=None)
    if began is None:
        return []
    together = []
    for key in named:
        onsets = [m.onset for m in groups[key] if m.kind == "metric_shift" and m.onset is not None]
        if onsets and abs((min(onsets) - began).total_seconds()) <= W.SAME_START_MINUTES * 60:
            together.append(key)
    return together


def _fleet(groups: dict[tuple[str, str], list[Signal]], named: list[tuple[str, str]],
           unnamed: list[Signal]) -> list[tuple[str, str]]:
    """The named groups that are one fleet running out together, as the errors that name the condition without
    a resource say (MemoryError on a service whose instances are only known by id): the same metric on each
    resource, beginning within ``FLEET_SPREAD_MINUTES`` of one another and up to ``CONDITION_LEAD_MINUTES``
    before those errors. Empty unless there are at least two (one alone is the rule above)."""
    said = min((s.onset for s in unnamed if s.onset is not None), default=None)
    if said is None:
        return []
    measured: list[tuple[datetime, tuple[str, str], str]] = []
    for key in named:
        members = groups[key]
        if not all(m.kind == "metric_shift" and m.onset is not None for m in members):
            continue
        began = min(m.onset for m in members if m.onset is not None)
        lead = (said - began).total_seconds() / 60.0
        if -W.ANCHOR_NEAR_MINUTES <= lead <= W.CONDITION_LEAD_MINUTES:
            measured.append((began, key, str(members[0].evidence.attrs.get("metric") or "")))
    if len(measured) < 2:
        return []
    measured.sort()
    first, metric = measured[0][0], measured[0][2]
    fleet = [key for began, key, name in measured
             if name == metric and (began - first).total_seconds() <= W.FLEET_SPREAD_MINUTES * 60]
    return fleet if len(fleet) >= 2 else []


def _title_resource(members: list[Signal], fleet: bool = False) -> str:
    """The resource a condition's title names; a fleet's first resource and how many more ran out with it."""
    named: list[str] = []
    for member in members:
        kind_resource = condition_of(member)
        if kind_resource and kind_resource[1] and kind_resource[1] not in named:
            named.append(kind_resource[1])
    if fleet and len(named) > 1:
        return f"{named[0]} and {len(named) - 1} more"
    return named[0] if named else ""


def is_edge_symptom(signal: Signal) -> bool:
    """An error or latency metric of an edge: a symptom, rarely a cause."""
    return signal.kind == "metric_shift" and bool(EDGE_METRIC.search(str(signal.evidence.attrs.get("metric") or "")))
