"""Build one corpus case: draw a topology, install the kind, add red herrings and noise, write, drop sources.

``build_case(kind, variant, out)`` is deterministic per (kind, variant, seed): the same arguments write the same
bytes. ``iter_cases`` lists the (kind, variant) pairs of a corpus of ``variants`` variants per incident kind
and ``control_variants`` per control kind.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from agent.scenarios.corpus.context import Ctx
from agent.scenarios.corpus.herrings import add_herrings
from agent.scenarios.corpus.kinds import ALL, CONTROLS, KINDS, KindSpec
from agent.scenarios.corpus.topology import CorpusWorkload, Topology, instance_id, make_workload, random_topology
from agent.scenarios.corpus.truth import Truth

R = TypeVar("R")

BASE_SEED = 20261206
DROPPABLE = ("xray", "alb", "securityhub", "guardduty")   # sources a case may lack (never the decisive one)
MISSING_SOURCE_SHARE = 0.35                               # share of cases with one source absent
STANDING_FINDINGS_SHARE = 0.5


@dataclass(frozen=True)
class Case:
    path: Path
    truth: Truth
    seed: int


def map_cases(run_case: Callable[[str, int, str], R], pairs: list[tuple[str, int]], jobs: int,
              prefix: str = "corpus-") -> list[R]:
    """``run_case(kind, variant, workdir)`` for every pair, in order, on ``jobs`` processes (``run_case`` must be a
    module-level function), with one temporary working directory that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        if jobs <= 1:
            return [run_case(kind, variant, tmp) for kind, variant in pairs]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_case, kind, variant, tmp) for kind, variant in pairs]
            return [future.result() for future in futures]


def case_seed(kind: str, variant: int, seed: int = BASE_SEED) -> int:
    """A stable 32-bit seed per (kind, variant, base seed) (not Python's salted ``hash``)."""
    return int.from_bytes(hashlib.sha256(f"{kind}:{variant}:{seed}".encode()).digest()[:4], "big")


def iter_cases(variants: int = 5, control_variants: int = 2) -> Iterator[tuple[str, int]]:
    for kind in KINDS:
        for variant in range(variants):
            yield kind, variant
    for kind in CONTROLS:
        for variant in range(control_variants):
            yield kind, variant


def _question(spec: KindSpec, topo: Topology, onset: datetime) -> str:
    route = topo.victim.routes[0]
    clock = (onset + timedelta(minutes=2)).strftime("%H:%M")
    if spec.question == "security":
        return "we got paged for unusual API activity in the account, what is going on?"
    if spec.question == "latency":
        return f"{topo.victim.name} is slow since about {clock}, why?"
    if spec.question == "health":
        return f"is anything wrong with {topo.victim.name} in the last hour?"
    path = route.path.replace("/{id}", "")
    return f"why are {route.method} {path} requests failing since {clock}?"


def _description(topo: Topology) -> str:
    parts = [f"{s.name} ({topo.platform[s.name]}, {topo.language[s.name]})" for s in topo.services]
    front = "an Application Load Balancer" if topo.front == "alb" else "an API Gateway REST API (stage prod)"
    return f"{topo.theme['org']} services behind {front} in {topo.region}: " + ", ".join(parts) + "."


