"""A ranked hypothesis and the context every ranking pass reads (signals split into symptoms, changes and
findings, the onset, the service graph), with the small arithmetic the passes share."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from tools.common.evidence import Evidence
from tools.common.timewindow import Window
from tools.triage import weights as W
from tools.triage.graph import Graph, build, named_in
from tools.triage.signals import SERVICE_WORDS, Signal


@dataclass
class Hypothesis:
    """One candidate cause: its kind (change, condition, security, fault), title, score and evidence."""

    kind: str
    title: str
    score: float
    primary: list[Evidence]
    support: list[tuple[float, Evidence]] = field(default_factory=list)
    linked_strength: float = 0.0
    sources: set[str] = field(default_factory=set)
    confidence: str = "low"
    reason: str = ""
    proximity: float = 0.0
    anchor_strength: float = 0.0
    consequence: bool = False  # an AWS-service reaction: shown as context, never first
    confidence_value: float = 0.0
    condition: str = ""  # the kind of condition (storage, memory, connections, ...) of a condition hypothesis

    def evidence(self, limit: int = 6) -> list[Evidence]:
        chosen: list[Evidence] = list(self.primary)
        seen = {e.id for e in chosen}
        facts = {fact_key(e) for e in chosen}
        ordered = []
        for _, item in sorted(self.support, key=lambda p: -p[0]):
            key = fact_key(item)
            if item.id in seen or key in facts:
                continue  # one line per distinct fact: the same metric move seen per LB and per target group
            facts.add(key)
            ordered.append(item)
        # one per source first, so a hypothesis shows its cross-source corroboration
        per_source: list[Evidence] = []
        used_sources = {e.source for e in chosen}
        for item in ordered:
            if item.source not in used_sources:
                per_source.append(item)
                used_sources.add(item.source)
        for item in per_source + [e for e in ordered if e not in per_source]:
            if len(chosen) >= limit:
                break
            if item.id not in seen:
                chosen.append(item)
                seen.add(item.id)
        return chosen

    def ids(self) -> set[str]:
        return {e.id for e in self.primary} | {e.id for _, e in self.support}


def explained_share(value: float, effect: Hypothesis) -> float:
    """How much of ``effect``'s anchor a link of strength ``value`` explains (0 when the effect has no anchor)."""
    return value / effect.anchor_strength if effect.anchor_strength > 0 else 0.0


def take_over(cause: Hypothesis, effect: Hypothesis, inherited: float) -> None:
    """``cause`` explains ``effect``: it is worth at least ``inherited``, and the effect (the same story seen from
    the symptom side) drops just below it."""
    if inherited > cause.score:
        cause.score = inherited
        cause.reason += f"; explains {effect.primary[0].id}"
    effect.score = min(effect.score, cause.score * W.FAULT_BELOW_CAUSE)


def fact_key(item: Evidence) -> tuple:
    """What makes two evidence items the same fact: for metrics, the metric and its move (the 5xx count of a load
    balancer and of its one target group are one fact); otherwise the item itself."""
    a = item.attrs
    if item.kind == "metric_shift":
        return ("metric", a.get("metric"), a.get("direction"), _rounded(a.get("before")), _rounded(a.get("after")))
    return ("id", item.id)


def _rounded(value: object) -> object:
    return round(value, 2) if isinstance(value, (int, float)) else value


@dataclass
class Context:
    """What every pass reads: the signals by role, the onset and the graph."""

    signals: list[Signal]
    onset: datetime | None
    window: Window
    focus: str | None
    onset_basis: list[Signal]
    graph: Graph
    symptoms: list[Signal]
    strong: list[Signal]
    changes: list[Signal]
    findings: list[Signal]
    idf: dict[str, float]
    entry: set[str] = field(default_factory=set)
    """The components the question or focus names (where an anomaly traversal starts; empty when none is in the
    graph)."""

    @classmethod
    def of(cls, signals: list[Signal], onset: datetime | None, window: Window, focus: str | None,
           onset_basis: list[Signal] | None, question: str | None = None) -> "Context":
        symptoms = [s for s in signals if s.strength > 0]
        changes = [s for s in signals if s.kind == "change" and not s.evidence.attrs.get("read_only")
                   and not s.evidence.attrs.get("error_code")]
        graph = build(s.evidence for s in signals)
        return cls(
            signals=signals, onset=onset, window=window, focus=focus, onset_basis=list(onset_basis or []),
            graph=graph, symptoms=symptoms,
            strong=[s for s in symptoms if s.strength >= W.STRONG_SYMPTOM], changes=changes,
            findings=[s for s in signals if s.kind == "finding"], idf=idf_of(changes, signals),
            entry=named_in(graph, focus) or named_in(graph, question),
        )


def idf_of(changes: list[Signal], signals: list[Signal] | None = None) -> dict[str, float]:
    """Tokens in many changes tell little about which one matters: weight them down. A token in nearly every
    signal of the investigation (the account's naming prefix, "truckr" in truckr-web-alb, truckr-eks and
    truckr-cost-report) tells nothing about which things belong together: it weighs nothing."""
    counts: dict[str, int] = {}
    for change in changes:
        for token in change.tokens:
            counts[token] = counts.get(token, 0) + 1
    weights = {token: 1.0 / math.sqrt(count) for token, count in counts.items()}
    everywhere = signals or []
    if len(everywhere) >= W.UBIQUITOUS_MIN_SIGNALS:
        seen: dict[str, int] = {}
        for item in everywhere:
            for token in item.tokens:
                seen[token] = seen.get(token, 0) + 1
        for token, count in seen.items():
            if count >= W.UBIQUITOUS_SHARE * len(everywhere):
                weights[token] = 0.0
    return weights


def overlap(a: dict[str, float], b: dict[str, float], idf: dict[str, float], specific: bool = False) -> float:
    """0..1: shared tokens (ids weigh most), saturating at ``OVERLAP_SATURATION``; ``specific`` leaves out the
    names of AWS services (two facts about Lambda are not about the same function)."""
    total = sum(weight * idf.get(token, 1.0) for token, weight in a.items()
                if token in b and not (specific and token in SERVICE_WORDS))
    return min(1.0, total / W.OVERLAP_SATURATION)


def combine(values: Iterable[float]) -> float:
    """Probabilistic OR of 0..1 values."""
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - max(0.0, min(1.0, value))
    return 1.0 - remaining


def support(values: Iterable[float]) -> float:
    """The best link counts fully, further ones less and less (many weak links never add up to one strong)."""
    ordered = sorted((v for v in values if v >= W.SYMPTOM_MIN), reverse=True)
    return combine(v * (W.SUPPORT_DECAY ** i) for i, v in enumerate(ordered))
