"""Whether a source can answer here: one check for every tool, from its registry declaration.

A source turned off in the configuration, absent from the snapshot, or not set up for AWS (e.g. no log groups
configured) answers ``not_configured`` with one line saying which and how to change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools import sources
from tools.common.result import ToolResult

if TYPE_CHECKING:
    from tools.common.app import ToolRequest


def not_configured(request: ToolRequest) -> ToolResult | None:
    """A ``not_configured`` result saying why the request's source cannot answer, or None when it can."""
    source = sources.registry().get(request.function.action_group)
    if source is None:
        return None
    why = source.unavailable(request.config, request.snapshot)
    if why is None:
        return None
    result = ToolResult(source.name, f"{request.function.name}: {source.label} is not configured", request.window,
                        status="not_configured")
    result.headline.append(why)
    return result
