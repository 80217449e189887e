"""A small workload simulator the evaluation scenarios are written with.

A ``Workload`` is one account/region/window: services (ECS tasks or Lambda functions) fronted by an ALB or an
API Gateway stage, routes with request rates, dependencies (DynamoDB, RDS, SQS, S3, remote HTTP) that show up
as X-Ray subsegments, and per-minute aggregates from which consistent CloudWatch metrics are derived. A
scenario configures one, installs a ``failure`` hook (what goes wrong, from when) and adds its CloudTrail
events and metric shifts; the workload adds realistic background in every source (read-only CloudTrail noise,
INFO/WARN lines, a recurring benign error, unrelated metric series with one unrelated shift, standing findings).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agent.scenarios.builder import (
    LoadBalancer,
    SnapshotBuilder,
    assumed_role_identity,
    aws_service_identity,
    iso_milli,
    parse_time,
)
from agent.scenarios.formats import (
    asff_control_finding,
    aws_subsegment,
    guardduty_as_asff,
    guardduty_finding,
    json_line,
    lambda_end,
    lambda_report,
    lambda_start,
    pino_line,
    python_lambda_line,
    remote_subsegment,
    service_segment,
    spring_line,
    ts,
    xray_exception,
)


@dataclass
class Route:
    method: str
    path: str                     # may contain {id}
    rate: float                   # requests per minute
    latency: float = 0.05         # median seconds
    deps: tuple[str, ...] = ()    # dependency names used by this route
    name: str = ""

    def render(self, rng: Any) -> str:
        return self.path.replace("{id}", f"{rng.randint(10_000, 9_999_999)}")


@dataclass
class Dep:
    """A dependency: kind is dynamodb|rds|sqs|s3|remote|secretsmanager|kms; ``operation`` as X-Ray names it."""

    name: str
    kind: str
    target: str                   # table / host / queue / bucket / url
    operation: str = ""


@dataclass
class Service:
    name: str
    kind: str                     # ecs | lambda
    runtime: str                  # spring | node | python
    routes: list[Route]
    tasks: int = 2
    log_group: str = ""
    task_ids: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    log_rate: float = 0.5         # probability a successful request logs an INFO line


@dataclass
class Outcome:
    status: int
    latency: float
    logs: list[tuple[str, str, str]] = field(default_factory=list)    # (level, logger, message)
    fault: tuple[str, str, str] | None = None                        # (exception type, message, dep name)
    elb_only: bool = False                                           # ALB answered itself (502/503/504, target "-")
    throttle: bool = False


FailureHook = Callable[["Workload", Service, Route, datetime], "Outcome | None"]


class Workload:
    def __init__(self, out_dir: str | Path, *, account: str, region: str, start: str, end: str, description: str,
                 question: str | None, seed: int, front: str = "alb", domain: str = "api.example.com") -> None:
        self.b = SnapshotBuilder(out_dir, account, region, start, end, description, question, seed=seed)
        self.rng = self.b.rng
        self.account, self.region = account, region
        self.start, self.end = self.b.start, self.b.end
        self.front = front
        self.domain = domain
        self.services: list[Service] = []
        self.deps: dict[str, Dep] = {}
        self.failure: FailureHook | None = None
        self.agg: dict[tuple[str, str], dict[datetime, float]] = defaultdict(lambda: defaultdict(float))
        self.lb: LoadBalancer | None = None
        self.api_name = ""
        self.trace_rate = 0.02
        self.fault_trace_rate = 0.08
        self.rate_multiplier: Callable[[datetime], float] = lambda m: 1.0
        self.route_multiplier: Callable[[Service, Route, datetime], float] = lambda s, r, m: 1.0  # one service's surge
        self.benign: list[tuple[str, float, str, str, str]] = []   # (service, per-minute rate, level, logger, message)
        self._tg_arns: dict[str, str] = {}

    # -- set-up --------------------------------------------------------------------------------------------

    def t(self, clock: str) -> datetime:
        """An instant on the window's day from ``HH:MM[:SS]``."""
        return parse_time(self.start.strftime("%Y-%m-%dT") + clock + ("Z" if clock.count(":") == 2 else ":00Z"))

    def add_alb(self, name: str, lb_id: str) -> LoadBalancer:
        self.front = "alb"
        self.lb = self.b.add_load_balancer(name, lb_id, self.domain)
        return self.lb

    def add_api(self, name: str) -> None:
        self.front = "apigw"
        self.api_name = name

    def add_dep(self, name: str, kind: str, target: str, operation: str = "") -> Dep:
        dep = Dep(name, kind, target, operation)
        self.deps[name] = dep
        return dep

    def add_service(self, service: Service) -> Service:
        if not service.log_group:
            service.log_group = f"/ecs/{service.name}" if service.kind == "ecs" else f"/aws/lambda/{service.name}"
        for i in range(service.tasks):
            service.task_ids.append(self.b.hex(32))
            service.ips.append(f"10.{self.rng.randint(0, 3)}.{10 + i}.{self.rng.randint(5, 250)}")
        self.services.append(service)
        return service

    def tg_arn(self, service: Service) -> str:
        arn = self._tg_arns.get(service.name)
        if arn is None:
            arn = self._tg_arns[service.name] = self.b.target_group_arn(f"{service.name}-tg")
        return arn

    # -- traffic -------------------------------------------------------------------------------------------

    def run_traffic(self) -> None:
        minute = self.start
        while minute < self.end:
            phase = (minute - self.start).total_seconds() / max(1.0, (self.end - self.start).total_seconds())
            load = (1.0 + 0.15 * math.sin(2 * math.pi * (phase - 0.2))) * self.rate_multiplier(minute)
            for service in self.services:
                for route in service.routes:
                    lam = route.rate * load * self.route_multiplier(service, route, minute)
                    n = max(0, int(round(self.rng.gauss(lam, math.sqrt(max(lam, 0.01))))))
                    for _ in range(n):
                        self.request(service, route, minute + timedelta(microseconds=self.rng.randint(0, 59_999_999)))
            for service, rate, level, logger, message in self.benign:
                for _ in range(int(rate) + (1 if self.rng.random() < rate % 1 else 0)):
                    svc = next(s for s in self.services if s.name == service)
                    self.log(svc, minute + timedelta(seconds=self.rng.uniform(0, 59.9)), level, logger,
                             message.format(n=self.rng.randint(1, 3), ms=self.rng.choice((100, 200, 400))))
            minute += timedelta(minutes=1)

    def normal(self, service: Service, route: Route) -> Outcome:
        latency = self.rng.lognormvariate(math.log(route.latency), 0.35)
        status = 200 if route.method == "GET" else self.rng.choice((200, 200, 201))
        r = self.rng.random()
        if r < 0.02:
            status = 404 if route.method == "GET" else 400
        logs = []
        if self.rng.random() < service.log_rate:
            logs.append(("INFO", f"com.example.{service.name}.web.ApiController",
                         f"{route.method} {route.path} -> {status} in {int(latency * 1000)}ms"))
        return Outcome(status, latency, logs)

    def request(self, service: Service, route: Route, when: datetime) -> None:
        outcome = (self.failure(self, service, route, when) if self.failure else None) or self.normal(service, route)
        idx = self.rng.randrange(len(service.ips))
        minute = when.replace(second=0, microsecond=0)
        path = route.render(self.rng)
        trace_id = self.b.trace_id(when)
        request_id = self.b.uuid()
        lambda_error = service.kind == "lambda" and outcome.status == 502
        if self.front == "alb" and self.lb is not None:
            # Lambda targets log target "-"; an unhandled Lambda error is the ALB's 502 with error_reason LambdaUnhandled
            target = None if (outcome.elb_only or service.kind == "lambda") else f"{service.ips[idx]}:8080"
            self.b.add_alb_request(
                self.lb, when, method=route.method, path=path, elb_status=outcome.status,
                target_status=None if (outcome.elb_only or lambda_error) else outcome.status, target=target,
                target_group_arn=self.tg_arn(service), request_processing_time=0.0,
                target_processing_time=None if outcome.elb_only else outcome.latency,
                response_processing_time=None if outcome.elb_only else 0.0, trace_id=trace_id,
                error_reason="LambdaUnhandled" if lambda_error else None,
                user_agent=self.rng.choice(_UAS), request_type=self.rng.choice(("h2", "h2", "https")))
        elif self.front == "apigw":
            self.b.add_log_event(f"/aws/apigateway/{self.api_name}-access", "prod",
                                 when, json.dumps({
                                     "requestId": request_id, "ip": f"{self.rng.randint(20, 220)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
                                     "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"), "httpMethod": route.method,
                                     "resourcePath": route.path, "path": path, "status": str(outcome.status), "protocol": "HTTP/1.1",
                                     "responseLength": str(self.rng.randint(60, 3000)), "integrationLatency": str(int(outcome.latency * 1000)),
                                     "responseLatency": str(int(outcome.latency * 1000) + self.rng.randint(3, 12)),
                                     "xrayTraceId": trace_id, "integrationStatus": "200" if outcome.status < 500 or outcome.status == 504 else str(outcome.status),
                                     "errorMessage": "-" if outcome.status < 500 else "Internal server error"}, separators=(",", ":")))
        self.count("req", service.name, minute)
        self.count(f"{outcome.status // 100}xx", service.name, minute)
        if outcome.elb_only or (lambda_error and self.front == "alb"):
            self.count("elb5xx", service.name, minute)
        if not outcome.elb_only:
            self.count("lat", service.name, minute, outcome.latency)
            self.count("latn", service.name, minute)
        if outcome.throttle:
            self.count("throttle", service.name, minute)
        start = when - timedelta(seconds=outcome.latency)
        if service.kind == "lambda":
            self.lambda_invocation(service, start, outcome, request_id)
        else:
            for level, logger, message in outcome.logs:
                self.log(service, when, level, logger, message, idx)
        rate = self.fault_trace_rate if outcome.fault else self.trace_rate
        if self.rng.random() < rate:
            self.trace(service, route, path, trace_id, start, when, outcome, idx)

    def count(self, key: str, scope: str, minute: datetime, value: float = 1.0) -> None:
        self.agg[(key, scope)][minute.replace(second=0, microsecond=0)] += value

    def get(self, key: str, scope: str, minute: datetime) -> float:
        return self.agg[(key, scope)].get(minute, 0.0)

    # -- logs ----------------------------------------------------------------------------------------------

    def log(self, service: Service, when: datetime, level: str, logger: str, message: str, idx: int | None = None) -> None:
        idx = self.rng.randrange(len(service.task_ids)) if idx is None else idx
        if service.kind == "lambda":
            stream = f"{when.strftime('%Y/%m/%d')}/[$LATEST]{service.task_ids[idx]}"
            text = self._lambda_line(service, when, level, self.b.uuid(), message)
        else:
            stream = f"ecs/{service.name}/{service.task_ids[idx]}"
            if service.runtime == "node":
                text = pino_line(when, level.lower() if level != "WARN" else "warn", message, service=service.name)
            else:
                text = spring_line(when, level, f"http-nio-8080-exec-{self.rng.randint(1, 30)}", logger, message)
        self.b.add_log_event(service.log_group, stream, when, text)

    @staticmethod
    def _lambda_line(service: Service, when: datetime, level: str, request_id: str, message: str) -> str:
        """The runtime's own line format: Python ``[LEVEL]\tts\trid\tmsg``, Node.js ``ts\trid\tLEVEL\tmsg``."""
        if service.runtime == "node":
            return f"{iso_milli(when)}\t{request_id}\t{level}\t{message}"
        return python_lambda_line(when, {"WARN": "WARNING"}.get(level, level), request_id, message)

    def lambda_invocation(self, service: Service, start: datetime, outcome: Outcome, request_id: str) -> None:
        idx = self.rng.randrange(len(service.task_ids))
        stream = f"{start.strftime('%Y/%m/%d')}/[$LATEST]{service.task_ids[idx]}"
        group = service.log_group
        duration = outcome.latency * 1000
        self.b.add_log_event(group, stream, start, lambda_start(request_id))
        for i, (level, _logger, message) in enumerate(outcome.logs):
            moment = start + timedelta(milliseconds=duration * (i + 1) / (len(outcome.logs) + 1))
            if level == "RAW":
                self.b.add_log_event(group, stream, moment, message)
            else:
                self.b.add_log_event(group, stream, moment, self._lambda_line(service, moment, level, request_id, message))
        end = start + timedelta(milliseconds=duration)
        self.b.add_log_event(group, stream, end, lambda_end(request_id))
        self.b.add_log_event(group, stream, end + timedelta(milliseconds=1),
                             lambda_report(request_id, duration, 512, self.rng.randint(90, 140)))

    # -- traces --------------------------------------------------------------------------------------------

    def trace(self, service: Service, route: Route, path: str, trace_id: str, start: datetime, end: datetime,
              outcome: Outcome, idx: int) -> None:
        b = self.b
        subs: list[dict[str, Any]] = []
        cursor = start + timedelta(milliseconds=2)
        span = max(0.001, (end - start).total_seconds())
        root_exc = None
        for name in route.deps:
            dep = self.deps[name]
            share = span * (0.9 if outcome.fault and outcome.fault[2] == name else 0.6 / max(1, len(route.deps)))
            stop = cursor + timedelta(seconds=share)
            exc = None
            failing = outcome.fault is not None and outcome.fault[2] == name
            if failing:
                exc = xray_exception(b, outcome.fault[0], outcome.fault[1], [("Handler", 1, f"{service.name}.handler")],
                                     remote=dep.kind in ("dynamodb", "sqs", "s3", "kms", "secretsmanager"))
                root_exc = xray_exception(b, outcome.fault[0], outcome.fault[1], [("Handler", 1, f"{service.name}.handler")])
                root_exc["cause"] = exc["id"]
            if dep.kind in ("dynamodb", "sqs", "s3", "kms", "secretsmanager"):
                status = None if not failing else (400 if outcome.throttle or "Denied" in outcome.fault[0] or "Disabled" in outcome.fault[0] else None)
                sub = aws_subsegment(b, {"dynamodb": "DynamoDB", "sqs": "SQS", "s3": "S3", "kms": "KMS",
                                         "secretsmanager": "SecretsManager"}[dep.kind], dep.operation, cursor, stop,
                                     region=self.region, table=dep.target if dep.kind == "dynamodb" else None,
                                     status=200 if not failing else status, fault=failing and not (status and status < 500),
                                     error=bool(failing and status and status < 500), throttle=failing and outcome.throttle,
                                     exception=exc)
            elif dep.kind == "rds":
                sub = {"id": b.segment_id(), "name": dep.target.split(":")[0], "start_time": ts(cursor), "end_time": ts(stop),
                       "namespace": "remote", "sql": {"url": f"jdbc:{dep.operation or 'postgresql'}://{dep.target}",
                                                      "database_type": "PostgreSQL" if "postgres" in (dep.operation or "postgresql") else "MySQL",
                                                      "user": f"{service.name}_app", "preparation": "prepared"}}
                if failing:
                    sub["fault"] = True
                    sub["cause"] = {"working_directory": "/app", "exceptions": [exc]}
            else:
                sub = remote_subsegment(b, dep.target.split("/")[2] if "://" in dep.target else dep.target, "POST",
                                        dep.target, cursor, stop, None if failing else 200, exception=exc)
            subs.append(sub)
            cursor = stop + timedelta(milliseconds=1)
        if service.kind == "lambda":
            origin = "AWS::Lambda::Function"
            aws = {"function_arn": f"arn:aws:lambda:{self.region}:{self.account}:function:{service.name}",
                   "account_id": self.account}
        else:
            origin = "AWS::ECS::Container"
            aws = {"ecs": {"container": f"ip-{service.ips[idx].replace('.', '-')}.ec2.internal",
                           "task_arn": f"arn:aws:ecs:{self.region}:{self.account}:task/{service.name}/{service.task_ids[idx]}"},
                   "account_id": self.account}
        root = service_segment(b, trace_id, service.name, origin, start, end, method=route.method,
                               url=f"https://{self.domain}{path}", status=500 if outcome.elb_only else outcome.status,
                               client_ip=f"{self.rng.randint(20, 220)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
                               subsegments=subs, exception=root_exc, aws=aws,
                               sdk="X-Ray for Java" if service.runtime == "spring" else
                               ("X-Ray for Node.js" if service.runtime == "node" else "X-Ray for Python"),
                               sdk_version="2.18.2" if service.runtime == "spring" else "3.10.1")
        b.add_trace([root])

    # -- background noise ----------------------------------------------------------------------------------

    def housekeeping_logs(self) -> None:
        for service in self.services:
            if service.kind == "lambda":
                continue
            for idx in range(len(service.task_ids)):
                moment = self.start + timedelta(seconds=self.rng.randint(0, 200))
                while moment < self.end:
                    r = self.rng.random()
                    if r < 0.5:
                        self.log(service, moment, "INFO", "com.example.common.metrics.MetricsPublisher",
                                 f"Published {self.rng.randint(30, 80)} metrics to CloudWatch EMF", idx)
                    elif r < 0.65:
                        self.log(service, moment, "WARN", "io.micrometer.core.instrument.MeterRegistry",
                                 "Timer 'http.server.requests' has more than 100 tags; consider reducing cardinality", idx)
                    else:
                        self.log(service, moment, "DEBUG", "software.amazon.awssdk.request",
                                 f"Received successful response: 200, Request ID: {self.b.chars(20)}", idx)
                    moment += timedelta(seconds=self.rng.randint(40, 120))

    def cloudtrail_noise(self) -> None:
        b = self.b
        monitor = assumed_role_identity(self.account, "DatadogIntegrationRole", "DatadogAWSIntegration")
        moment = self.start + timedelta(seconds=23)
        while moment < self.end:
            for name, source in (("GetMetricData", "monitoring.amazonaws.com"), ("DescribeAlarms", "monitoring.amazonaws.com"),
                                 ("ListFunctions20150331", "lambda.amazonaws.com")):
                b.add_cloudtrail_event(moment + timedelta(seconds=self.rng.randint(0, 50)), source, name, monitor,
                                       {"maxRecords": 100} if name == "DescribeAlarms" else None, None,
                                       source_ip="3.233.147.50", user_agent="Datadog/1.0 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)",
                                       read_only=True)
            moment += timedelta(minutes=5)
        for service in self.services:
            role = f"{service.name}-{'task' if service.kind == 'ecs' else 'lambda'}-role"
            invoker = "ecs-tasks.amazonaws.com" if service.kind == "ecs" else "lambda.amazonaws.com"
            moment = self.start + timedelta(seconds=self.rng.randint(60, 1800))
            while moment < self.end:
                b.add_cloudtrail_event(moment, "sts.amazonaws.com", "AssumeRole", aws_service_identity(invoker),
                                       {"roleArn": f"arn:aws:iam::{self.account}:role/{role}", "roleSessionName": service.name},
                                       {"credentials": {"accessKeyId": "ASIA" + b.chars(16), "expiration": "-"},
                                        "assumedRoleUser": {"arn": f"arn:aws:sts::{self.account}:assumed-role/{role}/{service.name}"}},
                                       source_ip=invoker, user_agent=invoker, event_version="1.08",
                                       resources=[{"accountId": self.account, "type": "AWS::IAM::Role",
                                                   "ARN": f"arn:aws:iam::{self.account}:role/{role}"}])
                moment += timedelta(minutes=self.rng.randint(35, 60))
        moment = self.start + timedelta(seconds=140)
        while moment < self.end:
            b.add_cloudtrail_event(moment, "kms.amazonaws.com", "Decrypt", aws_service_identity("ssm.amazonaws.com"),
                                   {"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                                    "encryptionContext": {"PARAMETER_ARN": f"arn:aws:ssm:{self.region}:{self.account}:parameter/app/config"}},
                                   None, source_ip="ssm.amazonaws.com", user_agent="ssm.amazonaws.com")
            moment += timedelta(seconds=self.rng.randint(400, 900))

    def human(self, role: str, session: str, *, sso: bool = True) -> dict[str, Any]:
        return assumed_role_identity(self.account, role, session,
                                     path="/aws-reserved/sso.amazonaws.com/" if sso else "/",
                                     created=self.start - timedelta(minutes=20))

    # -- metrics -------------------------------------------------------------------------------------------

    def standard_metrics(self, shift_at: str) -> None:
        """Front-door and compute metrics from the aggregates, plus unrelated series (one shifts at ``shift_at``)."""
        b, rng = self.b, self.rng

        def agg(key: str, scope: str, omit: bool = False):
            def fn(m: datetime) -> float | None:
                v = self.get(key, scope, m)
                return None if omit and v == 0 else v
            return fn

        def lat(scope: str, unit_ms: bool = False):
            def fn(m: datetime) -> float | None:
                n = self.get("latn", scope, m)
                return (self.get("lat", scope, m) / n) * (1000 if unit_ms else 1) if n else None
            return fn

        for service in self.services:
            if self.front == "alb" and self.lb is not None:
                tg = self.tg_arn(service).split(":")[-1]
                dims = {"TargetGroup": tg, "LoadBalancer": self.lb.resource}
                b.add_metric("AWS/ApplicationELB", "RequestCount", dims, agg("req", service.name), unit="Count", kind="count")
                b.add_metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims,
                             lambda m, s=service.name: (self.get("5xx", s, m) - self.get("elb5xx", s, m)) or None,
                             unit="Count", kind="count")
                b.add_metric("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, agg("2xx", service.name), unit="Count", kind="count")
                b.add_metric("AWS/ApplicationELB", "TargetResponseTime", dims, lat(service.name), unit="Seconds",
                             samples=lambda m, s=service.name: int(self.get("latn", s, m)) or 1)
                b.add_metric("AWS/ApplicationELB", "HealthyHostCount", dims, lambda m, n=service.tasks: float(n), unit="Count", spread=0)
            if service.kind == "ecs":
                dims = {"ClusterName": "prod", "ServiceName": service.name}
                b.add_metric("AWS/ECS", "CPUUtilization", dims,
                             lambda m, s=service.name: max(3.0, rng.gauss(18 + self.get("req", s, m) * 0.12, 2.5)), unit="Percent",
                             samples=service.tasks)
                b.add_metric("AWS/ECS", "MemoryUtilization", dims, lambda m: rng.gauss(52, 1.0), unit="Percent", samples=service.tasks)
            else:
                dims = {"FunctionName": service.name}
                b.add_metric("AWS/Lambda", "Invocations", dims, agg("req", service.name), unit="Count", kind="count")
                b.add_metric("AWS/Lambda", "Errors", dims, agg("5xx", service.name), unit="Count", kind="count")
                b.add_metric("AWS/Lambda", "Throttles", dims, lambda m: 0.0, unit="Count", kind="count")
                b.add_metric("AWS/Lambda", "Duration", dims, lat(service.name, True), unit="Milliseconds",
                             samples=lambda m, s=service.name: int(self.get("latn", s, m)) or 1)
                b.add_metric("AWS/Lambda", "ConcurrentExecutions", dims,
                             lambda m, s=service.name: max(1.0, self.get("req", s, m) * (self.get("lat", s, m) / max(1, self.get("latn", s, m))) / 60 * 3),
                             unit="Count")
        if self.front == "alb" and self.lb is not None:
            dims = {"LoadBalancer": self.lb.resource}
            total = lambda key: (lambda m: sum(self.get(key, s.name, m) for s in self.services))  # noqa: E731
            b.add_metric("AWS/ApplicationELB", "RequestCount", dims, total("req"), unit="Count", kind="count")
            b.add_metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, lambda m: total("5xx")(m) - total("elb5xx")(m) or None,
                         unit="Count", kind="count")
            b.add_metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", dims, lambda m: total("elb5xx")(m) or None, unit="Count", kind="count")
            b.add_metric("AWS/ApplicationELB", "ActiveConnectionCount", dims, lambda m: total("req")(m) * 0.4 + rng.gauss(8, 2),
                         unit="Count", kind="count")
            b.add_metric("AWS/ApplicationELB", "ProcessedBytes", dims, lambda m: total("req")(m) * rng.gauss(4800, 300),
                         unit="Bytes", kind="count")
        elif self.front == "apigw":
            dims = {"ApiName": self.api_name, "Stage": "prod"}
            total = lambda key: (lambda m: sum(self.get(key, s.name, m) for s in self.services))  # noqa: E731
            b.add_metric("AWS/ApiGateway", "Count", dims, total("req"), unit="Count", kind="count")
            b.add_metric("AWS/ApiGateway", "5XXError", dims, total("5xx"), unit="Count", kind="count")
            b.add_metric("AWS/ApiGateway", "4XXError", dims, total("4xx"), unit="Count", kind="count")
            b.add_metric("AWS/ApiGateway", "Latency", dims,
                         lambda m: 1000 * sum(self.get("lat", s.name, m) for s in self.services) / max(1, sum(self.get("latn", s.name, m) for s in self.services)) + 12,
                         unit="Milliseconds", samples=20)
            b.add_metric("AWS/ApiGateway", "IntegrationLatency", dims,
                         lambda m: 1000 * sum(self.get("lat", s.name, m) for s in self.services) / max(1, sum(self.get("latn", s.name, m) for s in self.services)),
                         unit="Milliseconds", samples=20)
        shift_start = self.t(shift_at)
        shift = lambda m: shift_start <= m < shift_start + timedelta(minutes=12)  # noqa: E731
        noise = [
            ("AWS/EC2", "CPUUtilization", {"InstanceId": "i-0bastion1f2e3d4c5"}, 2.0, "Percent", False),
            ("AWS/EC2", "NetworkIn", {"InstanceId": "i-0bastion1f2e3d4c5"}, 42000.0, "Bytes", False),
            ("AWS/EC2", "NetworkOut", {"InstanceId": "i-0bastion1f2e3d4c5"}, 39000.0, "Bytes", False),
            ("AWS/ElastiCache", "CPUUtilization", {"CacheClusterId": "sessions-0001-001"}, 4.0, "Percent", False),
            ("AWS/ElastiCache", "CurrConnections", {"CacheClusterId": "sessions-0001-001"}, 31.0, "Count", False),
            ("AWS/ElastiCache", "CacheHits", {"CacheClusterId": "sessions-0001-001"}, 1800.0, "Count", False),
            ("AWS/ElastiCache", "CacheMisses", {"CacheClusterId": "sessions-0001-001"}, 40.0, "Count", True),
            ("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": "notifications"}, 3.0, "Count", False),
            ("AWS/SQS", "NumberOfMessagesSent", {"QueueName": "notifications"}, 22.0, "Count", False),
            ("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": "notifications"}, 22.0, "Count", False),
            ("AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": "notifications"}, 4.0, "Seconds", False),
            ("AWS/Lambda", "Invocations", {"FunctionName": "nightly-report-export"}, 0.4, "Count", False),
            ("AWS/Lambda", "Duration", {"FunctionName": "nightly-report-export"}, 2300.0, "Milliseconds", False),
            ("AWS/Lambda", "Errors", {"FunctionName": "nightly-report-export"}, 0.0, "Count", False),
            ("AWS/S3", "NumberOfObjects", {"BucketName": "static-assets-prod", "StorageType": "AllStorageTypes"}, 184223.0, "Count", False),
            ("AWS/NATGateway", "BytesOutToDestination", {"NatGatewayId": "nat-0a1b2c3d4e5f60789"}, 3.1e6, "Bytes", False),
            ("AWS/NATGateway", "ActiveConnectionCount", {"NatGatewayId": "nat-0a1b2c3d4e5f60789"}, 210.0, "Count", False),
            ("AWS/NATGateway", "ErrorPortAllocation", {"NatGatewayId": "nat-0a1b2c3d4e5f60789"}, 0.0, "Count", False),
            ("AWS/Route53", "HealthCheckStatus", {"HealthCheckId": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"}, 1.0, "None", False),
            ("AWS/Events", "Invocations", {"RuleName": "nightly-report"}, 0.2, "Count", False),
            ("AWS/Logs", "IncomingBytes", {}, 2.2e6, "Bytes", False),
            ("AWS/Logs", "IncomingLogEvents", {}, 5400.0, "Count", False),
            ("AWS/Usage", "CallCount", {"Service": "CloudWatch", "Type": "API", "Resource": "GetMetricData", "Class": "None"}, 60.0, "None", False),
            ("AWS/Usage", "CallCount", {"Service": "Logs", "Type": "API", "Resource": "PutLogEvents", "Class": "None"}, 340.0, "None", False),
            ("AWS/Usage", "ResourceCount", {"Service": "Fargate", "Type": "Resource", "Resource": "vCPU", "Class": "Standard/OnDemand"}, 12.0, "None", False),
            ("AWS/CertificateManager", "DaysToExpiry", {"CertificateArn": f"arn:aws:acm:{self.region}:{self.account}:certificate/0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a"}, 41.0, "Count", False),
            ("AWS/KMS", "SecondsUntilKeyMaterialExpiration", {"KeyId": "b3c4d5e6-f708-4192-a3b4-c5d6e7f80912"}, 3.1e7, "Seconds", False),
            ("CWAgent", "disk_used_percent", {"InstanceId": "i-0bastion1f2e3d4c5", "path": "/", "fstype": "xfs"}, 37.0, "Percent", False),
            ("CWAgent", "mem_used_percent", {"InstanceId": "i-0bastion1f2e3d4c5"}, 22.0, "Percent", False),
        ]
        for namespace, name, dims, base, unit, shifts in noise:
            def fn(m: datetime, base=base, shifts=shifts) -> float:
                level = base * (14.0 if shifts and shift(m) else 1.0)
                return max(0.0, rng.gauss(level, level * 0.08 + 0.01))
            period = 300 if namespace in ("AWS/EC2", "AWS/S3", "AWS/CertificateManager") else 60
            kind = "count" if unit in ("Count", "Bytes") and name not in ("CurrConnections", "ApproximateNumberOfMessagesVisible", "NumberOfObjects", "ActiveConnectionCount", "DaysToExpiry") else "gauge"
            b.add_metric(namespace, name, dims, fn, unit=unit, kind=kind, period=period)

    def series(self, namespace: str, name: str, dims: dict[str, str], before: float, after: float, onset: datetime, *,
               unit: str = "Count", kind: str = "gauge", sd: float = 0.08, ramp_minutes: float = 0.0,
               end: datetime | None = None) -> None:
        """A series that moves from ``before`` to ``after`` at ``onset`` (optionally ramping; back at ``end``)."""
        rng = self.rng

        def fn(m: datetime) -> float:
            if m < onset or (end is not None and m >= end):
                level = before
            elif ramp_minutes and m < onset + timedelta(minutes=ramp_minutes):
                frac = (m - onset).total_seconds() / 60 / ramp_minutes
                level = before + (after - before) * frac
            else:
                level = after
            return max(0.0, rng.gauss(level, abs(level) * sd + 0.001))
        self.b.add_metric(namespace, name, dims, fn, unit=unit, kind=kind)

    # -- findings ------------------------------------------------------------------------------------------

    def standing_findings(self, bucket: str = "app-logs-archive", port_probe: bool = True) -> None:
        b = self.b
        first = self.start - timedelta(days=40)
        last = self.start - timedelta(minutes=17)
        b.add_securityhub_finding(asff_control_finding(
            b, "S3.14", "S3 general purpose buckets should have versioning enabled",
            "This control checks whether an Amazon S3 general purpose bucket has versioning enabled.",
            resource_type="AwsS3Bucket", resource_id=f"arn:aws:s3:::{bucket}", normalized=1, first_seen=first, last_seen=last))
        b.add_securityhub_finding(asff_control_finding(
            b, "EC2.13", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
            "This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 or ::/0 to port 22.",
            resource_type="AwsEc2SecurityGroup", resource_id=f"arn:aws:ec2:{self.region}:{self.account}:security-group/sg-0bastion22aa11bb0",
            normalized=70, first_seen=first, last_seen=last))
        b.add_securityhub_finding(asff_control_finding(
            b, "IAM.9", "MFA should be enabled for the root user",
            "This control checks whether multi-factor authentication (MFA) is enabled for the AWS account root user.",
            resource_type="AwsAccount", resource_id=f"AWS::::Account:{self.account}", normalized=90,
            first_seen=first - timedelta(days=100), last_seen=last))
        if port_probe:
            gd = guardduty_finding(
                b, "Recon:EC2/PortProbeUnprotectedPort", "Unprotected port on EC2 instance i-0bastion1f2e3d4c5 is being probed.",
                "EC2 instance has an unprotected port which is being probed by a known malicious host.",
                severity=2.0, first_seen=self.start - timedelta(days=6), last_seen=self.start + timedelta(minutes=31),
                count=self.rng.randint(400, 5000), detector_id="a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6",
                resource={"ResourceType": "Instance", "InstanceDetails": {"InstanceId": "i-0bastion1f2e3d4c5", "InstanceType": "t3.micro",
                                                                          "Tags": [{"Key": "Name", "Value": "bastion"}]}},
                action={"ActionType": "PORT_PROBE", "PortProbeAction": {"Blocked": False, "PortProbeDetails": [{
                    "LocalPortDetails": {"Port": 22, "PortName": "SSH"},
                    "RemoteIpDetails": {"IpAddressV4": "80.94.95.%d" % self.rng.randint(2, 250),
                                        "Country": {"CountryName": "Romania"},
                                        "Organization": {"Asn": "204428", "AsnOrg": "SS-Net", "Isp": "SS-Net", "Org": "SS-Net"}}}]}})
            b.add_guardduty_finding(gd)
            b.add_securityhub_finding(guardduty_as_asff(b, gd, "AwsEc2Instance",
                                                        f"arn:aws:ec2:{self.region}:{self.account}:instance/i-0bastion1f2e3d4c5",
                                                        "TTPs/Discovery"))

    def write(self, gzip: bool) -> Path:
        return self.b.write(gzip=gzip)


_UAS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "okhttp/4.12.0",
    "python-requests/2.32.3",
    "Go-http-client/2.0",
)


def python_unhandled(error_type: str, message: str, frames: list[str]) -> str:
    """The Python Lambda runtime's log event for an unhandled exception (written as is, no request id prefix)."""
    return f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):\n" + "".join(frames)


def node_invoke_error(error_type: str, message: str, stack: list[str]) -> str:
    """The message part of the Node.js runtime's ``Invoke Error`` line for an unhandled rejection."""
    return "Invoke Error \t" + json.dumps({"errorType": error_type, "errorMessage": message, "stack": stack},
                                           separators=(",", ":"))


__all__ = ["Workload", "Service", "Route", "Dep", "Outcome", "python_unhandled", "node_invoke_error", "json_line"]
