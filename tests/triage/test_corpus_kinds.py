"""Triage on one variant of every corpus kind (``agent/scenarios/corpus``): the top hypothesis carries the kind's
decisive fact — the causing event (by its eventID), the saturated resource's own series, the exception of the
poison input, the failing dependency's host, the finding — as the corpus's truth matcher reads it, never a
keyword a symptom also contains; and no control window has a ``high`` hypothesis.

The benchmark (``bench/triage_accuracy.py``) measures every kind over many variants and with one kind left out;
these tests keep each kind from silently breaking.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.scenarios.corpus import build_case
from agent.scenarios.corpus.kinds import CONTROLS, KINDS
from agent.scenarios.corpus.truth import matches
from agent.triage_command import investigate
from tools.common.snapshot import Snapshot

VARIANT = 0
# Kinds whose decisive fact the tools do not surface yet (so ranking cannot put it first): said here, measured in
# the benchmark, never hidden.
NOT_SURFACED: dict[str, str] = {}  # disk-full left this list when the metrics tool learnt ramps to a ceiling


def _triage(kind: str, tmp_path: Path) -> tuple[dict, object]:
    case = build_case(kind, VARIANT, tmp_path / kind)
    snapshot = Snapshot.open(case.path)
    return investigate(snapshot, snapshot.manifest.window, snapshot.manifest.question, seconds=60), case.truth


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.xfail(reason=NOT_SURFACED[k], strict=True))
                                  if k in NOT_SURFACED else k for k in sorted(KINDS)])
def test_the_top_hypothesis_carries_the_decisive_fact(kind: str, tmp_path: Path) -> None:
    report, truth = _triage(kind, tmp_path)
    hypotheses = report["hypotheses"]
    assert hypotheses, f"{kind}: no hypothesis"
    top = hypotheses[0]
    assert matches(top, truth), (kind, truth.decisive, top["title"], [e["summary"][:120] for e in top["evidence"]])
    assert top["confidence"] in ("high", "medium", "low")
    assert len(report["summary"]) <= 2500


@pytest.mark.parametrize("kind", sorted(CONTROLS))
def test_no_control_window_is_stated_high(kind: str, tmp_path: Path) -> None:
    report, _ = _triage(kind, tmp_path)
    assert all(h["confidence"] != "high" for h in report["hypotheses"]), [(h["title"], h["confidence"]) for h in report["hypotheses"]]
