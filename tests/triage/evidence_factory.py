"""Constructed evidence for ranking tests: the attrs each tool documents in tools/common/evidence.py."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tools.common.evidence import Evidence, evidence_id
from tools.common.timewindow import Window, iso

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
WINDOW = Window(T0, T0 + timedelta(hours=2))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def change(event: str, source: str, minute: float, resources: list[str], request: str = "", principal: str = "arn:aws:sts::123456789012:assumed-role/deployer/ci") -> Evidence:
    return Evidence(evidence_id("cloudtrail", event, minute, *resources), "cloudtrail", "change",
                    f"{event} by deployer on {', '.join(resources)}", at(minute),
                    "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/abc",
                    attrs={"event_name": event, "event_source": source, "event_id": "e-" + event, "principal": principal,
                           "principal_type": "AssumedRole", "error_code": None, "read_only": False,
                           "minutes_before_window": None, "request": request, "resources": resources, "onset": iso(at(minute))})


def failed_call(event: str, minute: float, code: str, principal: str, count: int, resources: list[str]) -> Evidence:
    return Evidence(evidence_id("cloudtrail", "failed", event, principal), "cloudtrail", "failed_call",
                    f"{count} failed {event} calls ({code}) by {principal}", at(minute), None,
                    attrs={"event_name": event, "event_source": "x", "error_code": code, "principal": principal, "count": count,
                           "read_only": True, "resources": resources, "onset": iso(at(minute))})


def pattern(template: str, minute: float | None, count: int, baseline: int = 0, new: bool = True, group: str = "/ecs/checkout", keywords: list[str] | None = None) -> Evidence:
    return Evidence(evidence_id("logs", template), "logs", "error_pattern", f"{count}x {template}", at(minute) if minute is not None else None,
                    "https://us-east-1.console.aws.amazon.com/cloudwatch/home#logsV2:logs-insights",
                    attrs={"template": template, "count": count, "baseline_count": baseline, "new": new,
                           "first_seen": iso(at(minute)) if minute is not None else None, "last_seen": iso(at(110)), "log_groups": [group],
                           "trend": [], "bucket_seconds": 300, "severity": "error", "keywords": keywords or [],
                           "resources": [group], "onset": iso(at(minute)) if (minute is not None and new) else None})


def alb(minute: float, count: int, baseline: int, share: float, lb: str = "app/shop/50dc6c495c0c9188") -> Evidence:
    return Evidence(evidence_id("alb", lb, "5xx"), "alb", "alb_errors", f"{count} 5xx on {lb}", at(minute), None,
                    attrs={"load_balancer": lb, "path": "/api/checkout", "status_class": "5xx", "count": count, "baseline_count": baseline,
                           "share": share, "targets": ["10.0.1.5:8080"], "target_groups": ["checkout-tg"], "error_reasons": [],
                           "resources": [lb], "onset": iso(at(minute))})


def metric(name: str, namespace: str, dims: dict[str, str], minute: float, before: float, after: float, score: float = 0.8) -> Evidence:
    magnitude = (after - before) / before if before else 10.0
    return Evidence(evidence_id("metrics", namespace, name, *dims.values()), "metrics", "metric_shift",
                    f"{namespace} {name} {before} -> {after}", at(minute), "https://console/metrics",
                    attrs={"namespace": namespace, "metric": name, "dimensions": dims, "statistic": "Sum", "unit": "Count",
                           "before": before, "after": after, "change_time": iso(at(minute)), "direction": "up" if after > before else "down",
                           "magnitude": magnitude, "score": score, "resources": list(dims.values()), "onset": iso(at(minute))})


def trace(service: str, exception: str, downstream: str, minute: float, count: int, resources: list[str] | None = None) -> Evidence:
    return Evidence(evidence_id("xray", service, exception, downstream), "xray", "trace_fault",
                    f"{count} trace(s): {service} → {downstream}: {exception}", at(minute), "https://console/xray",
                    attrs={"service": service, "entity_path": service, "exception": exception, "message": "", "downstream": downstream,
                           "count": count, "kind": "fault", "trace_ids": ["1-abc"], "resources": resources or [], "onset": iso(at(minute))})


def finding(source: str, finding_type: str, severity: str, minute: float, resources: list[str], standing: bool = False) -> Evidence:
    return Evidence(evidence_id(source, finding_type, *resources), source, "finding", f"{severity} {finding_type} on {resources}", at(minute),
                    "https://console/findings",
                    attrs={"severity": severity, "finding_type": finding_type, "resource_type": "AwsIamUser", "first_seen": iso(at(minute)),
                           "last_seen": iso(at(minute + 5)), "count": 3, "standing": standing, "resources": resources,
                           "onset": iso(at(minute))})
