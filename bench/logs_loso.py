"""Leave-one-system-out evaluation of the template miner on the ten Loghub-2k systems in ../shared/data.

Every configuration of a grid (parser: drain3's Drain or Brain; Drain's tree depth and similarity threshold;
Brain's variable threshold; the optional masking kinds) is run on every system. Then, for each system, the
configuration with the best mean grouping accuracy (GA) on the *other nine* is chosen and that system is scored
with it: GA, parsing accuracy (PA, message level) and template-level F1 (FTA); see ``bench/_loghub.py``.
The same is done with the parser fixed to Drain and to Brain, to compare the two measured the same way. The
configuration chosen on all ten is the one the product uses (``tools.logs.miner.DEFAULT_CONFIG``); the script
says so when they differ. Run: ``.venv/bin/python bench/logs_loso.py [--quick]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._loghub import (System, available, grouping_accuracy, load, missing_reason, parsing_accuracy,  # noqa: E402
                           template_f1)
from tools.logs.masking import OPTIONAL_KINDS  # noqa: E402
from tools.logs.miner import DEFAULT_CONFIG, MinerConfig, mine_lines  # noqa: E402

SUMMARY = Path(__file__).resolve().parent.parent / ".cache" / "bench" / "logs-loso-summary.json"
DEPTHS = (3, 4, 5, 6)
SIMILARITIES = (0.4, 0.5, 0.6, 0.7, 0.8)
SPLITS = (0, 3, 4, 6, 8)  # drain: split a cluster on a column with fewer distinct tokens (0: never)
THRESHOLDS = (2, 3, 4, 5, 6, 8)
MASKINGS = tuple(frozenset(c) for n in range(len(OPTIONAL_KINDS) + 1) for c in itertools.combinations(OPTIONAL_KINDS, n))


def grid(quick: bool = False) -> list[MinerConfig]:
    depths, sims, thresholds = ((4, 5), (0.5, 0.6), (3, 4)) if quick else (DEPTHS, SIMILARITIES, THRESHOLDS)
    configs = [MinerConfig("drain", d, s, DEFAULT_CONFIG.threshold, k, m) for m in MASKINGS for d in depths for s in sims for k in SPLITS]
    configs += [MinerConfig("brain", DEFAULT_CONFIG.depth, DEFAULT_CONFIG.similarity, t, 0, m) for m in MASKINGS for t in thresholds]
    return configs


Scores = tuple[float, float, float]  # GA, PA, FTA


def score(system: System, config: MinerConfig) -> Scores:
    templates, assignments = mine_lines(system.lines, config)
    text = {t.id: t.template for t in templates}
    predicted = [text[a] for a in assignments]
    return (grouping_accuracy(system.truth, assignments), parsing_accuracy(system.templates, predicted),
            template_f1(system.truth, system.templates, assignments, predicted))


def choose(table: dict[tuple[MinerConfig, str], Scores], configs: list[MinerConfig], systems: list[str]) -> MinerConfig:
    """The configuration with the best mean GA over ``systems`` (ties: mean PA, then grid order)."""
    def key(indexed: tuple[int, MinerConfig]) -> tuple[float, float, int]:
        index, config = indexed
        return (statistics.mean(table[config, s][0] for s in systems), statistics.mean(table[config, s][1] for s in systems), -index)
    return max(enumerate(configs), key=key)[1]


def loso(table: dict[tuple[MinerConfig, str], Scores], configs: list[MinerConfig], systems: list[str]) -> list[tuple[str, MinerConfig, Scores]]:
    rows = []
    for held_out in systems:
        chosen = choose(table, configs, [s for s in systems if s != held_out])
        rows.append((held_out, chosen, table[chosen, held_out]))
    return rows


def print_loso(title: str, rows: list[tuple[str, MinerConfig, Scores]]) -> float:
    print(f"\n{title}")
    print(f"{'held out':<12} {'GA':>6} {'PA':>6} {'FTA':>6}  configuration chosen on the other nine")
    for name, config, (ga, pa, fta) in rows:
        print(f"{name:<12} {ga:>6.3f} {pa:>6.3f} {fta:>6.3f}  {config.describe()}")
    means = [statistics.mean(r[2][i] for r in rows) for i in range(3)]
    worst = min(rows, key=lambda r: r[2][0])
    print(f"{'mean':<12} {means[0]:>6.3f} {means[1]:>6.3f} {means[2]:>6.3f}  (lowest GA: {worst[0]} {worst[2][0]:.3f})")
    return means[0]


def write_summary(rows: list[tuple[str, MinerConfig, Scores]]) -> None:
    """The figures run_all's aims table reads (``.cache/bench/logs-loso-summary.json``)."""
    worst = min(rows, key=lambda r: r[2][0])
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps({
        "ga_mean": statistics.mean(r[2][0] for r in rows), "pa_mean": statistics.mean(r[2][1] for r in rows),
        "ga_min": worst[2][0], "ga_min_system": worst[0], "systems": len(rows),
    }))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid (for a fast look)")
    args = parser.parse_args(argv)
    names = available()
    if len(names) < 2:
        print(f"skipped: {missing_reason(2)}")
        return 0
    systems = {name: load(name) for name in names}
    configs = grid(args.quick)
    started = time.perf_counter()
    table: dict[tuple[MinerConfig, str], Scores] = {}
    for config in configs:
        for name, system in systems.items():
            table[config, name] = score(system, config)
    print(f"{len(configs)} configurations x {len(names)} systems ({', '.join(names)}) in {time.perf_counter() - started:.0f} s; "
          f"masking sets: {', '.join('+'.join(sorted(m)) or 'base' for m in MASKINGS)}")

    chosen_rows = loso(table, configs, names)
    print_loso("Leave-one-system-out, every parser in the grid (the product's choice):", chosen_rows)
    write_summary(chosen_rows)
    subsets = (("drain3's Drain alone (no split of few-valued word columns)", lambda c: c.parser == "drain" and not c.split),
               ("Brain (tools.logs.brain)", lambda c: c.parser == "brain"))
    for title, keep in subsets:
        print_loso(f"Leave-one-system-out, parser fixed to {title}:", loso(table, [c for c in configs if keep(c)], names))

    baseline = MinerConfig("drain", 5, 0.6, DEFAULT_CONFIG.threshold, 0, frozenset())
    if baseline in configs:
        ga = [table[baseline, n][0] for n in names]
        print(f"\nDrain with the previous parameters (depth=5 sim=0.6, no split) and today's masking: GA mean "
              f"{statistics.mean(ga):.3f}, lowest {min(ga):.3f} (not held out)")
    overall = choose(table, configs, names)
    print(f"chosen on all ten: {overall.describe()}  (GA mean {statistics.mean(table[overall, n][0] for n in names):.3f}, "
          f"PA {statistics.mean(table[overall, n][1] for n in names):.3f})")
    if overall != DEFAULT_CONFIG:
        print(f"NOTE: tools.logs.miner.DEFAULT_CONFIG is {DEFAULT_CONFIG.describe()}; the grid chose the one above")
    else:
        print("tools.logs.miner.DEFAULT_CONFIG is this configuration")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
