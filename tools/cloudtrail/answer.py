"""The list_changes answer from a finished ``Digest``: headline counts, the change most relevant to the incident
(``relevance.py``) with its rollback (``change_kinds.py``), the notable changes ranked by relevance with what their
request changed, failed calls, and every group by principal; one ``Evidence`` per notable call. Times are clock
times ("09:38:12Z, 1.8 min before the onset").

Evidence kinds are ``change`` and ``failed_call`` with the attrs documented in ``tools/common/evidence.py``;
``minutes_before_window`` is negative for calls inside the window. Values from records are shown as they are
only when they look like identifiers; anything else (and every request, source IP and user agent) is fenced.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from tools.cloudtrail.change_kinds import mitigation
from tools.cloudtrail.digest import Digest, Group, Scored
from tools.cloudtrail.model import Call, ChangeQuery, FetchReport
from tools.cloudtrail.records import KNOWN_VIAS
from tools.cloudtrail.relevance import EXPLAINS_THRESHOLD, Relevance, rank
from tools.cloudtrail.resources import request_summary, resources_of
from tools.common.evidence import Evidence, cloudtrail_event_link, evidence_id
from tools.common.incident import IncidentContext
from tools.common.patterns import is_region
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.common.timewindow import UTC, iso

MAX_GROUP_LINES = 45
MAX_RELEVANT = 8
MAX_FAILED_LINES = 15
_PLAIN = re.compile(r"^[A-Za-z0-9_.:/@+=,#*()-]{1,200}$")


def label(text: str, limit: int = 120) -> str:
    """A value from a record shown as is when it looks like an identifier, else fenced as untrusted data."""
    return safe(text, limit) if _PLAIN.match(text or "") else fence(text, limit)


def event_evidence_id(call: Call) -> str:
    """``evidence_id("cloudtrail", eventID)`` (name and time when a record has no eventID)."""
    return evidence_id("cloudtrail", call.event_id or f"{call.event_name}@{iso(call.time)}")


def _link_region(digest: Digest, call: Call) -> str:
    """The event's own region for its console link (IAM events live in us-east-1), else the workload's."""
    return call.region if is_region(call.region) else digest.query.region


def when(digest: Digest, call: Call, onset: datetime | None = None) -> str:
    """A clock time, and how it relates to the onset when known: '09:38:12Z, 1.8 min before the onset'."""
    clock = call.time.astimezone(UTC).strftime("%H:%M:%SZ")
    if onset is None:
        return clock + (" (before the window)" if digest.minutes_before(call) > 0 else "")
    before = round((onset - call.time).total_seconds() / 60.0, 1)
    if before > 0:
        return f"{clock}, {before:g} min before the onset"
    return f"{clock}, at the onset" if before == 0 else f"{clock}, {-before:g} min after the onset"


def who(call: Call) -> str:
    """'name [type, person via console]': the principal and how the call was made."""
    kind = {"human": "person", "automation": "automation", "service": "AWS service"}[call.actor]
    via = safe(call.via) if call.via in KNOWN_VIAS else label(call.via, 60)
    return f"{label(call.principal.name)} [{label(call.principal.type, 40)}, {kind} via {via}]"


def evidence_for(digest: Digest, scored: Scored, onset: datetime | None = None) -> Evidence:
    """The ``change`` or ``failed_call`` evidence of one call, attrs as ``tools/common/evidence.py`` documents."""
    call = scored.call
    resources = resources_of(call.record)
    kind = "failed_call" if call.failed else "change"
    outcome = f" FAILED {label(call.error_code, 60)}" if call.failed else ""
    summary = (
        f"{label(call.event_name)} ({call.service}){outcome} by {who(call)}, {when(digest, call, onset)}"
        + (f", on {', '.join(label(r, 100) for r in resources[:4])}" if resources else "")
    )
    return Evidence(
        id=event_evidence_id(call),
        source="cloudtrail",
        kind=kind,
        summary=summary,
        time=call.time,
        link=cloudtrail_event_link(_link_region(digest, call), call.event_id) if call.event_id else None,
        score=scored.score,
        attrs={
            "event_name": call.event_name,
            "event_source": call.event_source,
            "event_id": call.event_id,
            "principal": call.principal.name,
            "principal_type": call.principal.type,
            "principal_arn": call.principal.arn,
            "actor": call.actor,
            "via": call.via if call.via in KNOWN_VIAS else safe(call.via, 80),
            "invoked_by": safe(str((call.record.get("userIdentity") or {}).get("invokedBy") or ""), 80)
            if isinstance(call.record.get("userIdentity"), dict) else "",
            "source_ip": safe(call.source_ip, 60),
            "error_code": call.error_code or None,
            "read_only": call.read_only,
            "minutes_before_window": digest.minutes_before(call),
            "request": safe(request_summary(call.record, 200), 220),
            "resources": resources,
            "onset": iso(call.time),
        },
    )


def _pluralise(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _top(counter: Counter[str], n: int = 4) -> str:
    return ", ".join(f"{label(k, 80)} ×{v}" for k, v in counter.most_common(n))


def _detail_line(ev: Evidence, scored: Scored, why: Relevance) -> str:
    call = scored.call
    parts = [f"[{ev.id}] {ev.summary}", f"kind: {why.reason()}"]
    if ev.attrs["request"]:
        parts.append("changed: " + fence(request_summary(call.record, 200), 220))
    undo = mitigation(call)
    if undo:
        parts.append("undo: " + safe(undo, 300))
    parts.append(f"from {fence(call.source_ip, 60)} agent {fence(call.user_agent, 100)}")
    if ev.link:
        parts.append(ev.link)
    return "; ".join(parts)


def build_result(digest: Digest, report: FetchReport, result: ToolResult, context: IncidentContext | None = None) -> ToolResult:
    """Fill ``result`` (title, headline, sections, evidence, notes, status) from a finished digest, the changes
    ranked by relevance to the incident ``context`` (onset and symptoms from the session, see ``relevance.py``)."""
    context = context or IncidentContext()
    q = digest.query
    groups = sorted(digest.groups.values(), key=lambda g: (-g.best, g.call.principal.name, g.call.event_name))
    changes = sum(g.count - sum(g.errors.values()) for g in groups)
    failed = Counter[str]()
    for g in groups:
        failed.update(g.errors)
    n_failed = sum(failed.values())
    principals = {(g.call.principal.name, g.call.principal.type) for g in groups}
    by_actor = Counter[str]()
    for g in groups:
        by_actor[g.call.actor] += g.count
    lookback = int(q.lookback.total_seconds() // 60)
    noun = "call" if q.include_read_only else "change"
    result.title = f"list_changes: {_pluralise(changes, noun)}, {_pluralise(n_failed, 'failed call')}"
    read = f"Read {q.span} (the window and the {lookback} min before it)" if lookback else f"Read {q.window}"
    result.headline.append(read + (f"; filters: {_filters(q)}" if _filters(q) else "") + ".")
    if groups:
        result.headline.append(
            f"{_pluralise(digest.kept, 'call')} by {_pluralise(len(principals), 'principal')}: "
            f"{by_actor['human']} by people (console/CLI), {by_actor['automation']} by automation, "
            f"{by_actor['service']} by AWS services; {n_failed} failed" + (f" ({_top(failed)})" if failed else "") + "."
        )
    if digest.routine:
        result.headline.append(
            f"{sum(digest.routine.values())} routine service events omitted ({_top(digest.routine, 3)})."
        )
    if digest.read_only:
        result.headline.append(f"{digest.read_only} read-only calls left out (include_read_only=true lists them).")
    if report.read_only_not_fetched:
        result.notes.append("read-only calls were not fetched (include_read_only=true fetches them, denied reads included)")

    ranked = rank(digest.notable(), context, digest)
    evidence = [evidence_for(digest, s, context.onset) for s, _ in ranked]
    for ev, (scored, why) in zip(evidence, ranked):
        ev.attrs["relevance"] = why.score
        ev.attrs["change_kind"] = why.kind
        ev.attrs["mitigation"] = mitigation(scored.call)
    result.evidence.extend(evidence)
    _relevant_section(ranked, evidence, context, result)
    _failed_section(digest, groups, result)
    _groups_section(digest, groups, result)

    malformed = digest.malformed + report.malformed
    if malformed:
        result.notes.append(f"{malformed} malformed CloudTrail record(s) skipped")
    result.notes.extend(report.notes)
    result.data.update(changes=changes, failed=n_failed, routine_omitted=sum(digest.routine.values()),
                       read_only_omitted=digest.read_only, malformed=malformed)
    if report.partial:
        for cut in report.cuts or ["not every CloudTrail record could be read"]:
            result.fail(cut, partial=True)
    elif not groups:
        result.status = "empty"
        result.headline.insert(0, "No changes or failed calls found" + (" matching the filters" if _filters(q) else "") + ".")
    return result


def _filters(q: ChangeQuery) -> str:
    parts = []
    if q.event_source:
        parts.append(f"service={safe(q.event_source, 80)}")
    if q.principal:
        parts.append(f"principal contains '{safe(q.principal, 80)}'")
    if q.resource:
        parts.append(f"resource contains '{safe(q.resource, 80)}'")
    if q.include_read_only:
        parts.append("read-only included")
    return ", ".join(parts)


def _relevant_section(ranked: list[tuple[Scored, Relevance]], evidence: list[Evidence], context: IncidentContext,
                      result: ToolResult) -> None:
    """The headline's most relevant change (with its rollback) and the ranked list of the changes made."""
    made = [(s, why, ev) for (s, why), ev in zip(ranked, evidence) if not s.call.failed]
    if not made:
        return
    first, why, ev = made[0]
    weak = context.known and why.score < EXPLAINS_THRESHOLD
    # The answer's first lines: the change most relevant to the incident, then its rollback.
    if weak:
        lead = [f"No change here explains the incident well; the most relevant is {ev.summary} [{ev.id}]; {why.reason()}."]
    elif context.known:
        lead = [f"Most relevant change to this incident: {ev.summary} [{ev.id}]; {why.reason()}."]
    else:
        lead = [f"Most relevant change (by kind and timing only: no investigation in this conversation yet): "
                f"{ev.summary} [{ev.id}]; {why.reason()}."]
    undo = mitigation(first.call)
    if undo and not weak:
        lead.append(f"Mitigation if this is the cause: {safe(undo, 300)}.")
    result.headline[:0] = lead
    section = result.section("Most relevant changes (most relevant first)", "ask with a narrower window or a filter")
    section.lines.extend(_detail_line(e, s, w) for s, w, e in made[:MAX_RELEVANT])
    if len(made) > MAX_RELEVANT:
        section.lines.append(f"… {len(made) - MAX_RELEVANT} more notable changes (see the groups below)")


