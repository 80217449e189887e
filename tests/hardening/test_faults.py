"""Fault injection across triage in AWS mode: one source fails, the investigation still answers.

Set-up (``stubbed`` fixture): no snapshot; every client the tools use (``logs``, ``athena``, ``cloudtrail``,
``cloudwatch``, ``xray``, ``securityhub``, ``guardduty``) is made once per module by ``tools.common.aws.client`` and
served by it for each test (``aws.client`` is patched to hand out exactly these instances, so an unknown service
or region raises instead of reaching AWS, and a ``cache_clear`` elsewhere cannot hand a tool an unstubbed
client), each with a fresh botocore ``Stubber`` (requests validated against the service models); "now" is frozen
at the window end; the
tools' injectable sleeps advance a *per-thread* virtual clock, so each source's deadline runs on its own time
and nothing really sleeps. CloudTrail runs in ``lookup`` mode so the Athena client serves ALB alone (one
Stubber queue per thread); the CloudTrail Athena path is the separate ``athena-mode`` case, with ALB off.

Every source has a small healthy stub set (logs: a new timeout pattern; CloudTrail: a security-group change
before the onset; metrics: a 5xx step; X-Ray: faulting traces; findings: none; ALB: an empty result). Each
case replaces one source's stubs with a fault, all through Stubber except where noted:

* throttling, AccessDenied, ResourceNotFound, 5xx (Stubber client errors);
* ``ReadTimeoutError`` / ``ConnectTimeoutError`` raised from the client method (patched on the instance);
* truncated pages (a page with ``NextToken``, then an error) for CloudTrail, X-Ray and CloudWatch;
* Athena FAILED / CANCELLED, and a query still RUNNING when the deadline passes;
* a Logs Insights query that never completes and CloudTrail paging that runs out of time (patched methods:
  the number of polls depends on the backoff, so they answer "Running" / another page for as long as asked);
* a tool that hangs past the triage budget, a tool raising ``SourceError`` or a raw botocore error
  (tool-implementation level: the service function is monkeypatched).

Each case asserts: the report is valid against ``agent/triage-report.schema.json``; the failing source is
``error``/``partial`` with a detail naming what failed; the healthy sources still produce the hypotheses.
Per-API fault handling inside each tool is covered by ``tests/<group>/``; this module covers the fan-out.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError
from botocore.stub import Stubber

from tools import catalogue
from tools.common import aws
from tools.common.app import execute
from tools.common.deadline import Deadline
from tools.common.errors import InputError, SourceError

UTC = timezone.utc
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
END = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
ONSET = datetime(2026, 11, 20, 9, 40, tzinfo=UTC)
WINDOW = "2026-11-20T09:00:00Z/2026-11-20T11:00:00Z"
SERVICES = ("logs", "athena", "cloudtrail", "cloudwatch", "xray", "securityhub", "guardduty")
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "agent" / "triage-report.schema.json").read_text())
CAUSE_EVENT = "11111111-2222-3333-4444-555555555555"
TEMPLATE = "ERROR java.net.SocketTimeoutException: connect timed out to orders-db:5432 order=<*>"
LB = "app/shop-alb/50dc6c495c0c9188"
QID = "9f0e8d7c-6b5a-4321-8fed-cba987654321"


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return END if tz is not None else END.replace(tzinfo=None)


class ThreadClock:
    """A virtual clock per thread: a thread's injected sleeps move only its own time."""

    def __init__(self) -> None:
        self._offsets: dict[int, float] = {}
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return 1000.0 + self._offsets.get(threading.get_ident(), 0.0)

    def restart(self) -> None:
        """The current thread starts a new task: its time starts again (pool threads are reused)."""
        with self._lock:
            self._offsets.pop(threading.get_ident(), None)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            ident = threading.get_ident()
            self._offsets[ident] = self._offsets.get(ident, 0.0) + max(0.0, seconds)


