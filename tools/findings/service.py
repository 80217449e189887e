"""``list_security_findings``: parse parameters -> fetch (AWS or snapshot) -> digest -> result."""

from __future__ import annotations

from tools.common.app import ToolRequest
from tools.common.availability import not_configured
from tools.common.result import ToolResult
from tools.findings.model import PRODUCTS, Criteria, Part


def parse_criteria(request: ToolRequest) -> Criteria:
    """The caller's criteria (the catalogue already validated severity and the resource pattern)."""
    return Criteria(
        min_severity=str(request.params.get("min_severity") or "MEDIUM"),
        resource=request.params.get("resource") or None,
        include_standing=bool(request.params.get("include_standing", False)),
    )


def list_security_findings(request: ToolRequest) -> ToolResult:
    """Active Security Hub and GuardDuty findings, grouped, deduplicated, standing ones marked."""
    criteria = parse_criteria(request)
    off = not_configured(request)
    if off is not None:
        return off
    sources = tuple(source for source in PRODUCTS if request.config["findings"][source])
    from tools.findings import digest

    if request.snapshot is not None:
        from tools.findings import snapshot_backend

        fetched = snapshot_backend.fetch(request, criteria, sources)
    else:
        from tools.findings import aws_backend

        fetched = aws_backend.fetch(request, criteria, sources)
    for source in PRODUCTS:
        if source not in sources:
            fetched.parts[source] = Part("not_configured", f"turned off in the configuration ([findings] {source} = false)")
    return digest.build(criteria, fetched, request.window, request.region)
