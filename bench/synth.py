"""Benchmark of the synth: wall time and peak memory of ``python main.py``-equivalent runs.

Each variant runs in a fresh interpreter (imports are cached per process):
  * ``selective``   - what main.py does: infra.provider imports only the ~25 provider submodules used;
  * ``full-import`` - baseline: ``import cdktf_cdktf_provider_aws`` (its __init__ imports all ~2,100 modules),
                      then the same synth.
Peak memory is VmHWM of the Python process and of the jsii node process it drives.
Prints one line per run and a summary; no assertions. Usage: python bench/synth.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
if sys.argv[1] == "full-import":
    import cdktf_cdktf_provider_aws  # noqa: F401  (runs the package __init__: every resource module)
from infra.provider import aws
aws("provider")
t1 = time.perf_counter()
from tools.common.config import load_file
from infra.stack import synth
synth(load_file(os.environ.get("OPSAGENT_CONFIG_FILE", "ops-agent.toml")), sys.argv[2])
t2 = time.perf_counter()

def hwm(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0

def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            out += open(f"/proc/{pid}/task/{task}/children").read().split()
    except OSError:
        pass
    return out

kids, todo = [], children(os.getpid())
while todo:  # every descendant: jsii starts node through a wrapper
    pid = todo.pop()
    kids.append(pid)
    todo += children(pid)
print(json.dumps({"import_s": t1 - t0, "synth_s": t2 - t1, "total_s": t2 - t0,
                  "python_peak_mb": hwm("self"), "node_peak_mb": max([hwm(k) for k in kids] or [0.0])}))
"""


def run(variant: str, outdir: str) -> dict[str, float]:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", CHILD, variant, outdir], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--skip-baseline", action="store_true", help="only the selective import")
    args = parser.parse_args()
    variants = ["selective"] + ([] if args.skip_baseline else ["full-import"])
    summary = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in variants:
            rows = [run(variant, str(Path(tmp) / f"{variant}-{i}")) for i in range(args.runs)]
            for row in rows:
                print(f"{variant:12s} import {row['import_s']:6.2f}s  synth {row['synth_s']:5.2f}s  "
                      f"total {row['total_s']:6.2f}s  python peak {row['python_peak_mb']:6.0f} MB  "
                      f"node peak {row['node_peak_mb']:6.0f} MB")
            summary[variant] = statistics.median(r["total_s"] for r in rows)
    for variant, total in summary.items():
        print(f"median total {variant}: {total:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
