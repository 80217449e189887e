"""Benchmark: triage every catalogued scenario and print the rank of the true cause, the confidence of the
top hypothesis, the onset error and the time taken (``python bench/triage_scenarios.py [names...]``)."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.scenarios.catalog import SCENARIOS  # noqa: E402
from agent.triage_command import investigate  # noqa: E402
from tools.common.snapshot import Snapshot  # noqa: E402


def true_rank(report: dict, keywords: list[str]) -> int | None:
    for hypothesis in report["hypotheses"]:
        text = (hypothesis["title"] + " " + " ".join(e["summary"] + " " + e["id"] for e in hypothesis["evidence"])).lower()
        if any(k.lower() in text for k in keywords):
            return hypothesis["rank"]
    return None


def main(names: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or list(SCENARIOS):
            scenario = SCENARIOS[name]
            path = scenario.build(Path(tmp) / name)
            snapshot = Snapshot.open(path)
            started = time.monotonic()
            report = investigate(snapshot, snapshot.manifest.window, snapshot.manifest.question)
            seconds = time.monotonic() - started
            truth = scenario.truth
            top = report["hypotheses"][0] if report["hypotheses"] else None
            onset_error = ""
            if truth.get("onset") and report.get("onset"):
                delta = (datetime.fromisoformat(report["onset"].replace("Z", "+00:00")) - datetime.fromisoformat(truth["onset"].replace("Z", "+00:00")))
                onset_error = f"{delta.total_seconds() / 60:+.1f} min"
            rank = "quiet" if truth.get("quiet") else true_rank(report, truth.get("cause_keywords", []))
            print(f"{name:30} rank={rank!s:6} top={top['confidence'] if top else '-':7} onset {onset_error:10} {seconds:4.1f}s  "
                  f"{(top['title'] if top else 'no hypothesis')[:110]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
