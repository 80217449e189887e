"""Ranking: turn the evidence of every source into ranked root-cause hypotheses.

Generic correlation, not tuned to any incident:

* **change hypotheses** — every mutating CloudTrail change is a candidate cause. It scores by how close it came
  before the onset, and by how strongly it links to the symptoms: shared resource ids/names between the change
  (its resources and redacted request) and the symptoms (error templates, X-Ray downstreams and exceptions,
  metric dimensions, ALB targets), and whether the kind of change explains the kind of symptom (IAM change ->
  AccessDenied, security-group/route/endpoint change -> connect timeouts, KMS DisableKey -> KMS errors, deploy ->
  new exceptions, capacity change -> throttling ...).
* **security hypotheses** — an active (not standing) finding, stronger with CloudTrail activity by the same
  principal or on the same resource; standing findings never become a cause unless they sit on an affected
  resource, and then only with low confidence.
* **fault hypotheses** — when no change explains a symptom group: an X-Ray root cause, a shifted resource
  metric or a new error pattern, with the symptoms of other sources that mention the same resources.

Titles are our words: event names, exception classes, metric names and resource ids are put in only when they
pass strict patterns; untrusted text (log messages, request parameters) never reaches a title.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from tools.common.evidence import Evidence
from tools.common.timewindow import Window
from tools.triage.signals import Signal, number, as_time

# --- what a kind of change can explain -----------------------------------------------------------

_TIMEOUTS = r"timed? ?out|timeout|connect(ion)? (refused|reset|error|timeout)|could not connect|unable to connect|unreachable|econnrefused|etimedout|econnreset|no route|reset by peer|endpointconnectionerror|connecttimeout|sockettimeout|readtimeout|target\.timeout|502|503|504|gateway"
_DENIED = r"accessdenied|access denied|not authorized|unauthorizedoperation|forbidden|\b403\b|authorizationerror|is not authorized|permission"
CATEGORIES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (name, re.compile(change, re.I), re.compile(symptom, re.I))
    for name, change, symptom in (
        ("network",
         r"SecurityGroup|NetworkAcl|Route(Table)?|VpcEndpoint|NatGateway|InternetGateway|Subnet|TransitGateway|VpcPeering|NetworkInterface|ModifyInstanceAttribute|PrefixList|Firewall",
         _TIMEOUTS),
        ("iam",
         r"^(Put|Attach|Detach|Delete|Update)(Role|User|Group)Policy$|AssumeRolePolicy|PolicyVersion|PermissionsBoundary|^DeleteRole$|BucketPolicy|ResourcePolicy|^(Add|Remove)Permission$|KeyPolicy|^RevokeGrant$|^RetireGrant$|^CreateGrant$",
         _DENIED),
        ("kms",
         r"^(DisableKey|ScheduleKeyDeletion|PutKeyPolicy|RevokeGrant|RetireGrant|DisableKeyRotation|UpdateAlias|DeleteAlias|UpdateKeyDescription)$",
         r"kms|disabledexception|kmsinvalidstate|kmsaccessdenied|kmsdisabled|pending deletion|is disabled|decrypt|encrypt|keyunavailable|key .{0,40}(disabled|deletion)"),
        ("deploy",
         r"^(UpdateService|CreateService|UpdateFunctionCode|UpdateFunctionConfiguration|PublishVersion|UpdateAlias|RegisterTaskDefinition|CreateDeployment|UpdateStack|ExecuteChangeSet|CreateStack|StartPipelineExecution|PutImage|UpdateEnvironment|CreateApplicationVersion|UpdateApplication|UpdateApp|StartDeployment|UpdateDeploymentGroup|CreateLaunchTemplateVersion|StartInstanceRefresh|UpdateContainerInstancesState)$",
         r"exception|error|traceback|panic|nullpointer|typeerror|keyerror|attributeerror|valueerror|undefined|crash|exit code|oom|out ?of ?memory|killed"),
        ("capacity",
         r"^(UpdateTable|UpdateTableReplicaAutoScaling|PutFunctionConcurrency|DeleteFunctionConcurrency|PutProvisionedConcurrencyConfig|UpdateAutoScalingGroup|SetDesiredCapacity|PutScalingPolicy|DeleteScalingPolicy|DeleteScheduledAction|PutScheduledUpdateGroupAction|RegisterScalableTarget|DeregisterScalableTarget|ModifyReplicationGroup|ModifyCacheCluster|UpdateShardCount|UpdateService|ModifyDBInstance|ModifyDBCluster|SetQueueAttributes|UpdateStream|UpdateThrottling|UpdateUsagePlan|UpdateStage)$",
         r"throttl|provisionedthroughputexceeded|toomanyrequests|rate exceeded|limit exceeded|capacity|concurrency|429|slowdown|requestlimitexceeded|cpu|memory|queue (full|depth)|backlog|exhausted|saturat"),
        ("database",
         r"DB(Instance|Cluster|ParameterGroup|ClusterParameterGroup|Proxy|Subnet|Snapshot)|CacheCluster|CacheParameterGroup|ReplicationGroup|FailoverDBCluster|RebootDBInstance",
         r"database|\bdb\b|sql|connection pool|too many connections|jdbc|psycopg|mysql|postgres|redis|failover|deadlock|hikari|connection (refused|reset|timed? ?out)"),
        ("dns",
         r"ResourceRecordSets|HostedZone|Resolver|DhcpOptions|EnableDnsSupport|EnableDnsHostnames",
         r"unknownhost|name or service not known|nxdomain|getaddrinfo|name resolution|\bdns\b|enotfound|could not resolve|temporary failure in name|no such host"),
        ("secret",
         r"^(PutSecretValue|UpdateSecret|RotateSecret|UpdateSecretVersionStage|DeleteSecret|PutParameter|DeleteParameter|DeleteParameters|LabelParameterVersion|UpdateConfigurationProfile|StartDeployment)$",
         r"password authentication|authentication failed|invalid credentials|access denied for user|invalid api ?key|\b401\b|unauthori[sz]ed|login failed|parameternotfound|secret|credential|invalid token|signature"),
        ("loadbalancer",
         r"TargetGroup|Targets$|Listener|^(ModifyRule|DeleteRule|CreateRule|SetSecurityGroups|SetSubnets|ModifyLoadBalancerAttributes|SetRulePriorities|SetIpAddressType|ModifyHealthCheck)$",
         r"\b50[234]\b|5xx|unhealthy|healthyhost|target\.|targetresponsetime|target_?5xx|elb|load balancer|no healthy|not found"),
        ("certificate",
         r"Certificate",
         r"certificate|ssl|tls|handshake|x509|pkix|expired"),
        ("storage",
         r"^(PutBucketPolicy|DeleteBucketPolicy|PutBucketAcl|PutPublicAccessBlock|DeleteBucket|PutBucketLifecycleConfiguration|PutBucketEncryption|DeleteQueue|PurgeQueue|SetQueueAttributes|DeleteTopic|SetTopicAttributes|DeleteTable|DeleteStream|DeleteFileSystem|PutLifecycleConfiguration)$",
         r"nosuchbucket|nosuchkey|accessdenied|nonexistentqueue|queuedoesnotexist|resourcenotfound|not ?found|does not exist|404"),
    )
)
SUSPICIOUS = re.compile(
    r"^(CreateAccessKey|CreateUser|CreateLoginProfile|UpdateLoginProfile|AttachUserPolicy|PutUserPolicy|AddUserToGroup|"
    r"ConsoleLogin|StopLogging|DeleteTrail|UpdateTrail|PutEventSelectors|DeleteDetector|DisableSecurityHub|"
    r"DeleteFlowLogs|CreateKeyPair|ImportKeyPair|RunInstances|GetSecretValue|AuthorizeSecurityGroupIngress|"
    r"PutBucketAcl|PutBucketPolicy|DeletePublicAccessBlock|ModifySnapshotAttribute|ModifyImageAttribute|"
    r"AssumeRole|GetSessionToken|GetFederationToken|CreateRole|UpdateAssumeRolePolicy|AttachRolePolicy|DisableKey|ScheduleKeyDeletion)$"
)

# Changes that do not alter how the workload runs (monitoring, tagging, log plumbing, sign-ins): context only.
INERT = re.compile(
    r"^(PutMetricAlarm|PutCompositeAlarm|DeleteAlarms|EnableAlarmActions|DisableAlarmActions|SetAlarmState|PutDashboard|"
    r"DeleteDashboards|PutMetricData|PutAnomalyDetector|TagResource|UntagResource|CreateTags|DeleteTags|AddTags|"
    r"AddTagsToResource|RemoveTagsFromResource|PutBucketTagging|TagRole|TagUser|CreateLogGroup|CreateLogStream|"
    r"PutRetentionPolicy|PutSubscriptionFilter|PutLogEvents|ConsoleLogin|AssumeRole\w*|GetSessionToken|"
    r"GetFederationToken|CreateSnapshot|CopySnapshot|StartQuery|StartQueryExecution|CreateChangeSet)$"
)

# --- strict patterns for anything copied into a title ----------------------------------------------

ID_PATTERN = re.compile(
    r"^(?:[a-z]{1,12}-[0-9a-f]{6,40}"
    r"|arn:aws[a-z-]{0,10}:[a-z0-9-]{1,40}:[a-z0-9-]{0,30}:\d{0,12}:[A-Za-z0-9_/.:+=@-]{1,160}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/@+=-]{0,120}$")
EVENT_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]{2,80}$")
EXCEPTION_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.$]{2,120}(Exception|Error|Fault|Timeout|Exceeded|Denied|Throttled|Refused|Unavailable)$")
METRIC_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,120}$")
FINDING_TYPE_PATTERN = re.compile(r"^[A-Za-z0-9:/._!\-]{3,160}$")
_WORDY = re.compile(r"^[A-Za-z][A-Za-z0-9]{1,40}$")


def strict_id(value: object) -> str | None:
    text = str(value or "")
    return text if ID_PATTERN.match(text) else None


def strict_name(value: object) -> str | None:
    text = str(value or "").strip()
    if NAME_PATTERN.match(text) and not re.search(r"(ignore|instruction|prompt|system|assistant)", text, re.I):
        return text
    return None


def strict_exception(value: object) -> str | None:
    text = str(value or "").strip()
    return text if EXCEPTION_PATTERN.match(text) else None


def short(value: str, limit: int = 64) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def hhmm(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") + "Z" if moment else "?"


# --- hypotheses ------------------------------------------------------------------------------------


@dataclass
class Hypothesis:
    kind: str
    title: str
    score: float
    primary: list[Evidence]
    support: list[tuple[float, Evidence]] = field(default_factory=list)
    linked_strength: float = 0.0
    sources: set[str] = field(default_factory=set)
    confidence: str = "low"
    reason: str = ""
    proximity: float = 0.0
    anchor_strength: float = 0.0

    def evidence(self, limit: int = 6) -> list[Evidence]:
        chosen: list[Evidence] = list(self.primary)
        seen = {e.id for e in chosen}
        ordered = [e for _, e in sorted(self.support, key=lambda p: -p[0]) if e.id not in seen]
        # one per source first, so a hypothesis shows its cross-source corroboration
        per_source: list[Evidence] = []
        used_sources = {e.source for e in chosen}
        for item in ordered:
            if item.source not in used_sources:
                per_source.append(item)
                used_sources.add(item.source)
        for item in per_source + [e for e in ordered if e not in per_source]:
            if len(chosen) >= limit:
                break
            if item.id not in seen:
                chosen.append(item)
                seen.add(item.id)
        return chosen

    def ids(self) -> set[str]:
        return {e.id for e in self.primary} | {e.id for _, e in self.support}


def _category(change: Signal) -> list[tuple[str, re.Pattern[str]]]:
    name = str(change.evidence.attrs.get("event_name") or "")
    return [(label, symptom) for label, pattern, symptom in CATEGORIES if pattern.search(name)]


def _overlap(a: dict[str, float], b: dict[str, float], idf: dict[str, float]) -> float:
    return sum(weight * idf.get(token, 1.0) for token, weight in a.items() if token in b)


def _link(change: Signal, symptom: Signal, idf: dict[str, float], categories: list[tuple[str, re.Pattern[str]]]) -> float:
    """0..1: how well ``change`` explains ``symptom`` (shared resources, and a kind of change that explains it)."""
    overlap = min(1.0, _overlap(change.subject, symptom.tokens, idf) / 3.0)
    category = 0.0
    for label, pattern in categories:
        if not pattern.search(symptom.text):
            continue
        if label == "deploy":
            # deploys are frequent: one explains new errors only in the component it deployed
            fresh = symptom.kind == "trace_fault" or bool(symptom.evidence.attrs.get("new")) or symptom.kind == "error_pattern"
            category = max(category, 0.7 if fresh and overlap >= 0.25 else 0.15)
        else:
            category = max(category, 1.0)
    return min(1.0, 0.6 * overlap + 0.55 * category)


def _support(values: Iterable[float]) -> float:
    """The best link counts fully, further ones less and less (many weak links never add up to one strong)."""
    ordered = sorted((v for v in values if v >= 0.15), reverse=True)
    return _combine(v * (0.5 ** i) for i, v in enumerate(ordered))


def _causal(change_time: datetime | None, symptom: Signal) -> float:
    """A symptom that began well before the change cannot be its effect."""
    if change_time is None or symptom.onset is None:
        return 1.0
    return 0.2 if symptom.onset < change_time - timedelta(minutes=2) else 1.0


def _proximity(change_time: datetime | None, onset: datetime | None) -> float:
    if change_time is None:
        return 0.3
    if onset is None:
        return 0.35
    minutes = (onset - change_time).total_seconds() / 60.0
    if 0 <= minutes <= 10:
        return 1.0
    if 10 < minutes <= 30:
        return 0.8
    if 30 < minutes <= 90:
        return 0.5
    if minutes > 90:
        return 0.25
    if minutes >= -2:
        return 0.95  # within the bucket resolution of the onset estimate
    if minutes >= -4:
        return 0.5
    return 0.08  # after the problem began: a reaction, not a cause


def _combine(values: Iterable[float]) -> float:
    remaining = 1.0
    for value in values:
        remaining *= 1.0 - max(0.0, min(1.0, value))
    return 1.0 - remaining


def _change_title(change: Signal, onset: datetime | None, mentioned: set[str] | None = None) -> str:
    a = change.evidence.attrs
    event = str(a.get("event_name") or "")
    event = event if EVENT_PATTERN.match(event) else "a change"
    raw = [r for r in (a.get("resources") or []) if isinstance(r, str)]
    # A resource the failing symptoms also name is the one to show (a plain name only when it passes the strict
    # name pattern); otherwise an id or ARN that passes the strict id pattern.
    named = [r for r in raw if mentioned and r.lower() in mentioned and (strict_id(r) or (strict_name(r) and len(r) <= 64))]
    ids = [r for r in (strict_id(r) for r in raw) if r]
    plain = [r for r in ids if not r.startswith("arn:")]
    arns = sorted((r for r in ids if r.startswith("arn:")), key=lambda r: (-r.count("/"), len(r)))
    shown = [_short_arn(r) for r in (named[:1] + (plain or arns)[:1])]
    shown = [r for i, r in enumerate(shown) if r not in shown[:i] and not any(r in other for other in shown[:i])]
    resource = shown[0] + (f" ({shown[1]})" if len(shown) > 1 else "") if shown else None
    when = as_time(change.evidence.time) if change.evidence.time else None
    title = f"CloudTrail change {event}"
    if resource:
        title += f" on {short(resource, 120)}"
    if when is not None:
        title += f" at {hhmm(when)}"
        if onset is not None:
            minutes = round((onset - when).total_seconds() / 60)
            if minutes > 0:
                title += f", {minutes} min before the onset"
            elif minutes == 0:
                title += ", at the onset"
    return title


def _same_operation(a: Evidence, b: Evidence, minutes: float = 5.0) -> bool:
    """Two changes by one principal, minutes apart, on a shared resource (or the same task family)."""
    if a.time is None or b.time is None or abs((a.time - b.time).total_seconds()) > minutes * 60:
        return False
    arns_a = {str(r) for r in a.attrs.get("resources") or [] if str(r).startswith("arn:")}
    arns_b = {str(r) for r in b.attrs.get("resources") or [] if str(r).startswith("arn:")}
    if arns_a & arns_b:
        return True  # the same resource changed twice within minutes (e.g. a rotation and its steps)
    if (a.attrs.get("principal") or "") != (b.attrs.get("principal") or "") or not a.attrs.get("principal"):
        return False

    def names(item: Evidence) -> set[str]:
        found = set()
        for resource in item.attrs.get("resources") or []:
            text = str(resource).lower()
            found.add(text)
            found.add(_short_arn(text).split(":")[0].rsplit("/", 1)[-1])  # task-definition/pricing:113 -> pricing
        return {n for n in found if len(n) >= 3}

    return bool(names(a) & names(b))


def _short_arn(value: str) -> str:
    """The resource part of an ARN (``task-definition/pricing:113``); other ids unchanged."""
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[5]:
            return parts[5]
    return value


def _fault_title(anchor: Signal) -> str:
    a = anchor.evidence.attrs
    kind = anchor.kind
    if kind == "trace_fault":
        exception = strict_exception(a.get("exception"))
        service = strict_name(a.get("service"))
        downstream = a.get("downstream")
        downstream_words = [w for w in str(downstream or "").split() if NAME_PATTERN.match(w)][:4]
        title = f"X-Ray: {exception or 'faults'}"
        if service:
            title += f" in {service}"
        if downstream_words:
            title += f" calling {' '.join(downstream_words)}"
        return title
    if kind == "metric_shift":
        metric = str(a.get("metric") or "")
        metric = metric if METRIC_PATTERN.match(metric) else "a metric"
        dims = a.get("dimensions") if isinstance(a.get("dimensions"), dict) else {}
        dim = next((strict_name(v) for v in dims.values() if strict_name(v)), None)
        direction = "rose" if str(a.get("direction", "up")) == "up" else "fell"
        before, after = number(a.get("before")), number(a.get("after"))
        change = f" ({before:g} -> {after:g})" if before or after else ""
        moment = as_time(a.get("change_time"))
        return f"Metric {metric}{' of ' + short(dim, 80) if dim else ''} {direction}{change}" + (f" at {hhmm(moment)}" if moment else "")
    if kind == "error_pattern":
        keywords = a.get("keywords") if isinstance(a.get("keywords"), list) else []
        exception = next((strict_exception(k) for k in keywords if strict_exception(k)), None)
        groups = [strict_name(g) for g in (a.get("log_groups") or []) if strict_name(g)]
        new = "New error pattern" if a.get("new") else "Error surge"
        what = f" ({exception})" if exception else f" {anchor.evidence.id}"
        return f"{new}{what}" + (f" in {groups[0]}" if groups else "")
    if kind in ("alb_errors", "alb_latency"):
        lb = strict_name(a.get("load_balancer"))
        status = str(a.get("status_class") or "5xx")
        status = status if re.fullmatch(r"[2-5]xx", status) else "5xx"
        what = f"{status} errors" if kind == "alb_errors" else "latency"
        return f"Load balancer {what}" + (f" on {lb}" if lb else "")
    if kind == "failed_call":
        code = str(a.get("error_code") or "")
        code = code if _WORDY.match(code) else "errors"
        event = str(a.get("event_name") or "")
        return f"Failed AWS API calls ({code})" + (f" on {event}" if EVENT_PATTERN.match(event) else "")
    return f"Anomaly in {anchor.source}"


def _severity_weight(value: object) -> float:
    text = str(value or "").upper()
    mapping = {"CRITICAL": 0.75, "HIGH": 0.6, "MEDIUM": 0.35, "LOW": 0.12, "INFORMATIONAL": 0.02}
    if text in mapping:
        return mapping[text]
    score = number(value, -1)
    if score >= 0:
        # GuardDuty 0-10 (7+ high), Security Hub normalized 0-100
        score = score / 10 if score > 10 else score
        return 0.75 if score >= 9 else 0.6 if score >= 7 else 0.35 if score >= 4 else 0.12
    return 0.3


def _security_title(finding: Signal, others: int = 0) -> str:
    a = finding.evidence.attrs
    finding_type = str(a.get("finding_type") or "")
    finding_type = finding_type if FINDING_TYPE_PATTERN.match(finding_type) else "security finding"
    resources = [strict_id(r) or strict_name(r) for r in (a.get("resources") or []) if isinstance(r, str)]
    resource = next((r for r in resources if r), None)
    service = "GuardDuty" if finding.source == "guardduty" else "Security Hub"
    more = f" (+{others} related finding{'s' if others > 1 else ''})" if others else ""
    return f"Possible security incident: {service} {short(finding_type, 90)}{more}" + (f" on {short(resource, 80)}" if resource else "")


def _idf(signals: list[Signal], changes: list[Signal]) -> dict[str, float]:
    """Tokens in many changes tell little about which one matters: weight them down."""
    idf: dict[str, float] = {}
    counts: dict[str, int] = {}
    for change in changes:
        for token in change.tokens:
            counts[token] = counts.get(token, 0) + 1
    for token, count in counts.items():
        idf[token] = 1.0 / math.sqrt(count)
    return idf


def rank(
    signals: list[Signal],
    onset: datetime | None,
    window: Window,
    focus: str | None = None,
    limit: int = 5,
    onset_basis: list[Signal] | None = None,
) -> list[Hypothesis]:
    symptoms = [s for s in signals if s.strength > 0]
    strong = [s for s in symptoms if s.strength >= 0.3]
    changes = [
        s for s in signals
        if s.kind == "change" and not s.evidence.attrs.get("read_only") and not s.evidence.attrs.get("error_code")
    ]
    findings = [s for s in signals if s.kind == "finding"]
    idf = _idf(signals, changes)
    hypotheses: list[Hypothesis] = []

    # Changes.
    for change in changes:
        categories = _category(change)
        when = change.evidence.time or as_time(change.evidence.attrs.get("onset"))
        prox = _proximity(when, onset)
        links = [(symptom.strength * _link(change, symptom, idf, categories) * _causal(when, symptom), symptom) for symptom in symptoms]
        links = [(value, s) for value, s in links if value >= 0.15]
        support = _support(value for value, _ in links)
        sources = {s.source for value, s in links if value >= 0.2} | {"cloudtrail"}
        score = prox * (0.15 + support) + 0.07 * (len(sources) - 1)
        if INERT.match(str(change.evidence.attrs.get("event_name") or "")):
            score *= 0.3
        mentioned = {t for value, symptom in links if value >= 0.15 for t in symptom.tokens}
        hypothesis = Hypothesis("change", _change_title(change, onset, mentioned), score, [change.evidence],
                                [(v, s.evidence) for v, s in links], support, sources)
        hypothesis.reason = f"proximity {prox:.2f}, linked symptoms {support:.2f} from {len(sources)} source(s)"
        hypothesis.proximity = prox
        hypotheses.append(hypothesis)

    # Security findings: active findings on the same resource/principal make one hypothesis.
    groups: dict[str, list[Signal]] = {}
    for finding in findings:
        resources = [str(r) for r in (finding.evidence.attrs.get("resources") or []) if isinstance(r, str)]
        key = ("standing:" if finding.evidence.attrs.get("standing") else "") + (resources[0].lower() if resources else finding.evidence.id)
        groups.setdefault(key, []).append(finding)
    for members in groups.values():
        members.sort(key=lambda f: -_severity_weight(f.evidence.attrs.get("severity")))
        finding = members[0]
        subject: dict[str, float] = {}
        for member in members:
            for token, weight in member.subject.items():
                subject[token] = max(subject.get(token, 0.0), weight)
        standing = bool(finding.evidence.attrs.get("standing"))
        severity = _severity_weight(finding.evidence.attrs.get("severity"))
        trail = []
        for change in [s for s in signals if s.source == "cloudtrail"]:
            overlap = min(1.0, _overlap(subject, change.subject, {}) / 3.0)
            suspicious = bool(SUSPICIOUS.match(str(change.evidence.attrs.get("event_name") or "")))
            value = overlap * (1.0 if suspicious or change.kind == "failed_call" else 0.6)
            if suspicious and overlap == 0 and not standing:
                value = 0.25
            if value >= 0.2:
                trail.append((value, change))
        trail_link = _support(v for v, _ in trail)
        symptom_links = [(min(1.0, _overlap(subject, s.tokens, idf) / 3.0) * s.strength, s) for s in symptoms]
        symptom_links = [(v, s) for v, s in symptom_links if v >= 0.15]
        symptom_link = _support(v for v, _ in symptom_links)
        if standing:
            if symptom_link < 0.3:
                continue  # a standing finding on an unrelated resource is not a cause
            score = 0.15 * severity + 0.2 * symptom_link
        else:
            score = severity + 0.5 * trail_link + 0.25 * symptom_link + 0.1 * min(2, len(members) - 1)
            if trail_link == 0 and symptom_link < 0.2:
                score *= 0.6
        sources = {m.source for m in members} | {s.source for _, s in trail} | {s.source for v, s in symptom_links if v >= 0.2}
        support = [(0.9, m.evidence) for m in members[1:]] + [(v, s.evidence) for v, s in trail] + [(v, s.evidence) for v, s in symptom_links]
        title = _security_title(finding, len(members) - 1)
        if standing:
            title = "Standing " + title.split(": ", 1)[-1] + " on an affected resource"
        hypothesis = Hypothesis("security", title, score, [finding.evidence], support, _combine([trail_link, symptom_link]), sources)
        hypothesis.reason = f"severity {severity:.2f}, {len(members)} finding(s), CloudTrail link {trail_link:.2f}, symptom link {symptom_link:.2f}"
        hypotheses.append(hypothesis)

    # Fault anchors (a symptom group without a change).
    anchors = [s for s in strong if s.kind in ("trace_fault", "metric_shift", "error_pattern", "alb_errors", "alb_latency", "failed_call")]
    for anchor in anchors:
        links = []
        for other in symptoms:
            if other is anchor:
                continue
            overlap = min(1.0, _overlap(anchor.subject or anchor.tokens, other.tokens, idf) / 3.0)
            near = 1.0
            if onset is not None and other.onset is not None and abs((other.onset - onset).total_seconds()) > 20 * 60:
                near = 0.5
            value = other.strength * overlap * near
            if value >= 0.15:
                links.append((value, other))
        support = _combine([anchor.strength, 0.6 * _support(v for v, _ in links)])
        sources = {anchor.source} | {s.source for v, s in links if v >= 0.2}
        weight = {"trace_fault": 0.8, "metric_shift": 0.75, "error_pattern": 0.7, "failed_call": 0.6}.get(anchor.kind, 0.55)
        if anchor.kind == "metric_shift" and re.search(r"5xx|4xx|latency|responsetime|duration", str(anchor.evidence.attrs.get("metric", "")), re.I):
            weight = 0.5  # an error/latency metric is a symptom, rarely the cause itself
        if onset is not None and anchor.onset is not None and abs((anchor.onset - onset).total_seconds()) > 15 * 60:
            weight *= 0.6  # began long before or after the problem asked about
        score = weight * support + 0.06 * (len(sources) - 1)
        hypothesis = Hypothesis("fault", _fault_title(anchor), score, [anchor.evidence], [(v, s.evidence) for v, s in links], support, sources)
        hypothesis.reason = f"anchor strength {anchor.strength:.2f}, corroborated by {len(sources)} source(s)"
        hypothesis.anchor_strength = anchor.strength
        hypotheses.append(hypothesis)

    # Focus: hypotheses about the named service get a small lift.
    if focus:
        needle = focus.lower().strip("/")
        for hypothesis in hypotheses:
            if any(needle and needle in (e.summary.lower() + " " + str(e.attrs).lower()) for e in hypothesis.evidence(10)):
                hypothesis.score *= 1.1

    # Changes by the same principal on the same resource within minutes are one operation (RotateSecret +
    # PutSecretValue + UpdateSecretVersionStage; RegisterTaskDefinition + UpdateService): keep the strongest.
    changes_ranked = sorted((h for h in hypotheses if h.kind == "change"), key=lambda h: -h.score)
    merged: set[int] = set()
    for index, keeper in enumerate(changes_ranked):
        if id(keeper) in merged:
            continue
        related = 0
        for other in changes_ranked[index + 1:]:
            if id(other) in merged or not _same_operation(keeper.primary[0], other.primary[0]):
                continue
            merged.add(id(other))
            keeper.support.append((0.5, other.primary[0]))
            related += 1
        if related:
            keeper.title += f" (+{related} related change{'s' if related > 1 else ''})"
    hypotheses = [h for h in hypotheses if id(h) not in merged]

    # A change just before the onset that explains a fault anchor is that fault's cause: it inherits the fault's
    # weight, and the fault (the same story seen from the symptom side) drops below it.
    faults = {h.primary[0].id: h for h in hypotheses if h.kind == "fault"}
    for cause in [h for h in hypotheses if h.kind == "change" and h.proximity >= 0.5
                  and not INERT.match(str(h.primary[0].attrs.get("event_name") or ""))]:
        for value, item in cause.support:
            fault = faults.get(item.id)
            strength = fault.anchor_strength if fault else 0.0
            if fault is None or strength <= 0 or value / strength < 0.5:
                continue
            inherited = fault.score * cause.proximity * min(1.0, (value / strength) / 0.6)
            if inherited > cause.score:
                cause.score = inherited
                cause.reason += f"; explains {fault.primary[0].id}"
            fault.score = min(fault.score, cause.score * 0.9)

    # A cause that explains symptoms at the onset also explains the other symptoms that began with them.
    hypotheses.sort(key=lambda h: -h.score)
    if onset_basis and hypotheses and hypotheses[0].kind != "fault" and hypotheses[0].linked_strength >= 0.5:
        top = hypotheses[0]
        linked = top.ids()
        if any(s.evidence.id in linked for s in onset_basis):
            for item in onset_basis:
                if item.evidence.id not in linked:
                    top.support.append((0.1 + 0.05 * item.strength, item.evidence))

    kept: list[Hypothesis] = []
    explained: set[str] = set()
    for hypothesis in hypotheses:
        ids = hypothesis.ids()
        if hypothesis.kind == "fault":
            primary = hypothesis.primary[0].id
            if primary in explained:
                continue  # already part of a stronger hypothesis's story
            if any(ids <= k.ids() for k in kept if k.kind == "fault"):
                continue
        if hypothesis.score < 0.1:
            continue
        kept.append(hypothesis)
        if hypothesis.kind != "fault" and hypothesis.linked_strength >= 0.4:
            explained |= {e.id for v, e in hypothesis.support if v >= 0.1}
    kept.sort(key=lambda h: -h.score)

    max_symptom = max((s.strength for s in symptoms), default=0.0)
    quiet = max_symptom < 0.3
    for hypothesis in kept:
        evidence_sources = {e.source for e in hypothesis.evidence()}
        if hypothesis.score >= 0.85 and len(evidence_sources) >= 2 and hypothesis.linked_strength >= 0.5:
            hypothesis.confidence = "high"
        elif hypothesis.score >= 0.45:
            hypothesis.confidence = "medium"
        else:
            hypothesis.confidence = "low"
        if quiet and hypothesis.kind != "security":
            hypothesis.confidence = "low"
            hypothesis.score *= 0.5
    # Only one cause can be "high": a close second is at most medium.
    highs = [h for h in kept if h.confidence == "high"]
    for runner_up in highs[1:]:
        if runner_up.score < highs[0].score * 0.9 or runner_up.kind == highs[0].kind:
            runner_up.confidence = "medium"
    # Unlinked changes are context, not causes: keep at most two of them.
    result: list[Hypothesis] = []
    unlinked = 0
    for hypothesis in kept:
        if hypothesis.kind == "change" and hypothesis.linked_strength < 0.15:
            unlinked += 1
            if unlinked > 2:
                continue
        result.append(hypothesis)
    return result[:limit]
