"""Snapshot backend: the CloudTrail log files of an incident snapshot (``cloudtrail/**/*.json[.gz]``).

Every record of the snapshot is offered to the digest (which keeps the span and filters); records of global
services (IAM, STS, sign-in) carry ``awsRegion: us-east-1`` and are kept whatever the snapshot's region.
Malformed records and unreadable files are counted by ``ReadStats`` and reported as a note.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.cloudtrail.model import ChangeQuery, FetchReport
from tools.common.snapshot import ReadStats, Snapshot


def fetch(snapshot: Snapshot, query: ChangeQuery, report: FetchReport) -> Iterator[dict[str, Any]]:
    """Stream the snapshot's CloudTrail records; notes about skipped ones land in ``report`` at the end."""
    stats = ReadStats()
    yield from snapshot.cloudtrail_records(stats)
    note = stats.describe()
    if note:
        report.notes.append(f"CloudTrail snapshot: {note}")
