"""Calibrated confidence: `high` only in the band of confidence values whose measured precision on the incident
corpus is at least 95 %, `medium` in the band measured at 60 %, `low` below.

A hypothesis's confidence value is its score minus a share of its strongest competitor's (a clear winner is
surer than a tie), and it is halved when the evidence comes from one source or explains no symptom (one source
alone is easily misread). The value is in the report (``confidence_value``), so a benchmark can refit the bands
from its results with ``fit_bands`` — leaving one kind of incident out — and relabel with ``level``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from tools.triage import weights as W
from tools.triage.hypothesis import Hypothesis


@dataclass(frozen=True)
class Bands:
    """Lowest confidence value of the `high` and of the `medium` band."""

    high: float = W.HIGH_BAND
    medium: float = W.MEDIUM_BAND


DEFAULT = Bands()
_current = DEFAULT


def use(bands: Bands) -> Bands:
    """Make ``bands`` the ones ranking uses (the benchmark's refits); returns the previous ones."""
    global _current
    previous, _current = _current, bands
    return previous


def current() -> Bands:
    return _current


def value_of(hypothesis: Hypothesis, competitor: float) -> float:
    """The confidence value: score minus ``MARGIN_WEIGHT`` x the strongest other score, halved when a gate fails."""
    value = hypothesis.score - W.MARGIN_WEIGHT * competitor
    sources = {e.source for e in hypothesis.evidence()}
    if len(sources) < W.HIGH_MIN_SOURCES or hypothesis.linked_strength < W.HIGH_MIN_LINKED or hypothesis.consequence:
        value *= 0.5
    return round(max(0.0, value), 4)


def level(value: float, bands: Bands | None = None) -> str:
    """`high`, `medium` or `low` for a confidence value."""
    bands = bands or _current
    if value >= bands.high:
        return "high"
    if value >= bands.medium:
        return "medium"
    return "low"


def assign(hypotheses: list[Hypothesis], quiet: bool, bands: Bands | None = None) -> None:
    """Set ``confidence_value`` and ``confidence`` of ranked hypotheses (best first); a quiet window (no abnormal
    symptom) has only `low` hypotheses unless a security hypothesis stands on its own."""
    for index, hypothesis in enumerate(hypotheses):
        others = [h.score for i, h in enumerate(hypotheses) if i != index]
        hypothesis.confidence_value = value_of(hypothesis, max(others, default=0.0))
        hypothesis.confidence = level(hypothesis.confidence_value, bands)
        if quiet and hypothesis.kind != "security":
            hypothesis.confidence = "low"
        if index > 0 and hypothesis.confidence == "high":
            hypothesis.confidence = "medium"  # only one cause can be high


def wilson_lower(right: int, total: int, z: float = W.BAND_Z) -> float:
    """Lower bound of the Wilson score interval of a precision: what ``right`` of ``total`` promises."""
    if total <= 0:
        return 0.0
    p = right / total
    centre = p + z * z / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - spread) / (1 + z * z / total)


def fit_bands(results: Iterable[tuple[float, bool]], high_target: float = W.HIGH_PRECISION_TARGET,
              medium_target: float = W.MEDIUM_PRECISION_TARGET, min_samples: int = W.BAND_MIN_SAMPLES,
              fallback: Bands = DEFAULT, above: float | None = None) -> Bands:
    """Bands from benchmark results: ``(confidence value of the top hypothesis, was it right)`` per incident
    (control windows count as wrong whatever they say). From the highest value down, the band extends while the
    precision's Wilson lower bound (``BAND_Z``) over at least ``min_samples`` results reaches its target, and ends
    where it first fails: a promise that holds beyond the cases measured. With too few results the fallback band is kept; `medium` never
    drops below ``MEDIUM_FLOOR`` and `high` is never below `medium`. ``above``: `high` starts strictly above this
    value (the highest top value of a control window: no false alarm may be `high`)."""
    ordered = sorted(results, key=lambda r: -r[0])

    def threshold(target: float) -> float | None:
        best = None
        right = 0
        for count, (value, correct) in enumerate(ordered, start=1):
            right += 1 if correct else 0
            if count < len(ordered) and ordered[count][0] == value:
                continue  # a band boundary never splits equal values
            if count >= min_samples and wilson_lower(right, count) >= target:
                best = value
            elif best is not None:
                break  # the band ends where its promise first fails (no reaching past a cluster of errors)
        return best

    high = threshold(high_target)
    medium = threshold(medium_target)
    high = fallback.high if high is None else high
    if above is not None and high <= above:
        high = min((value for value, _ in ordered if value > above), default=max(high, above + 1e-4))
    medium = max(W.MEDIUM_FLOOR, fallback.medium if medium is None else medium)
    return Bands(round(max(high, medium), 4), round(medium, 4))
