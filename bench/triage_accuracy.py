"""Triage accuracy on the incident corpus (per kind, calibration, controls, leave-one-kind-out), PetShop and NAB.

Every corpus case (``agent.scenarios.corpus``: N seeded variants of every incident kind, M of every control
kind) is written to a temporary directory and triaged in-process with the function ``python -m agent triage``
calls (``agent.triage_command.investigate``); ``truth.matches`` scores each hypothesis (the decisive event,
resource, exception or finding must be in its evidence). Printed as markdown:

1. top-1 / top-3 per kind and overall, plus "strict top-1" (the decisive fact is the top hypothesis's FIRST
   evidence item: what a reader of the first line sees);
2. the calibration table: precision of the top hypothesis per confidence band (controls' top hypotheses count
   as wrong);
3. controls with a ``high`` hypothesis (false alarms);
4. leave-one-kind-out: when ``tools.triage.calibration`` exposes ``fit(samples)`` and ``applied(params)``, every
   kind is scored with parameters fitted WITHOUT it: relabelled offline when the hook also has
   ``relabel(params, hypotheses) -> [confidence, ...]`` (cheap), else re-triaged inside ``applied``; otherwise
   nothing is fitted and LOKO equals the per-kind figures (said so);
5. PetShop train split and NAB series beside a robust z-score baseline (``bench/triage_external.py``).

Usage: ``python bench/triage_accuracy.py [--variants 5] [--control-variants 2] [--first-variant 0] [--jobs 2]
[--kinds K ...] [--skip-external] [--json PATH]``. ``make bench`` measures variants 0-4; ``--first-variant 5``
measures seeds nobody tuned on (a held-out check of the engine's hand-set weights).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.scenarios.corpus import ALL, build_case, iter_cases, map_cases  # noqa: E402
from agent.scenarios.corpus.truth import Truth, evidence_matches, matches  # noqa: E402

BANDS = ("high", "medium", "low")
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "bench"


def _triage(path: Path) -> dict[str, Any]:
    from agent.triage_command import investigate
    from tools.common.snapshot import Snapshot

    snapshot = Snapshot.open(path)
    return investigate(snapshot, snapshot.manifest.window, snapshot.manifest.question)


def score(report: dict[str, Any], truth: Truth) -> dict[str, Any]:
    """Per case: rank of the first matching hypothesis, strict match of the top one, confidences."""
    hypotheses = report.get("hypotheses") or []
    correct = [(not truth.control) and matches(h, truth) for h in hypotheses]
    rank = next((i for i, ok in enumerate(correct, 1) if ok), None)
    top = hypotheses[0] if hypotheses else None
    strict = bool(top and top.get("evidence") and not truth.control and evidence_matches(top["evidence"][0], truth))
    return {
        "rank": rank,
        "strict": strict,
        "top_confidence": top["confidence"] if top else None,
        "top_title": (top["title"] if top else "")[:140],
        "hypotheses": [{"confidence": h.get("confidence"), "score": h.get("score"), "confidence_value": h.get("confidence_value"),
                        "correct": ok} for h, ok in zip(hypotheses, correct)],
        "onset": report.get("onset"),
        "sources": {name: entry.get("status") for name, entry in (report.get("sources") or {}).items()},
    }


def run_case(kind: str, variant: int, workdir: str) -> dict[str, Any]:
    out = Path(workdir) / f"{kind}-{variant}"
    started = time.monotonic()
    case = build_case(kind, variant, out)
    built = time.monotonic()
    try:
        report = _triage(case.path)
        result = score(report, case.truth)
        result["error"] = None
    except Exception as exc:  # a crash is a result too: counted wrong and shown
        result = {"rank": None, "strict": False, "top_confidence": None, "top_title": "", "hypotheses": [], "onset": None,
                  "sources": {}, "error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result.update(kind=kind, variant=variant, control=case.truth.control, category=case.truth.category,
                  decisive=case.truth.decisive, herrings=list(case.truth.red_herrings),
                  missing=list(case.truth.missing_sources), build_s=round(built - started, 2),
                  triage_s=round(time.monotonic() - built, 2))
    return result


def run_all(pairs: list[tuple[str, int]], jobs: int) -> list[dict[str, Any]]:
    return map_cases(run_case, pairs, jobs, prefix="corpus-")


# --- tables -----------------------------------------------------------------------------------------------------


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def per_kind_table(results: list[dict[str, Any]]) -> list[str]:
    rows = ["| kind | category | n | top-1 | top-3 | strict top-1 | top `high` wrong | decisive fact (variant 0) |",
            "|---|---|---:|---:|---:|---:|---:|---|"]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        if not r["control"]:
            by_kind[r["kind"]].append(r)
    totals = Counter()
    for kind, items in by_kind.items():
        n = len(items)
        top1 = sum(1 for r in items if r["rank"] == 1)
        top3 = sum(1 for r in items if r["rank"] is not None and r["rank"] <= 3)
        strict = sum(1 for r in items if r["strict"])
        high_wrong = sum(1 for r in items if r["top_confidence"] == "high" and r["rank"] != 1)
        totals.update(n=n, top1=top1, top3=top3, strict=strict, high_wrong=high_wrong)
        rows.append(f"| {kind} | {items[0]['category']} | {n} | {pct(top1, n)} | {pct(top3, n)} | {pct(strict, n)} | {high_wrong} | "
                    f"{items[0]['decisive'][:70]} |")
    n = totals["n"]
    rows.append(f"| **all** | | {n} | **{pct(totals['top1'], n)}** | **{pct(totals['top3'], n)}** | {pct(totals['strict'], n)} | "
                f"{totals['high_wrong']} | |")
    return rows


def calibration_table(results: list[dict[str, Any]]) -> list[str]:
    rows = ["| confidence of the top hypothesis | cases | right | precision | all ranks: hypotheses | right | precision |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for band in BANDS:
        top = [r for r in results if r["top_confidence"] == band]
        right = sum(1 for r in top if r["rank"] == 1)
        every = [h for r in results for h in r["hypotheses"] if h["confidence"] == band]
        every_right = sum(1 for h in every if h["correct"])
        rows.append(f"| {band} | {len(top)} | {right} | {pct(right, len(top))} | {len(every)} | {every_right} | {pct(every_right, len(every))} |")
    none = [r for r in results if r["top_confidence"] is None]
    rows.append(f"| (no hypothesis) | {len(none)} | {sum(1 for r in none if r['control'])} controls | | | | |")
    return rows


def controls_table(results: list[dict[str, Any]]) -> list[str]:
    rows = ["| control | variant | top confidence | false alarm (`high`) | top hypothesis |", "|---|---:|---|---|---|"]
    for r in results:
        if r["control"]:
            alarm = any(h["confidence"] == "high" for h in r["hypotheses"])
            rows.append(f"| {r['kind']} | {r['variant']} | {r['top_confidence'] or '-'} | {'**yes**' if alarm else 'no'} | "
                        f"{r['top_title'][:90].replace('|', '/')} |")
    return rows


def _held_out(kind: str, results: list[dict[str, Any]], calibration: Any, params: Any, jobs: int) -> list[dict[str, Any]]:
    """The held-out kind's cases under ``params``: relabelled offline when the hook can, else triaged again."""
    mine = [r for r in results if r["kind"] == kind]
    if hasattr(calibration, "relabel"):
        held = []
        for r in mine:
            labels = list(calibration.relabel(params, r["hypotheses"]))
            hypotheses = [{**h, "confidence": label} for h, label in zip(r["hypotheses"], labels)]
            held.append({**r, "hypotheses": hypotheses, "top_confidence": labels[0] if labels else None})
        return held
    with calibration.applied(params):  # workers forked inside the block rank with the fitted parameters
        return run_all([(kind, r["variant"]) for r in mine], jobs)


