"""Triage on public labelled data beside a trivial baseline: the PetShop train split and the NAB AWS series.

Called by ``bench/triage_accuracy.py`` (same run); runnable alone: ``python bench/triage_external.py``.

**PetShop** (``../shared/data/petshop_rca/dataset/<traffic>/train/issue_*`` only; the test split is never read):
each issue's per-node X-Ray service metrics become a snapshot as CloudWatch Application Signals would publish them
(namespace ``ApplicationSignals``, dimensions ``Environment=generic:default`` and ``Service=<node>``; ``Latency``
in ms with Average = the recorded average and Maximum = the recorded p99, ``Fault`` with Average = 1 -
availability, SampleCount = requests), 5-minute periods. The recorded call graph (``graph.csv``) becomes
Application Signals dependency series (``Service=<caller>, RemoteService=<callee>``), each carrying its callee's
statistics: the recording has no per-edge statistics, and the graph is what the published anomaly-traversal
baseline is given as well. The baseline before the issue's five points is the
last 6 hours of the traffic's no-issue recording, re-levelled per series to the issue's own points before the
alarm (the no-issue recording is months apart; its noise is kept, its level is not). Triage answers the alarm's
question; services are ranked by the order in which hypotheses cite their series. Candidates in both rankings
are the service nodes (not X-Ray's ``_client`` and ``_remote`` views of calls). The baseline ranks them by
the robust z-score of their post-alarm change: ``|median(after) - centre| / (1.4826 * MAD(no-issue tail))`` for
latency and faults (the larger; the noise scale is floored at 5% of the level, 1 ms and 0.5 points of fault rate),
``centre`` the median of the issue's pre-alarm points.

**NAB** (``../shared/data/nab_aws``, realAWSCloudwatch files present there only): for every labelled anomaly, a
snapshot of the series from 4 h before the label to 2 h after; up to 3 windows per file clear of every anomaly
window are controls. Triage "detects" when a hypothesis of at least ``medium`` confidence cites the series; the
baseline detects when the robust z-score of the 2 h after against the 4 h before is at least ``Z_ALARM``.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.scenarios.builder import iso_z  # noqa: E402
from bench._data import DATA, absent  # noqa: E402
from tools.metrics.model import series_id  # noqa: E402

UTC = timezone.utc
PETSHOP = DATA / "petshop_rca" / "dataset"
NAB = DATA / "nab_aws"
BASELINE_POINTS = 72          # 6 h of 5-minute points before the issue
PERIOD = 300
Z_ALARM = 3.5                 # the customary robust-z outlier threshold (Iglewicz and Hoaglin); not tuned here
NAB_BEFORE_H, NAB_AFTER_H = 4, 2
NAB_CONTROLS_PER_FILE = 3
ENVIRONMENT = "generic:default"
RELATIVE_FLOOR = 0.05         # a z-score's noise scale is at least 5% of the level (flat series)
FLOORS = {"lat": 1.0, "fault": 0.005}   # and at least 1 ms of latency, half a point of fault rate


def _triage(root: Path, question: str) -> dict[str, Any]:
    from agent.triage_command import investigate
    from tools.common.snapshot import Snapshot

    snapshot = Snapshot.open(root)
    return investigate(snapshot, snapshot.manifest.window, question)


def _write_snapshot(root: Path, start: datetime, end: datetime, series: list[dict[str, Any]], description: str) -> None:
    (root / "metrics").mkdir(parents=True, exist_ok=True)
    manifest = {"version": 1, "account": "123456789012", "region": "us-west-2", "start": iso_z(start), "end": iso_z(end),
                "description": description}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    by_ns: dict[str, list[str]] = defaultdict(list)
    for s in series:
        by_ns[s["Namespace"]].append(json.dumps(s, separators=(",", ":")))
    for namespace, lines in by_ns.items():
        (root / "metrics" / f"{namespace.replace('/', '_')}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cited(report: dict[str, Any], ids: dict[str, str], min_confidence: tuple[str, ...] = ("high", "medium", "low")) -> list[str]:
    """Names (values of ``ids``) in the order hypotheses cite their evidence ids."""
    order: list[str] = []
    for hypothesis in report.get("hypotheses") or []:
        if hypothesis.get("confidence") not in min_confidence:
            continue
        for item in hypothesis.get("evidence") or []:
            name = ids.get(item.get("id"))
            if name and name not in order:
                order.append(name)
    return order


def robust_z(after: list[float], centre: float, noise: list[float], floor: float = 0.0) -> float:
    """``|median(after) - centre| / max(1.4826 * MAD(noise), RELATIVE_FLOOR * |centre|, floor)``.

    The floors keep a flat series (MAD 0: a fault rate that is always 0) from turning a tiny move into an
    infinite score.
    """
    if not after or not noise:
        return 0.0
    mad = statistics.median(abs(v - statistics.median(noise)) for v in noise)
    scale = max(1.4826 * mad, RELATIVE_FLOOR * abs(centre), floor, 1e-9)
    return abs(statistics.median(after) - centre) / scale


# --- PetShop --------------------------------------------------------------------------------------------------


def is_service(node: str) -> bool:
    """A candidate root cause: a service node, not X-Ray's client-side (``_client``) or remote-endpoint (``_remote``)
    view of a call. Both rankings (triage's and the baseline's) are over these nodes."""
    return not node.endswith(("_client", "_remote"))


def _read_petshop(path: Path) -> tuple[list[float], dict[tuple[str, str, str], list[float | None]]]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    columns = list(zip(rows[0], rows[1], rows[2]))[1:]
    times = [float(r[0]) for r in rows[4:]]
    data: dict[tuple[str, str, str], list[float | None]] = {}
    for j, column in enumerate(columns, 1):
        data[column] = [float(r[j]) if r[j] else None for r in rows[4:]]
    return times, data


def _relevel(tail: list[float], pre: list[float]) -> list[float]:
    if not tail or not pre:
        return tail
    offset = statistics.median(pre) - statistics.median(tail)
    return [v + offset for v in tail]


def _petshop_case(baseline: dict, times: list[float], data: dict, alarm: float) -> tuple[dict[str, list[float]], dict[str, tuple]]:
    """Per node: the stitched (baseline + issue) values for latency avg/p99, fault rate, requests; and the z inputs."""
    nodes = sorted({c[0] for c in data})
    split = sum(1 for t in times if t < alarm - alarm % PERIOD)
    stitched: dict[str, dict[str, list[float | None]]] = {}
    zin: dict[str, tuple] = {}
    for node in nodes:
        series: dict[str, list[float | None]] = {}
        best = 0.0
        for key, (metric, stat, transform) in {"lat": ("latency", "Average", 1000.0), "p99": ("latency", "p99", 1000.0),
                                               "fault": ("availability", "Average", None), "req": ("requests", "Sum", 1.0)}.items():
            issue = data.get((node, metric, stat))
            if issue is None:
                continue
            values = [None if v is None else ((100.0 - v) / 100.0 if transform is None else v * transform) for v in issue]
            tail_raw = [v for v in (baseline.get((node, metric, stat)) or [])[-BASELINE_POINTS:] if v is not None]
            tail = [(100.0 - v) / 100.0 if transform is None else v * transform for v in tail_raw]
            pre = [v for v in values[:split] if v is not None]
            tail = _relevel(tail, pre)
            series[key] = tail + values
            if key in ("lat", "fault"):
                after = [v for v in values[split:] if v is not None]
                centre = statistics.median(pre) if pre else (statistics.median(tail) if tail else 0.0)
                best = max(best, robust_z(after, centre, tail, FLOORS[key]))
        stitched[node] = series
        zin[node] = (best,)
    return stitched, zin


def _read_graph(path: Path) -> list[tuple[str, str]]:
    """The recorded call graph (``graph.csv``, an adjacency matrix: row calls column) as (caller, callee) edges."""
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    columns = rows[0][1:]
    return [(row[0], columns[j]) for row in rows[1:] for j, value in enumerate(row[1:]) if value and float(value) != 0.0]


def _points(stamps: list[datetime], values: list[float | None], counts: list[float | None] | None,
            highs: list[float | None] | None, unit: str) -> list[dict[str, Any]]:
    offset = len(stamps) - len(values)
    points = []
    for i, value in enumerate(values):
        if value is None:
            continue
        count = (counts[i] if counts and i < len(counts) and counts[i] is not None else 1.0) or 1.0
        value = max(0.0, value)
        point = {"Timestamp": iso_z(stamps[offset + i]), "SampleCount": count, "Average": round(value, 6),
                 "Sum": round(value * count, 6), "Unit": unit}
        if highs is not None:
            high = highs[i] if i < len(highs) and highs[i] is not None else value
            point["Maximum"] = round(max(high, value), 6)
        points.append(point)
    return points


def petshop_snapshot(root: Path, traffic: Path, issue: Path, baseline: dict) -> tuple[dict[str, str], dict[str, tuple], str, dict]:
    """Write one train issue as a snapshot under ``root``: per-node series as Application Signals service metrics
    (``Service=<node>``) and the recorded call graph as its dependency metrics (``Service=<caller>,
    RemoteService=<callee>``: what the caller sees of each call; the recording keeps per-node statistics only, so
    an edge carries its callee's). X-Ray's ``_client`` nodes are callers nobody instrumented: no edge from them.

    Returns the series-id -> node map, the baseline's z inputs, the question and the target."""
    target = json.loads((issue / "target.json").read_text())
    alarm = float(target["target"]["timestamp"])
    times, data = _read_petshop(issue / "metrics.csv")
    stitched, zin = _petshop_case(baseline, times, data, alarm)
    first = datetime.fromtimestamp(times[0], UTC)
    n_base = max(len(v) for s in stitched.values() for v in s.values()) - len(times)
    start = first - timedelta(seconds=PERIOD * n_base)
    stamps = [start + timedelta(seconds=PERIOD * i) for i in range(n_base + len(times))]
    series, ids = [], {}

    def add(metric: str, dims: dict[str, str], points: list[dict[str, Any]], node: str | None) -> None:
        if not points:
            return
        series.append({"Namespace": "ApplicationSignals", "MetricName": metric,
                       "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()], "Period": PERIOD, "Datapoints": points})
        if node:
            ids[series_id("ApplicationSignals", metric, dims)] = node

    def node_series(node: str, dims: dict[str, str], cite: str | None) -> None:
        metrics = stitched.get(node) or {}
        lat, p99, fault, req = (metrics.get(k) for k in ("lat", "p99", "fault", "req"))
        if lat:
            add("Latency", dims, _points(stamps, lat, req, p99 or [], "Milliseconds"), cite)
        if fault:
            add("Fault", dims, _points(stamps, fault, req, None, "None"), cite)

    for node in stitched:
        node_series(node, {"Environment": ENVIRONMENT, "Service": node}, node)
    for caller, callee in _read_graph(traffic / "graph.csv"):
        if caller.endswith("_client") or caller not in stitched or callee not in stitched:
            continue
        node_series(callee, {"Environment": ENVIRONMENT, "Service": caller, "RemoteService": callee}, callee)
    clock = datetime.fromtimestamp(alarm, UTC).strftime("%H:%M")
    metric = {"latency": "latency is high", "availability": "requests are failing"}.get(target["target"]["metric"], "is unhealthy")
    question = f"{target['target']['node']} {metric} since {clock}, why?"
    _write_snapshot(root, start, stamps[-1] + timedelta(seconds=PERIOD), series,
                    "PetAdoptions (PetShop RCA): per-service X-Ray metrics as Application Signals series")
    return ids, zin, question, target


def petshop_cases() -> list[tuple[Path, Path, dict]]:
    """(traffic folder, issue folder, that traffic's no-issue recording) of every train issue."""
    cases = []
    for traffic in sorted(p for p in PETSHOP.iterdir() if p.is_dir()):
        noissue = traffic / "noissue" / "metrics.csv"
        if not noissue.is_file():
            continue
        _, baseline = _read_petshop(noissue)
        cases += [(traffic, issue, baseline) for issue in sorted((traffic / "train").glob("issue_*"))]
    return cases


def petshop() -> tuple[list[str], dict[str, Any]]:
    if not PETSHOP.is_dir():
        return [f"PetShop: skipped: {absent('petshop_rca/dataset')}."], {}
    rows = ["| case | alarm | root cause | triage rank | baseline rank | triage top-1 node (confidence) |", "|---|---|---|---:|---:|---|"]
    tri_ranks: list[int | None] = []
    base_ranks: list[int | None] = []
    for traffic, issue, baseline in petshop_cases():
        with tempfile.TemporaryDirectory(prefix="petshop-") as tmp:
            root = Path(tmp) / issue.name
            ids, zin, question, target = petshop_snapshot(root, traffic, issue, baseline)
            root_node = target["root_cause"]["node"]
            try:
                report = _triage(root, question)
                order = _cited(report, ids)
                top = report["hypotheses"][0] if report.get("hypotheses") else None
            except Exception as exc:  # counted as a miss, shown
                order, top = [], {"confidence": f"error: {type(exc).__name__}"}
        order = [node for node in order if is_service(node)]
        tri = order.index(root_node) + 1 if root_node in order else None
        scores = sorted(((z[0], node) for node, z in zin.items() if is_service(node)), reverse=True)
        base = next((i for i, (_, node) in enumerate(scores, 1) if node == root_node), None)
        tri_ranks.append(tri)
        base_ranks.append(base)
        top_node = order[0] if order else "-"
        rows.append(f"| {traffic.name}/{issue.name} | {target['target']['node']} {target['target']['metric']} | {root_node} | "
                    f"{tri or 'not cited'} | {base or '-'} | {top_node} ({top['confidence'] if top else 'no hypothesis'}) |")

    def share(ranks: list[int | None], k: int) -> str:
        return f"{100 * sum(1 for r in ranks if r is not None and r <= k) / len(ranks):.0f}%" if ranks else "-"
    summary = {"cases": len(tri_ranks), "triage_top1": share(tri_ranks, 1), "triage_top3": share(tri_ranks, 3),
               "baseline_top1": share(base_ranks, 1), "baseline_top3": share(base_ranks, 3)}
    head = [f"PetShop train split: {len(tri_ranks)} issues. Triage top-1 **{summary['triage_top1']}**, top-3 "
            f"**{summary['triage_top3']}**; robust z-score baseline top-1 {summary['baseline_top1']}, top-3 {summary['baseline_top3']}.", ""]
    return head + rows, summary


# --- NAB --------------------------------------------------------------------------------------------------------

NAB_KEYS = {
    "ec2_cpu_utilization": ("AWS/EC2", "CPUUtilization", "InstanceId", "Percent"),
    "ec2_disk_write_bytes": ("AWS/EC2", "DiskWriteBytes", "InstanceId", "Bytes"),
    "ec2_network_in": ("AWS/EC2", "NetworkIn", "InstanceId", "Bytes"),
    "elb_request_count": ("AWS/ELB", "RequestCount", "LoadBalancerName", "Count"),
    "rds_cpu_utilization": ("AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "Percent"),
    "grok_asg_anomaly": ("AWS/AutoScaling", "GroupTotalInstances", "AutoScalingGroupName", "Count"),
}


def _nab_key(stem: str) -> tuple[str, str, dict[str, str], str]:
    for prefix, (namespace, metric, dim, unit) in NAB_KEYS.items():
        if stem.startswith(prefix):
            suffix = stem[len(prefix):].strip("_") or "asg"
            value = {"InstanceId": f"i-0{suffix}", "LoadBalancerName": f"elb-{suffix}", "DBInstanceIdentifier": f"db-{suffix}",
                     "AutoScalingGroupName": f"grok-{suffix}"}[dim]
            return namespace, metric, {dim: value}, unit
    return "Custom/NAB", stem, {"Series": stem}, "None"


def _nab_time(text: str) -> datetime:
    return datetime.fromisoformat(text.split(".")[0]).replace(tzinfo=UTC)


def nab() -> tuple[list[str], dict[str, Any]]:
    windows_file = NAB / "labels" / "combined_windows.json"
    if not windows_file.is_file():
        return [f"NAB: skipped: {absent('nab_aws') or f'{windows_file} not found'}."], {}
    windows = json.loads(windows_file.read_text())
    labels = json.loads((NAB / "labels" / "combined_labels.json").read_text())
    counts = defaultdict(int)
    rows = ["| file | window | kind | triage (>= medium cites it) | triage `high` | baseline z | baseline |", "|---|---|---|---|---|---:|---|"]
    for name, spans in windows.items():
        path = NAB / "data" / name
        if not path.is_file():
            continue
        with open(path, newline="") as handle:
            points = [(_nab_time(r["timestamp"]), float(r["value"])) for r in csv.DictReader(handle)]
        bad = [(_nab_time(a), _nab_time(b)) for a, b in spans]
        namespace, metric, dims, unit = _nab_key(Path(name).stem)
        wanted = series_id(namespace, metric, dims)
        cases = [(_nab_time(label), "anomaly") for label in labels.get(name, [])]
        width = timedelta(hours=NAB_BEFORE_H + NAB_AFTER_H)
        moment, clean = points[0][0] + timedelta(hours=NAB_BEFORE_H), []
        while moment + timedelta(hours=NAB_AFTER_H) <= points[-1][0] and len(clean) < NAB_CONTROLS_PER_FILE:
            lo, hi = moment - timedelta(hours=NAB_BEFORE_H), moment + timedelta(hours=NAB_AFTER_H)
            if all(hi <= a or lo >= b for a, b in bad):
                clean.append((moment, "control"))
            moment += width * 3
        for split, kind in cases + clean:
            lo, hi = split - timedelta(hours=NAB_BEFORE_H), split + timedelta(hours=NAB_AFTER_H)
            window_points = [(t, v) for t, v in points if lo <= t < hi]
            if len(window_points) < 10:
                continue
            series = [{"Namespace": namespace, "MetricName": metric, "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
                       "Period": PERIOD, "Datapoints": [{"Timestamp": iso_z(t), "SampleCount": 1.0, "Average": v, "Sum": v, "Minimum": v,
                                                         "Maximum": v, "Unit": unit} for t, v in window_points]}]
            with tempfile.TemporaryDirectory(prefix="nab-") as tmp:
                root = Path(tmp) / "nab"
                _write_snapshot(root, lo, hi, series, f"NAB {name}")
                try:
                    report = _triage(root, f"{metric} of {next(iter(dims.values()))} looks abnormal, anything wrong?")
                except Exception:
                    report = {"hypotheses": []}
            ids = {wanted: "series"}
            flagged = bool(_cited(report, ids, ("high", "medium")))
            flagged_high = bool(_cited(report, ids, ("high",)))
            before = [v for t, v in window_points if t < split]
            after = [v for t, v in window_points if t >= split]
            z = robust_z(after, statistics.median(before) if before else 0.0, before)
            base = z >= Z_ALARM
            counts[f"{kind}_n"] += 1
            counts[f"{kind}_triage"] += flagged
            counts[f"{kind}_triage_high"] += flagged_high
            counts[f"{kind}_base"] += base
            rows.append(f"| {Path(name).stem} | {iso_z(split)} | {kind} | {'yes' if flagged else 'no'} | {'yes' if flagged_high else 'no'} | "
                        f"{f'{z:.1f}' if z < 1000 else '> 1000'} | {'yes' if base else 'no'} |")

    def share(key: str, kind: str) -> str:
        n = counts[f"{kind}_n"]
        return f"{counts[f'{kind}_{key}']}/{n} ({100 * counts[f'{kind}_{key}'] / n:.0f}%)" if n else "-"
    summary = {"anomalies": counts["anomaly_n"], "controls": counts["control_n"], "triage_hits": share("triage", "anomaly"),
               "triage_false_alarms": share("triage", "control"), "baseline_hits": share("base", "anomaly"),
               "baseline_false_alarms": share("base", "control")}
    head = [f"NAB realAWSCloudwatch: {counts['anomaly_n']} labelled anomalies, {counts['control_n']} clean windows "
            f"({NAB_BEFORE_H} h before, {NAB_AFTER_H} h after). Triage (a hypothesis of medium or high confidence cites the series): "
            f"hits {summary['triage_hits']}, false alarms {summary['triage_false_alarms']} (`high`: hits "
            f"{share('triage_high', 'anomaly')}, false alarms {share('triage_high', 'control')}). Robust z-score baseline "
            f"(|z| >= {Z_ALARM}): hits {summary['baseline_hits']}, false alarms {summary['baseline_false_alarms']}.", ""]
    return head + rows, summary


def main() -> int:
    print("### PetShop train split (root-cause service)\n")
    lines, _ = petshop()
    print("\n".join(lines) + "\n")
    print("### NAB AWS series (change detection in a window)\n")
    lines, _ = nab()
    print("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
