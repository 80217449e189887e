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


def _petshop_csv(path: Path, nodes: list[str], rows: list[list[float]], start: float) -> None:
    columns = [(n, m, s) for n in nodes for m, s in (("latency", "Average"), ("latency", "p99"), ("availability", "Average"),
                                                    ("requests", "Sum"))]
    lines = ["microservice," + ",".join(c[0] for c in columns), "metric," + ",".join(c[1] for c in columns),
             "statistic," + ",".join(c[2] for c in columns), "unix_timestamp," + "," * (len(columns) - 1)]
    for i, values in enumerate(rows):
        cells = []
        for latency in values:
            cells += [str(latency), str(latency * 2), "100.0", "50"]
        lines.append(f"{start + 300 * i}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n")


def test_petshop_issue_becomes_service_and_dependency_series(tmp_path: Path) -> None:
    import json

    external = load("triage_external")
    traffic = tmp_path / "low"
    issue = traffic / "train" / "issue_0"
    (traffic / "noissue").mkdir(parents=True)
    issue.mkdir(parents=True)
    nodes = ["front", "search_AWS::ECS::Fargate", "search_client"]
    (traffic / "graph.csv").write_text(",front,search_AWS::ECS::Fargate,search_client\n"
                                       "front,0.0,1.0,0.0\nsearch_AWS::ECS::Fargate,0.0,0.0,0.0\nsearch_client,0.0,1.0,0.0\n")
    _petshop_csv(traffic / "noissue" / "metrics.csv", nodes, [[0.08, 0.006, 0.001]] * 10, 1_600_000_000)
    _petshop_csv(issue / "metrics.csv", nodes, [[0.08, 0.006, 0.001], [0.12, 0.04, 0.001], [0.13, 0.05, 0.001]], 1_700_000_000)
    (issue / "target.json").write_text(json.dumps({"target": {"node": "front", "metric": "latency", "timestamp": 1_700_000_300},
                                                   "root_cause": {"node": "search_AWS::ECS::Fargate"}}))
    assert external._read_graph(traffic / "graph.csv") == [("front", "search_AWS::ECS::Fargate"),
                                                           ("search_client", "search_AWS::ECS::Fargate")]
    _, baseline = external._read_petshop(traffic / "noissue" / "metrics.csv")
    root = tmp_path / "snap"
    ids, _, question, _ = external.petshop_snapshot(root, traffic, issue, baseline)
    assert question.startswith("front latency is high since")
    series = [json.loads(line) for line in (root / "metrics" / "ApplicationSignals.jsonl").read_text().splitlines()]
    dependency = [s for s in series if any(d["Name"] == "RemoteService" for d in s["Dimensions"])]
    # one edge (front -> search), latency and fault; none from X-Ray's uninstrumented client node
    assert {tuple((d["Name"], d["Value"]) for d in s["Dimensions"]) for s in dependency} == {
        (("Environment", "generic:default"), ("Service", "front"), ("RemoteService", "search_AWS::ECS::Fargate"))}
    edge_latency = next(s for s in dependency if s["MetricName"] == "Latency")
    own_latency = next(s for s in series if s["MetricName"] == "Latency" and s["Dimensions"][1]["Value"] == "search_AWS::ECS::Fargate"
                       and len(s["Dimensions"]) == 2)
    assert edge_latency["Datapoints"] == own_latency["Datapoints"]  # the callee's statistics
    assert ids[series_id("ApplicationSignals", "Latency", {"Environment": "generic:default", "Service": "front",
                                                           "RemoteService": "search_AWS::ECS::Fargate"})] == "search_AWS::ECS::Fargate"


def _echo_case(kind: str, variant: int, workdir: str) -> tuple[str, int, bool]:
    return kind, variant, Path(workdir).is_dir()


def test_map_cases_keeps_the_order_on_one_process_and_on_several() -> None:
    from agent.scenarios.corpus import map_cases

    pairs = [("disk-full", 3), ("nacl-deny", 0), ("disk-full", 1)]
    expected = [(k, v, True) for k, v in pairs]
    assert map_cases(_echo_case, pairs, jobs=1) == expected
    assert map_cases(_echo_case, pairs, jobs=2) == expected