def loko(results: list[dict[str, Any]], jobs: int) -> list[str]:
    """Leave-one-kind-out through the calibration hook, or the statement that nothing is fitted."""
    try:
        from tools.triage import calibration  # type: ignore[attr-defined]
    except ImportError:
        calibration = None
    if calibration is None or not (hasattr(calibration, "fit") and hasattr(calibration, "applied")):
        return ["Nothing in `tools.triage` is fitted from corpus results (no `tools.triage.calibration.fit` / `applied`), "
                "so leave-one-kind-out equals the per-kind figures above."]
    how = ("relabelled offline by `calibration.relabel`" if hasattr(calibration, "relabel")
           else "re-triaged under `calibration.applied`")
    rows = [f"Each kind's cases {how} with parameters that `tools.triage.calibration.fit` fitted on all OTHER kinds "
            "(controls included).", "",
            "| held-out kind | n | top-1 | top-3 | top `high` | `high` right |", "|---|---:|---:|---:|---:|---:|"]
    totals = Counter()
    for kind in sorted({r["kind"] for r in results}):
        train = [{"kind": r["kind"], "control": r["control"], "hypotheses": r["hypotheses"]} for r in results if r["kind"] != kind]
        held = _held_out(kind, results, calibration, calibration.fit(train), jobs)
        n = len(held)
        top1 = sum(1 for r in held if r["rank"] == 1)
        top3 = sum(1 for r in held if r["rank"] is not None and r["rank"] <= 3)
        highs = [r for r in held if r["top_confidence"] == "high"]
        high_right = sum(1 for r in highs if r["rank"] == 1)
        if not held[0]["control"]:
            totals.update(n=n, top1=top1, top3=top3)
        totals.update(high=len(highs), high_right=high_right)
        rows.append(f"| {kind} | {n} | {pct(top1, n)} | {pct(top3, n)} | {len(highs)} | {high_right} |")
    rows.append(f"| **all incident kinds** | {totals['n']} | **{pct(totals['top1'], totals['n'])}** | {pct(totals['top3'], totals['n'])} | "
                f"{totals['high']} | {totals['high_right']} ({pct(totals['high_right'], totals['high'])}) |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=5)
    parser.add_argument("--control-variants", type=int, default=2)
    parser.add_argument("--first-variant", type=int, default=0,
                        help="seed of the first variant: e.g. 5 measures variants never looked at while tuning")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--kinds", nargs="*", help="only these kinds (names in agent/scenarios/corpus/kinds.py)")
    parser.add_argument("--skip-external", action="store_true", help="skip PetShop and NAB")
    parser.add_argument("--json", type=Path, default=CACHE / "triage-accuracy.json", help="where to keep per-case results")
    args = parser.parse_args(argv)
    unknown = [k for k in args.kinds or [] if k not in ALL]
    if unknown:
        parser.error(f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    if args.first_variant < 0:
        parser.error("--first-variant must be 0 or more")
    pairs = [(k, v + args.first_variant) for k, v in iter_cases(args.variants, args.control_variants)
             if not args.kinds or k in args.kinds]
    started = time.monotonic()
    results = run_all(pairs, args.jobs)
    seconds = time.monotonic() - started
    incidents = [r for r in results if not r["control"]]
    controls = [r for r in results if r["control"]]
    print(f"Corpus: {len({r['kind'] for r in incidents})} incident kinds x {args.variants} variants = {len(incidents)} incidents "
          f"(seeds {args.first_variant}..{args.first_variant + args.variants - 1}), {len(controls)} control windows ({len({r['kind'] for r in controls})} kinds x {args.control_variants}); "
          f"{seconds:.0f} s on {args.jobs} process(es) (build {sum(r['build_s'] for r in results):.0f} s, "
          f"triage {sum(r['triage_s'] for r in results):.0f} s CPU-summed). A hypothesis is right when its evidence holds the "
          "decisive event, resource, exception or finding (`agent/scenarios/corpus/truth.py`).\n")
    errors = [r for r in results if r["error"]]
    if errors:
        print(f"**{len(errors)} case(s) crashed in triage** (counted wrong): " +
              "; ".join(f"{r['kind']}#{r['variant']}: {r['error'][:120]}" for r in errors[:5]) + "\n")
    print("### Per kind\n")
    print("\n".join(per_kind_table(results)) + "\n")
    print("### Calibration (precision per confidence band)\n")
    print("\n".join(calibration_table(results)) + "\n")
    alarms = sum(1 for r in controls if any(h["confidence"] == "high" for h in r["hypotheses"]))
    print(f"### Controls: {alarms} of {len(controls)} with a `high` false alarm\n")
    print("\n".join(controls_table(results)) + "\n")
    print("### Leave-one-kind-out\n")
    print("\n".join(loko(results, args.jobs)) + "\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if not args.skip_external:
        external = Path(__file__).with_name("triage_external.py")
        if external.is_file():
            sys.path.insert(0, str(external.parent))
            import triage_external  # noqa: E402

            triage_external.main()
        else:
            print("PetShop and NAB: not measured yet (bench/triage_external.py absent).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
