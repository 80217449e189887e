"""The service graph of one investigation, built from the evidence itself: which component each fact is *in*
(a log group's service, an X-Ray service, a metric's service or function dimension, a target group's service)
and which components and resources it *touches* (X-Ray downstreams, hosts and ARNs named in errors, metric
dimensions, the resources a CloudTrail change names), with call edges from X-Ray (service -> downstream) and from
log lines (a service's errors name the host or resource it calls). A load balancer is a resource the ALB facts
touch, never a caller: a change behind one target group does not reach the errors of another.

Names are folded to a few canonical aliases (``arn:aws:ecs:...:service/shop/checkout`` -> ``checkout``,
``orders-db.cx1.eu-west-1.rds.amazonaws.com`` -> ``orders-db``, ``/aws/lambda/invoices-create`` ->
``invoices-create``, ``checkout-tg`` -> ``checkout``), so a change and a symptom that name the same thing in
different notations meet in one node.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from tools.common.evidence import Evidence
from tools.common.patterns import is_region
from tools.triage import weights as W

_HEXISH = re.compile(r"^(?:[0-9a-f]{6,}|[0-9]+|[a-z]{1,4}-?[0-9a-f]{8,}|[0-9a-f-]{20,})$")
_GENERIC = {
    "aws", "lambda", "ecs", "eks", "service", "services", "function", "table", "task", "task-definition",
    "targetgroup", "loadbalancer", "app", "net", "cluster", "prod", "production", "staging", "default", "generic",
    "secret", "parameter", "key", "alias", "role", "user", "policy", "bucket", "queue", "topic", "stream", "db",
    "containerinsights", "performance", "application", "log-group", "logs", "api", "stage", "instance", "remote",
    "client", "amazonaws", "com", "internal", "local", "svc", "cluster-local",
    "http", "https", "www", "latest", "live", "main", "none", "null", "unknown", "apigateway", "vpc", "subnet",
}
_SUFFIXES = ("-execution-role", "-task-role", "-lambda-role", "-role", "-tg", "-svc", "-service", "-task", "-td", "-lambda", "-fn", "-function", "-prod", "-api-tg", "-container",
             "-ecs", "-app", "-web")
_SERVICE_DIMENSIONS = re.compile(r"^(ServiceName|Service|FunctionName|ApplicationName|Application|Component|"
                                 r"Node|Microservice|ContainerName|TaskDefinitionFamily|ApiName|TargetGroup|"
                                 r"RemoteService|Resource)$", re.I)


def aliases(name: Any) -> set[str]:
    """The canonical names of one resource or service name (empty for ids and generic words)."""
    text = str(name or "").strip().lower()
    if not text or len(text) > 300:
        return set()
    parts: list[str] = []
    if text.startswith("arn:"):
        service = text.split(":")[2] if text.count(":") >= 2 else ""
        resource = text.split(":", 5)[-1] if text.count(":") >= 5 else text
        segments = [p for p in re.split(r"[/:]", resource) if p and not _HEXISH.match(p) and p not in _GENERIC]
        if service == "secretsmanager":  # secret:prod/orders-db/app-AbC123 -> orders-db, app
            segments = [re.sub(r"-[a-z0-9]{6}$", "", p) for p in segments[-2:]]
        parts = segments[-1:]  # the resource's own name, not its cluster or path (service/shop/checkout -> checkout)
        if service == "secretsmanager":
            parts = segments
    elif "amazonaws.com" in text or re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}(:\d+)?", text):
        host = text.split(":")[0]
        parts = [host.split(".")[0]]
    elif text.startswith("/"):
        segments = [p for p in text.split("/") if p]
        # the last two (/ecs/checkout, /aws/lambda/refunds), and in a deep path the level under the prefix, where
        # parameter hierarchies name the service (/shop/booking-svc/feature/new-cart-flow -> booking-svc)
        parts = segments[-2:] + (segments[1:2] if len(segments) >= 4 else [])
    else:
        parts = [p for p in re.split(r"[\s/]", text) if p]
        # X-Ray and PetShop-style names: "PetSearch_AWS::ECS::Fargate", "payments_client"
        parts = [re.split(r"_aws::|::|_client$|_remote$", p)[0] for p in parts]
    found: set[str] = set()
    for part in parts:
        part = part.strip(" .,;()[]{}\"'")
        part = re.sub(r":\d+$", "", part)  # task-definition revision, port
        if len(part) < 3 or part in _GENERIC or _HEXISH.match(part) or is_region(part):
            continue
        found.add(part)
        for suffix in _SUFFIXES:
            if part.endswith(suffix) and len(part) - len(suffix) >= 3:
                found.add(part[: -len(suffix)])
    return found


def dependency(dims: dict) -> tuple[set[str], set[str]]:
    """(caller, callee) aliases of a dependency metric: Application Signals reports what ``Service`` sees of its
    calls to ``RemoteService`` (latency, faults, errors per dependency); both empty for any other series."""
    remote = dims.get("RemoteService")
    if not remote:
        return set(), set()
    caller = set()
    for key, value in dims.items():
        if key != "RemoteService" and _SERVICE_DIMENSIONS.match(str(key)):
            caller |= aliases(value)
    return caller, aliases(remote)


@dataclass
class Placement:
    """Where one fact sits in the graph: the components it is in, the nodes it touches."""

    within: set[str] = field(default_factory=set)
    touches: set[str] = field(default_factory=set)

    @property
    def all(self) -> set[str]:
        return self.within | self.touches


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def place(item: Evidence) -> Placement:
    """The components ``item`` is in and the nodes it touches, from its documented attrs."""
    a = item.attrs
    spot = Placement()
    if item.kind == "trace_fault":
        spot.within |= aliases(a.get("service"))
        downstream = str(a.get("downstream") or "")
        for word in downstream.split():
            spot.touches |= aliases(word)
    elif item.kind == "error_pattern":
        for group in _values(a.get("log_groups")):
            spot.within |= aliases(group)
        for resource in _values(a.get("resources")):
            if not resource.startswith("/"):
                spot.touches |= aliases(resource)
    elif item.kind in ("alb_errors", "alb_latency"):
        spot.touches |= aliases(a.get("load_balancer"))
        for group in _values(a.get("target_groups")):
            spot.within |= aliases(group)
    elif item.kind == "metric_shift":
        dims = a.get("dimensions") if isinstance(a.get("dimensions"), dict) else {}
        caller, callee = dependency(dims)
        if callee:  # what a caller sees of its calls to a dependency: a fact about the dependency
            spot.within |= callee
            spot.touches |= caller
            spot.touches -= spot.within
            return spot
        for key, value in dims.items():
            if _SERVICE_DIMENSIONS.match(str(key)):
                spot.within |= aliases(value)
            else:
                spot.touches |= aliases(value)
        if not spot.within and "LoadBalancer" not in dims:
            spot.within = set(spot.touches)
    else:  # change, failed_call, finding
        for resource in _values(a.get("resources")):
            spot.touches |= aliases(resource)
    spot.touches -= spot.within
    return spot


@dataclass
class Graph:
    """Components and resources with the call edges the evidence shows."""

    calls: dict[str, set[str]] = field(default_factory=dict)
    placements: dict[str, Placement] = field(default_factory=dict)

    def add_edge(self, caller: str, callee: str) -> None:
        if caller != callee:
            self.calls.setdefault(caller, set()).add(callee)

    def downstream(self, nodes: Iterable[str]) -> set[str]:
        return {callee for node in nodes for callee in self.calls.get(node, ())}

    def upstream(self, nodes: Iterable[str]) -> set[str]:
        wanted = set(nodes)
        return {caller for caller, callees in self.calls.items() if callees & wanted}

    def placement(self, item: Evidence) -> Placement:
        return self.placements.get(item.id) or place(item)

    def relation(self, cause: Evidence, symptom: Evidence) -> float:
        """1 when the cause is about the component the symptom is in or a resource it touches, ``ONE_HOP`` when one
        call edge away (the failing service calls the changed one), else 0."""
        cause_nodes = self.placement(cause).all
        spot = self.placement(symptom)
        if not cause_nodes or not spot.all:
            return 0.0
        if cause_nodes & spot.all:
            return 1.0
        if cause_nodes & self.downstream(spot.within):
            return W.ONE_HOP
        return 0.0


# Log groups that collect many services' logs (per cluster, node or host), not one service's.
_SHARED_GROUP = re.compile(r"containerinsights|/eks/|/application$|/host$|/dataplane$|/ec2/|syslog|/messages|/var/log", re.I)


def _compact(name: str) -> str:
    return re.sub(r"[-_.]", "", name)


def _named_components(item: Evidence, components: set[str]) -> set[str]:
    """Components whose name a log line spells (``LedgerBackendHandler``, ``com.acme.ledgerbackend`` name
    ``ledger-backend``): for logs collected per cluster or node rather than per service."""
    text = _compact(str(item.attrs.get("template") or "").lower())
    return {c for c in components if len(_compact(c)) >= 6 and _compact(c) in text}


def build(evidence: Iterable[Evidence]) -> Graph:
    """The graph of one investigation's evidence."""
    graph = Graph()
    items = list(evidence)
    for item in items:
        graph.placements[item.id] = place(item)
    components = {c for spot in graph.placements.values() for c in spot.within}
    for item in items:
        spot = graph.placements[item.id]
        groups = " ".join(_values(item.attrs.get("log_groups")))
        if item.kind == "error_pattern" and (not spot.within or _SHARED_GROUP.search(groups)):
            spot.within |= _named_components(item, components - spot.within)
        # A load balancer is not a caller whose failure explains its targets' errors: no edges from it (a change
        # on one service behind it must not reach errors of another service behind it).
        if item.kind in ("trace_fault", "error_pattern"):
            for caller in spot.within:
                for callee in spot.touches:
                    graph.add_edge(caller, callee)
        elif item.kind == "metric_shift" and isinstance(item.attrs.get("dimensions"), dict) \
                and "RemoteService" in item.attrs["dimensions"]:
            for caller in spot.touches:  # a dependency metric is placed in its callee and touches its caller
                for callee in spot.within:
                    graph.add_edge(caller, callee)
    return graph


def named_in(graph: Graph, text: str | None) -> set[str]:
    """The graph's components that ``text`` (the question, the focus) names: where the traversal starts."""
    if not text:
        return set()
    nodes = set(graph.calls) | {c for callees in graph.calls.values() for c in callees}
    nodes |= {c for spot in graph.placements.values() for c in spot.within}
    words: set[str] = set()
    for word in re.split(r"[\s,;?!()\[\]\"']+", text[:1000]):
        words |= aliases(word)
    return nodes & words


def reachable(graph: Graph, start: set[str], failing: set[str]) -> set[str]:
    """Components ``start`` reaches through calls into failing components only (anomaly traversal): a failure
    there can have propagated up to ``start``; a failing component outside this set cannot explain it."""
    seen = set(start)
    frontier = list(start)
    while frontier:
        node = frontier.pop()
        for callee in graph.calls.get(node, ()):
            if callee in failing and callee not in seen:
                seen.add(callee)
                frontier.append(callee)
    return seen
