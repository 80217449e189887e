"""Scale bench: triage and each source tool on the large snapshot (``bench/large_snapshot.py``) against the floor.

* floor - a fresh interpreter that only decompresses the same files and counts their lines (1 MiB reads of
  ``gzip``, i.e. zlib speed; no parsing): the least any reader of these files must pay;
* ``triage__investigate`` as the agent calls it (default budget, ``limits.tool_seconds``) and with an unlimited
  budget (600 s: the time to a *complete* answer);
* each tool alone (600 s budget) so the slow one is visible: find_error_patterns, summarize_alb_traffic,
  list_changes, find_changed_metrics, find_trace_faults.

Every measurement runs in its own child process: wall time to the answer, wall time to process exit (threads a
timed-out triage leaves behind keep running), peak RSS of that child (``os.wait4`` rusage), status and body size.
Bodies are saved to ``.cache/bench/bodies-large.json`` for ``bench/tokens_cost.py``. Prints markdown tables.
Usage: ``python bench/scale.py [--runs N]`` (median of N; default 3).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import large_snapshot  # noqa: E402

BODIES = large_snapshot.CACHE / "bodies-large.json"
SUMMARY = large_snapshot.CACHE / "scale-summary.json"
UNLIMITED = 600.0
MARK = "@@RESULT@@"

# (label, action group, function, extra parameters, budget seconds or None for the configured default)
RUNS: tuple[tuple[str, str, str, dict[str, Any], float | None], ...] = (
    ("triage (default budget)", "triage", "investigate", {}, None),
    ("triage (unlimited budget)", "triage", "investigate", {}, UNLIMITED),
    ("find_error_patterns", "logs", "find_error_patterns", {}, UNLIMITED),
    ("summarize_alb_traffic", "alb", "summarize_alb_traffic", {}, UNLIMITED),
    ("list_changes", "cloudtrail", "list_changes", {}, UNLIMITED),
    ("find_changed_metrics", "metrics", "find_changed_metrics", {"max_results": 25}, UNLIMITED),
    ("find_trace_faults", "xray", "find_trace_faults", {"kind": "fault"}, UNLIMITED),
)

FLOOR_CHILD = r"""
import gzip, json, sys, time
from pathlib import Path
root = Path(sys.argv[1])
t = time.perf_counter()
out = {}
for folder in ("logs", "alb", "cloudtrail", "metrics", "xray", "securityhub", "guardduty"):
    lines = 0
    start = time.perf_counter()
    for path in sorted((root / folder).rglob("*.gz")):
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
    out[folder] = {"lines": lines, "seconds": time.perf_counter() - start}
out["total"] = {"lines": sum(v["lines"] for v in out.values()), "seconds": time.perf_counter() - t}
print("@@RESULT@@" + json.dumps(out))
"""

TOOL_CHILD = r"""
import importlib, json, os, sys, time
os.environ.pop("OPSAGENT_SNAPSHOT", None)
root, group, name, extra, budget = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
from tools import catalogue
from tools.common import config as config_module
from tools.common.app import execute
from tools.common.deadline import Deadline
from tools.common.snapshot import Snapshot
snapshot = Snapshot.open(root)
config = config_module.load()
function = catalogue.find(group, name)
implementation = importlib.import_module(f"tools.{group}.handler").IMPLEMENTATIONS[name]
params = {"window": snapshot.manifest.window.encode(), **extra}
if group == "triage" and snapshot.manifest.question:
    params["question"] = snapshot.manifest.question
seconds = float(budget) if budget != "default" else float(config["limits"]["tool_seconds"])
started = time.perf_counter()
outcome = execute(function, implementation, params, deadline=Deadline(seconds), config=config, snapshot=snapshot,
                  use_environment_snapshot=False)
elapsed = time.perf_counter() - started
result = outcome.result
info = {"seconds": elapsed, "status": result.status if result else "reprompt", "body": outcome.body}
if result is not None and group == "triage":
    report = result.data.get("report", {})
    info["sources"] = {k: v.get("status") for k, v in report.get("sources", {}).items()}
    top = (report.get("hypotheses") or [{}])[0]
    info["top"] = top.get("title", "")
