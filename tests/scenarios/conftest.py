"""Shared checks for scenario snapshots: the ALB RegexSerDe pattern, CloudTrail keys, whole-snapshot reading."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tools.common.snapshot import ReadStats, Snapshot

# The Athena/Glue RegexSerDe pattern for ALB access logs (through conn_trace_id), anchored; fields 1-based below.
ALB_REGEX = re.compile(
    r'([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*):([0-9]*) ([^ ]*)[:-]([0-9]*) ([-.0-9]*) ([-.0-9]*) ([-.0-9]*) (|[0-9]*) (-|[0-9]*) '
    r'([-0-9]*) ([-0-9]*) "([^ ]*) (.*) (- |[^ ]*)" "([^"]*)" ([A-Z0-9-_]+) ([A-Za-z0-9.-]*) ([^ ]*) "([^"]*)" '
    r'"([^"]*)" "([^"]*)" ([-.0-9]*) ([^ ]*) "([^"]*)" "([^"]*)" "([^ ]*)" "([^\s]*)" "([^ ]*)" "([^ ]*)" '
    r'"([^ ]*)" ([^ ]*)$'
)
# A quote-aware tokenizer: the 30 documented fields of one line.
ALB_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[^ ]+')

CLOUDTRAIL_KEYS = ("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
                   "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "eventID", "readOnly",
                   "eventType", "managementEvent", "recipientAccountId", "eventCategory")


def read_everything(root: Path) -> dict[str, Any]:
    """Read a snapshot with the project's readers; return the records and the merged skip statistics."""
    snap = Snapshot.open(root)
    stats = ReadStats()
    out: dict[str, Any] = {"manifest": snap.manifest}
    out["logs"] = list(snap.log_events(stats))
    out["cloudtrail"] = list(snap.cloudtrail_records(stats))
    out["metrics"] = list(snap.metric_series(stats))
    out["xray"] = list(snap.xray_traces(stats))
    out["securityhub"] = list(snap.securityhub_findings(stats))
    out["guardduty"] = list(snap.guardduty_findings(stats))
    out["alb"] = [line for _, line in snap.lines("alb", stats)]
    out["stats"] = stats
    return out


def all_text(root: Path) -> str:
    """Every data file's text, lowercased (to look for ground-truth keywords)."""
    parts = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name.endswith(".gz"):
                data = gzip.decompress(data)
            parts.append(data.decode("utf-8").lower())
    return "\n".join(parts)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def alb_fields(line: str) -> list[str]:
    return ALB_TOKEN.findall(line)


def iter_segments(traces: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    import json

    for trace in traces:
        for segment in trace["Segments"]:
            yield json.loads(segment["Document"])


@pytest.fixture()
def check_alb() -> Callable[[list[str]], None]:
    def check(lines: list[str]) -> None:
        for line in lines:
            assert ALB_REGEX.match(line), line
            fields = alb_fields(line)
            assert len(fields) == 30, (len(fields), line)
            assert fields[-1].startswith("TID_"), line
    return check


@pytest.fixture(scope="session")
def helpers() -> Any:
    """The module's helpers as one object (test modules cannot import a conftest under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(read_everything=read_everything, all_text=all_text, tree_bytes=tree_bytes,
                           alb_fields=alb_fields, iter_segments=iter_segments, ALB_REGEX=ALB_REGEX,
                           CLOUDTRAIL_KEYS=CLOUDTRAIL_KEYS)
