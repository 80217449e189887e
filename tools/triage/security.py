"""Security hypotheses: active findings grouped by resource (stronger with CloudTrail activity of the same
principal), and — without any finding — a leaked-credential sequence in CloudTrail alone: one principal taking
several steps of an intrusion (calls from an address no one else uses, a burst of denied calls, new access keys
or users, admin policies, logging disabled, secrets read). Standing findings are never a cause unless they sit on
an affected resource.
"""

from __future__ import annotations

from tools.triage import weights as W
from tools.triage.hypothesis import Context, Hypothesis, combine, overlap, support
from tools.triage.patterns import AWS_SOURCE, LEAK_STEPS, SUSPICIOUS
from tools.triage.signals import Signal, number
from tools.triage.titles import security_title, short, strict_name

_STEP_WORDS = {
    "persistence": "new credentials", "defense": "logging disabled", "escalation": "privileges added",
    "exfiltration": "data access", "recon": "reconnaissance", "unusual_source": "an unusual source address",
}


def severity_weight(value: object) -> float:
    text = str(value or "").upper()
    if text in W.SEVERITY_WEIGHT:
        return W.SEVERITY_WEIGHT[text]
    score = number(value, -1)
    if score >= 0:
        # GuardDuty 0-10 (7+ high), Security Hub normalized 0-100
        score = score / 10 if score > 10 else score
        return 0.75 if score >= 9 else 0.6 if score >= 7 else 0.35 if score >= 4 else 0.12
    return W.SEVERITY_UNKNOWN


def finding_hypotheses(ctx: Context) -> list[Hypothesis]:
    """Active findings on the same resource make one hypothesis; standing ones only on an affected resource."""
    groups: dict[str, list[Signal]] = {}
    for finding in ctx.findings:
        resources = [str(r) for r in (finding.evidence.attrs.get("resources") or []) if isinstance(r, str)]
        key = ("standing:" if finding.evidence.attrs.get("standing") else "") + (resources[0].lower() if resources else finding.evidence.id)
        groups.setdefault(key, []).append(finding)
    trail_signals = [s for s in ctx.signals if s.source == "cloudtrail"]
    found: list[Hypothesis] = []
    for members in groups.values():
        members.sort(key=lambda f: -severity_weight(f.evidence.attrs.get("severity")))
        finding = members[0]
        subject: dict[str, float] = {}
        for member in members:
            for token, weight in member.subject.items():
                subject[token] = max(subject.get(token, 0.0), weight)
        standing = bool(finding.evidence.attrs.get("standing"))
        severity = severity_weight(finding.evidence.attrs.get("severity"))
        trail = []
        for change in trail_signals:
            shared = overlap(subject, change.subject, {})
            suspicious = bool(SUSPICIOUS.match(str(change.evidence.attrs.get("event_name") or "")))
            value = shared * (1.0 if suspicious or change.kind == "failed_call" else 0.6)
            if suspicious and shared == 0 and not standing:
                value = 0.25
            if value >= 0.2:
                trail.append((value, change))
        trail_link = support(v for v, _ in trail)
        symptom_links = [(overlap(subject, s.tokens, ctx.idf) * s.strength, s) for s in ctx.symptoms]
        symptom_links = [(v, s) for v, s in symptom_links if v >= W.SYMPTOM_MIN]
        symptom_link = support(v for v, _ in symptom_links)
        if standing:
            if symptom_link < W.STANDING_MIN_SYMPTOM:
                continue  # a standing finding on an unrelated resource is not a cause
            score = W.STANDING_SEVERITY_WEIGHT * severity + W.STANDING_SYMPTOM_WEIGHT * symptom_link
        else:
            score = (severity + W.SECURITY_TRAIL_WEIGHT * trail_link + W.SECURITY_SYMPTOM_WEIGHT * symptom_link
                     + W.SECURITY_MEMBER_BONUS * min(2, len(members) - 1))
            if trail_link == 0 and symptom_link < 0.2:
                score *= W.SECURITY_UNLINKED_FACTOR
        sources = {m.source for m in members} | {s.source for _, s in trail} | {s.source for v, s in symptom_links if v >= 0.2}
        items = [(0.9, m.evidence) for m in members[1:]] + [(v, s.evidence) for v, s in trail] + [(v, s.evidence) for v, s in symptom_links]
        title = security_title(finding, len(members) - 1)
        if standing:
            title = "Standing " + title.split(": ", 1)[-1] + " on an affected resource"
        hypothesis = Hypothesis("security", title, score, [finding.evidence], items, combine([trail_link, symptom_link]), sources)
        hypothesis.reason = f"severity {severity:.2f}, {len(members)} finding(s), CloudTrail link {trail_link:.2f}, symptom link {symptom_link:.2f}"
        found.append(hypothesis)
    return found


