"""Generator of a large incident snapshot for the scale bench: the demo incident at ~34x its traffic.

Layout: ``build_demo`` writes the demo incident (gzip) - the signal with a known root cause, CloudTrail, metrics,
findings. Then ``PASSES`` more passes of the demo's own traffic model (``_Demo.traffic``, reseeded each pass, same
tasks, same onset) are generated and written **one pass at a time** through the builder's own writers
(``_write_logs``, ``_write_alb``, ``_write_xray``) under ``<folder>/bulk-NN/``, so memory stays at one pass
(~2 hours of the demo's traffic) however large the snapshot. Each bulk request also writes one INFO access-log
line (``spring_line`` through ``_Demo.log``) so the application logs reach >= 1M lines next to >= 1M ALB lines.
Extra CloudWatch series (Container Insights per task, more DynamoDB tables and Lambda functions, steady noise)
bring the metric series to several hundred. No format code here: every line comes from the scenario builders.

The snapshot is cached under ``.cache/bench/large-<key>/`` where ``key`` hashes this file and the scenario
modules, so reruns are quick and a changed generator regenerates. ``python bench/large_snapshot.py`` prints
the path and the file statistics.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.scenarios import builder as builder_module  # noqa: E402
from agent.scenarios import demo as demo_module  # noqa: E402
from agent.scenarios import formats as formats_module  # noqa: E402
from agent.scenarios.builder import _Writer  # noqa: E402  (the builder's own gzip writer)
from agent.scenarios.demo import SEED, _Demo, build_demo  # noqa: E402

PASSES = 34            # the demo writes ~30k ALB lines per pass; 1 + 34 passes > 1M ALB lines
EXTRA_TASKS = 40       # Container Insights per-task series
CACHE = ROOT / ".cache" / "bench"


def cache_key() -> str:
    digest = hashlib.sha256()
    for module in (sys.modules[__name__], builder_module, demo_module, formats_module):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(f"{PASSES}/{EXTRA_TASKS}".encode())
    return digest.hexdigest()[:12]


class _PrefixWriter(_Writer):
    """The builder's gzip writer, placing files under ``<folder>/<prefix>/`` so passes never collide."""

    def __init__(self, root: Path, prefix: str) -> None:
        super().__init__(root, True)
        self.prefix = prefix

    def text(self, relative: str, content: str) -> Path:
        folder, _, rest = relative.partition("/")
        return super().text(f"{folder}/{self.prefix}/{rest}", content)


class _BulkDemo(_Demo):
    """The demo's traffic model; every request that reached a task also logs one INFO access line."""

    def alb(self, when: Any, service: str, task: Any, method: str, path: str, status: int, latency: Any, **kwargs: Any) -> str:
        trace = super().alb(when, service, task, method, path, status, latency, **kwargs)
        if task is not None:
            millis = int((latency or 0.0) * 1000)
            self.log(task, when, "INFO", "com.example.common.web.AccessLogFilter", f"{method} {path} -> {status} in {millis}ms")
        return trace

    def flush(self, root: Path, prefix: str) -> None:
        writer = _PrefixWriter(root, prefix)
        self.b._write_logs(writer)
        self.b._write_alb(writer)
        self.b._write_xray(writer)
        self.b.logs.clear()
        self.b.alb_lines.clear()
        self.b.traces.clear()
        self.agg = type(self.agg)()


