"""Ranking: turn the evidence of every source into ranked root-cause hypotheses, in small named passes.

1. ``Context.of``: signals split into symptoms, changes and findings; the service graph built from the evidence.
2. candidates, each pass in its own module:
   * ``changes.change_hypotheses`` — every mutating change, linked to symptoms through the graph or shared
     resources by a kind of change that explains the kind of symptom; AWS-service reactions are consequences;
   * ``conditions.condition_hypotheses`` — causes without a change: a resource running out, a failing
     dependency, a poison input, a surge;
   * ``security.finding_hypotheses`` and ``security.leaked_credential_hypotheses`` — findings, and a
     leaked-credential sequence in CloudTrail alone;
   * ``faults.fault_hypotheses`` — symptoms as a last resort, the deepest failing component first.
3. ``focus_lift``, ``changes.merge_operations``, ``changes.inherit_explained`` (a change takes over the fault or
   condition it explains), ``absorb_onset_symptoms``, ``drop_explained`` (a symptom already part of a stronger
   story is not repeated), ``confidence.assign`` (calibrated bands), ``trim``.

Every weight and threshold is in ``weights.py``; every pattern in ``patterns.py``; titles in ``titles.py``.
"""

from __future__ import annotations

from datetime import datetime

from tools.common.timewindow import Window
from tools.triage import confidence
from tools.triage import weights as W
from tools.triage.changes import change_hypotheses, inherit_explained, merge_operations
from tools.triage.conditions import condition_hypotheses, egress_explains
from tools.triage.faults import fault_hypotheses
from tools.triage.hypothesis import Context, Hypothesis
from tools.triage.security import covered_principals, finding_hypotheses, leaked_credential_hypotheses
from tools.triage.signals import Signal
from tools.triage.titles import hhmm  # noqa: F401  (re-exported: the report formats times the same way)

__all__ = ["Hypothesis", "rank", "hhmm"]


def focus_lift(ctx: Context, hypotheses: list[Hypothesis]) -> None:
    """Hypotheses about the service the user named get a small lift."""
    if not ctx.focus:
        return
    needle = ctx.focus.lower().strip("/")
    for hypothesis in hypotheses:
        if any(needle and needle in (e.summary.lower() + " " + str(e.attrs).lower()) for e in hypothesis.evidence(10)):
            hypothesis.score *= W.FOCUS_LIFT


def absorb_onset_symptoms(ctx: Context, hypotheses: list[Hypothesis]) -> None:
    """A cause that explains symptoms at the onset also explains the other symptoms that began with them."""
    if not ctx.onset_basis or not hypotheses or hypotheses[0].kind == "fault" or hypotheses[0].linked_strength < 0.5:
        return
    top = hypotheses[0]
    linked = top.ids()
    if any(s.evidence.id in linked for s in ctx.onset_basis):
        for item in ctx.onset_basis:
            if item.evidence.id not in linked:
                top.support.append((0.1 + 0.05 * item.strength, item.evidence))


def drop_explained(hypotheses: list[Hypothesis]) -> list[Hypothesis]:
    """Faults and conditions already part of a stronger hypothesis's story are not repeated; tiny scores go."""
    kept: list[Hypothesis] = []
    explained: set[str] = set()
    for hypothesis in hypotheses:
        ids = hypothesis.ids()
        if hypothesis.kind in ("fault", "condition"):
            if hypothesis.primary[0].id in explained:
                continue
            if any(ids <= k.ids() for k in kept if k.kind == hypothesis.kind):
                continue
        if hypothesis.score < W.MIN_SCORE:
            continue
        kept.append(hypothesis)
        if hypothesis.kind in ("change", "security") and hypothesis.linked_strength >= 0.4 and not hypothesis.consequence:
            explained |= {e.id for v, e in hypothesis.support if v >= 0.1}
        elif hypothesis.kind == "condition":  # the signals that name the condition are its story
            explained |= {hypothesis.primary[0].id} | {e.id for v, e in hypothesis.support if v >= 1.0}
    return kept


def order(hypotheses: list[Hypothesis]) -> list[Hypothesis]:
    """Best first; a consequence (AWS-service reaction) never above the change or condition it follows."""
    ranked = sorted(hypotheses, key=lambda h: -h.score)
    if ranked and ranked[0].consequence:
        causes = [h for h in ranked if not h.consequence]
        if causes:
            ranked.remove(causes[0])
            ranked.insert(0, causes[0])
    return ranked


def trim(hypotheses: list[Hypothesis], limit: int) -> list[Hypothesis]:
    """Unlinked changes are context, not causes: keep at most ``UNLINKED_CHANGES_KEPT`` of them."""
    result: list[Hypothesis] = []
    unlinked = 0
    for hypothesis in hypotheses:
        if hypothesis.kind == "change" and hypothesis.linked_strength < W.SYMPTOM_MIN:
            unlinked += 1
            if unlinked > W.UNLINKED_CHANGES_KEPT:
                continue
        result.append(hypothesis)
    return result[:limit]


def rank(
    signals: list[Signal],
    onset: datetime | None,
    window: Window,
    focus: str | None = None,
    limit: int = 5,
    onset_basis: list[Signal] | None = None,
    bands: confidence.Bands | None = None,
    question: str | None = None,
) -> list[Hypothesis]:
    """Ranked hypotheses, best first, with calibrated confidence."""
    ctx = Context.of(signals, onset, window, focus, onset_basis, question)
    hypotheses = change_hypotheses(ctx)
    findings = finding_hypotheses(ctx)
    hypotheses += findings
    hypotheses += leaked_credential_hypotheses(ctx, covered_principals(findings))
    hypotheses += condition_hypotheses(ctx)
    hypotheses += fault_hypotheses(ctx)
    focus_lift(ctx, hypotheses)
    hypotheses = merge_operations(hypotheses)
    inherit_explained(hypotheses)
    egress_explains(hypotheses)
    hypotheses = order(hypotheses)
    absorb_onset_symptoms(ctx, hypotheses)
    hypotheses = order(drop_explained(hypotheses))
    quiet = max((s.strength for s in ctx.symptoms), default=0.0) < W.STRONG_SYMPTOM
    if quiet:
        for hypothesis in hypotheses:
            if hypothesis.kind != "security":
                hypothesis.score *= 0.5
        hypotheses = order(hypotheses)
    confidence.assign(hypotheses, quiet, bands)
    return trim(hypotheses, limit)
