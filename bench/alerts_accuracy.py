"""Proactive alerts on the incident corpus: how soon the first alert comes, how many notifications an incident
gets, and whether control windows stay silent.

Every corpus case (``agent.scenarios.corpus``: N seeded variants of every incident kind, M of every control kind)
is written to a temporary directory and its logs replayed exactly as ``python -m agent watch`` does
(``agent.watch.replay``: error lines as subscription deliveries, in time order, through ``AlertHandler`` with local
state and the thresholds of ``tools/alerts/thresholds.py`` and ``[alerts]``). Triage enrichment is left out (it
changes what a notification says, not when it fires or how many fire), which keeps the run to minutes.

An incident "logs new errors" when, after its onset, at least ``min_events`` error lines of a template never seen
before the onset appear (the same miner mines the whole replay). Aims (issue 13): first alert within 5 minutes of
the onset for >= 90% of those; no incident with more than 3 notifications; no notification on a control window.

Usage: ``python bench/alerts_accuracy.py [--variants 3] [--control-variants 2] [--jobs 2] [--kinds K ...]
[--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.scenarios.corpus import build_case, iter_cases, map_cases  # noqa: E402

WITHIN = timedelta(minutes=5)
MAX_NOTIFICATIONS = 3


def _no_triage(alert: Any, remaining: float) -> Any:
    from tools.alerts.notify import Enrichment

    return Enrichment()


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_error_templates(snapshot: Any, onset: datetime, min_events: int) -> list[str]:
    """Templates with >= ``min_events`` error lines after ``onset`` and none before it."""
    from tools.alerts.detector import BatchMiner
    from tools.alerts.subscription import LogEvent
    from tools.common.snapshot import ReadStats

    events = sorted((e for e in snapshot.log_events(ReadStats())), key=lambda e: int(e["timestamp"]))
    miner = BatchMiner()
    cut = onset.timestamp() * 1000
    before: set[str] = set()
    after: Counter[str] = Counter()
    for event in events:
        mined, errors = miner.mine([LogEvent("", int(event["timestamp"]), event["message"])])
        for item in mined:
            if int(event["timestamp"]) < cut:
                before.add(item.id)
            else:
                after[item.id] += 1
    return [key for key, count in after.items() if key not in before and count >= min_events]


def run_case(kind: str, variant: int, workdir: str) -> dict[str, Any]:
    from agent.watch import replay
    from tools.alerts.thresholds import Settings
    from tools.common import config as config_module
    from tools.common.snapshot import Snapshot

    out = Path(workdir) / f"{kind}-{variant}"
    case = build_case(kind, variant, out)
    try:
        settings = Settings.from_config(config_module.load())
        snapshot = Snapshot.open(case.path)
        posted = replay(snapshot, settings, enrich=_no_triage)
        onset = _time(case.truth.onset)
        new = new_error_templates(snapshot, onset, settings.min_events) if onset else []
        times = [p.time for p in posted]
        first = times[0] if times else None
        result = {
            "notifications": len(posted),
            "first": first.isoformat() if first else None,
            "delay_s": (first - onset).total_seconds() if first and onset else None,
            "early": sum(1 for t in times if onset and t < onset),
            "new_errors": len(new),
            "threads": len({p.notification["metadata"]["threadId"] for p in posted}),
            "error": None,
        }
    except Exception as exc:  # noqa: BLE001 - a crash is a result too
        result = {"notifications": 0, "first": None, "delay_s": None, "early": 0, "new_errors": 0, "threads": 0,
                  "error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result.update(kind=kind, variant=variant, control=case.truth.control, category=case.truth.category,
                  onset=case.truth.onset)
    return result


def run_all(pairs: list[tuple[str, int]], jobs: int) -> list[dict[str, Any]]:
    return map_cases(run_case, pairs, jobs, prefix="alerts-corpus-")


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _delay(r: dict[str, Any]) -> str:
    return "none" if r["delay_s"] is None else f"{r['delay_s'] / 60:.1f} min"


def on_time(r: dict[str, Any]) -> bool:
    return r["delay_s"] is not None and 0 <= r["delay_s"] <= WITHIN.total_seconds()


def report(results: list[dict[str, Any]]) -> list[str]:
    incidents = [r for r in results if not r["control"]]
    controls = [r for r in results if r["control"]]
    logging = [r for r in incidents if r["new_errors"]]
    lines = ["| kind | category | n | logs new errors | alerted <= 5 min | median delay | max notifications | early alerts |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in incidents:
        by_kind[r["kind"]].append(r)
    for kind, items in sorted(by_kind.items()):
        with_new = [r for r in items if r["new_errors"]]
        delays = [r["delay_s"] for r in items if r["delay_s"] is not None]
        lines.append(f"| {kind} | {items[0]['category']} | {len(items)} | {len(with_new)} | "
                     f"{sum(on_time(r) for r in with_new)}/{len(with_new)} | "
                     f"{f'{statistics.median(delays) / 60:.1f} min' if delays else '-'} | "
                     f"{max(r['notifications'] for r in items)} | {sum(r['early'] for r in items)} |")
    within = sum(on_time(r) for r in logging)
    over = [r for r in incidents if r["notifications"] > MAX_NOTIFICATIONS]
    noisy = [r for r in controls if r["notifications"]]
    alerted_any = [r for r in incidents if r["notifications"]]
    errors = [r for r in results if r["error"]]
    delays = [r["delay_s"] for r in logging if r["delay_s"] is not None and r["delay_s"] >= 0]
    summary = [
        "",
        "| aim | measured | met |",
        "|---|---|---|",
        f"| first alert within 5 min of the onset, incidents that log new errors (>= 90%) | {within}/{len(logging)} "
        f"({pct(within, len(logging))}); median delay {statistics.median(delays) / 60:.1f} min | "
        f"{'yes' if logging and within >= 0.9 * len(logging) else 'no'} |" if delays else
        f"| first alert within 5 min of the onset (>= 90%) | {within}/{len(logging)} | no |",
        f"| no incident with more than 3 notifications | max {max((r['notifications'] for r in incidents), default=0)}; "
        f"{len(over)} over | {'yes' if not over else 'no'} |",
        f"| control windows get no notification | {len(noisy)} of {len(controls)} notified | {'yes' if not noisy else 'no'} |",
        "",
        f"Incidents alerted at all: {len(alerted_any)}/{len(incidents)}; incidents without new error lines (metric-, "
        f"finding- or latency-only kinds): {len(incidents) - len(logging)}. Alerts before the onset: "
        f"{sum(r['early'] for r in incidents)}.",
    ]
    if noisy:
        summary.append("Controls notified: " + ", ".join(f"{r['kind']}#{r['variant']} ({r['notifications']})" for r in noisy))
    late = [r for r in logging if not on_time(r)]
    if late:
        summary.append("Missed or late (logs new errors): " + ", ".join(
            f"{r['kind']}#{r['variant']} ({_delay(r)})" for r in late[:20]))
    if errors:
        summary.append("Crashed: " + "; ".join(f"{r['kind']}#{r['variant']}: {r['error']}" for r in errors[:5]))
    control_rows = ["", "| control kind | n | notified |", "|---|---:|---:|"]
    by_control: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in controls:
        by_control[r["kind"]].append(r)
    for kind, items in sorted(by_control.items()):
        control_rows.append(f"| {kind} | {len(items)} | {sum(1 for r in items if r['notifications'])} |")
    return summary + [""] + lines + control_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--control-variants", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kinds", nargs="*")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    pairs = [(k, v) for k, v in iter_cases(args.variants, args.control_variants) if not args.kinds or k in args.kinds]
    results = run_all(pairs, args.jobs)
    print("\n".join(report(results)))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
