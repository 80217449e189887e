"""``summarize_alb_traffic``: parse the filters, fetch the aggregated rows (Athena or a snapshot), digest them."""

from __future__ import annotations

import re

from tools.alb import aws_backend, digest, snapshot_backend
from tools.alb.model import Answer, Filters
from tools.alb.sql import bucket_seconds
from tools.common import coverage
from tools.common.app import ToolRequest
from tools.common.availability import not_configured
from tools.common.athena import AthenaError
from tools.common.errors import InputError
from tools.common.evidence import athena_link
from tools.common.result import ToolResult
from tools.common.safety import safe

FUNCTION = "summarize_alb_traffic"
_LB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_LB_ID = re.compile(r"^(?:app/)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?)/([0-9a-f]{8,32})$")
_LB_ACCEPTED = "a load balancer name such as 'shop' or its id 'app/shop/50dc6c495c0c9188'"


def load_balancer_filter(value: str | None) -> str | None:
    """'shop', 'app/shop/50dc…' or 'shop/50dc…' -> the name or the full 'app/…' id; InputError otherwise."""
    if not value:
        return None
    text = value.strip()
    if text.lower().startswith("arn:"):
        text = text.split("loadbalancer/", 1)[-1]
    match = _LB_ID.match(text)
    if match:
        return f"app/{match.group(1)}/{match.group(2)}"
    if _LB_NAME.match(text):
        return text
    raise InputError("load_balancer", f"{safe(value, 80)!r} is not a load balancer name or id", _LB_ACCEPTED)


def parse_filters(request: ToolRequest) -> Filters:
    return Filters(
        load_balancer=load_balancer_filter(request.focus("load_balancer")),
        path_prefix=request.params.get("path_prefix") or None,
        status_class=request.params.get("status_class") or None,
    )


def _failed(request: ToolRequest, exc: AthenaError) -> ToolResult:
    result = ToolResult("alb", f"{FUNCTION}: the Athena query did not complete", request.window)
    result.fail(exc.what, exc.hint, partial=exc.status == "partial")
    if exc.query_execution_id:
        result.notes.append(f"query {exc.query_execution_id}: {athena_link(request.region, exc.query_execution_id)}")
    return result


def summarize_alb_traffic(request: ToolRequest) -> ToolResult:
    """Status classes over time, failing paths, latency, targets, reasons and clients, vs the baseline window."""
    window = request.window
    assert window is not None  # the catalogue declares a window parameter
    filters = parse_filters(request)
    bucket = bucket_seconds(window, request.params.get("bucket_minutes"))
    off = not_configured(request)
    if off is not None:
        return off
    if request.snapshot is not None:
        answer: Answer = snapshot_backend.fetch(request.snapshot, window, filters, bucket, request.deadline)
    else:
        try:
            answer = aws_backend.fetch(request, window, filters, bucket)
        except AthenaError as exc:
            return _failed(request, exc)
    return digest.summarize(FUNCTION, answer, window, filters, bucket, request.region,
                            coverage.baseline_for(request).data_start)
