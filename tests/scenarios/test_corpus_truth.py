"""The corpus truth matcher: only the decisive event, resource, exception or finding counts, never a symptom."""

from __future__ import annotations

from agent.scenarios.corpus.truth import (Truth, control_ok, control_quiet, matches, metric_fact, rank_of_truth)
from tools.common.evidence import evidence_id
from tools.metrics.model import series_id

CHANGE = "5f0c3c1e-1111-4a7b-8c9d-0e1f2a3b4c5d"
OTHER_DEPLOY = "9a8b7c6d-2222-4a7b-8c9d-0e1f2a3b4c5d"

CHANGE_TRUTH = Truth(kind="deploy-bad-code", category="compute", description="d", onset="2026-01-01T10:00:00Z",
                     events=(CHANGE,), event_names=("UpdateService",))
RESOURCE_TRUTH = Truth(kind="db-connections-exhausted", category="data store", description="d", onset="2026-01-01T10:00:00Z",
                       metrics=(metric_fact("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "ledger-prod"}),))
DEPENDENCY_TRUTH = Truth(kind="dependency-slow", category="external dependency", description="d", onset="2026-01-01T10:00:00Z",
                         hosts=("rates.partnerbank.example",))
POISON_TRUTH = Truth(kind="poison-request", category="poison input", description="d", onset="2026-01-01T10:00:00Z",
                     exceptions=("com.fasterxml.jackson.databind.exc.InvalidFormatException",))
FINDING_TRUTH = Truth(kind="leaked-key-with-finding", category="security", description="d", onset="2026-01-01T10:00:00Z",
                      findings=("UnauthorizedAccess:IAMUser/TorIPCaller",))
CONTROL = Truth(kind="control-quiet", category="control", description="d", onset=None, control=True)

ALB_5XX = {"id": "A-00000001", "source": "alb", "summary": "HTTP 500 on POST /api/quote: 412 of 2,310 requests (18%)"}
XRAY_FAULT = {"id": "X-00000002", "source": "xray", "summary": "37 trace(s): pricing: java.lang.NullPointerException"}
LOG_NPE = {"id": "L-00000003", "source": "logs", "summary": "NEW 400 lines of ⟦ERROR Unhandled exception ... UpdateService ...⟧"}


def hyp(*evidence: dict, confidence: str = "high") -> dict:
    return {"rank": 1, "title": "t", "confidence": confidence, "evidence": list(evidence)}


def cloudtrail(event_id: str, summary: str = "UpdateService on pricing (task-definition/pricing:113)") -> dict:
    return {"id": evidence_id("cloudtrail", event_id), "source": "cloudtrail", "summary": summary}


def test_the_decisive_change_matches_by_event_id() -> None:
    assert matches(hyp(ALB_5XX, cloudtrail(CHANGE)), CHANGE_TRUTH)
    assert matches(hyp({"id": "C-x", "source": "cloudtrail", "summary": "s", "attrs": {"event_id": CHANGE}}), CHANGE_TRUTH)


def test_symptoms_alone_do_not_match_even_when_they_name_the_event() -> None:
    assert not matches(hyp(ALB_5XX, XRAY_FAULT, LOG_NPE), CHANGE_TRUTH)
    # the title is not evidence
    assert not matches({"rank": 1, "title": "UpdateService on pricing", "confidence": "high", "evidence": [ALB_5XX]}, CHANGE_TRUTH)


def test_another_event_with_the_same_name_does_not_match() -> None:
    assert not matches(hyp(cloudtrail(OTHER_DEPLOY)), CHANGE_TRUTH)


def test_resource_matches_only_the_saturated_series() -> None:
    right = {"id": series_id("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "ledger-prod"}), "source": "metrics",
             "summary": "DatabaseConnections up"}
    other_db = {"id": series_id("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": "reports"}), "source": "metrics",
                "summary": "DatabaseConnections of ledger-prod's replica up"}
    front = {"id": series_id("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": "app/x/1"}), "source": "metrics",
             "summary": "HTTPCode_Target_5XX_Count up: ledger-prod DatabaseConnections"}
    assert matches(hyp(right), RESOURCE_TRUTH)
    assert not matches(hyp(other_db, front, ALB_5XX), RESOURCE_TRUTH)
    by_attrs = {"id": "M-other", "source": "metrics", "summary": "s",
                "attrs": {"namespace": "AWS/RDS", "metric": "DatabaseConnections", "dimensions": {"DBInstanceIdentifier": "ledger-prod"}}}
    assert matches(hyp(by_attrs), RESOURCE_TRUTH)


def test_dependency_needs_its_host_in_log_trace_or_alb_evidence() -> None:
    timeout = {"id": "X-1", "source": "xray", "summary": "checkout → rates.partnerbank.example: java.net.SocketTimeoutException"}
    generic = {"id": "X-2", "source": "xray", "summary": "checkout: java.net.SocketTimeoutException"}
    assert matches(hyp(timeout), DEPENDENCY_TRUTH)
    assert not matches(hyp(generic, ALB_5XX), DEPENDENCY_TRUTH)
    # a metric that mentions the host is not the dependency's failure
    assert not matches(hyp({"id": "M-1", "source": "metrics", "summary": "rates.partnerbank.example latency"}), DEPENDENCY_TRUTH)


def test_exception_needs_the_class_not_a_truncated_prefix() -> None:
    full = {"id": "L-1", "source": "logs", "summary": "NEW 60 lines: com.fasterxml.jackson.databind.exc.InvalidFormatException: Cannot deserialize"}
    cut = {"id": "L-2", "source": "logs", "summary": "NEW 60 lines: com.fasterxml.jackson.datab…"}
    assert matches(hyp(full), POISON_TRUTH)
    assert not matches(hyp(cut, ALB_5XX), POISON_TRUTH)


def test_finding_matches_its_type_in_finding_sources_only() -> None:
    gd = {"id": "G-1", "source": "guardduty", "summary": "HIGH: GuardDuty detected UnauthorizedAccess:IAMUser/TorIPCaller on AKIA…"}
    assert matches(hyp(gd), FINDING_TRUTH)
    assert not matches(hyp({"id": "L-9", "source": "logs", "summary": "UnauthorizedAccess:IAMUser/TorIPCaller"}), FINDING_TRUTH)


def test_rank_and_controls() -> None:
    hypotheses = [hyp(ALB_5XX), hyp(cloudtrail(OTHER_DEPLOY)), hyp(cloudtrail(CHANGE), confidence="medium")]
    assert rank_of_truth(hypotheses, CHANGE_TRUTH) == 3
    assert rank_of_truth(hypotheses[:2], CHANGE_TRUTH) is None
    assert not matches(hyp(cloudtrail(CHANGE)), CONTROL)
    assert control_ok([hyp(ALB_5XX, confidence="medium")]) and not control_ok([hyp(ALB_5XX, confidence="high")])
    assert control_quiet([]) and not control_quiet([hyp(ALB_5XX, confidence="medium")])


def test_a_hypothesis_leading_with_another_change_does_not_match_through_its_symptoms() -> None:
    timeout = {"id": "X-1", "source": "xray", "summary": "checkout → rates.partnerbank.example: java.net.SocketTimeoutException"}
    assert not matches(hyp(cloudtrail(OTHER_DEPLOY, "DeregisterTargets on targetgroup/admin-tg"), timeout), DEPENDENCY_TRUTH)
    assert matches(hyp(timeout, cloudtrail(OTHER_DEPLOY)), DEPENDENCY_TRUTH)
    assert matches(hyp(cloudtrail(CHANGE), ALB_5XX), CHANGE_TRUTH)
