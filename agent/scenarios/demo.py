"""The demo incident: checkout fails after a VPC gateway endpoint loses its route table (deterministic).

Story (the facts other modules and tests rely on are in ``DEMO_FACTS``): account 123456789012, us-east-1,
window 2026-11-20 09:00-11:00 UTC. The ECS Fargate Spring Boot service ``checkout`` (cluster ``shop``, log group
``/ecs/checkout``) sits behind ALB ``app/shop-alb/50dc6c495c0c9188`` with ``catalog`` and ``payment`` and writes
orders to DynamoDB table ``orders`` through the gateway endpoint ``vpce-0a1b2c3d4e5f67890``. At 09:38:12 an
administrator (IAM Identity Center session ``jane.doe@example.com``, console) calls ``ec2:ModifyVpcEndpoint``
removing route table ``rtb-0c4f2a1e9b8d7c6a5`` from the endpoint. From 09:40 every DynamoDB call of checkout
times out connecting (``SdkClientException ... connect timed out``): /api/checkout and /api/orders/{id} answer
500 after 2-10 s (504 from the ALB when over its 10 s idle timeout), X-Ray shows faults rooted in the DynamoDB
subsegment, ALB 5xx and latency rise while DynamoDB consumed capacity and latency samples on ``orders`` fall.

Background in every source: steady catalog/payment traffic and Route 53 health checks, INFO/WARN noise, the
payment gateway's recurring 429 retries (before and after onset), benign CloudTrail changes (catalog deploy at
09:05, an alarm created at 09:12, a CI role's AccessDenied at 09:21, service read-only noise), ~70 unrelated
metric series (one unrelated shift: catalog cache misses and latency after the 09:05 deploy), standing Security
Hub findings and a GuardDuty port-probe finding on the bastion. Two credentials are planted where an attacker
could put them (a password in an ALB request URL, an access key in a payment log line) so redaction shows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agent.scenarios.builder import (
    LoadBalancer,
    SnapshotBuilder,
    assumed_role_identity,
    aws_service_identity,
    iso_z,
    parse_time,
)
from agent.scenarios.formats import (
    aws_subsegment,
    asff_control_finding,
    guardduty_as_asff,
    guardduty_finding,
    java_stack,
    lambda_end,
    lambda_report,
    lambda_start,
    python_lambda_line,
    remote_subsegment,
    service_segment,
    spring_line,
    xray_exception,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
START = parse_time("2026-11-20T09:00:00Z")
END = parse_time("2026-11-20T11:00:00Z")
ONSET = parse_time("2026-11-20T09:40:00Z")
CHANGE_TIME = parse_time("2026-11-20T09:38:12Z")
CHANGE_EVENT_ID = "4b9e7c21-5d3a-4f6e-8a1b-2c3d4e5f6a7b"
CATALOG_DEPLOY_EVENT_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
CI_DENIED_EVENT_ID = "0c1d2e3f-4a5b-4c6d-9e7f-8a9b0c1d2e3f"
ALARM_EVENT_ID = "7e6d5c4b-3a29-4817-a6f5-e4d3c2b1a090"
SEED = 20261120

LB_NAME, LB_ID = "shop-alb", "50dc6c495c0c9188"
LOAD_BALANCER = f"app/{LB_NAME}/{LB_ID}"
DOMAIN = "shop.example.com"
VPC_ID = "vpc-0e1d2c3b4a5968778"
VPC_ENDPOINT = "vpce-0a1b2c3d4e5f67890"
ROUTE_TABLE = "rtb-0c4f2a1e9b8d7c6a5"
OTHER_ROUTE_TABLE = "rtb-0a9b8c7d6e5f4a3b2"
SSO_ROLE = "AWSReservedSSO_AdministratorAccess_7f3c2a1b9d8e6f45"
SSO_SESSION = "jane.doe@example.com"
CONSOLE_UA = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
JANE_IP = "198.51.100.24"
TABLE = "orders"
DDB_HOST = "dynamodb.us-east-1.amazonaws.com"
DDB_IPS = ("52.94.0.72", "52.94.2.130", "52.94.4.18", "52.94.1.201", "52.94.6.44")
EXCEPTION = "software.amazon.awssdk.core.exception.SdkClientException"
LEAKED_PASSWORD = "Hunter2-Summer!26"
LEAKED_ACCESS_KEY = "AKIA4Q7WZ3R2NEXAMPLE"
LEAKED_SECRET_KEY = "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"
BASTION = "i-0b1a2c3d4e5f60718"
BASTION_SG = "sg-0b7e1d2c3a4f5e6d7"
DETECTOR = "6cc4a1f0b2d3e4f5a6b7c8d9e0f1a2b3"
ALB_IDLE_TIMEOUT = 10.0


def connect_timeout_message(ip: str = DDB_IPS[0]) -> str:
    return (f"Unable to execute HTTP request: Connect to {DDB_HOST}:443 [{DDB_HOST}/{ip}] failed: "
            "connect timed out")


DEMO_FACTS: dict[str, Any] = {
    "scenario": "demo",
    "account": ACCOUNT,
    "region": REGION,
    "start": iso_z(START),
    "end": iso_z(END),
    "question": "why are checkout requests failing since 09:40?",
    "onset": iso_z(ONSET),
    "change_time": iso_z(CHANGE_TIME),
    "change_event_id": CHANGE_EVENT_ID,
    "change_event_name": "ModifyVpcEndpoint",
    "change_event_source": "ec2.amazonaws.com",
    "change_actor_arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_ROLE}/{SSO_SESSION}",
    "change_actor_session": SSO_SESSION,
    "change_source_ip": JANE_IP,
    "vpc_id": VPC_ID,
    "vpc_endpoint_id": VPC_ENDPOINT,
    "route_table_id": ROUTE_TABLE,
    "service": "checkout",
    "cluster": "shop",
    "log_group": "/ecs/checkout",
    "log_groups": ["/ecs/checkout", "/ecs/catalog", "/ecs/payment", "/aws/lambda/shop-image-resizer"],
    "load_balancer": LOAD_BALANCER,
    "load_balancer_name": LB_NAME,
    "domain": DOMAIN,
    "target_groups": {},  # filled below: name -> ARN
    "checkout_target_group": "checkout-tg",
    "failing_paths": ["/api/checkout", "/api/orders/{id}"],
    "dynamodb_table": TABLE,
    "dynamodb_host": DDB_HOST,
    "exception": EXCEPTION,
    "error_signature": "connect timed out",
    "error_message": connect_timeout_message(),
    "benign_error": "Payment gateway returned 429 Too Many Requests",
    "benign_changes": {
        "catalog_update_service": {"time": "2026-11-20T09:05:02Z", "event_id": CATALOG_DEPLOY_EVENT_ID,
                                   "event_name": "UpdateService"},
        "put_metric_alarm": {"time": "2026-11-20T09:12:47Z", "event_id": ALARM_EVENT_ID, "event_name": "PutMetricAlarm"},
        "ci_access_denied": {"time": "2026-11-20T09:21:40Z", "event_id": CI_DENIED_EVENT_ID, "event_name": "PutParameter"},
    },
    "unrelated_metric_shift": {"namespace": "AWS/ElastiCache", "metric": "CacheMisses",
                               "start": "2026-11-20T09:05:00Z", "end": "2026-11-20T09:15:00Z"},
    "leaked_secrets": [LEAKED_PASSWORD, LEAKED_ACCESS_KEY, LEAKED_SECRET_KEY],
    "bastion_instance": BASTION,
    "guardduty_type": "Recon:EC2/PortProbeUnprotectedPort",
    "alb_idle_timeout_seconds": ALB_IDLE_TIMEOUT,
}

_TG_IDS = {"checkout-tg": "6d0ecf831eec9f09", "catalog-tg": "73e2d6bc24d8a067", "payment-tg": "4f2b9d1c8e7a6b50"}
DEMO_FACTS["target_groups"] = {
    name: f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{tg}" for name, tg in _TG_IDS.items()
}

DESCRIPTION = (
    "Online shop 'shop' in us-east-1. ECS Fargate cluster 'shop' runs three Spring Boot services behind the "
    f"internet-facing ALB {LOAD_BALANCER} ({DOMAIN}): checkout (checkout-tg; /api/checkout, /api/orders/*), "
    "catalog (catalog-tg; /api/products*, ElastiCache cluster catalog-cache, Aurora catalog-db) and payment "
    "(payment-tg; /api/payments/*, calls an external payment gateway). The tasks run in private subnets without a "
    f"NAT gateway; checkout reaches DynamoDB table 'orders' through the gateway VPC endpoint {VPC_ENDPOINT} "
    f"(route tables {ROUTE_TABLE}, {OTHER_ROUTE_TABLE}) and publishes to SQS queue order-events. A Lambda "
    "function shop-image-resizer handles product images. ALB idle timeout 10 s. X-Ray tracing is enabled on the "
    "services; logs go to CloudWatch Logs (/ecs/<service>)."
)


@dataclass
class Task:
    service: str
    task_id: str
    ip: str

    @property
    def stream(self) -> str:
        return f"ecs/{self.service}/{self.task_id}"

    @property
    def target(self) -> str:
        return f"{self.ip}:8080"


@dataclass
class Agg:
    """Per-minute aggregates of what the ALB saw, to derive consistent CloudWatch metrics."""

    count: dict[tuple[str, str], dict[datetime, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))

    def add(self, key: str, scope: str, when: datetime, value: float = 1.0) -> None:
        self.count[(key, scope)][when.replace(second=0, microsecond=0)] += value

    def get(self, key: str, scope: str, when: datetime) -> float:
        return self.count[(key, scope)].get(when, 0.0)


class _Demo:
    def __init__(self, out_dir: Path) -> None:
        self.b = SnapshotBuilder(out_dir, ACCOUNT, REGION, START, END, DESCRIPTION,
                                 DEMO_FACTS["question"], seed=SEED)
        self.rng = self.b.rng
        self.lb: LoadBalancer = self.b.add_load_balancer(LB_NAME, LB_ID, DOMAIN, ("10.0.0.137", "10.0.1.88"),
                                                         cert_id="8c1f0e2d-3b4a-4c5d-9e6f-7a8b9c0d1e2f")
        self.tg = DEMO_FACTS["target_groups"]
        self.tasks = {
            "checkout": [Task("checkout", self.b.hex(32), ip) for ip in ("10.0.11.23", "10.0.12.57", "10.0.13.91")],
            "catalog": [Task("catalog", self.b.hex(32), ip) for ip in ("10.0.11.140", "10.0.12.9", "10.0.13.202")],
            "payment": [Task("payment", self.b.hex(32), ip) for ip in ("10.0.11.77", "10.0.13.15")],
        }
        self.new_catalog = [Task("catalog", self.b.hex(32), ip) for ip in ("10.0.11.166", "10.0.12.48", "10.0.13.230")]
        self.agg = Agg()

    # -- helpers -------------------------------------------------------------------------------------------

    def task(self, service: str, when: datetime) -> Task:
        if service == "catalog" and when >= parse_time("2026-11-20T09:06:10Z"):
            return self.rng.choice(self.new_catalog)
        return self.rng.choice(self.tasks[service])

    def thread(self) -> str:
        return f"nio-8080-exec-{self.rng.randint(1, 40)}"

    def log(self, task: Task, when: datetime, level: str, logger: str, message: str, thread: str | None = None) -> None:
        self.b.add_log_event(f"/ecs/{task.service}", task.stream, when,
                             spring_line(when, level, thread or self.thread(), logger, message))

    def alb(self, when: datetime, service: str, task: Task | None, method: str, path: str, status: int, latency: float,
            *, target_status: int | None | str = "same", ua: str | None = None, request_type: str | None = None,
            trace_id: str | None = None, rpt: float | None = None, rspt: float | None = None,
            priority: int = 10, error_reason: str | None = None, sent: int | None = None) -> str:
        kwargs: dict[str, Any] = {}
        if ua:
            kwargs["user_agent"] = ua
        rtype = request_type or ("h2" if self.rng.random() < 0.7 else "https")
        trace = self.b.add_alb_request(
            self.lb, when, method=method, path=path, elb_status=status, target_status=target_status,
            target=task.target if task else None, target_group_arn=self.tg.get(f"{service}-tg"),
            request_processing_time=0.0 if rpt is None else rpt,
            target_processing_time=latency, response_processing_time=0.0 if rspt is None else rspt,
            request_type=rtype, trace_id=trace_id, matched_rule_priority=priority, error_reason=error_reason,
            sent_bytes=sent, **kwargs)
        minute = when.replace(second=0, microsecond=0)
        self.agg.add("req", "lb", minute)
        self.agg.add("req", service, minute)
        if target_status is None or (target_status == "same" and status >= 500 and latency is None):
            if status >= 500:
                self.agg.add("elb5xx", "lb", minute)
            elif status >= 400:
                self.agg.add("elb4xx", "lb", minute)
        else:
            code = status if target_status == "same" else int(target_status)
            bucket = f"t{code // 100}xx"
            self.agg.add(bucket, "lb", minute)
            self.agg.add(bucket, service, minute)
            if latency is not None and latency >= 0:
                self.agg.add("lat", "lb", minute, latency)
                self.agg.add("latn", "lb", minute)
                self.agg.add("lat", service, minute, latency)
                self.agg.add("latn", service, minute)
        return trace

    # -- traffic -------------------------------------------------------------------------------------------

    def traffic(self) -> None:
        rates = {  # requests per minute
            "catalog_list": 118, "catalog_item": 58, "checkout": 18, "orders": 22, "checkout_config": 5,
            "payment_methods": 10, "payment_webhook": 5, "health": 12, "junk": 1.2,
        }
        minute = START
        while minute < END:
            hour_phase = (minute - START).total_seconds() / 7200.0
            load = 1.0 + 0.18 * math.sin(2 * math.pi * (hour_phase - 0.1))
            for route, rate in rates.items():
                lam = rate * load
                n = max(0, int(round(self.rng.gauss(lam, math.sqrt(lam)))))
                for _ in range(n):
                    when = minute + timedelta(microseconds=self.rng.randint(0, 59_999_999))
                    getattr(self, f"_{route}")(when)
            minute += timedelta(minutes=1)

    def _catalog_list(self, when: datetime) -> None:
        task = self.task("catalog", when)
        category = self.rng.choice(("shoes", "jackets", "bags", "hats", "socks", "sale", "new"))
        page = self.rng.randint(1, 6)
        warm = parse_time("2026-11-20T09:06:10Z") <= when < parse_time("2026-11-20T09:15:00Z")
        latency = self.rng.lognormvariate(math.log(0.045 if not warm else 0.16), 0.45)
        status = 200 if self.rng.random() > 0.002 else 500
        trace = self.alb(when, "catalog", task, "GET", f"/api/products?category={category}&page={page}", status,
                         latency, sent=self.rng.randint(4000, 24000))
        if self.rng.random() < 0.3:
            self.log(task, when, "INFO", "com.example.catalog.web.ProductController",
                     f"GET /api/products category={category} page={page} -> {status} in {int(latency * 1000)}ms")
        if warm and self.rng.random() < 0.15:
            self.log(task, when, "WARN", "com.example.catalog.cache.ProductCache",
                     f"Cache miss for key products:{category}:{page}; loading from catalog-db")
        if status == 500:
            self.log(task, when, "ERROR", "com.example.catalog.web.ErrorHandler",
                     "Unhandled exception: org.springframework.dao.QueryTimeoutException: PreparedStatementCallback; "
                     "SQL [select * from product where category = ? limit ? offset ?]; canceling statement due to user request")
        self._maybe_trace(when, "catalog", task, "GET", f"/api/products?category={category}&page={page}", status,
                          latency, trace, 1 / 250)

    def _catalog_item(self, when: datetime) -> None:
        task = self.task("catalog", when)
        sku = f"SKU-{self.rng.randint(10000, 99999)}"
        status = 200 if self.rng.random() > 0.04 else 404
        latency = self.rng.lognormvariate(math.log(0.03), 0.4)
        trace = self.alb(when, "catalog", task, "GET", f"/api/products/{sku}", status, latency)
        if status == 404:
            self.log(task, when, "WARN", "com.example.catalog.web.ProductController", f"Product {sku} not found")
        self._maybe_trace(when, "catalog", task, "GET", f"/api/products/{sku}", status, latency, trace, 1 / 250)

    def _checkout_config(self, when: datetime) -> None:
        task = self.task("checkout", when)
        self.alb(when, "checkout", task, "GET", "/api/checkout/config", 200, self.rng.uniform(0.004, 0.015), priority=4)

    def _checkout(self, when: datetime) -> None:
        self._order_call(when, "POST", "/api/checkout", "PutItem")

    def _orders(self, when: datetime) -> None:
        order = f"ord-{self.rng.randint(10_000_000, 99_999_999)}"
        self._order_call(when, "GET", f"/api/orders/{order}", "GetItem", order)

    def _order_call(self, when: datetime, method: str, path: str, operation: str, order: str | None = None) -> None:
        task = self.task("checkout", when)
        thread = self.thread()
        customer = f"cus-{self.rng.randint(100000, 999999)}"
        order = order or f"ord-{self.rng.randint(10_000_000, 99_999_999)}"
        failing = when >= ONSET
        ua = self.rng.choice((None, None, "ShopApp/5.12.1 (iPhone; iOS 18.1; Scale/3.00)",
                              "okhttp/4.12.0 ShopApp-Android/5.12.0"))
        if not failing:
            status = 200
            latency = self.rng.lognormvariate(math.log(0.11 if method == "POST" else 0.028), 0.35)
            if method == "GET" and self.rng.random() < 0.03:
                status = 404
            if method == "POST" and self.rng.random() < 0.006:
                status = 400
            trace = self.alb(when, "checkout", task, method, path, status, latency, ua=ua, priority=2)
            start = when - timedelta(seconds=latency)
            if method == "POST":
                if status == 200:
                    self.log(task, start, "INFO", "com.example.checkout.service.OrderService",
                             f"Creating order {order} for customer {customer} items={self.rng.randint(1, 6)} "
                             f"total={self.rng.randint(900, 40000) / 100:.2f} USD", thread)
                    self.log(task, when, "INFO", "com.example.checkout.service.OrderService",
                             f"Order {order} created in {int(latency * 1000)}ms", thread)
                else:
                    self.log(task, when, "WARN", "com.example.checkout.web.CheckoutController",
                             f"Rejected checkout for customer {customer}: cart is empty", thread)
            elif status == 404:
                self.log(task, when, "WARN", "com.example.checkout.web.OrderController", f"Order {order} not found", thread)
            self._maybe_trace(when, "checkout", task, method, path, status, latency, trace, 1 / 18,
                              operation=operation, order=order)
            return
        # after onset: DynamoDB unreachable, the SDK's connect timeout (2 s) times its retries
        attempts = self.rng.choice((1, 2, 3, 3, 3, 4))
        latency = attempts * 2.0 + self.rng.uniform(0.02, 0.35) * attempts + self.rng.uniform(0.0, 1.2)
        ip = self.rng.choice(DDB_IPS)
        message = connect_timeout_message(ip)
        start = when - timedelta(seconds=min(latency, ALB_IDLE_TIMEOUT))
        if latency > ALB_IDLE_TIMEOUT:
            response_at = start + timedelta(seconds=ALB_IDLE_TIMEOUT)
            trace = self.alb(response_at, "checkout", task, method, path, 504, None, target_status=None, ua=ua,
                             priority=2, rspt=None, sent=self.rng.randint(280, 320))
        else:
            trace = self.alb(when, "checkout", task, method, path, 500, latency, ua=ua, priority=2,
                             sent=self.rng.randint(300, 420))
        done = start + timedelta(seconds=latency)
        verb = "persist" if method == "POST" else "load"
        self.log(task, done, "ERROR", "com.example.checkout.service.OrderService",
                 f"Failed to {verb} order {order} for customer {customer}: {message}", thread)
        if self.rng.random() < 0.35:
            stack = java_stack(
                EXCEPTION, message,
                ["software.amazon.awssdk.core.exception.SdkClientException$BuilderImpl.build(SdkClientException.java:111)",
                 "software.amazon.awssdk.core.internal.http.pipeline.stages.utils.RetryableStageHelper.setLastException(RetryableStageHelper.java:223)",
                 "software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:83)",
                 "software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient.putItem(DefaultDynamoDbClient.java:4243)"
                 if method == "POST" else
                 "software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient.getItem(DefaultDynamoDbClient.java:3876)",
                 f"com.example.checkout.repository.OrderRepository.{'save' if method == 'POST' else 'findById'}(OrderRepository.java:{88 if method == 'POST' else 61})",
                 f"com.example.checkout.service.OrderService.{'placeOrder' if method == 'POST' else 'getOrder'}(OrderService.java:{142 if method == 'POST' else 97})",
                 "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)"],
                ("org.apache.http.conn.ConnectTimeoutException", message,
                 ["org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect(DefaultHttpClientConnectionOperator.java:151)",
                  "org.apache.http.impl.conn.PoolingHttpClientConnectionManager.connect(PoolingHttpClientConnectionManager.java:376)"]))
            self.log(task, done + timedelta(milliseconds=2), "ERROR",
                     "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/].[dispatcherServlet]",
                     "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                     f"[Request processing failed; nested exception is {EXCEPTION}: {message}] with root cause\n{stack}",
                     thread)
        if self.rng.random() < 1 / 14:
            self._trace_failure(trace, task, start, latency, method, path, operation, attempts, message)

    def _payment_methods(self, when: datetime) -> None:
        task = self.task("payment", when)
        latency = self.rng.lognormvariate(math.log(0.035), 0.3)
        trace = self.alb(when, "payment", task, "GET", f"/api/payments/methods?customer=cus-{self.rng.randint(100000, 999999)}",
                         200, latency, priority=6)
        self._maybe_trace(when, "payment", task, "GET", "/api/payments/methods", 200, latency, trace, 1 / 40)

    def _payment_webhook(self, when: datetime) -> None:
        task = self.task("payment", when)
        thread = self.thread()
        ua = "PayGate-Webhooks/2.3"
        latency = self.rng.lognormvariate(math.log(0.06), 0.3)
        status = 200
        if self.rng.random() < 0.22:
            # the gateway's rate limit: retried by the client library, almost always succeeds
            attempts = self.rng.randint(1, 3)
            for attempt in range(1, attempts + 1):
                self.log(task, when - timedelta(milliseconds=200 * (attempts - attempt + 1)), "WARN",
                         "com.example.payment.gateway.PayGateClient",
                         f"Payment gateway returned 429 Too Many Requests, retrying in {200 * attempt}ms (attempt {attempt}/3)",
                         thread)
            latency += 0.2 * attempts
            if attempts == 3 and self.rng.random() < 0.35:
                status = 502
                self.log(task, when, "ERROR", "com.example.payment.gateway.PayGateClient",
                         "Payment gateway returned 429 Too Many Requests after 3 attempts; giving up "
                         "(com.example.payment.gateway.PayGateRateLimitedException)", thread)
        self.log(task, when, "INFO", "com.example.payment.web.WebhookController",
                 f"Webhook evt_{self.b.hex(12)} processed status={status}", thread)
        trace = self.alb(when, "payment", task, "POST", "/api/payments/webhook", status, latency, ua=ua,
                         request_type="https", priority=7)
        self._maybe_trace(when, "payment", task, "POST", "/api/payments/webhook", status, latency, trace, 1 / 20)

    def _health(self, when: datetime) -> None:
        service = self.rng.choice(("checkout", "catalog", "payment"))
        task = self.task(service, when)
        ua = f"Amazon-Route53-Health-Check-Service (ref {self.b.uuid()}; report http://amzn.to/1vsZADi)"
        self.alb(when, service, task, "GET", f"/{service}/actuator/health", 200, self.rng.uniform(0.002, 0.008),
                 ua=ua, request_type="https", priority={"checkout": 3, "catalog": 5, "payment": 8}[service])

    def _junk(self, when: datetime) -> None:
        path = self.rng.choice(("/wp-login.php", "/.env", "/admin/config.php", "/.git/config", "/cgi-bin/luci"))
        self.b.add_alb_request(self.lb, when, method="GET", path=path, elb_status=404, target_status=None, target=None,
                               request_processing_time=None, target_processing_time=None, response_processing_time=None,
                               request_type="http", actions="fixed-response", matched_rule_priority=0,
                               user_agent="Mozilla/5.0 zgrab/0.x", sent_bytes=172)
        self.agg.add("req", "lb", when.replace(second=0, microsecond=0))
        self.agg.add("elb4xx", "lb", when.replace(second=0, microsecond=0))

    # -- traces --------------------------------------------------------------------------------------------

    def _ecs_aws(self, task: Task) -> dict[str, Any]:
        return {"ecs": {"container": f"ip-{task.ip.replace('.', '-')}.ec2.internal", "container_id": task.task_id[:12],
                        "task_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/shop/{task.task_id}",
                        "cluster_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/shop", "launch_type": "FARGATE"},
                "account_id": ACCOUNT}

    def _maybe_trace(self, when: datetime, service: str, task: Task, method: str, path: str, status: int,
                     latency: float, trace_id: str, probability: float, *, operation: str | None = None,
                     order: str | None = None) -> None:
        if self.rng.random() >= probability:
            return
        b = self.b
        start = when - timedelta(seconds=latency)
        end = when
        subs: list[dict[str, Any]] = []
        segments: list[dict[str, Any]] = []
        client_ip = f"73.162.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"
        if service == "checkout" and operation:
            t0 = start + timedelta(milliseconds=3)
            t1 = t0 + timedelta(seconds=min(latency * 0.35, 0.02))
            subs.append(aws_subsegment(b, "DynamoDB", operation, t0, t1, region=REGION, table=TABLE))
            if operation == "PutItem" and status == 200:
                p0 = t1 + timedelta(milliseconds=2)
                p1 = p0 + timedelta(seconds=latency * 0.45)
                remote = remote_subsegment(b, "payment", "POST", "http://payment.shop.local:8080/internal/authorize",
                                           p0, p1, 200)
                subs.append(remote)
                ptask = self.task("payment", when)
                segments.append(service_segment(
                    b, trace_id, "payment", "AWS::ECS::Container", p0 + timedelta(milliseconds=1), p1 - timedelta(milliseconds=1),
                    method="POST", url="http://payment.shop.local:8080/internal/authorize", status=200,
                    client_ip=task.ip, parent_id=remote["id"], aws=self._ecs_aws(ptask),
                    subsegments=[remote_subsegment(b, "api.paygate.example", "POST", "https://api.paygate.example/v2/authorizations",
                                                   p0 + timedelta(milliseconds=4), p1 - timedelta(milliseconds=4), 200)]))
                s0 = p1 + timedelta(milliseconds=1)
                subs.append(aws_subsegment(b, "SQS", "SendMessage", s0, s0 + timedelta(milliseconds=9), region=REGION,
                                           extra={"queue_url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/order-events"}))
        elif service == "catalog":
            c0 = start + timedelta(milliseconds=1)
            subs.append(remote_subsegment(b, "catalog-cache.x1y2z3.ng.0001.use1.cache.amazonaws.com", "GET",
                                          "redis://catalog-cache.x1y2z3.ng.0001.use1.cache.amazonaws.com:6379",
                                          c0, c0 + timedelta(milliseconds=1.5), None))
            subs[-1].pop("http", None)
            subs[-1]["namespace"] = "remote"
            if status >= 500 or self.rng.random() < 0.3:
                subs.append({"id": b.segment_id(), "name": "catalog@catalog-db.cluster-c9x8y7z6.us-east-1.rds.amazonaws.com",
                             "start_time": subs[-1]["end_time"], "end_time": round(subs[-1]["end_time"] + latency * 0.6, 6),
                             "namespace": "remote",
                             "sql": {"url": "jdbc:postgresql://catalog-db.cluster-c9x8y7z6.us-east-1.rds.amazonaws.com:5432/catalog",
                                     "database_type": "PostgreSQL", "database_version": "16.4", "driver_version": "PostgreSQL JDBC Driver 42.7.4",
                                     "user": "catalog_app", "preparation": "prepared"}})
        elif service == "payment" and path == "/api/payments/webhook":
            subs.append(remote_subsegment(b, "api.paygate.example", "POST", "https://api.paygate.example/v2/events/ack",
                                          start + timedelta(milliseconds=5), end - timedelta(milliseconds=5),
                                          200 if status < 500 else 429))
        root = service_segment(b, trace_id, service, "AWS::ECS::Container", start, end, method=method,
                               url=f"https://{DOMAIN}{path}", status=status, client_ip=client_ip,
                               aws=self._ecs_aws(task), subsegments=subs,
                               annotations={"order_id": order} if order else None)
        b.add_trace([root, *segments])

    def _trace_failure(self, trace_id: str, task: Task, start: datetime, latency: float, method: str, path: str,
                       operation: str, attempts: int, message: str) -> None:
        b = self.b
        end = start + timedelta(seconds=latency)
        frames_ddb = [("DefaultDynamoDbClient.java", 4243 if operation == "PutItem" else 3876,
                       f"software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient.{operation[0].lower() + operation[1:]}"),
                      ("OrderRepository.java", 88 if operation == "PutItem" else 61,
                       f"com.example.checkout.repository.OrderRepository.{'save' if operation == 'PutItem' else 'findById'}")]
        ddb_exc = xray_exception(b, EXCEPTION, message, frames_ddb, remote=False)
        sub = aws_subsegment(b, "DynamoDB", operation, start + timedelta(milliseconds=3), end - timedelta(milliseconds=4),
                             region=REGION, table=TABLE, status=None, fault=True, exception=ddb_exc, retries=attempts - 1)
        root_exc = xray_exception(b, EXCEPTION, message, [
            ("OrderService.java", 142 if operation == "PutItem" else 97,
             f"com.example.checkout.service.OrderService.{'placeOrder' if operation == 'PutItem' else 'getOrder'}"),
            ("FrameworkServlet.java", 885, "org.springframework.web.servlet.FrameworkServlet.service")])
        root_exc["cause"] = ddb_exc["id"]
        root = service_segment(b, trace_id, "checkout", "AWS::ECS::Container", start, end, method=method,
                               url=f"https://{DOMAIN}{path}", status=500,
                               client_ip=f"98.207.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}",
                               aws=self._ecs_aws(task), subsegments=[sub], exception=root_exc)
        b.add_trace([root])

    # -- other logs ----------------------------------------------------------------------------------------

    def app_noise(self) -> None:
        b = self.b
        # startup/shutdown of the catalog deploy at 09:05
        for i, task in enumerate(self.new_catalog):
            t0 = parse_time("2026-11-20T09:05:40Z") + timedelta(seconds=7 * i)
            for offset, level, logger, msg in (
                (0.0, "INFO", "com.example.catalog.CatalogApplication", "Starting CatalogApplication v2.41.0 using Java 21.0.5 with PID 1"),
                (0.4, "INFO", "com.example.catalog.CatalogApplication", "The following 1 profile is active: \"prod\""),
                (6.1, "INFO", "com.zaxxer.hikari.HikariDataSource", "HikariPool-1 - Start completed."),
                (9.8, "INFO", "org.springframework.boot.web.embedded.tomcat.TomcatWebServer", "Tomcat started on port 8080 (http) with context path '/'"),
                (10.2, "INFO", "com.example.catalog.CatalogApplication", "Started CatalogApplication in 10.412 seconds (process running for 11.03)"),
            ):
                self.log(task, t0 + timedelta(seconds=offset), level, logger, msg, thread="main")
        for i, task in enumerate(self.tasks["catalog"]):
            t0 = parse_time("2026-11-20T09:06:15Z") + timedelta(seconds=9 * i)
            self.log(task, t0, "INFO", "org.springframework.boot.web.embedded.tomcat.GracefulShutdown",
                     "Commencing graceful shutdown. Waiting for active requests to complete", thread="SpringApplicationShutdownHook")
            self.log(task, t0 + timedelta(seconds=1.2), "INFO", "com.zaxxer.hikari.HikariDataSource",
                     "HikariPool-1 - Shutdown completed.", thread="SpringApplicationShutdownHook")
        # periodic housekeeping noise on every service
        for service, tasks in self.tasks.items():
            for task in tasks + (self.new_catalog if service == "catalog" else []):
                moment = START + timedelta(seconds=self.rng.randint(0, 300))
                while moment < END:
                    if service == "catalog" and task in self.tasks["catalog"] and moment > parse_time("2026-11-20T09:06:15Z"):
                        break
                    if service == "catalog" and task in self.new_catalog and moment < parse_time("2026-11-20T09:06:00Z"):
                        moment += timedelta(minutes=5)
                        continue
                    choice = self.rng.random()
                    if choice < 0.45:
                        self.log(task, moment, "INFO", "com.zaxxer.hikari.pool.HikariPool" if service == "catalog"
                                 else "com.example.common.metrics.MetricsPublisher",
                                 "HikariPool-1 - Pool stats (total=10, active=1, idle=9, waiting=0)" if service == "catalog"
                                 else f"Published {self.rng.randint(40, 90)} metrics to CloudWatch EMF", thread="scheduling-1")
                    elif choice < 0.6:
                        self.log(task, moment, "WARN", "io.micrometer.core.instrument.MeterRegistry",
                                 "Timer 'http.server.requests' has more than 100 tags; consider reducing cardinality",
                                 thread="scheduling-1")
                    elif choice < 0.7:
                        self.log(task, moment, "DEBUG", "software.amazon.awssdk.request",
                                 f"Received successful response: 200, Request ID: {b.chars(52)}, Extended Request ID: not available",
                                 thread="sdk-async-response-0-1")
                    moment += timedelta(seconds=self.rng.randint(30, 110))
        # the leaked access key: a payment library logs its static credentials at startup of a retry client
        pay = self.tasks["payment"][1]
        self.log(pay, parse_time("2026-11-20T09:52:31.406Z"), "INFO", "com.example.payment.reports.S3ReportUploader",
                 f"Initialized S3 report uploader with static credentials accessKeyId={LEAKED_ACCESS_KEY} "
                 f"secretAccessKey={LEAKED_SECRET_KEY} bucket=shop-payment-reports", thread="scheduling-1")
        # checkout: SQS publisher warnings after onset (no orders to publish) and an idle-connection note
        for task in self.tasks["checkout"]:
            moment = START + timedelta(seconds=self.rng.randint(0, 600))
            while moment < END:
                self.log(task, moment, "INFO", "com.example.checkout.events.OrderEventPublisher",
                         f"Outbox drained: {0 if moment >= ONSET else self.rng.randint(3, 14)} events published to order-events",
                         thread="scheduling-1")
                moment += timedelta(seconds=self.rng.randint(50, 70))
        # the image resizer Lambda
        group = "/aws/lambda/shop-image-resizer"
        stream = "2026/11/20/[$LATEST]" + b.hex(32)
        moment = START + timedelta(seconds=41)
        cold = True
        while moment < END:
            request_id = b.uuid()
            slow = parse_time("2026-11-20T10:30:00Z") <= moment < parse_time("2026-11-20T10:45:00Z")
            duration = self.rng.uniform(900, 2400) * (3.2 if slow else 1.0)
            b.add_log_event(group, stream, moment, lambda_start(request_id))
            b.add_log_event(group, stream, moment + timedelta(milliseconds=20), python_lambda_line(
                moment, "INFO", request_id, f"Resizing s3://shop-assets-prod/uploads/{b.hex(10)}.jpg to 3 sizes"))
            if slow and self.rng.random() < 0.2:
                b.add_log_event(group, stream, moment + timedelta(milliseconds=duration - 5), python_lambda_line(
                    moment, "WARNING", request_id, "Source image is 48 MP; downscaling in tiles"))
            b.add_log_event(group, stream, moment + timedelta(milliseconds=duration), lambda_end(request_id))
            b.add_log_event(group, stream, moment + timedelta(milliseconds=duration + 1), lambda_report(
                request_id, duration, 1024, self.rng.randint(180, 260), 812.44 if cold else None))
            cold = False
            moment += timedelta(seconds=self.rng.randint(60, 240))

    def leaked_password_request(self) -> None:
        when = parse_time("2026-11-20T09:17:33.512Z")
        task = self.task("catalog", when)
        self.alb(when, "catalog", task, "GET", f"/api/login?username=ops-admin&password={LEAKED_PASSWORD}", 401, 0.012,
                 ua="python-requests/2.32.3", request_type="https", priority=10)

    # -- CloudTrail ----------------------------------------------------------------------------------------

    def cloudtrail(self) -> None:
        b = self.b
        jane = assumed_role_identity(ACCOUNT, SSO_ROLE, SSO_SESSION, path="/aws-reserved/sso.amazonaws.com/",
                                     created=parse_time("2026-11-20T09:31:02Z"))
        github = assumed_role_identity(ACCOUNT, "github-actions-deploy", "GitHubActions",
                                       created=parse_time("2026-11-20T09:03:58Z"))
        terraform = assumed_role_identity(ACCOUNT, "terraform-apply", "terraform-run-3f9a1c",
                                          created=parse_time("2026-11-20T09:11:40Z"))
        ci = assumed_role_identity(ACCOUNT, "ci-deployer", "buildkite-8841", created=parse_time("2026-11-20T09:20:55Z"))
        monitor = assumed_role_identity(ACCOUNT, "DatadogIntegrationRole", "DatadogAWSIntegration",
                                        created=parse_time("2026-11-20T08:45:00Z"))
        gh_ua = "aws-sdk-js/3.709.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ecs#3.709.0 m/E,e"
        tf_ua = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
                 "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3 "
                 "md/GOOS#linux md/GOARCH#amd64 api/cloudwatch#1.43.3")
        dd_ua = "Datadog/1.0 aws-sdk-go/1.55.5 (go1.22.7; linux; amd64)"
        # read-only monitoring noise every 5 minutes
        for moment in (START + timedelta(minutes=5 * i, seconds=17) for i in range(24)):
            for name, source, params in (
                ("GetMetricData", "monitoring.amazonaws.com", {"startTime": iso_z(moment - timedelta(minutes=10)),
                                                                "endTime": iso_z(moment), "maxDatapoints": 100800}),
                ("DescribeAlarms", "monitoring.amazonaws.com", {"maxRecords": 100}),
                ("ListClusters", "ecs.amazonaws.com", {"maxResults": 100}),
            ):
                b.add_cloudtrail_event(moment + timedelta(seconds=self.rng.randint(0, 40)), source, name, monitor, params,
                                       None, source_ip="3.233.147.50", user_agent=dd_ua, read_only=True)
        # ECS task credentials and KMS decrypts by AWS services
        for task in [t for ts in self.tasks.values() for t in ts] + self.new_catalog:
            for hour in (0, 1):
                moment = START + timedelta(hours=hour, seconds=self.rng.randint(0, 3500))
                if task in self.new_catalog and moment < parse_time("2026-11-20T09:05:45Z"):
                    moment = parse_time("2026-11-20T09:05:45Z") + timedelta(seconds=self.rng.randint(0, 30))
                role = f"{task.service}-task-role"
                b.add_cloudtrail_event(moment, "sts.amazonaws.com", "AssumeRole", aws_service_identity("ecs-tasks.amazonaws.com"),
                                       {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "roleSessionName": task.task_id},
                                       {"credentials": {"accessKeyId": "ASIA" + b.chars(16),
                                                        "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLE" + b.chars(40),
                                                        "expiration": (moment + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p")},
                                        "assumedRoleUser": {"assumedRoleId": f"{assumed_role_identity(ACCOUNT, role, task.task_id)['principalId']}",
                                                            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{task.task_id}"}},
                                       source_ip="ecs-tasks.amazonaws.com", user_agent="ecs-tasks.amazonaws.com",
                                       resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role",
                                                   "ARN": f"arn:aws:iam::{ACCOUNT}:role/{role}"}], event_version="1.08")
        moment = START + timedelta(seconds=95)
        while moment < END:
            b.add_cloudtrail_event(moment, "kms.amazonaws.com", "Decrypt", aws_service_identity("secretsmanager.amazonaws.com"),
                                   {"encryptionContext": {"SecretARN": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/payment/paygate-api-key-Xy12Ab",
                                                          "SecretVersionId": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"},
                                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, None,
                                   source_ip="secretsmanager.amazonaws.com", user_agent="secretsmanager.amazonaws.com",
                                   resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key",
                                               "ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"}])
            moment += timedelta(seconds=self.rng.randint(300, 720))
        # 09:04-09:06 catalog deploy by GitHub Actions
        b.add_cloudtrail_event(parse_time("2026-11-20T09:04:31Z"), "ecs.amazonaws.com", "RegisterTaskDefinition", github,
                               {"family": "catalog", "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/catalog-task-role",
                                "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
                                "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "1024", "memory": "2048",
                                "containerDefinitions": [{"name": "catalog", "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/catalog:2.41.0",
                                                          "portMappings": [{"containerPort": 8080, "protocol": "tcp"}], "essential": True}]},
                               {"taskDefinition": {"taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/catalog:58",
                                                   "family": "catalog", "revision": 58, "status": "ACTIVE"}},
                               source_ip="20.42.11.7", user_agent=gh_ua)
        b.add_cloudtrail_event(parse_time("2026-11-20T09:05:02Z"), "ecs.amazonaws.com", "UpdateService", github,
                               {"cluster": "shop", "service": "catalog", "taskDefinition": "catalog:58", "forceNewDeployment": False},
                               {"service": {"serviceName": "catalog", "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/shop",
                                            "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/catalog",
                                            "taskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/catalog:58",
                                            "desiredCount": 3, "launchType": "FARGATE", "status": "ACTIVE"}},
                               source_ip="20.42.11.7", user_agent=gh_ua, event_id=CATALOG_DEPLOY_EVENT_ID)
        for i, task in enumerate(self.new_catalog):
            b.add_cloudtrail_event(parse_time("2026-11-20T09:05:38Z") + timedelta(seconds=7 * i), "logs.amazonaws.com",
                                   "CreateLogStream", assumed_role_identity(ACCOUNT, "ecsTaskExecutionRole", task.task_id),
                                   {"logGroupName": "/ecs/catalog", "logStreamName": task.stream}, None,
                                   source_ip="10.0.11.5", user_agent="Amazon ECS Agent - v1.88.0 (*1b1c3f0e) (+http://aws.amazon.com/ecs/)")
        for k in range(4):
            b.add_cloudtrail_event(parse_time("2026-11-20T09:05:10Z") + timedelta(seconds=20 * k), "ecs.amazonaws.com",
                                   "DescribeServices", github, {"cluster": "shop", "services": ["catalog"]}, None,
                                   source_ip="20.42.11.7", user_agent=gh_ua, read_only=True)
        # 09:12 alarm created by Terraform
        b.add_cloudtrail_event(parse_time("2026-11-20T09:12:47Z"), "monitoring.amazonaws.com", "PutMetricAlarm", terraform,
                               {"alarmName": "catalog-p99-latency-high", "namespace": "AWS/ApplicationELB",
                                "metricName": "TargetResponseTime", "extendedStatistic": "p99", "period": 60,
                                "evaluationPeriods": 5, "threshold": 1.5, "comparisonOperator": "GreaterThanThreshold",
                                "dimensions": [{"name": "TargetGroup", "value": f"targetgroup/catalog-tg/{_TG_IDS['catalog-tg']}"},
                                               {"name": "LoadBalancer", "value": LOAD_BALANCER}],
                                "alarmActions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall-pager"]}, None,
                               source_ip="34.201.18.77", user_agent=tf_ua, event_id=ALARM_EVENT_ID)
        # 09:21 CI role denied
        b.add_cloudtrail_event(parse_time("2026-11-20T09:21:40Z"), "ssm.amazonaws.com", "PutParameter", ci, None, None,
                               source_ip="44.210.3.19",
                               user_agent="aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#5.10.228 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off md/command#ssm.put-parameter",
                               error_code="AccessDenied",
                               error_message=(f"User: arn:aws:sts::{ACCOUNT}:assumed-role/ci-deployer/buildkite-8841 is not authorized "
                                              f"to perform: ssm:PutParameter on resource: arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/shop/catalog/feature-flags "
                                              "because no identity-based policy allows the ssm:PutParameter action"),
                               event_id=CI_DENIED_EVENT_ID, read_only=False)
        # 09:31 jane signs in through IAM Identity Center, looks at the endpoint, removes a route table
        b.add_cloudtrail_event(parse_time("2026-11-20T09:31:05Z"), "signin.amazonaws.com", "ConsoleLogin", jane, None,
                               {"ConsoleLogin": "Success"}, source_ip=JANE_IP, user_agent=CONSOLE_UA,
                               additional_event_data={"MobileVersion": "No", "MFAUsed": "No"},
                               event_type="AwsConsoleSignIn", read_only=False, region="us-east-1", event_version="1.08")
        for offset, name, params in (
            ("09:36:50", "DescribeVpcEndpoints", {"DescribeVpcEndpointsRequest": {"MaxResults": 100}}),
            ("09:37:20", "DescribeRouteTables", {"routeTableIdSet": {}, "filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": VPC_ID}]}}]}}),
            ("09:37:58", "DescribeVpcEndpoints", {"DescribeVpcEndpointsRequest": {"VpcEndpointId": {"content": VPC_ENDPOINT, "tag": 1}}}),
        ):
            b.add_cloudtrail_event(parse_time(f"2026-11-20T{offset}Z"), "ec2.amazonaws.com", name, jane, params, None,
                                   source_ip=JANE_IP, user_agent=CONSOLE_UA, console=True, read_only=True)
        request_id = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"
        record = b.add_cloudtrail_event(
            CHANGE_TIME, "ec2.amazonaws.com", "ModifyVpcEndpoint", jane,
            {"ModifyVpcEndpointRequest": {"VpcEndpointId": VPC_ENDPOINT,
                                          "RemoveRouteTableId": {"tag": 1, "content": ROUTE_TABLE}}},
            {"ModifyVpcEndpointResponse": {"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                                           "requestId": request_id, "return": True}},
            source_ip=JANE_IP, user_agent=CONSOLE_UA, console=True, read_only=False, event_id=CHANGE_EVENT_ID)
        record["requestID"] = request_id
        # after onset: on-call looks around (read-only), an unrelated retention change, a Lambda config change
        sam = assumed_role_identity(ACCOUNT, "AWSReservedSSO_ReadOnlyAccess_2b4d6f8a0c1e3a5b", "sam.lee@example.com",
                                    path="/aws-reserved/sso.amazonaws.com/", created=parse_time("2026-11-20T09:47:30Z"))
        for offset, source, name, params in (
            ("09:48:02", "monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
            ("09:49:40", "ecs.amazonaws.com", "DescribeServices", {"cluster": "shop", "services": ["checkout"]}),
            ("09:51:13", "logs.amazonaws.com", "StartQuery", {"logGroupNames": ["/ecs/checkout"], "queryString": "fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 100",
                                                              "startTime": 1795161600, "endTime": 1795164600}),
        ):
            b.add_cloudtrail_event(parse_time(f"2026-11-20T{offset}Z"), source, name, sam, params, None,
                                   source_ip="198.51.100.87", user_agent=CONSOLE_UA, console=True, read_only=True)
        b.add_cloudtrail_event(parse_time("2026-11-20T10:05:44Z"), "logs.amazonaws.com", "PutRetentionPolicy", terraform,
                               {"logGroupName": "/aws/lambda/shop-image-resizer", "retentionInDays": 30}, None,
                               source_ip="34.201.18.77", user_agent=tf_ua.replace("cloudwatch#1.43.3", "cloudwatchlogs#1.44.0"))
        b.add_cloudtrail_event(parse_time("2026-11-20T10:20:31Z"), "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2",
                               terraform, {"functionName": "shop-image-resizer", "memorySize": 1536, "timeout": 60},
                               {"functionName": "shop-image-resizer", "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:shop-image-resizer",
                                "runtime": "python3.12", "memorySize": 1536, "timeout": 60, "lastUpdateStatus": "InProgress"},
                               source_ip="34.201.18.77", user_agent=tf_ua.replace("cloudwatch#1.43.3", "lambda#1.69.0"))

    # -- metrics -------------------------------------------------------------------------------------------

    def metrics(self) -> None:
        b, agg, rng = self.b, self.agg, self.rng
        lb_dim = {"LoadBalancer": LOAD_BALANCER}

        def noisy(base: float, sd: float) -> float:
            return max(0.0, rng.gauss(base, sd))

        def count(key: str, scope: str, omit_zero: bool = False):
            def fn(m: datetime) -> float | None:
                v = agg.get(key, scope, m)
                return None if (omit_zero and v == 0) else v
            return fn

        def latency(scope: str):
            def fn(m: datetime) -> float | None:
                n = agg.get("latn", scope, m)
                return agg.get("lat", scope, m) / n if n else None
            return fn

        def samples(scope: str):
            return lambda m: int(agg.get("latn", scope, m)) or 1

        for name, key, omit in (("RequestCount", "req", False), ("HTTPCode_Target_2XX_Count", "t2xx", False),
                                ("HTTPCode_Target_4XX_Count", "t4xx", True), ("HTTPCode_Target_5XX_Count", "t5xx", True),
                                ("HTTPCode_ELB_5XX_Count", "elb5xx", True), ("HTTPCode_ELB_4XX_Count", "elb4xx", True)):
            b.add_metric("AWS/ApplicationELB", name, lb_dim, count(key, "lb", omit), unit="Count", kind="count")
        b.add_metric("AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lb_dim, count("elb5xx", "lb", True), unit="Count", kind="count")
        b.add_metric("AWS/ApplicationELB", "TargetResponseTime", lb_dim, latency("lb"), unit="Seconds", samples=samples("lb"))
        b.add_metric("AWS/ApplicationELB", "ActiveConnectionCount", lb_dim, lambda m: agg.get("req", "lb", m) * 0.42 + noisy(10, 3),
                     unit="Count", kind="count")
        b.add_metric("AWS/ApplicationELB", "NewConnectionCount", lb_dim, lambda m: agg.get("req", "lb", m) * 0.31 + noisy(5, 2),
                     unit="Count", kind="count")
        b.add_metric("AWS/ApplicationELB", "ProcessedBytes", lb_dim, lambda m: agg.get("req", "lb", m) * noisy(5200, 400),
                     unit="Bytes", kind="count")
        b.add_metric("AWS/ApplicationELB", "ConsumedLCUs", lb_dim, lambda m: 0.8 + agg.get("req", "lb", m) / 1500 + noisy(0, 0.03),
                     unit="Count", samples=1)
        for service in ("checkout", "catalog", "payment"):
            tg = f"targetgroup/{service}-tg/{_TG_IDS[service + '-tg']}"
            dims = {"TargetGroup": tg, "LoadBalancer": LOAD_BALANCER}
            b.add_metric("AWS/ApplicationELB", "RequestCount", dims, count("req", service), unit="Count", kind="count")
            b.add_metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, count("t5xx", service, True), unit="Count", kind="count")
            b.add_metric("AWS/ApplicationELB", "TargetResponseTime", dims, latency(service), unit="Seconds", samples=samples(service))
            hosts = 3 if service != "payment" else 2
            b.add_metric("AWS/ApplicationELB", "HealthyHostCount", dims, lambda m, h=hosts: float(h), unit="Count", samples=1, spread=0)
            b.add_metric("AWS/ApplicationELB", "UnHealthyHostCount", dims, lambda m: 0.0, unit="Count", samples=1, spread=0)
        # ECS service utilization
        def cpu(service: str):
            def fn(m: datetime) -> float:
                if service == "checkout":
                    return noisy(14, 2) if m >= ONSET else noisy(37, 3.5)
                if service == "catalog":
                    deploy = parse_time("2026-11-20T09:05:00Z") <= m < parse_time("2026-11-20T09:13:00Z")
                    return noisy(52, 5) if deploy else noisy(24, 2.5)
                return noisy(17, 2)
            return fn

        def mem(service: str):
            base = {"checkout": 61.0, "catalog": 55.0, "payment": 43.0}[service]
            return lambda m: noisy(base + (5.5 if service == "checkout" and m >= ONSET else 0), 0.8)

        for service in ("checkout", "catalog", "payment"):
            dims = {"ClusterName": "shop", "ServiceName": service}
            b.add_metric("AWS/ECS", "CPUUtilization", dims, cpu(service), unit="Percent", samples=3 if service != "payment" else 2)
            b.add_metric("AWS/ECS", "MemoryUtilization", dims, mem(service), unit="Percent", samples=3 if service != "payment" else 2)
        for service, n in (("checkout", 3), ("catalog", 3), ("payment", 2)):
            b.add_metric("ECS/ContainerInsights", "RunningTaskCount", {"ClusterName": "shop", "ServiceName": service},
                         lambda m, n=n, s=service: float(n + (3 if s == "catalog" and parse_time("2026-11-20T09:05:00Z") <= m < parse_time("2026-11-20T09:07:00Z") else 0)),
                         unit="Count", samples=1, spread=0)
        # DynamoDB orders: requests stop arriving after onset (only the reconciler Lambda outside the VPC writes)
        def ddb(kind: str):
            def fn(m: datetime) -> float | None:
                puts = agg.get("t2xx", "checkout", m) * 0.45 if m < ONSET else 0.0
                gets = agg.get("t2xx", "checkout", m) * 0.55 if m < ONSET else 0.0
                trickle = rng.choice((2, 3, 3, 4))
                if kind == "wcu":
                    return puts * 1.0 + trickle * 1.0
                if kind == "rcu":
                    return gets * 0.5 + trickle * 2.5
                if kind == "get_n":
                    return gets or None
                if kind == "put_n":
                    return puts + trickle
                if kind == "query_items":
                    return trickle * rng.randint(8, 20)
                return None
            return fn

        table = {"TableName": TABLE}
        b.add_metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", table, ddb("wcu"), unit="Count", kind="count")
        b.add_metric("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, ddb("rcu"), unit="Count", kind="count")
        get_n, put_n = ddb("get_n"), ddb("put_n")
        b.add_metric("AWS/DynamoDB", "SuccessfulRequestLatency", {**table, "Operation": "GetItem"},
                     lambda m: noisy(3.4, 0.3) if m < ONSET else None, unit="Milliseconds",
                     samples=lambda m: int(get_n(m) or 1))
        b.add_metric("AWS/DynamoDB", "SuccessfulRequestLatency", {**table, "Operation": "PutItem"},
                     lambda m: noisy(5.9, 0.5), unit="Milliseconds", samples=lambda m: int(put_n(m) or 1))
        b.add_metric("AWS/DynamoDB", "SuccessfulRequestLatency", {**table, "Operation": "Query"},
                     lambda m: noisy(7.2, 0.8), unit="Milliseconds", samples=lambda m: 3)
        b.add_metric("AWS/DynamoDB", "ReturnedItemCount", {**table, "Operation": "Query"},
                     lambda m: (agg.get("t2xx", "checkout", m) * 0.2 * 6 if m < ONSET else 0) + rng.randint(20, 50),
                     unit="Count", kind="count")
        b.add_metric("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", table, lambda m: 50.0, unit="Count", samples=1, spread=0, period=300)
        b.add_metric("AWS/DynamoDB", "ProvisionedReadCapacityUnits", table, lambda m: 100.0, unit="Count", samples=1, spread=0, period=300)
        for other, r, w in (("catalog-items", 40.0, 2.0), ("sessions", 25.0, 18.0)):
            b.add_metric("AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": other}, lambda m, r=r: noisy(r, r * 0.1), unit="Count", kind="count")
            b.add_metric("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": other}, lambda m, w=w: noisy(w, w * 0.2), unit="Count", kind="count")
            b.add_metric("AWS/DynamoDB", "SuccessfulRequestLatency", {"TableName": other, "Operation": "GetItem"},
                         lambda m: noisy(3.1, 0.3), unit="Milliseconds", samples=20)
        # SQS
        q = {"QueueName": "order-events"}
        b.add_metric("AWS/SQS", "NumberOfMessagesSent", q, lambda m: agg.get("t2xx", "checkout", m) * 0.45 if m < ONSET else 0.0, unit="Count", kind="count")
        b.add_metric("AWS/SQS", "NumberOfMessagesReceived", q, lambda m: agg.get("t2xx", "checkout", m) * 0.45 if m < ONSET + timedelta(minutes=1) else 0.0, unit="Count", kind="count")
        b.add_metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", q, lambda m: float(rng.randint(0, 3)), unit="Count", samples=1)
        b.add_metric("AWS/SQS", "ApproximateAgeOfOldestMessage", q, lambda m: float(rng.randint(0, 4)), unit="Seconds", samples=1)
        # Lambda image resizer (slow batch 10:30-10:45)
        fn = {"FunctionName": "shop-image-resizer"}
        slow = lambda m: parse_time("2026-11-20T10:30:00Z") <= m < parse_time("2026-11-20T10:45:00Z")  # noqa: E731
        b.add_metric("AWS/Lambda", "Invocations", fn, lambda m: float(rng.choice((0, 0, 1, 1, 1, 2))), unit="Count", kind="count")
        b.add_metric("AWS/Lambda", "Errors", fn, lambda m: 0.0, unit="Count", kind="count")
        b.add_metric("AWS/Lambda", "Throttles", fn, lambda m: 0.0, unit="Count", kind="count")
        b.add_metric("AWS/Lambda", "Duration", fn, lambda m: noisy(1600, 400) * (3.2 if slow(m) else 1), unit="Milliseconds")
        b.add_metric("AWS/Lambda", "ConcurrentExecutions", fn, lambda m: float(rng.choice((0, 1, 1, 2))), unit="Count", samples=1)
        # Aurora catalog-db
        db = {"DBClusterIdentifier": "catalog-db"}
        deploy = lambda m: parse_time("2026-11-20T09:05:00Z") <= m < parse_time("2026-11-20T09:15:00Z")  # noqa: E731
        b.add_metric("AWS/RDS", "CPUUtilization", db, lambda m: noisy(31 if deploy(m) else 12, 1.5), unit="Percent")
        b.add_metric("AWS/RDS", "DatabaseConnections", db, lambda m: float(rng.randint(28, 33)), unit="Count")
        b.add_metric("AWS/RDS", "FreeableMemory", db, lambda m: noisy(5.1e9, 3e7), unit="Bytes")
        b.add_metric("AWS/RDS", "ReadLatency", db, lambda m: noisy(0.0011, 0.0001), unit="Seconds")
        b.add_metric("AWS/RDS", "WriteLatency", db, lambda m: noisy(0.0016, 0.0002), unit="Seconds")
        b.add_metric("AWS/RDS", "CommitLatency", db, lambda m: noisy(2.4, 0.3), unit="Milliseconds")
        # ElastiCache catalog-cache (the unrelated shift: misses after the 09:05 deploy)
        for node in ("0001", "0002"):
            cache = {"CacheClusterId": f"catalog-cache-{node}-001"}
            b.add_metric("AWS/ElastiCache", "CacheMisses", cache, lambda m: noisy(820 if deploy(m) else 35, 40 if deploy(m) else 6),
                         unit="Count", kind="count")
            b.add_metric("AWS/ElastiCache", "CacheHits", cache, lambda m: noisy(2100 if deploy(m) else 2900, 90), unit="Count", kind="count")
            b.add_metric("AWS/ElastiCache", "EngineCPUUtilization", cache, lambda m: noisy(6.5, 0.7), unit="Percent")
            b.add_metric("AWS/ElastiCache", "CurrConnections", cache, lambda m: float(rng.randint(38, 44)), unit="Count")
        # bastion EC2 (basic monitoring, 5 minutes)
        ec2 = {"InstanceId": BASTION}
        b.add_metric("AWS/EC2", "CPUUtilization", ec2, lambda m: noisy(1.8, 0.4), unit="Percent", period=300)
        b.add_metric("AWS/EC2", "NetworkIn", ec2, lambda m: noisy(41000, 6000), unit="Bytes", kind="count", period=300)
        b.add_metric("AWS/EC2", "NetworkOut", ec2, lambda m: noisy(38000, 5000), unit="Bytes", kind="count", period=300)
        b.add_metric("AWS/EC2", "StatusCheckFailed", ec2, lambda m: 0.0, unit="Count", period=300, spread=0)
        # CloudWatch Logs ingestion per group
        for group, base in (("/ecs/checkout", 55.0), ("/ecs/catalog", 70.0), ("/ecs/payment", 25.0)):
            b.add_metric("AWS/Logs", "IncomingLogEvents", {"LogGroupName": group},
                         lambda m, g=group, base=base: noisy(base * (1.9 if g == "/ecs/checkout" and m >= ONSET else 1.0), base * 0.12),
                         unit="Count", kind="count")

    # -- findings ------------------------------------------------------------------------------------------

    def findings(self) -> None:
        b = self.b
        long_ago = parse_time("2026-09-02T14:11:09Z")
        recent = parse_time("2026-11-20T08:52:14Z")
        b.add_securityhub_finding(asff_control_finding(
            b, "S3.14", "S3 general purpose buckets should have versioning enabled",
            "This control checks whether an Amazon S3 general purpose bucket has versioning enabled.",
            resource_type="AwsS3Bucket", resource_id="arn:aws:s3:::shop-assets-prod", normalized=1,
            first_seen=long_ago, last_seen=recent,
            details={"AwsS3Bucket": {"OwnerId": "4f3e2d1c0b" * 6 + "a1b2c3d4", "CreatedAt": "2024-03-11T10:02:44.000Z",
                                     "BucketVersioningConfiguration": {"Status": "Suspended"}}}))
        b.add_securityhub_finding(asff_control_finding(
            b, "EC2.13", "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
            "This control checks whether an Amazon EC2 security group allows ingress from 0.0.0.0/0 or ::/0 to port 22.",
            resource_type="AwsEc2SecurityGroup", resource_id=f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{BASTION_SG}",
            normalized=70, first_seen=parse_time("2025-06-18T09:40:51Z"), last_seen=recent + timedelta(minutes=3),
            details={"AwsEc2SecurityGroup": {"GroupName": "bastion-ssh", "GroupId": BASTION_SG, "VpcId": VPC_ID,
                                             "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                                                "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}}))
        b.add_securityhub_finding(asff_control_finding(
            b, "IAM.9", "MFA should be enabled for the root user",
            "This control checks whether multi-factor authentication (MFA) is enabled for the AWS account root user.",
            resource_type="AwsAccount", resource_id=f"AWS::::Account:{ACCOUNT}", normalized=90,
            first_seen=parse_time("2024-11-02T17:20:00Z"), last_seen=recent + timedelta(minutes=5)))
        b.add_securityhub_finding(asff_control_finding(
            b, "ECS.2", "ECS services should not have public IP addresses assigned to them automatically",
            "This control checks whether Amazon ECS services are configured to automatically assign public IP addresses.",
            resource_type="AwsEcsService", resource_id=f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/shop/payment",
            normalized=70, first_seen=parse_time("2026-10-14T12:00:00Z"), last_seen=recent))
        probe_ip = "45.146.164.110"
        gd = guardduty_finding(
            b, "Recon:EC2/PortProbeUnprotectedPort",
            f"Unprotected port on EC2 instance {BASTION} is being probed.",
            "EC2 instance has an unprotected port which is being probed by a known malicious host.",
            severity=2.0, first_seen=parse_time("2026-11-12T03:14:27Z"), last_seen=parse_time("2026-11-20T10:26:51Z"),
            count=3412, detector_id=DETECTOR,
            resource={"ResourceType": "Instance", "InstanceDetails": {
                "InstanceId": BASTION, "InstanceType": "t3.micro", "InstanceState": "running",
                "AvailabilityZone": "us-east-1a", "ImageId": "ami-0453ec754f44f9a4a", "LaunchTime": "2025-06-18T09:31:12.000Z",
                "Tags": [{"Key": "Name", "Value": "bastion"}],
                "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0a1b2c3d4e5f60789", "PrivateIpAddress": "10.0.0.25",
                                       "PublicIp": "3.91.22.147", "SubnetId": "subnet-0f1e2d3c4b5a69788", "VpcId": VPC_ID,
                                       "SecurityGroups": [{"GroupId": BASTION_SG, "GroupName": "bastion-ssh"}]}]}},
            action={"ActionType": "PORT_PROBE", "PortProbeAction": {"Blocked": False, "PortProbeDetails": [{
                "LocalPortDetails": {"Port": 22, "PortName": "SSH"},
                "RemoteIpDetails": {"IpAddressV4": probe_ip, "Organization": {"Asn": "49870", "AsnOrg": "Alsycon B.V.",
                                                                               "Isp": "Alsycon B.V.", "Org": "Alsycon B.V."},
                                    "Country": {"CountryName": "Netherlands"}, "City": {"CityName": "Amsterdam"},
                                    "GeoLocation": {"Lat": 52.3759, "Lon": 4.8975}}}]}},
            additional_info={"threatListName": "ProofPoint", "sample": False})
        b.add_guardduty_finding(gd)
        b.add_securityhub_finding(guardduty_as_asff(b, gd, "AwsEc2Instance", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{BASTION}",
                                                    "TTPs/Discovery"))

    def build(self, gzip: bool) -> Path:
        self.traffic()
        self.leaked_password_request()
        self.app_noise()
        self.cloudtrail()
        self.metrics()
        self.findings()
        return self.b.write(gzip=gzip)


def build_demo(out_dir: str | Path, gzip: bool = False) -> Path:
    """Write the demo incident snapshot to ``out_dir`` (replaced if it holds an earlier snapshot); return its path."""
    return _Demo(Path(out_dir)).build(gzip)
