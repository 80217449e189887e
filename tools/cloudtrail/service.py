"""list_changes: parse parameters -> fetch CloudTrail records (snapshot, LookupEvents or Athena) -> digest -> result."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from tools.cloudtrail import aws_backend, snapshot_backend
from tools.cloudtrail.answer import build_result
from tools.cloudtrail.digest import Digest
from tools.cloudtrail.model import ChangeQuery, FetchReport, event_source
from tools.common.app import ToolRequest
from tools.common.availability import not_configured
from tools.common.incident import IncidentContext
from tools.common.result import ToolResult


def parse_query(request: ToolRequest) -> ChangeQuery:
    """The query of this call. Filters come from the parameters only (a remembered focus such as an X-Ray
    service name is not a CloudTrail service)."""
    params = request.params
    assert request.window is not None  # list_changes declares a window parameter
    return ChangeQuery(
        window=request.window,
        lookback=timedelta(minutes=int(request.config["cloudtrail"]["lookback_minutes"])),
        event_source=event_source(params.get("service")),
        principal=params.get("principal") or None,
        resource=params.get("resource") or None,
        include_read_only=bool(params.get("include_read_only", False)),
        region=request.region,
    )


def _records(request: ToolRequest, query: ChangeQuery, report: FetchReport) -> Iterator[dict[str, Any]]:
    settings = request.config["cloudtrail"]
    if request.snapshot is not None:
        return snapshot_backend.fetch(request.snapshot, query, report)
    if settings["mode"] == "athena":
        from tools.cloudtrail import athena_backend

        return athena_backend.fetch(query, request.config, request.deadline, report)
    return aws_backend.fetch(query, request.deadline, int(settings["max_pages"]), report)


def list_changes(request: ToolRequest) -> ToolResult:
    """Changes and failed calls in the window and the lookback before it, grouped and ranked."""
    off = not_configured(request)
    if off is not None:
        return off
    query = parse_query(request)
    report = FetchReport()
    digest = Digest(query).feed(_records(request, query, report))
    context = IncidentContext.from_session(request.session, request.input_text)
    return build_result(digest, report, ToolResult("cloudtrail", "list_changes", request.window), context)
