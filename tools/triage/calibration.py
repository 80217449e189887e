"""The benchmark's hook into confidence calibration: ``fit(samples)`` fits the confidence bands from triage
results (``bench/triage_accuracy.py`` calls it with one kind left out), ``applied(bands)`` ranks with them.

A sample is one triaged case: ``{"kind", "control", "hypotheses": [{"confidence", "score", "correct",
"confidence_value"}]}``. Only the top hypothesis counts: its confidence value (the report's
``confidence_value``; from the scores when absent) and whether it was right (a control's never is).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tools.triage import confidence
from tools.triage import weights as W


def top_value(hypotheses: list[dict[str, Any]]) -> float:
    """The top hypothesis's confidence value: reported, or its score minus a share of the runner-up's."""
    if not hypotheses:
        return 0.0
    top = hypotheses[0]
    if isinstance(top.get("confidence_value"), (int, float)):
        return float(top["confidence_value"])
    runner_up = max((float(h.get("score") or 0.0) for h in hypotheses[1:]), default=0.0)
    return max(0.0, float(top.get("score") or 0.0) - W.MARGIN_WEIGHT * runner_up)


def results_of(samples: list[dict[str, Any]]) -> list[tuple[float, bool]]:
    """(confidence value of the top hypothesis, right) per sample that has a hypothesis."""
    found = []
    for sample in samples:
        hypotheses = sample.get("hypotheses") or []
        if not hypotheses:
            continue
        right = bool(hypotheses[0].get("correct")) and not sample.get("control")
        found.append((top_value(hypotheses), right))
    return found


def fit(samples: list[dict[str, Any]]) -> confidence.Bands:
    """Bands whose measured precision on ``samples`` is at least the targets (95 % high, 60 % medium), with `high`
    above the top value of every control window among them: a window without an incident never gets a `high`
    answer, whatever the precision over incidents allows (the second promise ``high`` makes)."""
    controls = [top_value(s.get("hypotheses") or []) for s in samples if s.get("control") and s.get("hypotheses")]
    return confidence.fit_bands(results_of(samples), above=max(controls, default=None))


@contextmanager
def applied(bands: confidence.Bands) -> Iterator[None]:
    """Rank with ``bands`` inside the block (the default bands again after it)."""
    previous = confidence.use(bands)
    try:
        yield
    finally:
        confidence.use(previous)


def relabel(bands: confidence.Bands, hypotheses: list[dict[str, Any]]) -> list[str]:
    """The confidences ``hypotheses`` (one report's, best first) get under ``bands``, without triaging again: the
    same rules as ``confidence.assign`` (only the top one can be `high`; a hypothesis the ranking held at `low`
    although its value was above the band — a window without an abnormal symptom — stays `low`)."""
    labels: list[str] = []
    for index, hypothesis in enumerate(hypotheses):
        value = hypothesis.get("confidence_value")
        if not isinstance(value, (int, float)):
            labels.append(str(hypothesis.get("confidence") or "low"))
            continue
        label = confidence.level(float(value), bands)
        if hypothesis.get("confidence") == "low" and confidence.level(float(value), confidence.DEFAULT) != "low":
            label = "low"  # held low by the ranking (quiet window), not by the band
        if index > 0 and label == "high":
            label = "medium"
        labels.append(label)
    return labels
