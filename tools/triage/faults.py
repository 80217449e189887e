"""Fault hypotheses: when neither a change nor a named condition explains a symptom group, the symptom closest to
the cause anchors a hypothesis — an X-Ray root cause, a new exception, a shifted resource metric — with the
symptoms of other sources that name the same resources.

Position in the call graph decides between symptoms: a failing component whose own dependencies look healthy is
where the fault is (anomaly traversal), its callers' faults are consequences. Edge error/latency metrics and ALB
5xx are symptoms, weak anchors; a metric that drops or recovers is not an anchor at all.
"""

from __future__ import annotations

from tools.triage import weights as W
from tools.triage.conditions import is_edge_symptom
from tools.triage.graph import reachable
from tools.triage.hypothesis import Context, Hypothesis, combine, overlap, support
from tools.triage.patterns import FALLING_IS_BAD
from tools.triage.signals import Signal
from tools.triage.titles import fault_title


def is_recovery(signal: Signal) -> bool:
    """A metric that fell where falling is not the problem (requests, throughput, an error metric recovering)."""
    if signal.kind != "metric_shift":
        return False
    a = signal.evidence.attrs
    return str(a.get("direction") or "up") == "down" and not FALLING_IS_BAD.search(str(a.get("metric") or ""))


def failing_components(ctx: Context) -> set[str]:
    """Components with a strong symptom of their own."""
    failing: set[str] = set()
    for item in ctx.strong:
        if is_recovery(item):
            continue
        failing |= ctx.graph.placement(item.evidence).within
    return failing


def on_path(ctx: Context, failing: set[str]) -> set[str] | None:
    """The components the asked-about ones reach through failing calls, or None when the question names no
    component with calls in the graph (then nothing is off the path)."""
    if not ctx.entry or not ctx.graph.downstream(ctx.entry):
        return None
    return reachable(ctx.graph, ctx.entry, failing)


def position(ctx: Context, anchor: Signal, failing: set[str], path: set[str] | None = None) -> float:
    """Factor for where the anchor sits: a caller of a failing component is penalised, the deepest failing
    component (callers failing, dependencies healthy) gets a bonus; a failing component that the asked-about
    component does not reach through failing calls cannot explain what was asked."""
    within = ctx.graph.placement(anchor.evidence).within
    if not within:
        return 1.0
    if path is not None and not within & path:
        return W.OFF_PATH_FACTOR
    below = ctx.graph.downstream(within) - within
    above = ctx.graph.upstream(within) - within
    if below & failing:
        return W.CALLER_PENALTY
    if above & failing:
        return 1.0 + W.DEEPEST_BONUS
    return 1.0


def fault_hypotheses(ctx: Context) -> list[Hypothesis]:
    failing = failing_components(ctx)
    path = on_path(ctx, failing)
    found: list[Hypothesis] = []
    for anchor in ctx.strong:
        if anchor.kind not in W.ANCHOR_WEIGHT or is_recovery(anchor):
            continue
        links = []
        for other in ctx.symptoms:
            if other is anchor:
                continue
            shared = overlap(anchor.subject or anchor.tokens, other.tokens, ctx.idf)
            near = 1.0
            if ctx.onset is not None and other.onset is not None and abs((other.onset - ctx.onset).total_seconds()) > W.ANCHOR_NEAR_MINUTES * 60:
                near = W.ANCHOR_NEAR_FACTOR
            value = other.strength * shared * near
            if value >= W.SYMPTOM_MIN:
                links.append((value, other))
        strength = combine([anchor.strength, 0.6 * support(v for v, _ in links)])
        sources = {anchor.source} | {s.source for v, s in links if v >= 0.2}
        weight = W.ANCHOR_WEIGHT[anchor.kind]
        if is_edge_symptom(anchor):
            weight = W.EDGE_SYMPTOM_WEIGHT  # an error/latency metric is a symptom, rarely the cause itself
        if ctx.onset is not None and anchor.onset is not None and abs((anchor.onset - ctx.onset).total_seconds()) > W.ANCHOR_FAR_MINUTES * 60:
            weight *= W.ANCHOR_FAR_FACTOR  # began long before or after the problem asked about
        weight *= position(ctx, anchor, failing, path)
        score = weight * strength + W.ANCHOR_SOURCE_BONUS * (len(sources) - 1)
        hypothesis = Hypothesis("fault", fault_title(anchor), score, [anchor.evidence], [(v, s.evidence) for v, s in links], strength, sources)
        hypothesis.reason = f"anchor strength {anchor.strength:.2f}, corroborated by {len(sources)} source(s)"
        hypothesis.anchor_strength = anchor.strength
        found.append(hypothesis)
    return found
