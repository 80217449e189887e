"""Normalise findings: Security Hub ASFF and GuardDuty findings (service camelCase or boto3 PascalCase) into
``Finding``; GuardDuty findings that Security Hub carries are recognised and keyed by their GuardDuty id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tools.common.timewindow import parse_instant, to_utc
from tools.findings.model import SEVERITIES, Finding

_MAIN_NAME = {  # GuardDuty resourceType -> where its main name is
    "Instance": ("instanceDetails", "instanceId"),
    "AccessKey": ("accessKeyDetails", "userName"),
    "EKSCluster": ("eksClusterDetails", "name"),
    "ECSCluster": ("ecsClusterDetails", "name"),
    "Lambda": ("lambdaDetails", "functionName"),
    "RDSDBInstance": ("rdsDbInstanceDetails", "dbInstanceIdentifier"),
    "Container": ("containerDetails", "name"),
    "KubernetesCluster": ("kubernetesDetails", "kubernetesWorkloadDetails", "name"),
}


def camel(value: Any) -> Any:
    """boto3's PascalCase keys to the service's camelCase (``EventFirstSeen`` -> ``eventFirstSeen``)."""
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:] if isinstance(k, str) else k): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def moment(value: Any) -> datetime | None:
    """An ISO 8601 string, a datetime (boto3) or epoch seconds/ms, as UTC; None when unreadable."""
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return parse_instant(str(int(value)), datetime.now().astimezone())
        except ValueError:
            return None
    if isinstance(value, str) and value:
        try:
            return parse_instant(value, datetime.now().astimezone())
        except ValueError:
            return None
    return None


def label_from_score(score: float, scale: float = 10.0) -> str:
    """A severity label from GuardDuty's 0-10 score (``scale`` 100 for ASFF's Normalized)."""
    value = score * 10.0 / scale
    if value >= 9:
        return "CRITICAL"
    if value >= 7:
        return "HIGH"
    if value >= 4:
        return "MEDIUM"
    if value >= 1 or (scale == 100 and score >= 1):
        return "LOW"
    return "INFORMATIONAL"


def _text(value: Any, limit: int = 2000) -> str:
    return str(value)[:limit] if value is not None else ""


def _get(document: dict[str, Any], *path: str) -> Any:
    current: Any = document
    for key in path:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current


def guardduty_id_of(asff: dict[str, Any]) -> str | None:
    """The GuardDuty finding id inside an ASFF finding that Security Hub imported from GuardDuty, else None."""
    product = _text(asff.get("ProductArn"))
    generator = _text(asff.get("GeneratorId"))
    fields = asff.get("ProductFields") if isinstance(asff.get("ProductFields"), dict) else {}
    from_guardduty = product.endswith("/guardduty") or ":guardduty:" in generator or fields.get("aws/securityhub/ProductName") == "GuardDuty"
    finding_id = _text(asff.get("Id"))
    if not from_guardduty or "/finding/" not in finding_id:
        return None
    return finding_id.rsplit("/finding/", 1)[1] or None


def _guardduty_type(asff_type: str) -> str:
    """ASFF's ``TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce`` -> ``UnauthorizedAccess:EC2/SSHBruteForce``."""
    name = asff_type.rsplit("/", 1)[-1]
    purpose, _, rest = name.partition(":")
    return f"{purpose}:{rest.replace('-', '/', 1)}" if rest else name


def _asff_severity(asff: dict[str, Any]) -> str:
    severity = asff.get("Severity") if isinstance(asff.get("Severity"), dict) else {}
    label = severity.get("Label") or _get(asff, "ProductFields", "aws/securityhub/SeverityLabel")
    if isinstance(label, str) and label.upper() in SEVERITIES:
        return label.upper()
    normalized = severity.get("Normalized")
    return label_from_score(float(normalized), 100) if isinstance(normalized, (int, float)) else "INFORMATIONAL"