def _extra_metrics(bulk: _BulkDemo, root: Path) -> int:
    """Several hundred steady series in the configured namespaces (noise, no shift)."""
    b = bulk.b
    b.metrics.clear()
    rng = bulk.rng
    added = 0

    def noisy(base: float, sd: float, period_s: float) -> Any:
        phase = rng.random() * 2 * math.pi
        return lambda m: max(0.0, base * (1 + 0.1 * math.sin(phase + m.timestamp() / period_s)) + rng.gauss(0, sd))

    for i in range(EXTRA_TASKS):
        task_id = b.hex(32)
        service = ("checkout", "catalog", "payment", "search", "recommendations")[i % 5]
        dims = {"ClusterName": "shop", "ServiceName": service, "TaskId": task_id}
        for name, unit, base, sd in (("CpuUtilized", "None", 180.0, 12.0), ("MemoryUtilized", "Megabytes", 900.0, 20.0),
                                     ("NetworkRxBytes", "Bytes/Second", 40000.0, 4000.0),
                                     ("NetworkTxBytes", "Bytes/Second", 52000.0, 5000.0),
                                     ("StorageReadBytes", "Bytes", 1000.0, 200.0), ("StorageWriteBytes", "Bytes", 3000.0, 400.0)):
            b.add_metric("ECS/ContainerInsights", name, dims, noisy(base, sd, 1800.0), unit=unit, samples=4)
            added += 1
    for table in ("carts", "sessions", "inventory", "prices", "reviews", "wishlists", "coupons", "shipments", "returns", "audit"):
        for name, unit, base, sd in (("ConsumedReadCapacityUnits", "Count", 300.0, 30.0), ("ConsumedWriteCapacityUnits", "Count", 80.0, 9.0),
                                     ("SuccessfulRequestLatency", "Milliseconds", 4.0, 0.4), ("ReturnedItemCount", "Count", 500.0, 50.0)):
            b.add_metric("AWS/DynamoDB", name, {"TableName": table}, noisy(base, sd, 2400.0), unit=unit,
                         kind="count" if unit == "Count" else "gauge", samples=30)
            added += 1
    for function in ("shop-thumbnailer", "shop-mailer", "shop-indexer", "shop-exporter", "shop-webhooks",
                     "shop-reports", "shop-cleanup", "shop-notifier", "shop-feeds", "shop-sitemap"):
        for name, unit, base, sd in (("Invocations", "Count", 60.0, 8.0), ("Duration", "Milliseconds", 350.0, 40.0),
                                     ("Errors", "Count", 0.3, 0.5), ("ConcurrentExecutions", "Count", 3.0, 1.0)):
            b.add_metric("AWS/Lambda", name, {"FunctionName": function}, noisy(base, sd, 3000.0), unit=unit,
                         kind="count" if name in ("Invocations", "Errors") else "gauge", samples=10)
            added += 1
    b._write_metrics(_PrefixWriter(root, "bulk"))
    b.metrics.clear()
    return added


def generate(target: Path, log: Any = print) -> Path:
    """Write the large snapshot to ``target`` (via a temporary sibling, renamed at the end)."""
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    started = time.monotonic()
    build_demo(tmp, gzip=True)
    bulk = _BulkDemo(tmp / "unused")  # same seed as the demo: same tasks and IPs; reseeded per pass below
    for index in range(1, PASSES + 1):
        bulk.rng.seed(SEED * 1000 + index)
        bulk.traffic()
        bulk.flush(tmp, f"bulk-{index:02d}")
        if index % 10 == 0:
            log(f"  pass {index}/{PASSES} ({time.monotonic() - started:.0f} s)")
    series = _extra_metrics(bulk, tmp)
    log(f"  {series} extra metric series; generated in {time.monotonic() - started:.0f} s")
    if target.exists():
        shutil.rmtree(target)
    tmp.rename(target)
    return target


def ensure(log: Any = print) -> Path:
    """The cached large snapshot (generated when missing or when the generator changed)."""
    target = CACHE / f"large-{cache_key()}"
    if (target / "manifest.json").is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob("large-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    log(f"generating the large snapshot in {target} (cached for later runs)")
    return generate(target, log)


def file_stats(root: Path) -> dict[str, dict[str, int]]:
    """Per folder: files, lines (records for logs/alb/metrics), compressed and uncompressed bytes."""
    import gzip

    stats: dict[str, dict[str, int]] = {}
    for folder in sorted(p.name for p in root.iterdir() if p.is_dir()):
        entry = {"files": 0, "lines": 0, "gz_bytes": 0, "raw_bytes": 0}
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file():
                continue
            entry["files"] += 1
            entry["gz_bytes"] += path.stat().st_size
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    entry["lines"] += chunk.count(b"\n")
                    entry["raw_bytes"] += len(chunk)
        stats[folder] = entry
    return stats


def main() -> int:
    path = ensure()
    print(path)
    print(json.dumps(file_stats(path), indent=1))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    raise SystemExit(main())