def _failed_section(digest: Digest, groups: list[Group], result: ToolResult) -> None:
    rows = [(g, code, n) for g in groups for code, n in g.errors.items()]
    if not rows:
        return
    rows.sort(key=lambda row: (-row[2], row[0].call.principal.name))
    section = result.section("Failed calls")
    for g, code, n in rows[:MAX_FAILED_LINES]:
        sample = g.failed_samples[code]
        ev_id = event_evidence_id(sample.call)
        section.lines.append(
            f"{label(code, 60)} ×{n}: {label(g.call.event_name)} ({g.call.service}) by {who(g.call)}, "
            f"last {iso(sample.call.time)} [{ev_id}]"
        )
    if len(rows) > MAX_FAILED_LINES:
        section.lines.append(f"… {len(rows) - MAX_FAILED_LINES} more failed-call groups (filter by principal or service)")


def _groups_section(digest: Digest, groups: list[Group], result: ToolResult) -> None:
    if not groups:
        return
    section = result.section("Changes by principal, service and event")
    by_principal: dict[tuple[str, str], list[Group]] = {}
    for g in groups:
        by_principal.setdefault((g.call.principal.name, g.call.principal.type), []).append(g)
    lines = section.lines
    for members in by_principal.values():
        if len(lines) >= MAX_GROUP_LINES:
            break
        total = sum(m.count for m in members)
        lines.append(f"{who(members[0].call)}: {_pluralise(total, 'call')}")
        for g in members[:8]:
            failed = sum(g.errors.values())
            span = iso(g.first) if g.first == g.last else f"{iso(g.first)}..{iso(g.last)}"  # type: ignore[arg-type]
            on = f" on {', '.join(label(r, 100) for r in list(g.resources)[:4])}" if g.resources else ""
            lines.append(
                f"  {g.call.service} {label(g.call.event_name)} ×{g.count}"
                + (f" ({failed} failed: {_top(g.errors, 2)})" if failed else "") + f" {span}{on}"
            )
        if len(members) > 8:
            lines.append(f"  … {len(members) - 8} more APIs by this principal")
    shown = sum(1 for line in lines if not line.startswith(" "))
    if len(by_principal) > shown:
        lines.append(f"… {len(by_principal) - shown} more principals (filter by principal or service)")
