"""Randomized topologies for the incident corpus: names, platforms, runtimes, log formats and dependencies.

``random_topology(rng, ...)`` draws one application (an account, a region, a naming theme, 2 to 4 services on
ECS, EKS, EC2 or Lambda behind an ALB or an API Gateway stage, their dependencies) and ``CorpusWorkload`` extends
the scenario ``Workload`` so every service writes the log format its stack really prints: Spring Boot console
lines or Logstash JSON (Java), pino JSON or plain console (Node.js), Python ``logging`` text or structlog JSON,
zap JSON or logrus text (Go); EKS containers are shipped by Fluent Bit (a JSON envelope with Kubernetes metadata)
and EC2 instances by the CloudWatch agent (one stream per instance).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agent.scenarios.builder import iso_milli
from agent.scenarios.formats import json_line, pino_line, spring_line
from agent.scenarios.workload import Dep, Outcome, Route, Service, Workload

UTC_DAY_CHOICES = ("2026-03-11", "2026-05-02", "2026-06-17", "2026-07-29", "2026-09-08", "2026-10-21", "2026-11-05")
REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1")

# themes: (domain, organisation package, service names, table / queue / bucket stems)
THEMES: tuple[dict[str, Any], ...] = (
    {"domain": "shop.example.com", "org": "acme", "services": ("checkout", "cart", "catalog", "recommendations"),
     "table": "orders", "queue": "order-events", "bucket": "invoices", "db": "shopdb"},
    {"domain": "pay.example.net", "org": "paylane", "services": ("payments", "ledger", "refunds", "fx-rates"),
     "table": "transactions", "queue": "settlements", "bucket": "statements", "db": "ledger"},
    {"domain": "book.example.org", "org": "tripster", "services": ("booking", "availability", "pricing", "search"),
     "table": "reservations", "queue": "booking-updates", "bucket": "itineraries", "db": "inventory"},
    {"domain": "media.example.io", "org": "streamly", "services": ("playback", "catalogue", "entitlements", "thumbnails"),
     "table": "sessions", "queue": "transcode-jobs", "bucket": "media-assets", "db": "content"},
    {"domain": "fleet.example.com", "org": "truckr", "services": ("dispatch", "telemetry", "routing", "drivers"),
     "table": "vehicle-positions", "queue": "telemetry-ingest", "bucket": "route-plans", "db": "fleet"},
    {"domain": "claims.example.co.uk", "org": "insurely", "services": ("claims", "policies", "documents", "notifications"),
     "table": "claim-events", "queue": "claim-intake", "bucket": "claim-documents", "db": "policy"},
    {"domain": "tix.example.com", "org": "gigpass", "services": ("tickets", "events", "seating", "accounts"),
     "table": "ticket-holds", "queue": "ticket-issued", "bucket": "ticket-pdfs", "db": "events"},
    {"domain": "care.example.health", "org": "medibook", "services": ("appointments", "patients", "providers", "reminders"),
     "table": "slots", "queue": "reminder-sends", "bucket": "patient-uploads", "db": "clinic"},
)
SUFFIXES = ("-api", "-svc", "", "-service", "-backend")
RUNTIMES = ("java", "node", "python", "go")
LOG_FORMATS = {
    "java": ("spring", "logstash"),
    "node": ("pino", "node-plain"),
    "python": ("python-plain", "python-json"),
    "go": ("zap", "logrus"),
}


@dataclass
class Topology:
    """One drawn application: its services (the first is the one that fails in an incident) and dependencies."""

    account: str
    region: str
    day: str
    theme: dict[str, Any]
    front: str                                  # alb | apigw
    services: list[Service]
    platform: dict[str, str]                    # service name -> ecs | eks | ec2 | lambda
    language: dict[str, str]                    # service name -> java | node | python | go
    log_format: dict[str, str]                  # service name -> one of LOG_FORMATS
    deps: dict[str, Dep] = field(default_factory=dict)
    cluster: str = "prod"
    names: dict[str, str] = field(default_factory=dict)   # role -> resource name (db instance, table, queue, ...)

    @property
    def victim(self) -> Service:
        return self.services[0]

    @property
    def others(self) -> list[Service]:
        return self.services[1:]


class CorpusWorkload(Workload):
    """A ``Workload`` whose services log in their own language's format and platform's shipping envelope.

    ``alb_tweaks`` may rewrite the fields of an ALB line before it is written (e.g. ``actions="waf"`` for a request
    AWS WAF blocked); a request the load balancer answered itself with 403 or 503 never reached a target, so it
    writes no trace.
    """

    topo: Topology

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.alb_tweaks: list[Callable[[datetime, dict[str, Any]], None]] = []
        original = self.b.add_alb_request

        def add_alb_request(lb: Any, when: datetime, **fields: Any) -> str:
            for tweak in self.alb_tweaks:
                tweak(when, fields)
            return original(lb, when, **fields)
        self.b.add_alb_request = add_alb_request  # type: ignore[method-assign]

    def trace(self, service: Service, route: Route, path: str, trace_id: str, start: datetime, end: datetime,
              outcome: Outcome, idx: int) -> None:
        if outcome.elb_only and outcome.status in (403, 429, 503):
            return
        super().trace(service, route, path, trace_id, start, end, outcome, idx)

    def log(self, service: Service, when: datetime, level: str, logger: str, message: str, idx: int | None = None) -> None:
        if service.kind == "lambda":
            super().log(service, when, level, logger, message, idx)
            return
        idx = self.rng.randrange(len(service.task_ids)) if idx is None else idx
        platform = self.topo.platform.get(service.name, "ecs")
        text = render_line(self.topo.log_format.get(service.name, "spring"), when, level, logger, message, service.name,
                           self.rng, self.topo.theme["org"])
        if platform == "eks":
            pod = f"{service.name}-{service.task_ids[idx][:10]}-{service.task_ids[idx][10:15]}"
            envelope = {"log": text + "\n", "stream": "stderr" if level in ("ERROR", "FATAL") else "stdout",
                        "time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        "kubernetes": {"pod_name": pod, "namespace_name": "apps", "container_name": service.name,
                                       "host": f"ip-{service.ips[idx].replace('.', '-')}.{self.region}.compute.internal",
                                       "labels": {"app": service.name}}}
            self.b.add_log_event(service.log_group, f"{pod}_apps_{service.name}", when, json.dumps(envelope, separators=(",", ":")))
            return
        if platform == "ec2":
            stream = instance_id(service, idx)
        else:
            stream = f"ecs/{service.name}/{service.task_ids[idx]}"
        self.b.add_log_event(service.log_group, stream, when, text)


def instance_id(service: Service, idx: int) -> str:
    """The EC2 instance id of a service's ``idx``-th host (derived from its task id, so stable per seed)."""
    return "i-0" + service.task_ids[idx][:16]


