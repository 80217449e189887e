"""Snapshot backend: read an incident snapshot directory (``docs/snapshot-format.md``).

``Snapshot.open(DIR)`` validates ``manifest.json``; each registered feed (``tools.sources``) is a folder, its file
endings declared with it (``logs``, ``alb``, ``cloudtrail``, ``metrics``, ``xray``, ``securityhub``,
``guardduty``). Files may be gzip-compressed and nested;
they are read in name order. A malformed line or file is skipped and counted in ``ReadStats``, never fatal.
Readers stream (one line or one file at a time), so memory stays bounded on large snapshots.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from tools import sources
from tools.common import coverage
from tools.common.timewindow import Window, parse_instant, to_utc

_MAX_REASONS = 5


class SnapshotError(ValueError):
    """The snapshot directory or its manifest cannot be used; the message says why and what to fix."""


@dataclass
class ReadStats:
    """What a reader saw: files and records read, and what it skipped (with a few reasons)."""

    files: int = 0
    records: int = 0
    skipped_records: int = 0
    skipped_files: int = 0
    reasons: list[str] = field(default_factory=list)

    def skip_record(self, where: str, why: str) -> None:
        self.skipped_records += 1
        coverage.skipped_record(where, why)
        if len(self.reasons) < _MAX_REASONS:
            self.reasons.append(f"{where}: {why}")

    def skip_file(self, where: str, why: str) -> None:
        self.skipped_files += 1
        coverage.unreadable_file(where, why)
        if len(self.reasons) < _MAX_REASONS:
            self.reasons.append(f"{where}: {why}")

    def merge(self, other: ReadStats) -> None:
        self.files += other.files
        self.records += other.records
        self.skipped_records += other.skipped_records
        self.skipped_files += other.skipped_files
        self.reasons.extend(other.reasons[: max(0, _MAX_REASONS - len(self.reasons))])

    def describe(self) -> str | None:
        """A note for the tool body when anything was skipped, else None."""
        if not (self.skipped_records or self.skipped_files):
            return None
        text = f"skipped {self.skipped_records} malformed record(s) and {self.skipped_files} unreadable file(s)"
        if self.reasons:
            text += " (e.g. " + "; ".join(self.reasons[:2]) + ")"
        return text


@dataclass(frozen=True)
class Manifest:
    version: int
    account: str
    region: str
    start: datetime
    end: datetime
    description: str = ""
    question: str | None = None
    sources: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, compare=False)  # what ``record`` captured

    @property
    def window(self) -> Window:
        return Window(self.start, self.end)


def _parse_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"{path.parent}: no manifest.json; a snapshot needs one (see snapshot-format.md)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise SnapshotError(f"{path}: must be a JSON object")
    problems = []
    version = raw.get("version", 1)
    if version != 1:
        problems.append(f"'version' is {version!r}; this reader knows version 1")
    times: dict[str, datetime] = {}
    for key in ("start", "end"):
        value = raw.get(key)
        if not isinstance(value, str):
            problems.append(f"'{key}' must be an ISO 8601 UTC time like 2026-11-20T09:00:00Z")
            continue
        try:
            times[key] = to_utc(parse_instant(value, datetime.now().astimezone()))
        except ValueError:
            problems.append(f"'{key}' is {value!r}, not an ISO 8601 time")
    if len(times) == 2 and times["start"] >= times["end"]:
        problems.append("'start' must be before 'end'")
    account = str(raw.get("account", "000000000000"))
    region = raw.get("region", "us-east-1")
    if not isinstance(region, str) or not region:
        problems.append("'region' must be a region name such as us-east-1")
    if problems:
        raise SnapshotError(f"{path}: " + "; ".join(problems))
    question = raw.get("question")
    return Manifest(
        version=1,
        account=account,
        region=region,
        start=times["start"],
        end=times["end"],
        description=str(raw.get("description", "")),
        question=question if isinstance(question, str) and question.strip() else None,
        sources=_recorded_sources(raw.get("sources")),
    )


def _recorded_sources(raw: Any) -> dict[str, dict[str, str]]:
    """The manifest's optional ``sources`` (status and detail per source, as ``record`` wrote them); odd entries
    are ignored (unknown keys are ignored, as for the rest of the manifest)."""
    if not isinstance(raw, dict):
        return {}
    kept = {}
    for name, entry in raw.items():
        if isinstance(name, str) and isinstance(entry, dict) and entry.get("status") in ("ok", "empty", "partial", "error", "not_configured"):
            kept[name[:40]] = {"status": str(entry["status"]), "detail": str(entry.get("detail", ""))[:300]}
    return kept


def unreadable_reason(exc: BaseException, lines_read: int | None = None) -> str:
    """Why a file could not be read, in words (a cut gzip, a file that is not gzip, bad JSON, an OS error)."""
    if isinstance(exc, EOFError):
        why = "truncated gzip (the file ends before its compressed stream does)"
    elif isinstance(exc, gzip.BadGzipFile):
        why = "not a gzip file despite its .gz name"
    elif isinstance(exc, zlib.error):
        why = f"corrupt gzip data ({str(exc)[:80]})"
    elif isinstance(exc, json.JSONDecodeError):
        why = f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    elif isinstance(exc, RecursionError):
        why = "JSON nested too deeply"
    elif isinstance(exc, OSError):
        why = f"cannot be read ({exc.strerror or exc.__class__.__name__})"
    else:
        why = f"cannot be read ({exc.__class__.__name__})"
    if lines_read:
        why += f"; only its first {lines_read:,} line(s) were read"
    return why


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


class Snapshot:
    """One snapshot directory: manifest plus streaming readers per data source."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root
        self.manifest = manifest

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Snapshot:
        root = Path(path)
        if not root.is_dir():
            raise SnapshotError(f"{root}: not a directory (OPSAGENT_SNAPSHOT / --snapshot must name a snapshot directory)")
        return cls(root, _parse_manifest(root / "manifest.json"))

    @property
    def region(self) -> str:
        return self.manifest.region

    def has(self, folder: str) -> bool:
        return (self.root / folder).is_dir()

    def files(self, folder: str) -> list[Path]:
        """Data files of a folder (nested, plain or .gz), in name order of their relative paths."""
        base = self.root / folder
        if not base.is_dir():
            return []
        feed = sources.registry().feed(folder)
        if feed is None:
            raise KeyError(f"no registered source reads a {folder!r} folder")
        found = []
        for dirpath, _dirs, names in os.walk(base):
            for name in names:
                if feed.matches(name):
                    found.append(Path(dirpath) / name)
        return sorted(found, key=lambda p: p.relative_to(base).as_posix())

    def lines(self, folder: str, stats: ReadStats) -> Iterator[tuple[str, str]]:
        """(file label, line) for every non-empty line of every file of ``folder``."""
        for path in self.files(folder):
            label = path.relative_to(self.root).as_posix()
            stats.files += 1
            read = 0
            try:
                with _open_text(path) as handle:
                    for line in handle:
                        read += 1
                        line = line.rstrip("\r\n")
                        if line.strip():
                            yield label, line
            except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
                stats.skip_file(label, unreadable_reason(exc, read))

    def jsonl(self, folder: str, stats: ReadStats) -> Iterator[dict[str, Any]]:
        for label, line in self.lines(folder, stats):
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                stats.skip_record(label, "line is not JSON")
                continue
            if not isinstance(record, dict):
                stats.skip_record(label, "line is not a JSON object")
                continue
            stats.records += 1
            yield record

    def documents(self, folder: str, stats: ReadStats) -> Iterator[tuple[str, Any]]:
        """(file label, parsed JSON) for every file of ``folder``; unreadable files skipped and counted."""
        for path in self.files(folder):
            label = path.relative_to(self.root).as_posix()
            stats.files += 1
            try:
                with _open_text(path) as handle:
                    yield label, json.load(handle)
            except (OSError, EOFError, zlib.error, gzip.BadGzipFile, json.JSONDecodeError, RecursionError) as exc:
                stats.skip_file(label, unreadable_reason(exc))

    def _list_items(self, folder: str, key: str, stats: ReadStats) -> Iterator[dict[str, Any]]:
        for label, document in self.documents(folder, stats):
            items = document.get(key) if isinstance(document, dict) else None
            if not isinstance(items, list):
                stats.skip_file(label, f"has no '{key}' list")
                continue
            for item in items:
                if isinstance(item, dict):
                    stats.records += 1
                    yield item
                else:
                    stats.skip_record(label, f"an item of '{key}' is not an object")

    # --- per-source readers -------------------------------------------------------------------

    def log_events(self, stats: ReadStats) -> Iterator[dict[str, Any]]:
        """CloudWatch Logs events with a string ``logGroupName``, int ``timestamp`` (ms) and string ``message``."""
        for label, line in self.lines("logs", stats):
            event = parse_log_event(label, line, stats)
            if event is not None:
                yield event

    def cloudtrail_records(self, stats: ReadStats) -> Iterator[dict[str, Any]]:
        records = self._list_items("cloudtrail", "Records", stats)
        yield from _having(records, {"eventTime": str, "eventName": str}, "cloudtrail", "record", stats)

    def metric_series(self, stats: ReadStats) -> Iterator[dict[str, Any]]:
        series = self.jsonl("metrics", stats)
        yield from _having(series, {"MetricName": str, "Datapoints": list}, "metrics", "series", stats)

    def xray_traces(self, stats: ReadStats) -> Iterator[dict[str, Any]]:
        yield from self._list_items("xray", "Traces", stats)

    def securityhub_findings(self, stats: ReadStats) -> Iterator[dict[str, Any]]:
        yield from self._list_items("securityhub", "Findings", stats)

    def guardduty_findings(self, stats: ReadStats) -> Iterator[dict[str, Any]]:
        yield from self._list_items("guardduty", "Findings", stats)