def _platform_metrics(w: CorpusWorkload, topo: Topology) -> None:
    """Re-home the workload's ECS compute series to each service's platform (ECS cluster, EKS pods, EC2 hosts)."""
    kept = []
    for series in w.b.metrics:
        dims = {d["Name"]: d["Value"] for d in series["Dimensions"]}
        service = next((s for s in topo.services if series["Namespace"] == "AWS/ECS" and dims.get("ServiceName") == s.name), None)
        if service is None:
            kept.append(series)
            continue
        platform = topo.platform[service.name]
        memory = series["MetricName"] == "MemoryUtilization"
        if platform == "ecs":
            series["Dimensions"] = [{"Name": "ClusterName", "Value": topo.cluster}, {"Name": "ServiceName", "Value": service.name}]
            kept.append(series)
        elif platform == "eks":
            series["Namespace"] = "ContainerInsights"
            series["MetricName"] = "pod_memory_utilization" if memory else "pod_cpu_utilization"
            series["Dimensions"] = [{"Name": "ClusterName", "Value": f"{topo.theme['org']}-eks"}, {"Name": "Namespace", "Value": "apps"},
                                    {"Name": "PodName", "Value": service.name}]
            kept.append(series)
        else:
            for index in range(service.tasks):
                factor = 0.85 + 0.3 * w.rng.random()
                points = [{**p, **{k: round(p[k] * factor, 6) for k in ("Average", "Minimum", "Maximum", "Sum") if k in p}}
                          for p in series["Datapoints"]]
                kept.append({"Namespace": "CWAgent" if memory else "AWS/EC2",
                             "MetricName": "mem_used_percent" if memory else "CPUUtilization",
                             "Dimensions": [{"Name": "InstanceId", "Value": instance_id(service, index)}],
                             "Period": series["Period"], "Datapoints": points})
    w.b.metrics[:] = kept


def _drop_sources(path: Path, rng: random.Random, keep: set[str]) -> list[str]:
    if rng.random() >= MISSING_SOURCE_SHARE:
        return []
    candidates = [s for s in DROPPABLE if s not in keep and (path / s).exists()]
    if not candidates:
        return []
    chosen = rng.choice(candidates)
    shutil.rmtree(path / chosen)
    return [chosen]


def build_case(kind: str, variant: int, out: str | Path, *, seed: int = BASE_SEED, traffic: float = 1.0) -> Case:
    """Write the snapshot of ``kind`` variant ``variant`` to ``out``; its ``Case`` (path and truth).

    ``traffic`` scales every route's request rate (tests use small cases; everything else is drawn the same).
    """
    spec = ALL.get(kind)
    if spec is None:
        raise ValueError(f"unknown corpus kind {kind!r}; choose one of: {', '.join(ALL)}")
    number = case_seed(kind, variant, seed)
    rng = random.Random(number)
    topo = random_topology(rng, victim_platform=rng.choice(spec.platforms) if spec.platforms else None)
    for service in topo.services:
        for route in service.routes:
            route.rate *= traffic
    window = rng.choice((60, 75, 90))
    start_hour = rng.randint(0, 21)
    start = datetime.fromisoformat(f"{topo.day}T{start_hour:02d}:00:00+00:00")
    onset = start + timedelta(seconds=int(window * 60 * rng.uniform(0.45, 0.7)))
    w = make_workload(str(out), topo, start_hour=start_hour, window_minutes=window, description=_description(topo),
                      question=_question(spec, topo, onset), seed=number)
    ctx = Ctx(w, topo, onset)
    facts = spec.setup(ctx)
    herrings = add_herrings(ctx) if not spec.control or rng.random() < 0.5 else []
    w.run_traffic()
    w.housekeeping_logs()
    w.cloudtrail_noise()
    shift = onset + timedelta(minutes=rng.uniform(-6, 4))
    w.standard_metrics(shift.strftime("%H:%M"))
    _platform_metrics(w, topo)
    for callback in ctx.post:
        callback()
    if rng.random() < STANDING_FINDINGS_SHARE:
        w.standing_findings(f"{topo.theme['org']}-{topo.theme['bucket']}", port_probe=rng.random() < 0.5)
    path = w.write(gzip=False)
    keep = set(facts.keep_sources) | {"logs"}
    if facts.exceptions or facts.hosts:
        keep |= {"xray", "alb"}
    missing = _drop_sources(path, rng, keep)
    truth = Truth(
        kind=spec.name, category=spec.category, description=_description(topo), control=spec.control, service=topo.victim.name,
        onset=None if spec.control else onset.strftime("%Y-%m-%dT%H:%M:%SZ"),
        events=tuple(facts.events), event_names=tuple(facts.event_names), metrics=tuple(facts.metrics),
        exceptions=tuple(facts.exceptions), hosts=tuple(facts.hosts), findings=tuple(facts.findings),
        missing_sources=tuple(missing), red_herrings=tuple(herrings))
    return Case(path, truth, number)