def render_line(fmt: str, when: datetime, level: str, logger: str, message: str, service: str, rng: random.Random,
                org: str) -> str:
    """One application log line as the named framework prints it; ``message`` may carry a stack after a newline."""
    head, _, stack = message.partition("\n")
    logger = logger if logger and "." in logger else f"com.{org}.{service.replace('-', '')}.web.ApiController"
    short = logger.rsplit(".", 1)[-1]
    if fmt == "spring":
        return spring_line(when, level, f"http-nio-8080-exec-{rng.randint(1, 40)}", logger, message)
    if fmt == "logstash":
        record: dict[str, Any] = {"@timestamp": iso_milli(when).replace("Z", "+00:00"), "@version": "1", "message": head,
                                  "logger_name": logger, "thread_name": f"http-nio-8080-exec-{rng.randint(1, 40)}",
                                  "level": level, "level_value": {"DEBUG": 10000, "INFO": 20000, "WARN": 30000}.get(level, 40000)}
        if stack:
            record["stack_trace"] = stack
        return json.dumps(record, separators=(",", ":"))
    if fmt == "pino":
        fields: dict[str, Any] = {"service": service}
        if stack:
            fields["err"] = {"type": stack.split(":", 1)[0].strip(), "message": head, "stack": stack}
        return pino_line(when, {"WARN": "warn"}.get(level, level.lower()), head, **fields)
    if fmt == "node-plain":
        return f"{iso_milli(when)} [{service}] {level.lower()}: {message}"
    if fmt == "python-plain":
        stamp = when.strftime("%Y-%m-%d %H:%M:%S,") + f"{when.microsecond // 1000:03d}"
        return f"{stamp} {level.replace('WARN', 'WARNING'):<8} [{service.replace('-', '_')}.{short.lower()}] {message}"
    if fmt == "python-json":
        fields = {"logger": f"{service.replace('-', '_')}.{short.lower()}"}
        if stack:
            fields["exception"] = stack
        return json_line(when, level.replace("WARN", "warning").lower(), head, **fields)
    if fmt == "zap":
        record = {"level": level.lower().replace("warn", "warn"), "ts": round(when.timestamp(), 6),
                  "caller": f"{short.lower()}/{short.lower()}.go:{rng.randint(20, 400)}", "msg": head}
        if stack:
            record["error"] = stack.replace("\n", "; ")
        return json.dumps(record, separators=(",", ":"))
    if fmt == "logrus":
        text = f'time="{when.strftime("%Y-%m-%dT%H:%M:%SZ")}" level={level.lower().replace("warn", "warning")} msg="{head}"'
        if stack:
            text += " error=" + json.dumps(stack.replace("\n", "; "))
        return text
    raise ValueError(f"unknown log format {fmt!r}")


