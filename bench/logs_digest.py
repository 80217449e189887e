"""Benchmark of digest-logs: throughput (lines/s) and Loghub grouping accuracy per system, one configuration.

Grouping accuracy (Zhu et al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019): a message
counts as correct when the set of messages in its predicted group equals the set in its ground-truth group.
Data: ``*_2k.log_structured_corrected.csv`` (``Content``, ``EventId``) under ``LOGHUB`` (default
``../shared/data/loghub_2k_corrected``). Run: ``.venv/bin/python bench/logs_digest.py [DIR]``.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.logs.miner import mine_lines  # noqa: E402

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "loghub_2k_corrected"
REPEATS = 3  # best of: throughput is noisy on a shared machine; CPU time is reported next to wall time


def grouping_accuracy(truth: list[str], predicted: list[str]) -> float:
    """Share of messages whose predicted group has exactly the members of their true group."""
    if not truth:
        return 0.0
    true_groups: dict[str, set[int]] = defaultdict(set)
    predicted_groups: dict[str, set[int]] = defaultdict(set)
    for index, (t, p) in enumerate(zip(truth, predicted)):
        true_groups[t].add(index)
        predicted_groups[p].add(index)
    correct = 0
    for members in predicted_groups.values():
        first = next(iter(members))
        if true_groups[truth[first]] == members:
            correct += len(members)
    return correct / len(truth)


def load(path: Path) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = list(csv.DictReader(handle))
    return [row["Content"] for row in rows], [row["EventId"] for row in rows]


def main(argv: list[str]) -> int:
    base = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    files = sorted(base.glob("*/*_2k.log_structured_corrected.csv"))
    if not files:
        print(f"skipped: no Loghub data under {base} (expected */*_2k.log_structured_corrected.csv)")
        return 0
    print(f"{'system':<12} {'lines':>6} {'truth':>6} {'found':>6} {'accuracy':>9} {'lines/s':>10} {'cpu l/s':>10}")
    accuracies: list[float] = []
    total_lines = 0
    total_seconds = total_cpu = 0.0
    for path in files:
        system = path.name.split("_2k")[0]
        lines, truth = load(path)
        best = best_cpu = float("inf")
        for _ in range(REPEATS):
            started, cpu = time.perf_counter(), time.process_time()
            templates, assignments = mine_lines(lines)
            best = min(best, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        accuracy = grouping_accuracy(truth, assignments)
        accuracies.append(accuracy)
        total_lines += len(lines)
        total_seconds += best
        total_cpu += best_cpu
        print(
            f"{system:<12} {len(lines):>6} {len(Counter(truth)):>6} {len(templates):>6} {accuracy:>9.3f} "
            f"{len(lines) / best:>10,.0f} {len(lines) / max(best_cpu, 1e-9):>10,.0f}"
        )
    print(
        f"{'mean':<12} {total_lines:>6} {'':>6} {'':>6} {statistics.mean(accuracies):>9.3f} "
        f"{total_lines / total_seconds:>10,.0f} {total_lines / max(total_cpu, 1e-9):>10,.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
