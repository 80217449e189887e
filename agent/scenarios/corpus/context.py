"""What a corpus kind builds with: the drawn topology and workload, the onset, actors, and helpers.

A kind's ``setup(ctx)`` installs the failure (a ``Workload.failure`` hook), writes its CloudTrail change and its
metric movements, registers ``ctx.post`` callbacks for series that must replace the standard ones, and returns
the decisive facts (``Facts``). Everything random comes from ``ctx.rng`` (the workload's seeded generator).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from agent.scenarios.builder import assumed_role_identity, aws_service_identity, iam_user_identity
from agent.scenarios.corpus.errors import ErrorSpec, Rendered, render
from agent.scenarios.corpus.topology import CorpusWorkload, Topology, instance_id
from agent.scenarios.corpus.truth import MetricFact, metric_fact
from agent.scenarios.workload import Outcome, Route, Service

TF_UA = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
         "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3")
BROWSER_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
GHA_UA = "aws-sdk-js/3.709.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ecs#3.709.0 m/E,e"
CLI_UA = ("aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython "
          "cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#unknown")
CONSOLE_INTERNAL_UA = "AWS Internal"
PEOPLE = ("maria.gonzalez", "wei.chen", "olu.adeyemi", "sam.taylor", "priya.nair", "lars.eriksen", "ana.silva", "kenji.ito")


@dataclass(frozen=True)
class Actor:
    """Who makes a change: identity, user agent, source IP and whether the call came from the console."""

    label: str
    identity: dict[str, Any]
    user_agent: str
    source_ip: str
    console: bool = False


@dataclass
class Facts:
    """The decisive facts a kind returns (see ``truth.Truth``) and the sources that must stay in the snapshot."""

    events: list[str] = field(default_factory=list)
    event_names: list[str] = field(default_factory=list)
    metrics: list[MetricFact] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    keep_sources: set[str] = field(default_factory=set)


@dataclass
class Ctx:
    w: CorpusWorkload
    topo: Topology
    onset: datetime
    post: list[Callable[[], None]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)       # resources a kind changed (herrings avoid them)

    @property
    def rng(self) -> random.Random:
        return self.w.rng

    @property
    def victim(self) -> Service:
        return self.topo.victim

    @property
    def language(self) -> str:
        return self.topo.language[self.victim.name]

    @property
    def platform(self) -> str:
        return self.topo.platform[self.victim.name]

    @property
    def server_error(self) -> int:
        """The status an unhandled error of the victim returns: API Gateway answers 502 for a failed Lambda, a
        server answers 500."""
        return 502 if self.platform == "lambda" else 500

    @property
    def org(self) -> str:
        return self.topo.theme["org"]

    @property
    def account(self) -> str:
        return self.topo.account

    @property
    def region(self) -> str:
        return self.topo.region

    def at(self, minutes_before_onset: float) -> datetime:
        return self.onset - timedelta(minutes=minutes_before_onset)

    def jitter(self, low: float, high: float) -> datetime:
        """A moment ``low``..``high`` minutes before the onset."""
        return self.onset - timedelta(seconds=self.rng.uniform(low * 60, high * 60))

    # -- actors ------------------------------------------------------------------------------------------------

    def actor(self, style: str | None = None) -> Actor:
        """A person or pipeline making a change: terraform, ci, console (SSO, browser or "AWS Internal"), cli."""
        style = style or self.rng.choice(("terraform", "ci", "console", "console-internal", "cli"))
        person = self.rng.choice(PEOPLE)
        created = self.w.start - timedelta(minutes=self.rng.randint(5, 50))
        if style == "terraform":
            ident = assumed_role_identity(self.account, "terraform-apply", f"terraform-{self.w.b.hex(8)}", created=created)
            return Actor("terraform", ident, TF_UA, f"34.{self.rng.randint(192, 231)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}")
        if style == "ci":
            ident = assumed_role_identity(self.account, "github-actions-deploy", f"GitHubActions-{self.rng.randint(10**9, 10**10)}",
                                          created=created)
            return Actor("ci", ident, GHA_UA, f"20.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}")
        role = self.rng.choice(("AWSReservedSSO_AdministratorAccess_3f1e2d4c5b6a7980", "AWSReservedSSO_PowerUserAccess_8a7b6c5d4e3f2a1b",
                                "AWSReservedSSO_OpsEngineer_0c1d2e3f4a5b6c7d"))
        ident = assumed_role_identity(self.account, role, f"{person}@{self.topo.theme['domain'].split('.', 1)[1]}",
                                      path="/aws-reserved/sso.amazonaws.com/", created=created)
        office = f"198.51.100.{self.rng.randint(2, 250)}"
        if style == "console":
            return Actor("console", ident, BROWSER_UA, office, console=True)
        if style == "console-internal":
            return Actor("console", ident, CONSOLE_INTERNAL_UA, "AWS Internal", console=True)
        return Actor("cli", ident, CLI_UA, office)

    def service_actor(self, principal: str) -> dict[str, Any]:
        return aws_service_identity(principal)

    def iam_user(self, user: str) -> dict[str, Any]:
        return iam_user_identity(self.account, user)

    # -- CloudTrail ----------------------------------------------------------------------------------------------

    def change(self, when: datetime, source: str, name: str, params: dict[str, Any] | None, response: dict[str, Any] | None = None,
               *, actor: Actor | None = None, resources: list[dict[str, Any]] | None = None, region: str | None = None,
               error_code: str | None = None, error_message: str | None = None, facts: Facts | None = None,
               read_only: bool = False) -> str:
        """A write call by ``actor`` (drawn when omitted); returns its eventID and records it in ``facts``."""
        actor = actor or self.actor()
        event_id = self.w.b.uuid()
        self.w.b.add_cloudtrail_event(when, source, name, actor.identity, params, response, source_ip=actor.source_ip,
                                      user_agent=actor.user_agent, console=actor.console, resources=resources,
                                      region=region, error_code=error_code, error_message=error_message,
                                      read_only=read_only, event_id=event_id)
        if facts is not None:
            facts.events.append(event_id)
            facts.event_names.append(name)
            facts.keep_sources.add("cloudtrail")
        return event_id

    # -- failures ------------------------------------------------------------------------------------------------

    def error(self, spec: ErrorSpec, context: str, **values: str) -> Rendered:
        return render(spec, self.language, context, self.victim.name, self.org, self.rng, **values)

    def use_dep(self, name: str, kind: str, target: str, operation: str = "", service: Service | None = None) -> None:
        """Add a dependency and make every route of ``service`` (the victim by default) call it."""
        self.w.add_dep(name, kind, target, operation)
        for route in (service or self.victim).routes:
            route.deps = tuple(dict.fromkeys(route.deps + (name,)))

    def logger(self, part: str = "service") -> str:
        return f"com.{self.org}.{self.victim.name.replace('-', '')}.{part}.{self.victim.name.title().replace('-', '')}Handler"

    # -- metrics -------------------------------------------------------------------------------------------------

    def compute_metric(self, service: Service, which: str) -> list[tuple[str, str, dict[str, str]]]:
        """(namespace, metric, dimensions) of a service's CPU or memory utilization on its platform."""
        platform = self.topo.platform[service.name]
        if platform == "ecs":
            name = "CPUUtilization" if which == "cpu" else "MemoryUtilization"
            return [("AWS/ECS", name, {"ClusterName": self.topo.cluster, "ServiceName": service.name})]
        if platform == "eks":
            name = "pod_cpu_utilization" if which == "cpu" else "pod_memory_utilization"
            return [("ContainerInsights", name, {"ClusterName": f"{self.org}-eks", "Namespace": "apps", "PodName": service.name})]
        if platform == "ec2":
            if which == "cpu":
                return [("AWS/EC2", "CPUUtilization", {"InstanceId": instance_id(service, i)}) for i in range(service.tasks)]
            return [("CWAgent", "mem_used_percent", {"InstanceId": instance_id(service, i)}) for i in range(service.tasks)]
        if which == "cpu":
            return [("AWS/Lambda", "Duration", {"FunctionName": service.name})]
        return [("AWS/Lambda", "Errors", {"FunctionName": service.name})]

    def replace_series(self, namespace: str, metric: str, dims: dict[str, str], fn: Callable[[datetime], float | None], *,
                       unit: str = "Percent", kind: str = "gauge", samples: int = 2) -> MetricFact:
        """After the standard metrics: drop the series with this key and add ``fn`` in its place."""
        def apply() -> None:
            wanted = sorted(dims.items())
            self.w.b.metrics[:] = [s for s in self.w.b.metrics if not (
                s["Namespace"] == namespace and s["MetricName"] == metric
                and sorted((d["Name"], d["Value"]) for d in s["Dimensions"]) == wanted)]
            self.w.b.add_metric(namespace, metric, dims, fn, unit=unit, kind=kind, samples=samples)
        self.post.append(apply)
        return metric_fact(namespace, metric, dims)

    def ramp(self, before: float, after: float, minutes: float, sd: float = 0.04, lead: float = 0.0) -> Callable[[datetime], float]:
        """Level ``before`` until ``lead`` minutes before the onset, then a ramp over ``minutes`` to ``after``."""
        rng, start = self.rng, self.onset - timedelta(minutes=lead)

        def fn(m: datetime) -> float:
            if m < start:
                level = before
            elif minutes and m < start + timedelta(minutes=minutes):
                level = before + (after - before) * (m - start).total_seconds() / 60 / minutes
            else:
                level = after
            return max(0.0, rng.gauss(level, abs(level) * sd + 0.01))
        return fn

    def route(self) -> Route:
        return self.victim.routes[0]


