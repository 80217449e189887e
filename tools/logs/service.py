"""The logs functions of the catalogue: find_error_patterns and search_logs.

Each reads top to bottom: parameters -> allowed log groups -> fetch (Logs Insights or the snapshot) -> digest
-> result. The log group a call resolved is kept in the session for follow-ups.
"""

from __future__ import annotations

from tools.common import coverage
from tools.common.app import ToolRequest
from tools.common.availability import not_configured
from tools.common.errors import SourceError
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.logs import digest, groups
from tools.logs.groups import GroupSelection
from tools.logs.matching import Match, parse_match
from tools.logs.model import LogLine, PatternScan

DEFAULT_LIMIT = 20
KEEP_FOR_SEARCH = 50


def _selection(request: ToolRequest) -> GroupSelection:
    named = request.focus("log_group")
    if request.snapshot is not None:
        return groups.in_snapshot(named)
    return groups.configured(request.config["logs"], named)


def _aws_groups(selection: GroupSelection) -> list[str]:
    """The exact groups to query; a SourceError (a normal answer) when the configured prefixes match none."""
    from tools.common import aws
    from tools.logs import aws_backend

    names = aws_backend.resolve_groups(selection, aws.client("logs"))
    if not names:
        raise SourceError(aws_backend.SOURCE, "no log group matches the configured prefixes", "check [logs] log_group_prefixes")
    return names


def _scan(request: ToolRequest, selection: GroupSelection, contains: str | None, keep: int) -> PatternScan:
    """Fetch the pattern statistics of the window from the snapshot or from Logs Insights."""
    assert request.window is not None
    if request.snapshot is not None:
        from tools.logs import snapshot_backend

        return snapshot_backend.scan_patterns(request.snapshot, request.window, selection, contains, keep, request.deadline)
    from tools.common import aws
    from tools.logs import aws_backend

    return aws_backend.scan_patterns(aws.client("logs"), _aws_groups(selection), request.window, contains, request.deadline)


def find_error_patterns(request: ToolRequest) -> ToolResult:
    title = "find_error_patterns: error patterns"
    off = not_configured(request)
    if off is not None:
        return off
    selection = _selection(request)
    contains = request.params.get("contains")
    scan = _scan(request, selection, contains, keep=2)
    baseline = coverage.baseline_for(request)
    scan.data_start = baseline.data_start  # None unless the data begins inside the comparison window
    if contains:
        title += f" containing {fence(contains, 100)}"
    result = digest.patterns_result(scan, request.region, int(request.config["logs"]["max_patterns"]), title)
    if selection.named:
        result.session["log_group"] = selection.named
    return result


def _aws_search(request: ToolRequest, selection: GroupSelection, match: Match, limit: int) -> tuple[list[LogLine], str | None, str | None]:
    from tools.common import aws
    from tools.logs import aws_backend

    assert request.window is not None
    return aws_backend.search(aws.client("logs"), _aws_groups(selection), request.window, match, limit, request.deadline)


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