def from_asff(asff: dict[str, Any]) -> Finding:
    """A Security Hub (ASFF) finding."""
    fields = asff.get("ProductFields") if isinstance(asff.get("ProductFields"), dict) else {}
    resources = [r for r in asff.get("Resources") or [] if isinstance(r, dict)]
    first = resources[0] if resources else {}
    control = _get(asff, "Compliance", "SecurityControlId") or fields.get("ControlId") or fields.get("RuleId")
    types = [t for t in asff.get("Types") or [] if isinstance(t, str)]
    gd_id = guardduty_id_of(asff)
    workflow = _get(asff, "Workflow", "Status") or asff.get("WorkflowState") or "NEW"
    finding_type = _text(control) or (_guardduty_type(types[0]) if gd_id and types else (types[0] if types else _text(asff.get("GeneratorId"), 200)))
    return Finding(
        source="guardduty" if gd_id else "securityhub",
        finding_id=gd_id or _text(asff.get("Id"), 512),
        finding_type=finding_type[:200] or "unknown",
        title=_text(asff.get("Title")),
        description=_text(asff.get("Description")),
        severity=_asff_severity(asff),
        resource_type=_text(first.get("Type"), 100) or "unknown",
        resource_id=_text(first.get("Id"), 512) or _text(asff.get("AwsAccountId")),
        resources=tuple(_text(r.get("Id"), 512) for r in resources if r.get("Id"))[:10],
        first_seen=moment(asff.get("FirstObservedAt")) or moment(asff.get("CreatedAt")),
        last_seen=moment(asff.get("LastObservedAt")) or moment(asff.get("UpdatedAt")),
        updated=moment(asff.get("UpdatedAt")),
        count=_int(fields.get("aws/guardduty/service/count"), 1),
        active=asff.get("RecordState", "ACTIVE") == "ACTIVE" and workflow in ("NEW", "NOTIFIED"),
        product=_text(fields.get("aws/securityhub/ProductName"), 100) or ("GuardDuty" if gd_id else "Security Hub"),
        control=bool(control),
        via_securityhub=bool(gd_id),
    )


def _int(value: Any, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _guardduty_resource(resource: dict[str, Any]) -> tuple[str, list[str]]:
    """The main resource name of a GuardDuty finding (by its resourceType) and every name it mentions."""
    named = {kind: _get(resource, *path) for kind, path in _MAIN_NAME.items()}
    buckets = [b["name"] for b in resource.get("s3BucketDetails") or [] if isinstance(b, dict) and b.get("name")]
    tags = [f"Name={t['value']}" for t in _get(resource, "instanceDetails", "tags") or []
            if isinstance(t, dict) and t.get("key") == "Name" and t.get("value")]
    kind = str(resource.get("resourceType"))
    main = buckets[0] if kind == "S3Bucket" and buckets else named.get(kind)
    names = [main, *named.values(), *buckets, *tags]
    unique = list(dict.fromkeys(_text(n, 512) for n in names if isinstance(n, str) and n))
    return (unique[0] if unique else "unknown"), unique


def from_guardduty(raw: dict[str, Any]) -> Finding:
    """A GuardDuty finding in either casing (an EventBridge event's ``detail`` is accepted too)."""
    doc = camel(raw)
    if isinstance(doc.get("detail"), dict) and "type" in doc["detail"]:
        doc = doc["detail"]
    resource = doc.get("resource") if isinstance(doc.get("resource"), dict) else {}
    service = doc.get("service") if isinstance(doc.get("service"), dict) else {}
    main, names = _guardduty_resource(resource)
    score = doc.get("severity")
    return Finding(
        source="guardduty",
        finding_id=_text(doc.get("id"), 256),
        finding_type=_text(doc.get("type"), 200) or "unknown",
        title=_text(doc.get("title")),
        description=_text(doc.get("description")),
        severity=label_from_score(float(score)) if isinstance(score, (int, float)) and not isinstance(score, bool) else "INFORMATIONAL",
        resource_type=_text(resource.get("resourceType"), 100) or "unknown",
        resource_id=main,
        resources=tuple(names[:10]),
        first_seen=moment(service.get("eventFirstSeen")) or moment(doc.get("createdAt")),
        last_seen=moment(service.get("eventLastSeen")) or moment(doc.get("updatedAt")),
        updated=moment(doc.get("updatedAt")),
        count=_int(service.get("count"), 1),
        active=service.get("archived") not in (True, "true"),
        product="GuardDuty",
    )