def outcome_for(ctx: Ctx, status: int, latency: float, rendered: Rendered | None, *, dep: str | None = None,
                elb_only: bool = False, throttle: bool = False, level: str = "ERROR", extra: str | None = None) -> Outcome:
    """A failing request of the victim: its log lines (in the victim's format) and, with ``dep``, the X-Ray fault."""
    logs: list[tuple[str, str, str]] = []
    if extra:
        logs.append(("WARN", ctx.logger("client"), extra))
    if rendered is not None:
        logs.append((level, ctx.logger(), rendered.log))
    fault = (rendered.exception, rendered.message, dep) if (rendered is not None and dep) else None
    return Outcome(status, latency, logs, fault=fault, elb_only=elb_only, throttle=throttle)


def install_failure(ctx: Ctx, fn: Callable[[Route, datetime], Outcome | None], *, share: float = 1.0,
                    until: datetime | None = None) -> None:
    """Make ``share`` of the victim's requests from the onset (to ``until``) go through ``fn``."""
    victim = ctx.victim.name

    def hook(w: Any, service: Service, route: Route, when: datetime) -> Outcome | None:
        if service.name != victim or when < ctx.onset or (until is not None and when >= until):
            return None
        if share < 1.0 and w.rng.random() >= share:
            return None
        return fn(route, when)
    ctx.w.failure = hook
