"""``python -m agent digest-logs PATH [--json]``: mine templates from a plain-text log file (one message a line).

Uses the same miner configuration as find_error_patterns. ``--json`` prints
``{"templates": [{"id", "template", "count"}], "assignments": [id, ...]}`` (``assignments[i]`` is line i's
template); without it, a table of the most frequent templates.

The file is streamed in binary (lines end at ``\\n``, ``\\r\\n`` or ``\\r``, as in text mode; UTF-8 with invalid
bytes read as U+FFFD): memory holds the miner's distinct shapes and 4 bytes per line (its template key), never
the lines. The assignments are written in chunks, each id quoted once per template.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import zlib
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from agent.errors import UsageError
from tools.logs.miner import TemplateMiner

TOP = 30
CHUNK = 65_536  # assignments joined and written per chunk
READ_BYTES = 1 << 20  # the file is read and split into lines this much at a time


def _open(path: str) -> IO[bytes]:
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        raw = file.open("rb")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.__class__.__name__}: {exc})") from None
    return gzip.GzipFile(fileobj=raw) if file.name.endswith(".gz") else raw  # type: ignore[return-value]


def _blocks(handle: IO[bytes]) -> Iterator[list[bytes]]:
    """The lines of a binary stream without their ends, split at \\n, \\r\\n and \\r like text mode does, a block
    of ``READ_BYTES`` at a time (split in C, not line by line in Python)."""
    rest = b""
    while block := handle.read(READ_BYTES):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        rest = block[cut:]
        if cut:
            yield _lines_of(block[:cut])
    if rest:
        yield _lines_of(rest + b"\n")


def _lines_of(body: bytes) -> list[bytes]:
    """The lines of ``body`` (which ends with \\n; a \\r\\n is never cut in two)."""
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = body.split(b"\n")
    lines.pop()  # the empty piece after the last line end
    return lines


def mine_file(path: str) -> tuple[TemplateMiner, array[int]]:
    """The miner after every line of the file, and each line's key (in order)."""
    miner = TemplateMiner()
    keys: array[int] = array("i")
    try:
        with _open(path) as handle:
            for lines in _blocks(handle):
                miner.add_lines(lines, keys)
    except (OSError, EOFError, zlib.error) as exc:
        raise UsageError(f"{path}: cannot read it ({exc.__class__.__name__}: {exc})") from None
    return miner, keys


def write_json(miner: TemplateMiner, keys: array[int], out: IO[str]) -> None:
    templates = miner.templates()
    quoted = {key: json.dumps(miner.id(key)) for key in set(keys)}
    out.write('{"templates": ')
    out.write(json.dumps([{"id": t.id, "template": t.template, "count": t.count} for t in templates]))
    out.write(', "assignments": [')
    lookup = quoted.__getitem__
    for start in range(0, len(keys), CHUNK):
        if start:
            out.write(", ")
        out.write(", ".join(map(lookup, keys[start:start + CHUNK])))
    out.write("]}\n")


def run(args: argparse.Namespace) -> int:
    miner, keys = mine_file(args.path)
    if args.json:
        write_json(miner, keys, sys.stdout)
        return 0
    templates = miner.templates()
    print(f"{len(keys)} lines, {len(templates)} templates")
    print(f"{'id':<11} {'count':>7}  template")
    for template in templates[:TOP]:
        print(f"{template.id:<11} {template.count:>7}  {template.template[:160]}")
    if len(templates) > TOP:
        print(f"... {len(templates) - TOP} more (use --json for all)")
    return 0