@dataclass
class Aws:
    """The stubbed clients, their Stubbers and the virtual clock."""

    clients: dict[str, Any]
    stubbers: dict[str, Stubber]
    clock: ThreadClock
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def error(self, service: str, operation: str, code: str, status: int = 400, message: str = "injected") -> None:
        self.stubbers[service].add_client_error(operation, code, message, status)

    def respond(self, service: str, operation: str, response: dict[str, Any], expected: dict[str, Any] | None = None) -> None:
        self.stubbers[service].add_response(operation, response, expected)

    def patch(self, monkeypatch: pytest.MonkeyPatch, service: str, operation: str, behaviour: Callable[..., Any]) -> list[dict[str, Any]]:
        """Replace one client method (bypassing the Stubber) and record its calls."""
        calls: list[dict[str, Any]] = []

        def method(**kwargs: Any) -> Any:
            calls.append(kwargs)
            return behaviour(**kwargs)

        monkeypatch.setattr(self.clients[service], operation, method)
        self.calls[f"{service}.{operation}"] = calls
        return calls


def _config(**overrides: Any) -> str:
    config: dict[str, Any] = {
        "logs": {"log_groups": ["/ecs/checkout"]},
        "cloudtrail": {"mode": "lookup", "lookback_minutes": 0, "max_pages": 20},
        "metrics": {"namespaces": ["AWS/ApplicationELB"]},
        "athena": {"results_bucket": "ops-agent-results"},
    }
    for section, values in overrides.items():
        config.setdefault(section, {}).update(values)
    return json.dumps(config)


@pytest.fixture(scope="module")
def clients() -> dict[str, Any]:
    """One client per service for the module (creating seven boto3 clients takes most of a second); the tool
    modules are imported here too, so no test's real-time budget pays for a first import in a worker thread."""
    import importlib

    for module in ("logs.service", "logs.aws_backend", "logs.digest", "alb.service", "alb.digest", "cloudtrail.service",
                   "cloudtrail.athena_backend", "metrics.service", "metrics.digest", "xray.service", "xray.digest",
                   "xray.aws_backend", "findings.service", "findings.digest", "findings.aws_backend", "triage.service"):
        importlib.import_module(f"tools.{module}")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
            patch.setenv(name, value)
        aws.client.cache_clear()
        made = {service: aws.client(service) for service in SERVICES}
        aws.client.cache_clear()
    return made