def _steps(calls: list[Signal], sources_elsewhere: set[str]) -> dict[str, list[Signal]]:
    steps: dict[str, list[Signal]] = {}
    denied: list[Signal] = []
    for call in calls:
        a = call.evidence.attrs
        event = str(a.get("event_name") or "")
        for step, pattern in LEAK_STEPS:
            if step != "recon" and pattern.match(event) and call.kind == "change":
                steps.setdefault(step, []).append(call)
        code = str(a.get("error_code") or "").lower()
        if call.kind == "failed_call" and ("denied" in code or "unauthorized" in code):
            denied.append(call)
        elif any(step == "recon" and pattern.match(event) for step, pattern in LEAK_STEPS):
            denied.append(call)
        ip = str(a.get("source_ip") or "")
        if (ip and not AWS_SOURCE.search(ip) and ip not in sources_elsewhere
                and str(a.get("principal_type") or "") in W.LEAK_KEY_TYPES):
            steps.setdefault("unusual_source", []).append(call)
    calls_denied = sum(max(1, int(number(c.evidence.attrs.get("count"), 1))) for c in denied)
    if calls_denied >= W.LEAK_RECON_MIN_CALLS or len({c.evidence.attrs.get("event_name") for c in denied}) >= W.LEAK_RECON_MIN_CALLS:
        steps["recon"] = denied
    return steps


def leaked_credential_hypotheses(ctx: Context, covered: set[str]) -> list[Hypothesis]:
    """A principal taking at least ``LEAK_MIN_STEPS`` steps of an intrusion, from CloudTrail alone (principals
    already covered by a finding hypothesis are skipped: their steps are in that hypothesis)."""
    by_principal: dict[str, list[Signal]] = {}
    for item in ctx.signals:
        if item.source != "cloudtrail" or item.kind not in ("change", "failed_call"):
            continue
        a = item.evidence.attrs
        if a.get("actor") == "service" or a.get("principal_type") == "AWSService":
            continue
        principal = str(a.get("principal") or "")
        if principal:
            by_principal.setdefault(principal, []).append(item)
    found: list[Hypothesis] = []
    for principal, calls in by_principal.items():
        if principal.lower() in covered:
            continue
        elsewhere = {str(s.evidence.attrs.get("source_ip") or "") for p, others in by_principal.items() if p != principal
                     for s in others}
        steps = _steps(calls, elsewhere)
        # an unusual address alone is not a step of an intrusion; it only counts beside another one
        intrusion = [s for s in steps if s != "unusual_source"]
        if len(steps) < W.LEAK_MIN_STEPS or not intrusion or set(intrusion) == {"recon"} and "unusual_source" not in steps:
            continue
        score = combine(W.LEAK_STEP_WEIGHT[step] for step in steps) + 0.1 * max(0, len(intrusion) - 1)
        first = min((c for c in calls if c.evidence.time is not None), key=lambda c: c.evidence.time, default=calls[0])
        decisive = sorted((c for step in ("defense", "persistence", "escalation", "exfiltration") for c in steps.get(step, [])),
                          key=lambda c: c.evidence.time or first.evidence.time)
        primary = decisive[0] if decisive else first
        items = [(0.8, c.evidence) for step in steps.values() for c in step if c is not primary]
        name = strict_name(principal) or "one principal"
        words = ", ".join(_STEP_WORDS[s] for s in sorted(steps, key=lambda s: -W.LEAK_STEP_WEIGHT[s]))
        hypothesis = Hypothesis("security", f"Possible leaked credentials: {short(name, 80)} ({words})", score,
                                [primary.evidence], items, min(1.0, 0.25 * len(steps)), {"cloudtrail"})
        hypothesis.reason = f"{len(steps)} intrusion step(s) by one principal in CloudTrail, no finding needed"
        found.append(hypothesis)
    return found


def covered_principals(hypotheses: list[Hypothesis]) -> set[str]:
    """Principals whose CloudTrail activity a finding hypothesis already carries."""
    names: set[str] = set()
    for hypothesis in hypotheses:
        for _, item in hypothesis.support:
            if item.source == "cloudtrail" and item.attrs.get("principal"):
                names.add(str(item.attrs["principal"]).lower())
    return names
