"""``python -m agent digest-logs PATH [--json]``: mine templates from a plain-text log file (one message a line).

Uses the same miner configuration as find_error_patterns. ``--json`` prints
``{"templates": [{"id", "template", "count"}], "assignments": [id, ...]}`` (``assignments[i]`` is line i's
template); without it, a table of the most frequent templates.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import zlib
from pathlib import Path

from tools.logs.miner import mine_lines

TOP = 30


def read_lines(path: str) -> list[str]:
    """The file's lines (``.gz`` accepted); UsageError when it is missing or unreadable."""
    from agent.cli import UsageError

    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        raw = file.open("rb")
        handle = io.TextIOWrapper(gzip.GzipFile(fileobj=raw) if file.name.endswith(".gz") else raw, encoding="utf-8", errors="replace")
        with handle:
            return [line.rstrip("\r\n") for line in handle]
    except (OSError, EOFError, zlib.error) as exc:
        raise UsageError(f"{path}: cannot read it ({exc.__class__.__name__}: {exc})") from None


def run(args: argparse.Namespace) -> int:
    lines = read_lines(args.path)
    templates, assignments = mine_lines(lines)
    if args.json:
        print(json.dumps({
            "templates": [{"id": t.id, "template": t.template, "count": t.count} for t in templates],
            "assignments": assignments,
        }))
        return 0
    print(f"{len(lines)} lines, {len(templates)} templates")
    print(f"{'id':<11} {'count':>7}  template")
    for template in templates[:TOP]:
        print(f"{template.id:<11} {template.count:>7}  {template.template[:160]}")
    if len(templates) > TOP:
        print(f"... {len(templates) - TOP} more (use --json for all)")
    return 0
