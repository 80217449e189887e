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
    """The deployed zip (tools/ plus the bundled Powertools and drain3): zipped and unzipped, against Lambda's
    50 MB direct-upload and 250 MB unzipped limits."""
    import io
    import zipfile

    try:
        from infra.packaging import build_zip, dependency_files
    except ImportError:
        return "n/a (infra.packaging not found)"
    package = build_zip(dependencies=dependency_files())
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    return (f"{len(package.data) / 2**20:.2f} MiB zipped, {unzipped / 2**20:.2f} MiB unzipped "
            f"({len(package.files)} files; limits 50 MB and 250 MB)")


def main() -> list[str]:
    rows = ["| handler module | median import + boto3 client (s) | max (s) | aim < 0.5 s |", "|---|---|---|---|"]
    modules = [f"tools.{group}.handler" for group in ACTION_GROUPS] + ["tools.alarm.handler", "tools.alerts.handler"]
    for module in modules:
        if not (ROOT / module.replace(".", "/")).with_suffix(".py").exists():
            rows.append(f"| {module} | missing | | |")
            continue
        times = measure(module)
        median = statistics.median(times)
        rows.append(f"| {module} | {median:.3f} | {max(times):.3f} | {'yes' if median < 0.5 else 'NO'} |")
    rows.append("")
    rows.append(f"Deployment zip (tools/, Powertools and drain3 with their dependencies): {zip_size()}")
    print("\n".join(rows))
    return rows


if __name__ == "__main__":
    main()
