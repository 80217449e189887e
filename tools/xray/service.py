"""``find_trace_faults``: parse parameters -> fetch (AWS or snapshot) -> digest -> result."""

from __future__ import annotations

from tools.common.app import ToolRequest
from tools.common.availability import not_configured
from tools.common.errors import InputError
from tools.common.result import ToolResult
from tools.xray.model import KINDS, SERVICE_NAME, Query


def parse_query(request: ToolRequest) -> Query:
    """The validated query; a service name that could not safely reach a filter expression is refused."""
    kind = request.params.get("kind") or "fault"
    if kind not in KINDS:
        raise InputError("kind", f"{str(kind)[:40]!r} is not a known kind", ", ".join(KINDS))
    service = request.params.get("service") or None
    if service is not None and not SERVICE_NAME.fullmatch(service):
        raise InputError("service", "is not a plain X-Ray service name", "letters, digits, spaces and _ . : / @ # + = , - (no quotes, braces or wildcards), e.g. 'checkout'")
    return Query(kind, service)  # type: ignore[arg-type]


def find_trace_faults(request: ToolRequest) -> ToolResult:
    """Aggregate the window's faulty traces into root causes with samples and console links."""
    query = parse_query(request)
    off = not_configured(request)
    if off is not None:
        return off
    from tools.xray import aws_backend, digest

    if request.snapshot is not None:
        from tools.xray import snapshot_backend

        fetched = snapshot_backend.fetch(request, query)
    else:
        fetched = aws_backend.fetch(request, query)
    return digest.build(query, fetched, request.window, request.region, aws_backend.filter_expression(query))
