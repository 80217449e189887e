"""triage__search_runbooks: the team's runbooks and past investigations ranked for a query (query -> load the
knowledge (S3 or local) -> rank -> result)."""

from __future__ import annotations

from typing import Any

from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.knowledge import store
from tools.knowledge.runbooks import first_steps

MAX_RUNBOOKS = 3
MAX_INCIDENTS = 3


def search_runbooks(request: Any) -> ToolResult:
    query = str(request.params["query"])
    service = request.params.get("service") or None
    result = ToolResult("triage", "runbooks and past incidents", None)
    try:
        knowledge = store.load(request.config["knowledge"]["runbook_base_url"])
    except Exception as exc:  # noqa: BLE001 - a failing source is a normal answer that says what failed
        result.fail(f"runbooks could not be read from {store.describe_source()} ({exc.__class__.__name__})",
                    "check the knowledge bucket and the function's s3:GetObject permission")
        return result
    index = knowledge.index
    assert index is not None
    result.headline.append(f"query {fence(query, 200)}; {len(knowledge.runbooks)} runbook(s) and "
                           f"{len(knowledge.incidents)} past incident(s) searched ({'FTS5 bm25' if index.fts5 else 'term overlap'})")
    runbooks = index.search(query, "runbook", [service] if service else None, MAX_RUNBOOKS)
    incidents = index.search(query, "incident", [service] if service else None, MAX_INCIDENTS)
    section = result.section("runbooks")
    by_name = {r.name: r for r in knowledge.runbooks}
    for hit in runbooks:
        runbook = by_name.get(hit.document.key)
        strength = "matches" if hit.match else "weak"
        section.lines.append(f"- {safe(hit.document.title, 150)} ({strength}; owner {safe(hit.document.extra.get('owner') or '-', 60)}): "
                             f"{hit.document.link}")
        if runbook is not None and hit.match:
            section.lines.extend(f"  check: {safe(step, 240)}" for step in first_steps(runbook, 2))
    if not runbooks:
        section.lines.append("no runbook mentions these terms")
    past = result.section("past incidents")
    for hit in incidents:
        past.lines.append(f"- {hit.document.key} on {hit.document.extra.get('date', '?')}: {safe(hit.document.title, 200)} "
                          f"({hit.document.extra.get('confidence', '?')})")
    if not incidents:
        past.lines.append("no past investigation mentions these terms" if knowledge.incidents else "no past investigation saved yet")
    result.notes.extend(safe(p, 200) for p in knowledge.problems[:5])
    if not runbooks and not incidents:
        result.status = "empty"
    return result
