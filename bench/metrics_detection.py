"""Bench of the metrics change detector (``tools.metrics.detect``) on real labelled data; prints tables.

1. NAB realAWSCloudwatch (``../shared/data/nab_aws``): for every labelled anomaly, a window of W hours with
   the label a third of the way in (baseline: the W hours before) is a positive case - a *hit* when a shift is
   detected whose change time lies inside the labelled anomaly window. Windows (and their baselines) clear of
   every anomaly window are negative cases - a *false alarm* when any shift is detected.
2. PetShop RCA (``../shared/data/petshop_rca``): for every injected issue, each (service, metric, statistic)
   series is the last 6 h of the no-issue recording as baseline followed by the issue's 5 points as window;
   services are ranked by their strongest shift and the rank of the labelled root-cause service is reported.

Skips (with a message) whatever data is absent. Run: ``.venv/bin/python bench/metrics_detection.py``.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import DATA, absent  # noqa: E402
from tools.metrics import detect  # noqa: E402

UTC = timezone.utc
NAB = DATA / "nab_aws"
PETSHOP = DATA / "petshop_rca" / "dataset"
WINDOW_HOURS = (2, 6, 12)
PETSHOP_BASELINE_POINTS = 72
PARAMS = (
    ("default", detect.DEFAULT),
    ("min_effect=3", detect.Params(min_effect=3.0)),
    ("min_effect=6", detect.Params(min_effect=6.0)),
    ("min_persistence=0.5", detect.Params(min_persistence=0.5)),
)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.split(".")[0]).replace(tzinfo=UTC)


def _read_nab(path: Path) -> list[tuple[datetime, float]]:
    with open(path, newline="") as handle:
        return [(_time(row["timestamp"]), float(row["value"])) for row in csv.DictReader(handle)]


def _period(points: list[tuple[datetime, float]]) -> int:
    gaps = [(b[0] - a[0]).total_seconds() for a, b in zip(points, points[1:])]
    return int(statistics.median(gaps)) if gaps else 300


def _detect(points: list[tuple[datetime, float]], start: datetime, hours: float, period: int, params: detect.Params) -> detect.Shift | None:
    width = timedelta(hours=hours)
    times, values = detect.align(points, start - width, start + width, period, None)
    return detect.detect_shift(times, values, start, params)


def nab_table() -> None:
    windows_file, labels_file = NAB / "labels" / "combined_windows.json", NAB / "labels" / "combined_labels.json"
    if not windows_file.is_file():
        print(f"NAB: skipped: {absent('nab_aws') or f'{windows_file} not found'}")
        return
    windows = json.loads(windows_file.read_text())
    labels = json.loads(labels_file.read_text())
    print("NAB realAWSCloudwatch: hit = shift detected inside the labelled anomaly window; "
          "false alarm = any shift in a window (and baseline) clear of anomalies")
    print(f"{'params':<22} {'W (h)':>6} {'files':>6} {'anomalies':>10} {'hits':>5} {'hit rate':>9} {'clean windows':>14} {'false alarms':>13} {'FA rate':>8}")
    for (label_text, params), hours in ((p, h) for p in PARAMS for h in WINDOW_HOURS):
        totals = defaultdict(int)
        for name, spans in windows.items():
            path = NAB / "data" / name
            if not path.is_file():
                continue
            totals["files"] += 1
            points = _read_nab(path)
            period = _period(points)
            bad = [(_time(a), _time(b)) for a, b in spans]
            width = timedelta(hours=hours)
            for label in labels.get(name, []):
                moment = _time(label)
                span = next(((a, b) for a, b in bad if a <= moment <= b), (moment - width, moment + width))
                shift = _detect(points, moment - width / 3, hours, period, params)
                totals["anomalies"] += 1
                totals["hits"] += int(shift is not None and span[0] <= shift.change_time <= span[1])
            start = points[0][0] + width
            while start + width <= points[-1][0]:
                clear = all(start + width <= a or start - width >= b for a, b in bad)
                if clear:
                    totals["clean"] += 1
                    totals["alarms"] += int(_detect(points, start, hours, period, params) is not None)
                start += width
        hit_rate = totals["hits"] / totals["anomalies"] if totals["anomalies"] else 0.0
        fa_rate = totals["alarms"] / totals["clean"] if totals["clean"] else 0.0
        print(f"{label_text:<22} {hours:>6} {totals['files']:>6} {totals['anomalies']:>10} {totals['hits']:>5} {hit_rate:>9.0%} "
              f"{totals['clean']:>14} {totals['alarms']:>13} {fa_rate:>8.1%}")


def _read_petshop(path: Path) -> dict[tuple[str, str, str], list[tuple[datetime, float]]]:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    columns = list(zip(rows[0], rows[1], rows[2]))[1:]
    series: dict[tuple[str, str, str], list[tuple[datetime, float]]] = defaultdict(list)
    for row in rows[4:]:
        moment = datetime.fromtimestamp(float(row[0]), UTC)
        for column, cell in zip(columns, row[1:]):
            if cell:
                series[column].append((moment, float(cell)))
    return series


def _rank_nodes(baseline: dict, issue: dict, target: datetime, relevel: bool) -> list[tuple[str, float]]:
    """Services by their strongest shift: a baseline re-stamped just before the issue's points after ``target``.

    ``relevel``: shift the no-issue baseline to the level of the issue's own points before ``target`` (the
    no-issue recording is months later; its noise is kept, its level is not trusted).
    """
    best: dict[str, float] = defaultdict(float)
    for column, points in issue.items():
        node = column[0]
        best[node] = max(best[node], 0.0)
        before = [v for _, v in baseline.get(column, [])[-PETSHOP_BASELINE_POINTS:]]
        pre = [v for t, v in points if t < target]
        after = [(t, v) for t, v in points if t >= target]
        if not after or not before:
            continue
        if relevel:
            if not pre:
                continue
            offset = statistics.median(pre) - statistics.median(before)
            before = [v + offset for v in before] + pre
        else:
            before = before + pre
        start = after[0][0]
        times = [start - timedelta(seconds=300 * (len(before) - i)) for i in range(len(before))] + [t for t, _ in after]
        shift = detect.detect_shift(times, before + [v for _, v in after], start)
        if shift is not None:
            best[node] = max(best[node], shift.score)
    return sorted(best.items(), key=lambda item: -item[1])


def petshop_table() -> None:
    if not PETSHOP.is_dir():
        print(f"PetShop: skipped: {absent('petshop_rca/dataset')}")
        return
    print("PetShop RCA: rank of the labelled root-cause service among services ranked by strongest shift; window: the "
          f"issue's points from the target alarm on; baseline: last {PETSHOP_BASELINE_POINTS} no-issue points + the issue's "
          "points before the alarm (A: as recorded, B: re-levelled to the pre-alarm points)")
    print(f"{'scenario':<24} {'root cause':<28} {'rank A':>7} {'rank B':>7} {'of':>4} {'top service B (score)':<40}")
    ranks: dict[str, list[int]] = {"A": [], "B": []}
    for traffic in sorted(p for p in PETSHOP.iterdir() if p.is_dir()):
        noissue = traffic / "noissue" / "metrics.csv"
        if not noissue.is_file():
            print(f"{traffic.name}: no noissue/metrics.csv, skipped")
            continue
        baseline = _read_petshop(noissue)
        for issue in sorted((traffic / "train").glob("issue_*")):
            target = json.loads((issue / "target.json").read_text())
            root = target["root_cause"]["node"]
            moment = datetime.fromtimestamp(float(target["target"]["timestamp"]), UTC)
            data = _read_petshop(issue / "metrics.csv")
            row = []
            for variant in ("A", "B"):
                ranked = _rank_nodes(baseline, data, moment, relevel=variant == "B")
                scores = dict(ranked)
                rank = 1 + sum(1 for _, s in ranked if s > scores.get(root, 0.0))
                ranks[variant].append(rank)
                row.append(rank)
            top = f"{ranked[0][0][:30]} ({ranked[0][1]:.2f})"
            print(f"{traffic.name + '/' + issue.name:<24} {root[:28]:<28} {row[0]:>7} {row[1]:>7} {len(ranked):>4} {top:<40}")
    for variant, values in ranks.items():
        if values:
            top1 = sum(1 for r in values if r == 1) / len(values)
            top3 = sum(1 for r in values if r <= 3) / len(values)
            print(f"baseline {variant}: issues {len(values)}, top-1 {top1:.0%}, top-3 {top3:.0%}, "
                  f"mean rank {statistics.fmean(values):.1f}, median rank {statistics.median(values):g}")


def main() -> None:
    reason = absent()
    if reason:
        print(f"bench skipped: {reason}")
        return
    nab_table()
    print()
    petshop_table()


if __name__ == "__main__":
    main()
