"""The logs functions of the catalogue: find_error_patterns and search_logs.

Each reads top to bottom: parameters -> allowed log groups -> fetch (Logs Insights or the snapshot) -> digest
-> result. The log group a call resolved is kept in the session for follow-ups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tools.common import coverage
from tools.common.app import ToolRequest
from tools.common.availability import not_configured
from tools.common.errors import SourceError
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.logs import digest, groups
from tools.common.timewindow import iso
from tools.logs.groups import GroupSelection
from tools.logs.matching import Match, parse_match
from tools.logs.model import LogLine, PatternScan

if TYPE_CHECKING:
    from tools.logs.aws_backend import ResolvedGroups

DEFAULT_LIMIT = 20
KEEP_FOR_SEARCH = 50


def _selection(request: ToolRequest) -> GroupSelection:
    named = request.focus("log_group")
    if request.snapshot is not None:
        return groups.in_snapshot(named)
    return groups.configured(request.config["logs"], named)


def _aws_groups(selection: GroupSelection, client: Any) -> ResolvedGroups:
    """The exact groups to query; a SourceError (a normal answer) when the configured prefixes match none."""
    from tools.logs import aws_backend

    resolved = aws_backend.resolve_groups(selection, client)
    if not resolved.names:
        raise SourceError(aws_backend.SOURCE, "no log group matches the configured prefixes", "check [logs] log_group_prefixes")
    return resolved


def _scan(request: ToolRequest, selection: GroupSelection, contains: str | None, keep: int) -> PatternScan:
    """Fetch the pattern statistics of the window from the snapshot or from Logs Insights; in AWS mode, also
    where each log group's data begins (a young group has no baseline)."""
    assert request.window is not None
    if request.snapshot is not None:
        from tools.logs import snapshot_backend

        scan = snapshot_backend.scan_patterns(request.snapshot, request.window, selection, contains, keep, request.deadline)
        scan.data_start = coverage.baseline_for(request).data_start  # None unless the data begins inside the baseline
        return scan
    from tools.common import aws
    from tools.logs import aws_backend

    client = aws.client("logs")
    resolved = _aws_groups(selection, client)
    starts, problem = aws_backend.data_starts(client, resolved, request.now)
    scan = aws_backend.scan_patterns(client, resolved.names, request.window, contains, request.deadline)
    young = {group: start for group, start in starts.items() if start > request.window.baseline().start}
    scan.group_starts = young
    if young and len(young) == len(resolved.names):  # every group begins late: the source has no (or a short) baseline
        scan.data_start = min(young.values())
    if problem:
        scan.notes.append(f"could not read when the log groups' data begins ({problem}); NEW compares with the "
                          "window before as if every group had data then")
    return scan


def _group_baselines(result: ToolResult, scan: PatternScan) -> None:
    """AWS mode: the baseline of the logs source, and which log groups have none when only some begin late."""
    if scan.data_start is not None:
        coverage.Baseline(scan.window.baseline(), scan.data_start).record(result, "logs")
        return
    if not scan.group_starts:
        return
    comparison = scan.window.baseline()
    parts = [f"{group}: data from {iso(start)} ({'no' if start >= comparison.end else 'short'} baseline)"
             for group, start in sorted(scan.group_starts.items(), key=lambda item: item[1])]
    coverage.entry(result, "logs")["no_baseline_parts"] = parts[:coverage.MAX_MISSING]
    result.notes.insert(0, f"no baseline for {len(parts)} of {len(scan.groups)} log group(s), whose data begins after "
                           f"{iso(comparison.start)}: {safe('; '.join(parts[:coverage.MAX_MISSING]), 600)}; a pattern "
                           "seen only there (or whose group is unknown) is NEW only when first seen well after its "
                           "group began")


def find_error_patterns(request: ToolRequest) -> ToolResult:
    title = "find_error_patterns: error patterns"
    off = not_configured(request)
    if off is not None:
        return off
    selection = _selection(request)
    contains = request.params.get("contains")
    scan = _scan(request, selection, contains, keep=2)
    if contains:
        title += f" containing {fence(contains, 100)}"
    result = digest.patterns_result(scan, request.region, int(request.config["logs"]["max_patterns"]), title)
    if request.snapshot is None:
        _group_baselines(result, scan)
    if selection.named:
        result.session["log_group"] = selection.named
    return result


def _aws_search(request: ToolRequest, selection: GroupSelection, match: Match, limit: int) -> tuple[list[LogLine], str | None, str | None]:
    from tools.common import aws
    from tools.logs import aws_backend

    assert request.window is not None
    client = aws.client("logs")
    return aws_backend.search(client, _aws_groups(selection, client).names, request.window, match, limit, request.deadline)


def _search_lines(request: ToolRequest, selection: GroupSelection, match: Match, limit: int) -> tuple[list[LogLine], str, list[str], str | None]:
    """(lines, headline, notes, partial reason) for a text, regex or pattern-id match."""
    assert request.window is not None
    notes: list[str] = []
    if match.kind == "pattern_id":
        if request.snapshot is not None:
            scan = _scan(request, selection, None, keep=KEEP_FOR_SEARCH)
            found = next((p for p in scan.patterns if p.id == match.value), None)
            notes.extend(scan.notes)
            if found is None:
                return [], _unknown_id(match, len(scan.patterns)), notes, scan.partial
            lines = found.recent[:limit]
            return lines, f"{len(lines)} of {found.count} lines of {match.value} {fence(found.template, 200)}, newest first.", notes, scan.partial
        lines, partial, template = _aws_search(request, selection, match, limit)
        if template is None:
            return [], _unknown_id(match, None), notes, partial
        return lines, f"{len(lines)} newest lines of {match.value} {fence(template, 200)}.", notes, partial
    if request.snapshot is not None:
        from tools.logs import snapshot_backend

        lines, matched, scanned, notes, partial = snapshot_backend.search_lines(request.snapshot, request.window, selection, match, limit, request.deadline)
        return lines, f"{matched} of {scanned} lines match {fence(match.value, 200)} ({match.kind}); showing the newest {len(lines)}.", notes, partial
    lines, partial, _ = _aws_search(request, selection, match, limit)
    return lines, f"{len(lines)} newest lines matching {fence(match.value, 200)} ({match.kind}).", notes, partial


def _unknown_id(match: Match, patterns: int | None) -> str:
    counted = f" among the {patterns} error patterns" if patterns is not None else ""
    return (
        f"Pattern id {safe(match.value)} is unknown for this window and log group{counted}: ids come from "
        "find_error_patterns over the same window; run it again (same window and log_group) and use an id it lists."
    )


def search_logs(request: ToolRequest) -> ToolResult:
    title = "search_logs: matching lines"
    off = not_configured(request)
    if off is not None:
        return off
    match = parse_match(request.params["match"])
    limit = int(request.params.get("limit") or DEFAULT_LIMIT)
    selection = _selection(request)
    lines, headline, notes, partial = _search_lines(request, selection, match, limit)
    assert request.window is not None
    result = digest.lines_result(lines, request.window, request.region, title, headline, notes, partial)
    if selection.named:
        result.session["log_group"] = selection.named
    return result