def _having(items: Iterable[dict[str, Any]], fields: dict[str, type], folder: str, noun: str,
            stats: ReadStats) -> Iterator[dict[str, Any]]:
    """The items whose ``fields`` have the given types; any other is a skipped record (no longer counted read)."""
    for item in items:
        if all(isinstance(item.get(key), kind) for key, kind in fields.items()):
            yield item
        else:
            stats.records -= 1
            stats.skip_record(folder, f"{noun} lacks {' or '.join(fields)}")


@lru_cache(maxsize=8)
def _open_cached(path: str, mtime_ns: int) -> Snapshot:
    return Snapshot.open(path)


def from_environment() -> Snapshot | None:
    """The snapshot named by ``OPSAGENT_SNAPSHOT``, or None (AWS mode). Raises SnapshotError if unusable."""
    path = os.environ.get("OPSAGENT_SNAPSHOT")
    if not path:
        return None
    try:
        mtime = (Path(path) / "manifest.json").stat().st_mtime_ns
    except OSError:
        mtime = 0
    return _open_cached(path, mtime)


# --- fast raw-line access (large snapshots) -----------------------------------------------------

BLOCK_BYTES = 1 << 20  # decompressed bytes asked for per read


def _open_binary(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")


def line_blocks(snapshot: Snapshot, folder: str, stats: ReadStats) -> Iterator[tuple[str, list[str]]]:
    """(file label, lines) in blocks of about ``BLOCK_BYTES``: the lines ``Snapshot.lines`` yields, in the same
    order, decoded the same way (UTF-8 with replacement, universal newlines), without per-line generator overhead.

    Unlike ``lines``, a block may hold blank (whitespace-only) lines: callers skip them (``not line.strip()``).
    A file that fails part-way is counted as skipped after the complete lines read before the failure, as in
    ``lines``.
    """
    for path in snapshot.files(folder):
        label = path.relative_to(snapshot.root).as_posix()
        stats.files += 1
        read = 0
        try:
            with _open_binary(path) as handle:
                carry = b""
                while True:
                    data = handle.read1(BLOCK_BYTES)
                    if not data:
                        break
                    data = carry + data
                    cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
                    if cut == 0:  # no line end yet: one line longer than a block
                        carry = data
                        continue
                    carry = data[cut:]
                    block = _split_lines(data[:cut].decode("utf-8", errors="replace"))
                    read += len(block)
                    yield label, block
                if carry:
                    yield label, _split_lines(carry.decode("utf-8", errors="replace"))
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            stats.skip_file(label, unreadable_reason(exc, read))


def _split_lines(text: str) -> list[str]:
    if "\r" in text:  # universal newlines, as the text reader: \r\n and \r end a line too
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def parse_log_event(label: str, line: str, stats: ReadStats) -> dict[str, Any] | None:
    """One line through the checks of ``Snapshot.jsonl`` and ``Snapshot.log_events``: the event, or None
    (a blank line is skipped silently; a malformed one is counted in ``stats`` with the same reasons)."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        stats.skip_record(label, "line is not JSON")
        return None
    if not isinstance(record, dict):
        stats.skip_record(label, "line is not a JSON object")
        return None
    group, stamp, message = record.get("logGroupName"), record.get("timestamp"), record.get("message")
    if not isinstance(group, str) or not isinstance(message, str) or isinstance(stamp, bool) or not isinstance(stamp, (int, float)):
        stats.skip_record("logs", "event lacks logGroupName, timestamp (ms) or message")
        return None
    stats.records += 1
    return record
