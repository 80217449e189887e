"""'What changed?' on the incident corpus: is the change that caused the incident listed first?

For every corpus case whose truth names CloudTrail events (``agent.scenarios.corpus``; a change or an attacker's
calls), the snapshot is written to a temporary directory and asked "What changed?" twice, in-process:

* as a conversation (the offline planner: an investigation first, then ``list_changes`` ranked by the incident's
  onset and symptoms), and
* ``list_changes`` alone over the manifest's window (no investigation: ranked by kind and timing only).

Printed as markdown per kind: top-1 (the first listed change is one of the truth's events), top-3, and how often
the answer claimed no change explains the incident. The relevance ranking (``tools/cloudtrail/relevance.py``) was
written against the ten bundled scenarios only; the corpus kinds are held out from it.

Variants 0-2 of each kind were inspected while fixing ranking patterns; ``--first-variant 3`` measures on variants
never looked at. Usage: ``python bench/changes_relevance.py [--variants 3] [--first-variant 3] [--kinds K ...]
[--json PATH]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.scenarios.corpus import KINDS, build_case  # noqa: E402
from tools.common.evidence import evidence_id  # noqa: E402

_ID = re.compile(r"\[(C-[0-9a-f]{8})\]")


def _listed(body: str) -> tuple[list[str], bool]:
    """Evidence ids of the ranked changes, most relevant first, and whether the answer said none explains it."""
    section = body.split("Most relevant changes (most relevant first)", 1)
    ids = [m.group(1) for m in re.finditer(r"^\[(C-[0-9a-f]{8})\]", section[1], re.M)] if len(section) > 1 else []
    return ids, "No change here explains the incident well" in body


def _conversation(path: Path) -> str:
    from agent.runtime.offline import OfflineAgent
    from agent.runtime.tools import ToolBox

    os.environ["OPSAGENT_SNAPSHOT"] = str(path)
    _, calls = OfflineAgent(ToolBox("bench", io.StringIO()), full=True).ask("What changed?")
    return calls[-1].body


def _alone(path: Path) -> str:
    from tools import catalogue
    from tools.cloudtrail.service import list_changes
    from tools.common.app import execute
    from tools.common.snapshot import Snapshot

    snapshot = Snapshot.open(path)
    function = catalogue.find("cloudtrail", "list_changes")
    assert function is not None
    return execute(function, list_changes, {"window": snapshot.manifest.window.encode()}, snapshot=snapshot,
                   use_environment_snapshot=False).body


def run_case(kind: str, variant: int) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory() as tmp:
        case = build_case(kind, variant, Path(tmp) / "case", traffic=0.5)
        if not case.truth.events:
            return None
        wanted = {evidence_id("cloudtrail", e) for e in case.truth.events}
        row: dict[str, Any] = {"kind": kind, "variant": variant}
        for mode, ask in (("conversation", _conversation), ("alone", _alone)):
            ids, none_explains = _listed(ask(case.path))
            row[mode] = {"top1": bool(ids) and ids[0] in wanted, "top3": any(i in wanted for i in ids[:3]),
                         "none_explains": none_explains}
        return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--first-variant", type=int, default=0,
                        help="start at this variant (variants 0-2 were looked at while fixing patterns; 3+ are held out)")
    parser.add_argument("--kinds", nargs="*")
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = [r for kind in (args.kinds or list(KINDS)) for v in range(args.first_variant, args.first_variant + args.variants) if (r := run_case(kind, v))]
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    print("| kind | cases | conversation top-1 | top-3 | 'none explains' | list_changes alone top-1 | top-3 |")
    print("|---|---|---|---|---|---|---|")

    def rate(items: list[dict[str, Any]], mode: str, key: str) -> str:
        return f"{sum(r[mode][key] for r in items)}/{len(items)}"

    for kind, items in sorted(by_kind.items()):
        print(f"| {kind} | {len(items)} | {rate(items, 'conversation', 'top1')} | {rate(items, 'conversation', 'top3')} | "
              f"{rate(items, 'conversation', 'none_explains')} | {rate(items, 'alone', 'top1')} | {rate(items, 'alone', 'top3')} |")
    print(f"| **all** | {len(rows)} | {rate(rows, 'conversation', 'top1')} | {rate(rows, 'conversation', 'top3')} | "
          f"{rate(rows, 'conversation', 'none_explains')} | {rate(rows, 'alone', 'top1')} | {rate(rows, 'alone', 'top3')} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