def _name(rng: random.Random, base: str) -> str:
    return base + rng.choice(SUFFIXES)


def random_topology(rng: random.Random, *, victim_platform: str | None = None, victim_language: str | None = None,
                    front: str | None = None) -> Topology:
    """Draw an application. ``victim_platform`` pins the failing service's platform (ecs|eks|ec2|lambda)."""
    theme = rng.choice(THEMES)
    account = str(rng.randint(10**11, 10**12 - 1))
    region = rng.choice(REGIONS)
    platform_choice = victim_platform or rng.choice(("ecs", "ecs", "eks", "ec2", "lambda"))
    if front is None:
        front = "apigw" if platform_choice == "lambda" and rng.random() < 0.6 else "alb"
    bases = list(theme["services"])
    rng.shuffle(bases)
    count = rng.randint(2, 4)
    services: list[Service] = []
    platform: dict[str, str] = {}
    language: dict[str, str] = {}
    log_format: dict[str, str] = {}
    for index, base in enumerate(bases[:count]):
        plat = platform_choice if index == 0 else rng.choice(("ecs", "ecs", "lambda") if front == "alb" else ("lambda",))
        if front == "apigw":
            plat = "lambda" if index else platform_choice
        lang = (victim_language if index == 0 and victim_language else rng.choice(RUNTIMES))
        if plat == "lambda" and lang not in ("node", "python"):
            lang = rng.choice(("node", "python"))
        name = _name(rng, base)
        runtime = {"java": "spring", "node": "node", "python": "python", "go": "go"}[lang]
        rate = rng.uniform(15, 40) if index == 0 else rng.uniform(5, 20)
        latency = rng.choice((0.03, 0.05, 0.08, 0.12, 0.2))
        method, path = rng.choice((("GET", f"/v1/{base}/{{id}}"), ("POST", f"/api/{base}"), ("GET", f"/{base}/items/{{id}}"),
                                   ("PUT", f"/v2/{base}/{{id}}")))
        prefix = "/prod" if front == "apigw" else ""
        routes = [Route(method, prefix + path, rate, latency)]
        if rng.random() < 0.5:
            routes.append(Route("GET", prefix + f"/{base}/health-summary", rate / 4, latency / 2))
        tasks = rng.randint(2, 4)
        service = Service(name, "lambda" if plat == "lambda" else "ecs", runtime, routes, tasks=tasks,
                          log_rate=rng.choice((0.1, 0.25, 0.4)))
        if plat == "eks":
            service.log_group = f"/aws/containerinsights/{theme['org']}-eks/application"
        elif plat == "ec2":
            service.log_group = f"/{theme['org']}/{name}/app"
        services.append(service)
        platform[name] = plat
        language[name] = lang
        log_format[name] = rng.choice(LOG_FORMATS[lang])
    day = rng.choice(UTC_DAY_CHOICES)
    return Topology(account, region, day, theme, front, services, platform, language, log_format,
                    cluster=rng.choice(("prod", "production", f"{theme['org']}-prod", "main")))


def make_workload(out: str, topo: Topology, *, start_hour: int, window_minutes: int, description: str, question: str,
                  seed: int) -> CorpusWorkload:
    """The workload for ``topo`` over ``window_minutes`` from ``start_hour``:00 UTC on the topology's day."""
    start = datetime.fromisoformat(f"{topo.day}T{start_hour:02d}:00:00+00:00")
    end = start + timedelta(minutes=window_minutes)
    domain = topo.theme["domain"] if topo.front == "alb" else f"{seed % 10**10:010x}.execute-api.{topo.region}.amazonaws.com"
    w = CorpusWorkload(out, account=topo.account, region=topo.region, start=start.isoformat(), end=end.isoformat(),
                       description=description, question=question, seed=seed, front=topo.front, domain=domain)
    w.topo = topo
    if topo.front == "alb":
        w.add_alb(f"{topo.theme['org']}-{w.rng.choice(('public', 'edge', 'prod', 'web'))}-alb", w.b.hex(16))
    else:
        w.add_api(f"{topo.theme['org']}-api")
    for service in topo.services:
        w.add_service(service)
    return w
