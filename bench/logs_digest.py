"""Benchmark of the template miner as shipped: accuracy per Loghub system and digest-logs throughput end to end.

1. ``tools.logs.miner.mine_lines`` with ``DEFAULT_CONFIG`` on each of the ten Loghub-2k systems in ../shared/data:
   grouping accuracy (GA), parsing accuracy (PA) and template-level F1 (FTA) (``bench/_loghub.py``), and in-process
   lines/s (best of 3). These are the systems the configuration was chosen on; ``bench/logs_loso.py`` gives the
   figures with each system held out.
2. ``python -m agent digest-logs FILE --json`` in a child process, stdout to a file, on
   - 1M lines of the large snapshot's log files as they are: CloudWatch Logs events, one JSON object a line
     (``bench/large_snapshot.py``, in file order);
   - the first line of the message of each of those events (what an application wrote);
   - 1M lines: raw lines of the ten Loghub ``*_2k.log`` files drawn at random (seed 17), every digit of a drawn line
     redrawn, so values are fresh while shapes repeat as in real logs;
   - 10M lines of the same mixed kind (one run): peak memory must not grow with the file.
   Wall time (best of 3 and median), the child's CPU time and peak RSS (``os.wait4``); the output is checked to
   hold one assignment per line. Files are cached under ``.cache/bench/``.
Run: ``.venv/bin/python bench/logs_digest.py [--quick]`` (``--quick``: skip the large snapshot and the 10M run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._loghub import LOGHUB, available, missing_reason  # noqa: E402  (light: the --measure child must stay small)

CACHE = ROOT / ".cache" / "bench"
REPEATS = 3  # best of: throughput is noisy on a shared machine; CPU time is reported next to wall time
MILLION = 1_000_000
SEED = 17


def accuracy_table() -> None:
    from bench._loghub import grouping_accuracy, load, parsing_accuracy, template_f1
    from tools.logs.miner import DEFAULT_CONFIG, mine_lines

    names = available()
    print(f"Configuration: {DEFAULT_CONFIG.describe()}")
    print(f"{'system':<12} {'lines':>6} {'truth':>6} {'found':>6} {'GA':>6} {'PA':>6} {'FTA':>6} {'lines/s':>10}")
    rows = []
    for name in names:
        system = load(name)
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            templates, assignments = mine_lines(system.lines)
            best = min(best, time.perf_counter() - started)
        text = {t.id: t.template for t in templates}
        predicted = [text[a] for a in assignments]
        ga = grouping_accuracy(system.truth, assignments)
        pa = parsing_accuracy(system.templates, predicted)
        fta = template_f1(system.truth, system.templates, assignments, predicted)
        rows.append((ga, pa, fta, len(system.lines), best))
        print(f"{name:<12} {len(system.lines):>6} {len(set(system.truth)):>6} {len(templates):>6} {ga:>6.3f} {pa:>6.3f} "
              f"{fta:>6.3f} {len(system.lines) / best:>10,.0f}")
    if rows:
        lines, seconds = sum(r[3] for r in rows), sum(r[4] for r in rows)
        print(f"{'mean':<12} {lines:>6} {'':>6} {'':>6} {statistics.mean(r[0] for r in rows):>6.3f} "
              f"{statistics.mean(r[1] for r in rows):>6.3f} {statistics.mean(r[2] for r in rows):>6.3f} {lines / seconds:>10,.0f}")


def large_snapshot_files() -> tuple[Path, Path]:
    """1M lines of the large snapshot's log files as they are (JSONL events) and 1M first lines of their
    messages (both generated once, cached by the snapshot's key)."""
    import gzip

    from bench import large_snapshot

    snapshot = large_snapshot.ensure(log=lambda message: print(f"  {message}", file=sys.stderr))
    events, messages = CACHE / f"digest-{snapshot.name}-1m.jsonl", CACHE / f"digest-{snapshot.name}-1m.log"
    if events.is_file() and messages.is_file():
        return events, messages
    written = 0
    with events.with_suffix(".tmp1").open("w", encoding="utf-8") as raw, messages.with_suffix(".tmp2").open("w", encoding="utf-8") as out:
        for path in sorted((snapshot / "logs").rglob("*.jsonl*")):
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as handle:
                for line in handle:
                    raw.write(line if line.endswith("\n") else line + "\n")
                    message = json.loads(line).get("message", "")
                    out.write(next((part for part in message.splitlines() if part.strip()), "") + "\n")
                    written += 1
                    if written >= MILLION:
                        break
            if written >= MILLION:
                break
    events.with_suffix(".tmp1").rename(events)
    messages.with_suffix(".tmp2").rename(messages)
    return events, messages


def mixed_loghub_file(lines: int) -> Path:
    """``lines`` raw Loghub lines drawn from the ten systems, digits redrawn (cached)."""
    target = CACHE / f"digest-loghub-{lines // MILLION}m.log"
    if target.is_file():
        return target
    pool: list[str] = []
    for name in available():
        with (LOGHUB / name / f"{name}_2k.log").open(encoding="utf-8", errors="replace") as handle:
            pool += [line.rstrip("\r\n") for line in handle if line.strip()]
    rng = random.Random(SEED)
    digits = "0123456789"
    table = [str.maketrans(digits, "".join(rng.sample(digits, 10))) for _ in range(64)]  # fresh values, same shapes
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for _ in range(lines):
            out.write(rng.choice(pool).translate(rng.choice(table)) + "\n")
    tmp.rename(target)
    return target


def digest_run(path: Path) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MiB, assignments) of one ``digest-logs --json`` run.

    Measured by a small ``--measure`` process of this script: Linux carries the RSS peak of the process that
    forked into the child's ``ru_maxrss``, so the measuring process must not hold the Loghub data.
    """
    proc = subprocess.run([sys.executable, __file__, "--measure", str(path)], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"digest-logs failed on {path}: {proc.stderr[-500:]}")
    wall, cpu, rss = (float(v) for v in proc.stdout.split())
    with (CACHE / "digest-out.json").open(encoding="utf-8") as handle:
        assignments = len(json.load(handle)["assignments"])
    (CACHE / "digest-out.json").unlink()
    return wall, cpu, rss, assignments


def measure(path: str) -> int:
    """Run digest-logs once, its stdout to a file; print wall s, CPU s and peak RSS MiB."""
    out = CACHE / "digest-out.json"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with out.open("wb") as handle:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "agent", "digest-logs", path, "--json"], cwd=ROOT, env=env,
                                 stdout=handle, stderr=subprocess.PIPE)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    if status != 0:
        print(child.stderr.read().decode()[-500:] if child.stderr else "", file=sys.stderr)
        return 1
    print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)
    return 0


def throughput(label: str, path: Path, repeats: int, summary: dict[str, dict[str, float]]) -> None:
    runs = [digest_run(path) for _ in range(repeats)]
    best = min(runs)
    lines = best[3]
    median = statistics.median(r[0] for r in runs)
    print(f"{label:<34} {lines:>10,} {lines / best[0]:>10,.0f} {lines / median:>10,.0f} {lines / best[1]:>10,.0f} "
          f"{best[2]:>8,.0f}")
    summary[label] = {"lines": lines, "best": lines / best[0], "median": lines / median, "cpu": lines / best[1], "rss_mib": best[2]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 1M mixed Loghub file for throughput")
    parser.add_argument("--measure", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        return measure(args.measure)
    if not available():
        print(f"skipped: {missing_reason()}")
        return 0
    accuracy_table()
    print("\n`python -m agent digest-logs FILE --json`, end to end (child process; lines/s; best and median of "
          f"{REPEATS} wall, CPU of the best; peak RSS MiB)")
    print(f"load average at start: {_load()} (2 cores shared with other engineers' test runs: wall time depends on it; "
          "CPU lines/s does not)")
    print(f"{'file':<34} {'lines':>10} {'best':>10} {'median':>10} {'CPU':>10} {'RSS MiB':>8}")
    summary: dict[str, dict[str, float]] = {}
    if not args.quick:
        events, messages = large_snapshot_files()
        throughput("large snapshot log files (JSONL), 1M", events, REPEATS, summary)
        throughput("large snapshot messages, 1M", messages, REPEATS, summary)
    throughput("mixed Loghub lines, 1M", mixed_loghub_file(MILLION), REPEATS, summary)
    if not args.quick:
        throughput("mixed Loghub lines, 10M (1 run)", mixed_loghub_file(10 * MILLION), 1, summary)
        (CACHE / "logs-digest-summary.json").write_text(json.dumps(summary))
    print(f"load average at end: {_load()}")
    return 0


def _load() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