@pytest.fixture()
def stubbed(monkeypatch: pytest.MonkeyPatch, clients: dict[str, Any]) -> Iterator[Aws]:
    """The module's clients behind ``aws.client`` (an unknown service or region raises: nothing reaches AWS), each
    with a fresh Stubber; frozen "now"; per-thread virtual sleeps."""
    from tools.alb import aws_backend as alb_backend
    from tools.cloudtrail import athena_backend as cloudtrail_athena
    from tools.cloudtrail import aws_backend as cloudtrail_backend
    from tools.common import app
    from tools.logs import aws_backend as logs_backend
    from tools.triage import fanout

    monkeypatch.setenv("OPSAGENT_CONFIG", _config())
    monkeypatch.setattr(app, "datetime", _FrozenDatetime)
    clock = ThreadClock()
    monkeypatch.setattr(logs_backend, "sleep", clock.sleep)
    monkeypatch.setattr(alb_backend, "sleep", clock.sleep)
    monkeypatch.setattr(cloudtrail_backend, "SLEEP", clock.sleep)
    monkeypatch.setattr(cloudtrail_athena, "SLEEP", clock.sleep)
    original_run = fanout._run

    def run(task: Any, parent: Any, deadline: Deadline) -> Any:
        clock.restart()
        return original_run(task, parent, deadline)

    monkeypatch.setattr(fanout, "_run", run)
    aws.client.cache_clear()
    monkeypatch.setattr(aws, "client", lambda service, region=None: clients[service] if region in (None, "us-east-1") else None)
    stubbers = {service: Stubber(client) for service, client in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    try:
        yield Aws(clients, stubbers, clock)
    finally:
        for stubber in stubbers.values():
            stubber.deactivate()


# --- healthy responses, one small set per source ---------------------------------------------------------------


def _ms(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.000")


def _rows(*items: dict[str, str]) -> list[list[dict[str, str]]]:
    return [[{"field": k, "value": v} for k, v in item.items()] for item in items]


def healthy_logs(stub: Aws) -> None:
    for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
        stub.respond("logs", "start_query", {"queryId": query_id})
    lines = [{"@timestamp": _ms(ONSET + timedelta(minutes=m)), "@log": "123456789012:/ecs/checkout", "@logStream": "ecs/checkout/1",
              "@message": f"ERROR java.net.SocketTimeoutException: connect timed out to orders-db:5432 order={m}"} for m in range(0, 60, 5)]
    answers = {
        "q-now": _rows({"@pattern": TEMPLATE, "@sampleCount": "240", "@severityLabel": "Error"}),
        "q-before": [],
        "q-trend": _rows(*({"bin(300s)": _ms(ONSET + timedelta(minutes=m)), "n": "20"} for m in range(0, 80, 5))),
        "q-recent": _rows(*lines),
    }
    for query_id, results in answers.items():
        stub.respond("logs", "get_query_results", {"status": "Complete", "results": results,
                                                   "statistics": {"recordsScanned": 5000.0, "recordsMatched": 240.0, "bytesScanned": 1.0}},
                     {"queryId": query_id})


def ct_record(event: str, source: str, moment: datetime, event_id: str, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventVersion": "1.08", "eventTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": source, "eventName": event,
        "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.15.0", "readOnly": False,
        "eventType": "AwsApiCall", "eventID": event_id, "recipientAccountId": "123456789012", "requestParameters": params,
        "responseElements": {"return": True},
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/ops/alice", "accountId": "123456789012"},
    }


def ct_page(token: str | None = None, minute: int = 37, event_id: str = CAUSE_EVENT) -> dict[str, Any]:
    record = ct_record("RevokeSecurityGroupIngress", "ec2.amazonaws.com", START + timedelta(minutes=minute), event_id,
                       {"groupId": "sg-0123456789abcdef0",
                        "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432}]}})
    page: dict[str, Any] = {"Events": [{"EventId": event_id, "EventName": record["eventName"], "ReadOnly": "false",
                                        "EventTime": START + timedelta(minutes=minute), "EventSource": record["eventSource"],
                                        "CloudTrailEvent": json.dumps(record)}]}
    if token:
        page["NextToken"] = token
    return page


def healthy_cloudtrail(stub: Aws) -> None:
    stub.respond("cloudtrail", "lookup_events", ct_page(), {
        "StartTime": START, "EndTime": END, "MaxResults": 50,
        "LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]})


METRIC = {"Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_Target_5XX_Count",
          "Dimensions": [{"Name": "LoadBalancer", "Value": LB}]}


def metric_data() -> dict[str, Any]:
    first = START - timedelta(hours=2)
    stamps = [first + timedelta(minutes=m) for m in range(240)]
    values = [60.0 if stamp >= ONSET else float(m % 2) for m, stamp in enumerate(stamps)]
    return {"MetricDataResults": [{"Id": "m0", "Label": "5xx", "Timestamps": stamps, "Values": values, "StatusCode": "Complete"}]}


def healthy_metrics(stub: Aws, listed: bool = True) -> None:
    if listed:
        stub.respond("cloudwatch", "list_metrics", {"Metrics": [METRIC]}, {"Namespace": "AWS/ApplicationELB"})
    stub.respond("cloudwatch", "get_metric_data", metric_data())


def trace_summary(n: int) -> dict[str, Any]:
    moment = ONSET + timedelta(minutes=n)
    return {
        "Id": f"1-{int(moment.timestamp()):08x}-{n:024x}", "StartTime": moment, "Duration": 3.05, "HasFault": True,
        "FaultRootCauses": [{"ClientImpacting": True, "Services": [
            {"Name": "checkout", "Type": "AWS::ECS::Container", "EntityPath": [
                {"Name": "checkout", "Exceptions": [{"Name": "SocketTimeoutException", "Message": "connect timed out to orders-db:5432"}]}]},
        ]}],
    }


def xray_page(start: int, count: int, token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"TraceSummaries": [trace_summary(n) for n in range(start, start + count)], "TracesProcessedCount": 400}
    if token:
        page["NextToken"] = token
    return page


def healthy_xray(stub: Aws, first_page: bool = True) -> None:
    if first_page:
        stub.respond("xray", "get_trace_summaries", xray_page(0, 12))
    stub.respond("xray", "batch_get_traces", {"Traces": []})
    stub.respond("xray", "get_trace_summaries", {"TraceSummaries": [], "TracesProcessedCount": 380})  # the baseline


def healthy_findings(stub: Aws, securityhub: bool = True, guardduty: bool = True) -> None:
    if securityhub:
        stub.respond("securityhub", "get_findings", {"Findings": []})
    if guardduty:
        stub.respond("guardduty", "list_detectors", {"DetectorIds": []})


def healthy_alb(stub: Aws, start: bool = True) -> None:
    if start:
        stub.respond("athena", "start_query_execution", {"QueryExecutionId": QID})
    athena_state(stub, "SUCCEEDED")
    stub.respond("athena", "get_query_results", {"ResultSet": {"Rows": [], "ResultSetMetadata": {"ColumnInfo": []}}})


def athena_state(stub: Aws, state: str, reason: str | None = None) -> None:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    stub.respond("athena", "get_query_execution", {"QueryExecution": {
        "QueryExecutionId": QID, "Status": status, "Statistics": {"DataScannedInBytes": 1024}}}, {"QueryExecutionId": QID})


HEALTHY: dict[str, Callable[[Aws], None]] = {
    "logs": healthy_logs, "alb": healthy_alb, "cloudtrail": healthy_cloudtrail, "metrics": healthy_metrics,
    "xray": healthy_xray, "findings": healthy_findings,
}


# --- running triage ------------------------------------------------------------------------------------------


def triage(stub: Aws, seconds: float = 30.0, clock: Callable[[], float] | None = None) -> dict[str, Any]:
    from tools.triage.service import investigate

    function = catalogue.find("triage", "investigate")
    assert function is not None
    outcome = execute(function, investigate, {"window": WINDOW, "question": "why is checkout failing?"},
                      deadline=Deadline(seconds, clock or stub.clock), use_environment_snapshot=False)
    assert not outcome.reprompt and outcome.result is not None, outcome.body
    report = outcome.result.data["report"]
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)
    assert len(outcome.body.encode()) < 20000
    return report


def evidence_sources(report: dict[str, Any]) -> set[str]:
    return {e["source"] for h in report["hypotheses"] for e in h["evidence"]}


def all_healthy_but(stub: Aws, *broken: str) -> None:
    for name, healthy in HEALTHY.items():
        if name not in broken:
            healthy(stub)


def assert_others_work(report: dict[str, Any], broken: str) -> None:
    """The healthy sources answered, and the hypotheses stand on their evidence."""
    statuses = {name: entry["status"] for name, entry in report["sources"].items()}
    for name in ("logs", "cloudtrail", "metrics", "xray"):
        if name != broken:
            assert statuses[name] == "ok", (name, report["sources"][name])
    assert statuses["alb"] in ("empty", "error", "partial") if broken == "alb" else statuses["alb"] == "empty"
    assert report["hypotheses"], report["summary"]
    assert evidence_sources(report) & ({"logs", "cloudtrail", "metrics", "xray"} - {broken})
    if broken == "cloudtrail":
        if report["sources"]["cloudtrail"]["status"] == "error":
            assert all("CloudTrail change" not in h["title"] for h in report["hypotheses"])
    else:
        assert "RevokeSecurityGroupIngress" in report["hypotheses"][0]["title"], report["hypotheses"][0]


def test_all_sources_healthy_the_change_is_the_top_cause(stubbed: Aws) -> None:
    all_healthy_but(stubbed)
    report = triage(stubbed)
    assert_others_work(report, "")
    assert evidence_sources(report) >= {"logs", "cloudtrail", "xray"}
    assert report["sources"]["securityhub"]["status"] == "empty"
    assert report["sources"]["guardduty"]["status"] == "not_configured"
    for stubber in stubbed.stubbers.values():
        stubber.assert_no_pending_responses()


# --- faults through Stubber, one source at a time --------------------------------------------------------------


def _timeout(kind: type[Exception]) -> Callable[..., Any]:
    def raise_it(**_kwargs: Any) -> Any:
        raise kind(endpoint_url="https://service.us-east-1.amazonaws.com/")
    return raise_it


@dataclass(frozen=True)
class Fault:
    """One injected failure: the broken source, how to break it, the status and words its detail must show."""

    name: str
    source: str
    inject: Callable[[Aws, pytest.MonkeyPatch], None]
    statuses: tuple[str, ...]
    detail: tuple[str, ...]
    report_source: str = ""

    @property
    def reported_as(self) -> str:
        return self.report_source or self.source


def _logs_error(code: str, status: int = 400, operation: str = "start_query") -> Callable[[Aws, pytest.MonkeyPatch], None]:
    def inject(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
        if operation == "start_query":
            stub.error("logs", "start_query", code, status)
            return
        for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
            stub.respond("logs", "start_query", {"queryId": query_id})
        stub.error("logs", operation, code, status)
        for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
            stub.respond("logs", "stop_query", {"success": True}, {"queryId": query_id})
    return inject


def _logs_failed_status(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
        stub.respond("logs", "start_query", {"queryId": query_id})
    stub.respond("logs", "get_query_results", {"status": "Failed", "results": []}, {"queryId": "q-now"})
    for query_id in ("q-before", "q-trend", "q-recent"):
        stub.respond("logs", "stop_query", {"success": True}, {"queryId": query_id})


def _logs_timeout(stub: Aws, patch: pytest.MonkeyPatch) -> None:
    stub.patch(patch, "logs", "start_query", _timeout(ReadTimeoutError))


def _alb_error(code: str, status: int = 400) -> Callable[[Aws, pytest.MonkeyPatch], None]:
    def inject(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
        stub.error("athena", "start_query_execution", code, status)
    return inject


def _alb_state(state: str, reason: str) -> Callable[[Aws, pytest.MonkeyPatch], None]:
    def inject(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
        stub.respond("athena", "start_query_execution", {"QueryExecutionId": QID})
        athena_state(stub, "RUNNING")
        athena_state(stub, state, reason)
    return inject


def _alb_connect_timeout(stub: Aws, patch: pytest.MonkeyPatch) -> None:
    stub.patch(patch, "athena", "start_query_execution", _timeout(ConnectTimeoutError))


def _alb_truncated_results(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    """The first results page (with NextToken) arrives, the next one fails: what was read is kept, as partial."""
    stub.respond("athena", "start_query_execution", {"QueryExecutionId": QID})
    athena_state(stub, "SUCCEEDED")
    names = ["facet", "requests", "s5xx"]
    info = [{"Name": n, "Label": n, "Type": "varchar" if n == "facet" else "bigint"} for n in names]
    stub.respond("athena", "get_query_results", {"NextToken": "page-2", "ResultSet": {
        "ResultSetMetadata": {"ColumnInfo": info},
        "Rows": [{"Data": [{"VarCharValue": n} for n in names]}, {"Data": [{"VarCharValue": "total"}, {"VarCharValue": "900"}, {"VarCharValue": "120"}]}]}})
    stub.error("athena", "get_query_results", "InternalServerException", 500)


def _ct_error(code: str, status: int = 400) -> Callable[[Aws, pytest.MonkeyPatch], None]:
    def inject(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
        stub.error("cloudtrail", "lookup_events", code, status)
    return inject


def _ct_truncated(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    stub.respond("cloudtrail", "lookup_events", ct_page("page-2"))
    stub.error("cloudtrail", "lookup_events", "ThrottlingException", 400, "Rate exceeded")


def _ct_timeout(stub: Aws, patch: pytest.MonkeyPatch) -> None:
    stub.patch(patch, "cloudtrail", "lookup_events", _timeout(ReadTimeoutError))


def _metrics_denied(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    stub.error("cloudwatch", "list_metrics", "AccessDenied", 403)


def _metrics_5xx(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    stub.respond("cloudwatch", "list_metrics", {"Metrics": [METRIC]}, {"Namespace": "AWS/ApplicationELB"})
    stub.error("cloudwatch", "get_metric_data", "InternalServiceError", 500)


def _metrics_truncated_listing(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    stub.respond("cloudwatch", "list_metrics", {"Metrics": [METRIC], "NextToken": "more"}, {"Namespace": "AWS/ApplicationELB"})
    stub.error("cloudwatch", "list_metrics", "Throttling", 400)
    stub.respond("cloudwatch", "get_metric_data", metric_data())


def _xray_error(code: str, status: int = 400) -> Callable[[Aws, pytest.MonkeyPatch], None]:
    def inject(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
        stub.error("xray", "get_trace_summaries", code, status)
    return inject


def _xray_truncated(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    stub.respond("xray", "get_trace_summaries", xray_page(0, 6, "page-2"))
    stub.error("xray", "get_trace_summaries", "ServiceUnavailableException", 503)
    stub.respond("xray", "batch_get_traces", {"Traces": []})


def _xray_timeout(stub: Aws, patch: pytest.MonkeyPatch) -> None:
    stub.patch(patch, "xray", "get_trace_summaries", _timeout(ReadTimeoutError))


def _securityhub_denied(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    stub.error("securityhub", "get_findings", "AccessDeniedException", 403)
    healthy_findings(stub, securityhub=False)


def _guardduty_throttled(stub: Aws, _patch: pytest.MonkeyPatch) -> None:
    healthy_findings(stub, guardduty=False)
    stub.error("guardduty", "list_detectors", "TooManyRequestsException", 429)


FAULTS = [
    Fault("logs-throttled", "logs", _logs_error("ThrottlingException"), ("error",), ("StartQuery", "ThrottlingException", "throttled")),
    Fault("logs-denied-while-polling", "logs", _logs_error("AccessDeniedException", 400, "get_query_results"), ("error",),
          ("GetQueryResults", "AccessDeniedException", "permission")),
    Fault("logs-group-missing", "logs", _logs_error("ResourceNotFoundException"), ("error",), ("ResourceNotFoundException", "/ecs/checkout")),
    Fault("logs-5xx", "logs", _logs_error("ServiceUnavailableException", 503), ("error",), ("StartQuery", "ServiceUnavailableException")),
    Fault("logs-read-timeout", "logs", _logs_timeout, ("error",), ("StartQuery timed out",)),
    Fault("logs-query-failed", "logs", _logs_failed_status, ("error",), ("ended with status Failed",)),
    Fault("alb-throttled", "alb", _alb_error("ThrottlingException"), ("error",), ("StartQueryExecution", "ThrottlingException")),
    Fault("alb-denied", "alb", _alb_error("AccessDeniedException"), ("error",), ("AccessDeniedException", "permission")),
    Fault("alb-workgroup-missing", "alb", _alb_error("InvalidRequestException"), ("error",), ("InvalidRequestException", "configured names")),
    Fault("alb-5xx", "alb", _alb_error("InternalServerException", 500), ("error",), ("InternalServerException",)),
    Fault("alb-connect-timeout", "alb", _alb_connect_timeout, ("error",), ("StartQueryExecution timed out",)),
    Fault("alb-athena-failed", "alb", _alb_state("FAILED", "TABLE_NOT_FOUND: Table ops_agent.alb_access_logs does not exist"),
          ("error",), ("failed", "TABLE_NOT_FOUND", "Glue table")),
    Fault("alb-athena-cancelled", "alb", _alb_state("CANCELLED", "Query cancelled by user"), ("error",), ("cancelled",)),
    Fault("alb-truncated-results", "alb", _alb_truncated_results, ("partial",), ("first 1 result rows", "InternalServerException")),
    Fault("cloudtrail-throttled", "cloudtrail", _ct_error("ThrottlingException"), ("error",), ("LookupEvents", "ThrottlingException")),
    Fault("cloudtrail-denied", "cloudtrail", _ct_error("AccessDeniedException"), ("error",), ("LookupEvents", "AccessDeniedException")),
    Fault("cloudtrail-5xx", "cloudtrail", _ct_error("InternalServerError", 500), ("error",), ("InternalServerError",)),
    Fault("cloudtrail-read-timeout", "cloudtrail", _ct_timeout, ("error",), ("LookupEvents timed out",)),
    Fault("cloudtrail-truncated", "cloudtrail", _ct_truncated, ("partial",), ("ThrottlingException",)),
    Fault("metrics-denied", "metrics", _metrics_denied, ("error",), ("ListMetrics", "AccessDenied")),
    Fault("metrics-5xx", "metrics", _metrics_5xx, ("error",), ("GetMetricData", "InternalServiceError")),
    Fault("metrics-truncated-listing", "metrics", _metrics_truncated_listing, ("partial",), ("ListMetrics", "Throttling")),
    Fault("xray-throttled", "xray", _xray_error("ThrottlingException"), ("error",), ("GetTraceSummaries", "ThrottlingException")),
    Fault("xray-missing-group", "xray", _xray_error("InvalidRequestException"), ("error",), ("InvalidRequestException",)),
    Fault("xray-read-timeout", "xray", _xray_timeout, ("error",), ("GetTraceSummaries timed out",)),
    Fault("xray-truncated", "xray", _xray_truncated, ("partial",), ("ServiceUnavailableException", "after 1 page")),
    Fault("securityhub-denied", "findings", _securityhub_denied, ("error",), ("AccessDeniedException",), "securityhub"),
    Fault("guardduty-throttled", "findings", _guardduty_throttled, ("error",), ("ListDetectors",), "guardduty"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_one_failing_source_is_reported_and_the_others_still_rank(stubbed: Aws, fault: Fault, monkeypatch: pytest.MonkeyPatch) -> None:
    all_healthy_but(stubbed, fault.source)
    fault.inject(stubbed, monkeypatch)
    report = triage(stubbed)
    entry = report["sources"][fault.reported_as]
    assert entry["status"] in fault.statuses, entry
    for word in fault.detail:
        assert word in entry["detail"], (word, entry)
    first = report["summary"].split("\n")[0]  # what could not be checked comes first, with the source named
    assert first.startswith("*Could not check:*") and f" {fault.reported_as}" in first, first
    assert_others_work(report, fault.source)
    if entry["status"] == "error":
        assert fault.reported_as not in evidence_sources(report)


# --- deadlines -------------------------------------------------------------------------------------------------


def test_logs_insights_query_that_never_completes_is_stopped_at_the_deadline(stubbed: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every poll answers Running (with a partial pattern row); the logs thread's virtual time runs out."""
    for query_id in ("q-now", "q-before", "q-trend", "q-recent"):
        stubbed.respond("logs", "start_query", {"queryId": query_id})
    running = {"status": "Running", "results": _rows({"@pattern": TEMPLATE, "@sampleCount": "30"}), "statistics": {}}
    polls = stubbed.patch(monkeypatch, "logs", "get_query_results", lambda **_: running)
    stops = stubbed.patch(monkeypatch, "logs", "stop_query", lambda **_: {"success": True})
    all_healthy_but(stubbed, "logs")
    report = triage(stubbed, seconds=8.0)
    entry = report["sources"]["logs"]
    assert entry["status"] == "partial" and "did not finish in time" in entry["detail"], entry
    assert len(polls) >= 8 and sorted(call["queryId"] for call in stops) == ["q-before", "q-now", "q-recent", "q-trend"]
    assert_others_work(report, "logs")


def test_athena_query_still_running_at_the_deadline_is_stopped(stubbed: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    stubbed.respond("athena", "start_query_execution", {"QueryExecutionId": QID})
    polls = stubbed.patch(monkeypatch, "athena", "get_query_execution", lambda **_: {"QueryExecution": {
        "QueryExecutionId": QID, "Status": {"State": "RUNNING"}}})
    stops = stubbed.patch(monkeypatch, "athena", "stop_query_execution", lambda **_: {})
    all_healthy_but(stubbed, "alb")
    report = triage(stubbed, seconds=8.0)
    entry = report["sources"]["alb"]
    assert entry["status"] == "partial" and "did not finish within the time budget and was stopped" in entry["detail"], entry
    assert len(polls) >= 3 and stops == [{"QueryExecutionId": QID}]
    assert_others_work(report, "alb")


def test_cloudtrail_paging_stops_when_the_deadline_comes(stubbed: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every LookupEvents page has a NextToken; paced pages spend the CloudTrail thread's time until it stops."""
    pages = stubbed.patch(monkeypatch, "cloudtrail", "lookup_events",
                          lambda **kwargs: ct_page(f"p{len(pages)}", 37, f"{len(pages):08d}-2222-3333-4444-555555555555"))
    all_healthy_but(stubbed, "cloudtrail")
    report = triage(stubbed, seconds=8.0)
    entry = report["sources"]["cloudtrail"]
    assert entry["status"] == "partial" and "time limit" in entry["detail"], entry
    assert 2 <= len(pages) < 20
    assert "RevokeSecurityGroupIngress" in report["hypotheses"][0]["title"]


def test_cloudtrail_athena_mode_failure(stubbed: Aws, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """CloudTrail in Athena mode (ALB off, so the Athena client serves CloudTrail alone): a FAILED query."""
    monkeypatch.setenv("OPSAGENT_CONFIG", _config(cloudtrail={"mode": "athena"}, alb={"enabled": False}))
    sent: list[dict[str, Any]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    events = stubbed.clients["athena"].meta.events
    events.register("provide-client-params.athena.StartQueryExecution", capture)
    request.addfinalizer(lambda: events.unregister("provide-client-params.athena.StartQueryExecution", capture))
    stubbed.respond("athena", "start_query_execution", {"QueryExecutionId": QID})
    athena_state(stubbed, "RUNNING")
    athena_state(stubbed, "FAILED", "Query exhausted resources: Bytes scanned limit was exceeded")
    for name in ("logs", "metrics", "xray", "findings"):
        HEALTHY[name](stubbed)
    report = triage(stubbed)
    entry = report["sources"]["cloudtrail"]
    assert entry["status"] == "error" and "Bytes scanned limit" in entry["detail"] and "narrow the window" in entry["detail"]
    assert report["sources"]["alb"]["status"] == "not_configured"
    assert len(sent) == 1 and "?" in sent[0]["QueryString"] and sent[0]["ExecutionParameters"]
    assert report["hypotheses"] and "cloudtrail" not in evidence_sources(report)


# --- tool-implementation level: a hang, a SourceError, a raw botocore error -----------------------------------


def test_a_source_that_hangs_past_the_budget_is_cut_and_the_rest_answer(stubbed: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import tools.xray.service as xray_service

    release = threading.Event()

    def hang(_request: Any) -> Any:
        release.wait(10)
        raise RuntimeError("too late")

    monkeypatch.setattr(xray_service, "find_trace_faults", hang)
    all_healthy_but(stubbed, "xray")
    started = time.monotonic()
    try:
        # 3.6 s: the fan-out waits 2.1 s (real time) for the tools; their own deadlines run on the virtual clock.
        report = triage(stubbed, seconds=3.6)
    finally:
        release.set()
    assert time.monotonic() - started < 3.6
    entry = report["sources"]["xray"]
    assert entry["status"] == "error" and "did not answer within" in entry["detail"] and "budget" in entry["detail"]
    assert_others_work(report, "xray")


@pytest.mark.parametrize("raised, words", [
    (SourceError("X-Ray", "GetTraceSummaries failed: ThrottlingException", "AWS throttled the calls"), ("GetTraceSummaries", "throttled")),
    (ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no xray:GetTraceSummaries for AKIAIOSFODNN7EXAMPLE"}},
                 "GetTraceSummaries"), ("AccessDeniedException", "permission")),
    (ReadTimeoutError(endpoint_url="https://xray.us-east-1.amazonaws.com/"), ("timed out",)),
    (ValueError("unexpected shape"), ("ValueError",)),
    (InputError("service", "is not a plain X-Ray service name", "letters and digits"), ("not queried", "'service'", "plain X-Ray")),
], ids=["source-error", "raw-client-error", "raw-read-timeout", "bug", "input-error"])
def test_errors_escaping_a_tool_become_a_detail_that_says_what_failed(
        stubbed: Aws, monkeypatch: pytest.MonkeyPatch, raised: Exception, words: tuple[str, ...]) -> None:
    import tools.xray.service as xray_service

    def fail(_request: Any) -> Any:
        raise raised

    monkeypatch.setattr(xray_service, "find_trace_faults", fail)
    all_healthy_but(stubbed, "xray")
    report = triage(stubbed)
    entry = report["sources"]["xray"]
    assert entry["status"] == "error", entry
    for word in words:
        assert word in entry["detail"], entry
    assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(report)
    assert_others_work(report, "xray")


def test_every_source_failing_still_gives_a_valid_report(stubbed: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    _logs_error("ThrottlingException")(stubbed, monkeypatch)
    _alb_error("AccessDeniedException")(stubbed, monkeypatch)
    _ct_error("ThrottlingException")(stubbed, monkeypatch)
    _metrics_denied(stubbed, monkeypatch)
    _xray_timeout(stubbed, monkeypatch)
    stubbed.error("securityhub", "get_findings", "InternalServerException", 500)
    stubbed.error("guardduty", "list_detectors", "AccessDeniedException", 403)
    report = triage(stubbed)
    assert all(entry["status"] == "error" for entry in report["sources"].values()), report["sources"]
    assert report["hypotheses"] == []
    assert report["summary"].startswith("*Could not check any source:")
