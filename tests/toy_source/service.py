"""The toy source's one function: count the configured kinds of toy events in the snapshot's ``toy/`` folder."""

from __future__ import annotations

from collections import Counter

from tools.common.app import ToolRequest
from tools.common.evidence import Evidence, evidence_id
from tools.common.result import ToolResult
from tools.common.snapshot import ReadStats


def count_toys(request: ToolRequest) -> ToolResult:
    assert request.snapshot is not None
    kinds = Counter(str(r.get("kind")) for r in request.snapshot.jsonl("toy", ReadStats()))
    result = ToolResult("toy", "count_toys", request.window)
    for kind in request.config["toy"]["kinds"]:
        if kinds[kind]:
            result.evidence.append(Evidence(evidence_id("toy", kind), "toy", "toy_count", f"{kinds[kind]} {kind} toys"))
    return result
