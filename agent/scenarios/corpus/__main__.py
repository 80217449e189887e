"""``python -m agent.scenarios.corpus``: list the corpus kinds, or write one case and print its truth.

``list`` prints every kind with its category and taxonomy source; ``build KIND VARIANT OUT [--traffic X]
[--seed N]`` writes the snapshot to OUT and prints the truth as JSON (to debug one case of the bench). Bad input
is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from agent.scenarios.corpus.generate import BASE_SEED, build_case
from agent.scenarios.corpus.kinds import ALL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.scenarios.corpus", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the kinds")
    build = sub.add_parser("build", help="write one case")
    build.add_argument("kind")
    build.add_argument("variant", type=int)
    build.add_argument("out", type=Path)
    build.add_argument("--traffic", type=float, default=1.0)
    build.add_argument("--seed", type=int, default=BASE_SEED)
    args = parser.parse_args(argv)
    if args.command == "list":
        width = max(len(name) for name in ALL)
        for spec in ALL.values():
            print(f"{spec.name:<{width}}  {spec.category:<20}  {spec.source}")
        return 0
    if args.kind not in ALL:
        print(f"unknown corpus kind {args.kind!r}; run 'python -m agent.scenarios.corpus list'", file=sys.stderr)
        return 2
    if args.variant < 0 or not 0 < args.traffic <= 10:
        print("variant must be >= 0 and --traffic in (0, 10]", file=sys.stderr)
        return 2
    if args.out.exists() and (not args.out.is_dir() or (any(args.out.iterdir()) and not (args.out / "manifest.json").exists())):
        print(f"{args.out} exists and is not a snapshot directory; choose another", file=sys.stderr)
        return 2
    case = build_case(args.kind, args.variant, args.out, seed=args.seed, traffic=args.traffic)
    print(json.dumps({"path": str(case.path), "seed": case.seed, "truth": case.truth.to_dict()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