sys.stdout.write("\n@@RESULT@@" + json.dumps(info) + "\n")
sys.stdout.flush()
"""


def child(code: str, *args: str) -> tuple[dict[str, Any], float, float]:
    """Run ``code`` in a fresh interpreter: (its JSON line, wall seconds to exit, peak RSS MiB of that child)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "POWERTOOLS_TRACE_DISABLED": "true", "LOG_LEVEL": "ERROR"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    output = proc.stdout.read()  # DuckDB may draw a progress bar on stdout: the result line is marked
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    found = [line[len(MARK):] for line in output.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"child failed (exit {proc.returncode}): {output[-300:]}")
    return json.loads(found[-1]), wall, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each heavy measurement (median reported)")
    parser.add_argument("--floor-runs", type=int, default=3)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    root = large_snapshot.ensure(log=lambda text: print(text, file=sys.stderr))
    generated = time.perf_counter() - started
    stats = large_snapshot.file_stats(root)
    print(f"Large snapshot `{root.relative_to(ROOT)}` (ready in {generated:.0f} s; generation is cached):\n")
    print("| folder | files | lines | gzip MB | raw MB |")
    print("|---|---:|---:|---:|---:|")
    for folder, entry in stats.items():
        print(f"| {folder} | {entry['files']:,} | {entry['lines']:,} | {entry['gz_bytes'] / 1e6:,.1f} | {entry['raw_bytes'] / 1e6:,.1f} |")
    total = {k: sum(e[k] for e in stats.values()) for k in ("files", "lines", "gz_bytes", "raw_bytes")}
    print(f"| **total** | {total['files']:,} | {total['lines']:,} | {total['gz_bytes'] / 1e6:,.1f} | {total['raw_bytes'] / 1e6:,.1f} |")
    series = stats.get("metrics", {}).get("lines", 0)
    print(f"\nMetric series: {series}. Log lines are CloudWatch Logs events (one JSON line each; a Java stack trace is one event).\n")

    floors = [child(FLOOR_CHILD, str(root)) for _ in range(args.floor_runs)]
    floor_total = statistics.median(f[0]["total"]["seconds"] for f in floors)
    floor_rss = statistics.median(f[2] for f in floors)
    per_folder = {k: statistics.median(f[0][k]["seconds"] for f in floors) for k in floors[0][0] if k != "total"}
    source_floor = {"logs": per_folder["logs"], "alb": per_folder["alb"], "cloudtrail": per_folder["cloudtrail"],
                    "metrics": per_folder["metrics"], "xray": per_folder["xray"]}
    group_floor = {"triage": floor_total, **source_floor}

    print(f"Floor (decompress + count lines, every file, median of {args.floor_runs}): **{floor_total:.2f} s**, "
          f"peak RSS {floor_rss:.0f} MiB; per folder: " + ", ".join(f"{k} {v:.2f} s" for k, v in per_folder.items()) + ".\n")
    print("| run | budget | answer (s) | process exit (s) | peak RSS (MiB) | x floor | status | body bytes |")
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    bodies: dict[str, str] = {}
    notes: list[str] = []
    summary: dict[str, Any] = {"floor_seconds": floor_total, "floor_rss": floor_rss, "runs": {}}
    for label, group, name, extra, budget in RUNS:
        samples = []
        for _ in range(args.runs):
            try:
                samples.append(child(TOOL_CHILD, str(root), group, name, json.dumps(extra), "default" if budget is None else str(budget)))
            except RuntimeError as exc:
                notes.append(f"{label}: {exc}")
                break
        if not samples:
            print(f"| {label} | | failed | | | | | |")
            continue
        answer = statistics.median(s[0]["seconds"] for s in samples)
        wall = statistics.median(s[1] for s in samples)
        rss = statistics.median(s[2] for s in samples)
        info = samples[-1][0]
        floor = group_floor.get(group, floor_total)
        budget_text = "default (40 s)" if budget is None else f"{budget:.0f} s"
        print(f"| {label} | {budget_text} | {answer:.1f} | {wall:.1f} | {rss:,.0f} | {answer / floor:.1f} | {info['status']} | {len(info['body'].encode()):,} |")
        bodies[label] = info["body"]
        summary["runs"][label] = {"answer": answer, "exit": wall, "rss": rss, "status": info["status"], "floor": floor,
                                  "body_bytes": len(info["body"].encode())}
        if group == "triage":
            sources = ", ".join(f"{k} {v}" for k, v in info.get("sources", {}).items())
            notes.append(f"{label}: sources {sources}; top hypothesis: {info.get('top', '')[:120]}")
    print("\n'x floor' compares with the floor of the files the run reads (triage: all files; a tool: its folder). "
          "'answer' is the time to the tool's result inside the child; 'process exit' includes interpreter start-up "
          "and any work left running after the answer.\n")
    for note in notes:
        print(f"- {note}")
    BODIES.parent.mkdir(parents=True, exist_ok=True)
    BODIES.write_text(json.dumps(bodies, indent=1))
    SUMMARY.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
