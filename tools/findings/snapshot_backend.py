"""Fetch findings from a snapshot's ``securityhub/`` and ``guardduty/`` GetFindings documents (GuardDuty in
either casing). Filtering happens in the digest, exactly as for findings read from AWS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tools.common.app import ToolRequest
from tools.common.snapshot import ReadStats
from tools.findings.model import PRODUCTS, Criteria, Fetched, Finding, Part
from tools.findings.normalize import from_asff, from_guardduty

_CHECK_EVERY = 500


def _read(request: ToolRequest, folder: str, items: Callable[[ReadStats], Iterator[dict[str, Any]]],
          convert: Callable[[dict[str, Any]], Finding], fetched: Fetched) -> None:
    """Every finding of one folder (``folder`` is also the source name)."""
    assert request.snapshot is not None
    label = PRODUCTS[folder]
    if not request.snapshot.has(folder):
        fetched.parts[folder] = Part("not_configured", f"not in this snapshot (no {folder}/ folder): not captured or not enabled")
        return
    stats = ReadStats()
    read = 0
    status = "read"
    for index, raw in enumerate(items(stats)):
        if index % _CHECK_EVERY == 0 and request.deadline.expired():
            fetched.partial.append(f"{label}: the time budget ran out after {index} finding(s)")
            status = "partial"
            break
        finding = convert(raw)
        if not finding.finding_id:
            stats.skip_record(folder, "finding has no id")
            continue
        fetched.findings.append(finding)
        read += 1
    fetched.parts[folder] = Part(status, f"{read} finding(s) in the snapshot")
    skipped = stats.describe()
    if skipped:
        fetched.notes.append(f"{label}: {skipped}")


def fetch(request: ToolRequest, criteria: Criteria, sources: tuple[str, ...]) -> Fetched:
    """Every finding of the snapshot's ``sources`` folders, normalised; ``criteria`` are applied by the digest."""
    assert request.snapshot is not None
    fetched = Fetched()
    readers = {"securityhub": (request.snapshot.securityhub_findings, from_asff),
               "guardduty": (request.snapshot.guardduty_findings, from_guardduty)}
    for source in sources:
        items, convert = readers[source]
        _read(request, source, items, convert, fetched)
    return fetched
