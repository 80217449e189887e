"""Lambda cold start: import time of every handler module in a fresh interpreter (boto3 included), and the
size of the deterministic deployment zip. Prints a markdown table; aim: < 0.5 s per handler."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.catalogue import ACTION_GROUPS  # noqa: E402

RUNS = 5
SNIPPET = (
    "import time; t = time.perf_counter(); import importlib; importlib.import_module({module!r}); "
    "import boto3; boto3.session.Session().client('sts', region_name='us-east-1'); print(time.perf_counter() - t)"
)


def measure(module: str) -> list[float]:
    times = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", SNIPPET.format(module=module)], cwd=ROOT, capture_output=True, text=True,
                             env={"PATH": "/usr/bin:/bin", "POWERTOOLS_TRACE_DISABLED": "true", "PYTHONDONTWRITEBYTECODE": "1"})
        if out.returncode != 0:
            raise SystemExit(f"{module}: import failed: {out.stderr.strip().splitlines()[-1] if out.stderr else out.returncode}")
        times.append(float(out.stdout.strip()))
    return times


def zip_size() -> str:
    try:
        from infra.packaging import build_zip
    except ImportError:
        return "n/a (infra.packaging.build_zip not found)"
    package = build_zip()
    return f"{len(package.data) / 1024:.0f} KiB ({len(package.files)} files)"


def main() -> list[str]:
    rows = ["| handler module | median import + boto3 client (s) | max (s) | aim < 0.5 s |", "|---|---|---|---|"]
    modules = [f"tools.{group}.handler" for group in ACTION_GROUPS] + ["tools.alarm.handler"]
    for module in modules:
        if not (ROOT / module.replace(".", "/")).with_suffix(".py").exists():
            rows.append(f"| {module} | missing | | |")
            continue
        times = measure(module)
        median = statistics.median(times)
        rows.append(f"| {module} | {median:.3f} | {max(times):.3f} | {'yes' if median < 0.5 else 'NO'} |")
    rows.append("")
    rows.append(f"Deployment zip (tools/ only; Powertools comes from its public layer): {zip_size()}")
    print("\n".join(rows))
    return rows


if __name__ == "__main__":
    main()
