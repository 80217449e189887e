"""The accuracy bench's scoring (``bench/triage_accuracy.py``) and its trivial baseline (``bench/triage_external.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from agent.scenarios.corpus.truth import Truth, metric_fact
from tools.common.evidence import evidence_id
from tools.metrics.model import series_id

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_score_ranks_strict_and_controls() -> None:
    accuracy = load("triage_accuracy")
    truth = Truth(kind="k", category="c", description="d", onset="2026-01-01T00:00:00Z", events=("e-1",), event_names=("PutParameter",))
    symptom = {"id": "A-1", "source": "alb", "summary": "HTTP 500"}
    change = {"id": evidence_id("cloudtrail", "e-1"), "source": "cloudtrail", "summary": "PutParameter"}
    report = {"hypotheses": [
        {"rank": 1, "title": "5xx", "confidence": "high", "score": 0.9, "evidence": [symptom]},
        {"rank": 2, "title": "change", "confidence": "medium", "score": 0.5, "evidence": [symptom, change]},
    ], "sources": {"alb": {"status": "ok"}}}
    result = accuracy.score(report, truth)
    assert result["rank"] == 2 and not result["strict"] and result["top_confidence"] == "high"
    assert [h["correct"] for h in result["hypotheses"]] == [False, True]
    report["hypotheses"].reverse()
    assert accuracy.score(report, truth)["strict"] is False   # the change is not the first evidence item
    report["hypotheses"][0]["evidence"] = [change, symptom]
    assert accuracy.score(report, truth)["strict"] is True
    control = Truth(kind="control-quiet", category="control", description="d", onset=None, control=True)
    assert accuracy.score(report, control)["rank"] is None


def test_calibration_table_counts_controls_as_wrong() -> None:
    accuracy = load("triage_accuracy")
    results = [
        {"control": False, "rank": 1, "top_confidence": "high", "hypotheses": [{"confidence": "high", "correct": True}]},
        {"control": True, "rank": None, "top_confidence": "high", "hypotheses": [{"confidence": "high", "correct": False}]},
    ]
    row = next(r for r in accuracy.calibration_table(results) if r.startswith("| high"))
    assert "| 2 | 1 | 50% |" in row


def test_robust_z_baseline_and_candidates() -> None:
    external = load("triage_external")
    noise = [10.0, 10.5, 9.5, 10.2, 9.8, 10.1]
    assert external.robust_z([30.0, 31.0], 10.0, noise) > 10
    assert external.robust_z([10.1, 9.9], 10.0, noise) < 1
    # a flat series (MAD 0) is floored, not divided by zero
    assert external.robust_z([0.01], 0.0, [0.0] * 10, floor=0.005) == 2.0
    assert external.is_service("PetSearch_AWS::ECS::Fargate") and not external.is_service("PetSearch_client")
    assert not external.is_service("servi-searc.us-west-2.elb.amazonaws.com_remote")
    namespace, metric, dims, _ = external._nab_key("rds_cpu_utilization_cc0c53")
    assert (namespace, metric, dims) == ("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "db-cc0c53"})
    assert series_id(namespace, metric, dims) == metric_fact(namespace, metric, dims).evidence_id
