"""``python -m agent make-snapshot --scenario NAME --out DIR [--gzip]``: write a scenario snapshot.

``--scenario list`` prints the scenario names with their descriptions. An unknown name is a usage error (one line
on stderr, exit 2). The default output directory is ``.cache/snapshots/<name>``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from agent.errors import UsageError


def run(args: argparse.Namespace) -> int:
    from agent.scenarios.catalog import SCENARIOS

    name = (getattr(args, "scenario", None) or "demo").strip()
    if name == "list":
        width = max(len(n) for n in SCENARIOS)
        for scenario in SCENARIOS.values():
            print(f"{scenario.name:<{width}}  {scenario.description}")
        return 0
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise UsageError(f"unknown scenario {name!r}; choose one of: {', '.join(SCENARIOS)} (or 'list')")
    out = Path(getattr(args, "out", None) or Path(".cache") / "snapshots" / name)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").exists():
        raise UsageError(f"--out {out} is a non-empty directory that is not a snapshot; choose another")
    began = time.perf_counter()
    path = scenario.build(out, gzip=bool(getattr(args, "gzip", False)))
    files = sum(1 for p in path.rglob("*") if p.is_file())
    print(f"wrote scenario '{name}' to {path} ({files} files, {time.perf_counter() - began:.1f} s)", file=sys.stderr)
    print(path)
    return 0
