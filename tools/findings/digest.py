"""Digest findings: select (active, severity, resource, window), show each GuardDuty finding once even when
Security Hub carries it too, group by (type, resource), mark standing groups (open before the window: not the
incident's cause), and write evidence with console links and fenced finding text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tools.common.evidence import Evidence, evidence_id, guardduty_finding_link, securityhub_finding_link
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.common.timewindow import UTC, Window, iso
from tools.findings.model import PRODUCTS, Criteria, Fetched, Finding, rank

MAX_GROUPS = 30
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_PURPOSE = {
    "Backdoor": "a resource acting as a backdoor (contacting command-and-control)",
    "Behavior": "unusual behaviour against the baseline",
    "CredentialAccess": "an attempt to obtain credential material",
    "CryptoCurrency": "crypto-currency mining activity",
    "DefenseEvasion": "an attempt to evade defences",
    "Discovery": "discovery of resources by a principal",
    "Execution": "suspicious code execution",
    "Exfiltration": "possible data exfiltration",
    "Impact": "activity that may impact availability or integrity",
    "InitialAccess": "an attempt to gain initial access",
    "PenTest": "activity from penetration-testing tools",
    "Persistence": "an attempt to keep access",
    "Policy": "a risky configuration or policy change",
    "PrivilegeEscalation": "an attempt to escalate privileges",
    "Recon": "reconnaissance (probing or scanning to discover what is reachable)",
    "Stealth": "an attempt to hide activity (e.g. disabling logging)",
    "Trojan": "a resource talking to known trojan infrastructure",
    "UnauthorizedAccess": "an attempt at unauthorised access",
}


def select(findings: list[Finding], window: Window | None, criteria: Criteria) -> tuple[list[Finding], int]:
    """Findings that match the criteria, each once (GuardDuty's own copy preferred); and how many duplicates."""
    chosen: dict[tuple[str, str], Finding] = {}
    duplicates = 0
    needle = (criteria.resource or "").lower()
    for f in findings:
        if not f.active or rank(f.severity) < rank(criteria.min_severity):
            continue
        if needle and not any(needle in r.lower() for r in (f.resource_id, *f.resources)):
            continue
        if window is not None:
            updated = f.updated or f.last_seen
            if f.first_seen is not None and f.first_seen >= window.end:
                continue
            if not criteria.include_standing and updated is not None and not window.contains(updated):
                continue
        current = chosen.get(f.key)
        duplicates += current is not None
        if current is None or (current.via_securityhub and not f.via_securityhub):
            chosen[f.key] = f
    return list(chosen.values()), duplicates


def is_standing(f: Finding, window: Window | None) -> bool:
    """Open before the window: last updated before it, or first seen before it began."""
    if window is None:
        return False
    updated = f.updated or f.last_seen
    return (updated is not None and updated < window.start) or (f.first_seen is not None and f.first_seen < window.start)


@dataclass
class Group:
    """Findings of one type on one resource."""

    source: str
    finding_type: str
    resource_id: str
    findings: list[Finding] = field(default_factory=list)
    standing: bool = True

    @property
    def lead(self) -> Finding:
        return max(self.findings, key=lambda f: (rank(f.severity), f.updated or _EARLIEST))

    @property
    def first_seen(self) -> datetime | None:
        times = [f.first_seen for f in self.findings if f.first_seen]
        return min(times) if times else None

    @property
    def last_seen(self) -> datetime | None:
        times = [t for f in self.findings for t in (f.last_seen, f.updated) if t]
        return max(times) if times else None

    @property
    def count(self) -> int:
        return sum(f.count for f in self.findings)

    @property
    def resources(self) -> list[str]:
        return list(dict.fromkeys(r for f in self.findings for r in (f.resource_id, *f.resources) if r))[:10]


def group(findings: list[Finding], window: Window | None) -> list[Group]:
    """Groups, new before standing, then by severity and recency."""
    groups: dict[tuple[str, str, str], Group] = {}
    for f in findings:
        g = groups.setdefault((f.source, f.finding_type, f.resource_id), Group(f.source, f.finding_type, f.resource_id))
        g.findings.append(f)
        g.standing = g.standing and is_standing(f, window)
    return sorted(groups.values(), key=lambda g: (g.standing, -rank(g.lead.severity), -(g.last_seen or _EARLIEST).timestamp(), g.finding_type, g.resource_id))


def plain_line(g: Group) -> str:
    """What the finding means, in our words (their names embedded, made safe)."""
    lead = g.lead
    resource = f"{g.resource_id} ({lead.resource_type})"
    if g.source == "guardduty":
        purpose = _PURPOSE.get(g.finding_type.split(":", 1)[0], "a threat detection")
        text = f"GuardDuty detected {purpose} ({g.finding_type}) on {resource}"
    elif lead.control:
        text = f"{lead.product} control {g.finding_type} failed for {resource} (a configuration check, not an event)"
    else:
        text = f"{lead.product} finding {g.finding_type} on {resource}"
    return safe(text, 400)


def _link(region: str, f: Finding) -> str:
    return guardduty_finding_link(region, f.finding_id) if f.source == "guardduty" else securityhub_finding_link(region, f.finding_id)


def _evidence(g: Group, region: str) -> Evidence:
    lead, first = g.lead, g.first_seen
    return Evidence(
        id=evidence_id(g.source, g.finding_type, g.resource_id),
        source=g.source,
        kind="finding",
        summary=("[standing] " if g.standing else "") + f"{lead.severity}: " + plain_line(g),
        time=first,
        link=_link(region, lead),
        score=0.0 if g.standing else rank(lead.severity) / 4,
        attrs={
            "severity": lead.severity,
            "finding_type": safe(g.finding_type, 200),
            "resource_type": safe(lead.resource_type, 100),
            "first_seen": iso(first) if first else None,
            "last_seen": iso(g.last_seen) if g.last_seen else None,
            "count": g.count,
            "standing": g.standing,
            "resources": [safe(r, 512) for r in g.resources],
            "onset": iso(first) if first else None,
        },
    )


def _line(g: Group, ev: Evidence) -> str:
    seen = f"first {iso(g.first_seen) if g.first_seen else '?'} last {iso(g.last_seen) if g.last_seen else '?'}"
    tag = " [STANDING: open before the window; pre-existing, not evidence of what started in it]" if g.standing else ""
    return f"{ev.id} {g.lead.severity} ×{g.count} {seen}{tag} | {plain_line(g)} | title {fence(g.lead.title, 200)} | {ev.link}"


def _sources(fetched: Fetched, groups: list[Group]) -> dict[str, dict[str, str]]:
    """Per-source status for triage's report: ok/empty when read, else what the backend said."""
    sources = {}
    for source, part in fetched.parts.items():
        count = sum(1 for g in groups if g.source == source)
        status = ("ok" if count else "empty") if part.status == "read" else part.status
        sources[source] = {"status": status, "detail": f"{count} finding group(s); {part.detail}"}
    return sources


def _sections(result: ToolResult, groups: list[Group]) -> None:
    """New groups first, standing ones in their own section that says they are not the incident's cause."""
    by_id = {ev.id: ev for ev in result.evidence}
    headings = (("Began in the window", False), ("Standing: open before the window (not the incident's cause)", True))
    for heading, standing in headings:
        lines = []
        for g in groups:
            ev = by_id.get(evidence_id(g.source, g.finding_type, g.resource_id))
            if g.standing == standing and ev is not None:
                lines.append(_line(g, ev))
        if lines:
            result.section(heading, "raise min_severity or add resource=...").lines.extend(lines)


def _notes(result: ToolResult, criteria: Criteria, fetched: Fetched, groups: int, duplicates: int) -> None:
    if groups > MAX_GROUPS:
        result.notes.append(f"{groups - MAX_GROUPS} smaller group(s) not listed; raise min_severity or add resource=...")
    if duplicates:
        copies = "copy" if duplicates == 1 else "copies"
        result.notes.append(f"{duplicates} duplicate {copies} folded: each finding is shown once, including GuardDuty findings that Security Hub also carries")
    if not criteria.include_standing:
        result.notes.append("findings last updated before the window are not listed; ask with include_standing=true to see them")
    result.notes.extend(fetched.notes)
    answered = any(part.status in ("read", "partial") for part in fetched.parts.values())
    for failure in fetched.failures:
        result.fail(failure, "the other product's findings are still listed" if answered else "", partial=answered)
    for what in fetched.partial:
        result.fail(what, "the groups cover what was read", partial=True)


def build(criteria: Criteria, fetched: Fetched, window: Window | None, region: str) -> ToolResult:
    """The ToolResult of ``list_security_findings``."""
    findings, duplicates = select(fetched.findings, window, criteria)
    groups = group(findings, window)
    fresh = sum(1 for g in groups if not g.standing)
    status = "partial" if fetched.partial else ("ok" if groups else "empty")
    result = ToolResult("findings", f"list_security_findings: {len(groups)} group(s) at or above {criteria.min_severity}", window, status=status)
    result.headline.append(
        f"{len(groups)} finding group(s) ({len(findings)} finding(s)) at or above {criteria.min_severity}: "
        f"{fresh} began in the window, {len(groups) - fresh} standing (open before the window)."
    )
    if groups and not fresh:
        result.headline.append("None began in the window: these are pre-existing findings, not a sign of what started in it.")
    for source, part in fetched.parts.items():
        result.headline.append(f"{PRODUCTS[source]}: {safe(part.detail, 300)}.")
    result.evidence = [_evidence(g, region) for g in groups[:MAX_GROUPS]]
    result.data["sources"] = _sources(fetched, groups)
    _sections(result, groups)
    _notes(result, criteria, fetched, len(groups), duplicates)
    return result
