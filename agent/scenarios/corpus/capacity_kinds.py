"""Corpus kinds about capacity and quotas: fewer tasks, nodes or instances, Lambda concurrency and timeouts, disks.

Some are changes a person or pipeline made (``UpdateService`` desiredCount, ``UpdateNodegroupConfig``,
``StopInstances``, ``PutFunctionConcurrency``, ``UpdateFunctionConfiguration``): the decisive fact is that event.
Others have no change (the account's Lambda concurrency taken by another function's burst, a full disk): the
decisive fact is the exhausted resource.
"""

from __future__ import annotations

from datetime import timedelta

from agent.scenarios.corpus.context import Ctx, Facts, install_failure, outcome_for
from agent.scenarios.corpus.errors import ErrorSpec
from agent.scenarios.corpus.topology import instance_id
from agent.scenarios.workload import Outcome

DISK_FULL = ErrorSpec(
    java=("java.io.IOException", "No space left on device"),
    python=("OSError", "[Errno 28] No space left on device: '/var/app/tmp/{file}'"),
    node=("Error", "ENOSPC: no space left on device, write"),
    go=("write /var/app/tmp/{file}", "no space left on device"),
)


def _overloaded(ctx: Ctx, factor_low: float, factor_high: float):
    def fail(route, when):
        latency = route.latency * ctx.rng.uniform(factor_low, factor_high)
        if latency > 5 or ctx.rng.random() < 0.25:
            return Outcome(503, 0.001, [], elb_only=True)
        return Outcome(200, latency, [])
    return fail


def desired_count_lowered(ctx: Ctx) -> Facts:
    from agent.scenarios.corpus.change_kinds import update_service

    facts = Facts()
    when = ctx.jitter(0.5, 3.0)
    update_service(ctx, when, ctx.victim.name, facts, desired=1, actor=ctx.actor(ctx.rng.choice(("console", "console-internal", "cli"))))
    for namespace, metric, dims in ctx.compute_metric(ctx.victim, "cpu"):
        ctx.replace_series(namespace, metric, dims, ctx.ramp(25, ctx.rng.uniform(92, 100), 2))
    if ctx.w.lb:
        tg = ctx.w.tg_arn(ctx.victim).split(":")[-1]
        ctx.replace_series("AWS/ApplicationELB", "HealthyHostCount", {"TargetGroup": tg, "LoadBalancer": ctx.w.lb.resource},
                           lambda m: float(ctx.victim.tasks) if m < ctx.onset else 1.0, unit="Count", samples=1)
    install_failure(ctx, _overloaded(ctx, 5, 40), share=ctx.rng.uniform(0.4, 0.8))
    return facts


def nodegroup_scaled_down(ctx: Ctx) -> Facts:
    facts = Facts()
    cluster = f"{ctx.org}-eks"
    nodegroup = ctx.rng.choice(("general", "apps-ng", "ng-spot", "workers"))
    when = ctx.jitter(1.0, 5.0)
    size = ctx.rng.choice((1, 2))
    ctx.change(when, "eks.amazonaws.com", "UpdateNodegroupConfig",
               {"name": cluster, "nodegroupName": nodegroup, "scalingConfig": {"minSize": size, "maxSize": size, "desiredSize": size}},
               {"update": {"id": ctx.w.b.uuid(), "status": "InProgress", "type": "ConfigUpdate",
                           "params": [{"type": "DesiredSize", "value": str(size)}, {"type": "MaxSize", "value": str(size)}]}},
               facts=facts, actor=ctx.actor(ctx.rng.choice(("terraform", "console", "cli"))))
    # the Auto Scaling group terminates the extra nodes on its own: a reaction, attributed to the service
    for i in range(ctx.rng.randint(2, 4)):
        ctx.w.b.add_cloudtrail_event(when + timedelta(seconds=50 + 20 * i), "ec2.amazonaws.com", "TerminateInstances",
                                     ctx.service_actor("autoscaling.amazonaws.com"),
                                     {"instancesSet": {"items": [{"instanceId": f"i-0{ctx.w.b.hex(16)}"}]}}, None,
                                     source_ip="autoscaling.amazonaws.com", user_agent="autoscaling.amazonaws.com", read_only=False)
    ctx.post.append(lambda: ctx.w.series("ContainerInsights", "cluster_failed_node_count", {"ClusterName": cluster}, 0, 0, ctx.onset))
    ctx.post.append(lambda: ctx.w.series("ContainerInsights", "node_cpu_utilization", {"ClusterName": cluster}, 35, 96, ctx.onset, unit="Percent"))
    install_failure(ctx, _overloaded(ctx, 5, 50), share=ctx.rng.uniform(0.4, 0.8))
    return facts


def instances_stopped(ctx: Ctx) -> Facts:
    facts = Facts()
    victim = ctx.victim
    stopped = [instance_id(victim, i) for i in range(max(1, victim.tasks - 1))]
    when = ctx.jitter(0.3, 2.0)
    name = ctx.rng.choice(("StopInstances", "TerminateInstances"))
    actor = ctx.actor(ctx.rng.choice(("console", "console-internal", "cli", "terraform")))
    ctx.change(when, "ec2.amazonaws.com", name, {"instancesSet": {"items": [{"instanceId": i} for i in stopped]}, "force": False},
               {"requestId": ctx.w.b.uuid(), "instancesSet": {"items": [
                   {"instanceId": i, "currentState": {"code": 64 if name == "StopInstances" else 32,
                                                      "name": "stopping" if name == "StopInstances" else "shutting-down"},
                    "previousState": {"code": 16, "name": "running"}} for i in stopped]}},
               facts=facts, actor=actor)
    if ctx.w.lb:
        tg = ctx.w.tg_arn(victim).split(":")[-1]
        ctx.replace_series("AWS/ApplicationELB", "HealthyHostCount", {"TargetGroup": tg, "LoadBalancer": ctx.w.lb.resource},
                           lambda m: float(victim.tasks) if m < ctx.onset else float(victim.tasks - len(stopped)), unit="Count", samples=1)
    for iid in stopped:
        ctx.replace_series("AWS/EC2", "CPUUtilization", {"InstanceId": iid},
                           lambda m: ctx.rng.gauss(30, 2) if m < ctx.onset else None)

    def fail(route, when):
        if when < ctx.onset + timedelta(seconds=90) and ctx.rng.random() < 0.6:
            return Outcome(502, 0.001, [], elb_only=True)
        return _overloaded(ctx, 3, 20)(route, when)
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.6))
    return facts


def disk_full(ctx: Ctx) -> Facts:
    facts = Facts()
    victim = ctx.victim
    index = ctx.rng.randrange(victim.tasks)
    iid = instance_id(victim, index)
    lead = ctx.rng.uniform(10, 25)
    facts.metrics.append(ctx.replace_series("CWAgent", "disk_used_percent", {"InstanceId": iid, "path": "/", "device": "nvme0n1p1",
                                                                              "fstype": "xfs"},
                                            ctx.ramp(ctx.rng.uniform(55, 75), 100.0, lead, lead=lead, sd=0.002)))
    facts.keep_sources.add("metrics")
    share = 1.0 / victim.tasks

    def fail(route, when):
        err = ctx.error(DISK_FULL, "Failed to write upload buffer", file=ctx.w.b.hex(10))
        return outcome_for(ctx, 500, ctx.rng.uniform(0.005, 0.05), err)
    install_failure(ctx, fail, share=share)
    return facts


def lambda_concurrency_lowered(ctx: Ctx) -> Facts:
    facts = Facts()
    fn = ctx.victim.name
    limit = ctx.rng.choice((1, 2, 5))
    when = ctx.jitter(0.3, 3.0)
    ctx.change(when, "lambda.amazonaws.com", "PutFunctionConcurrency20171031",
               {"functionName": fn, "reservedConcurrentExecutions": limit}, {"reservedConcurrentExecutions": limit}, facts=facts)
    ctx.replace_series("AWS/Lambda", "Throttles", {"FunctionName": fn}, ctx.ramp(0, ctx.rng.uniform(40, 200), 1), unit="Count", kind="count")

    def fail(route, when):
        from agent.scenarios.workload import Outcome as O
        return O(429 if ctx.topo.front == "apigw" else 503, 0.01,
                 [], throttle=True, elb_only=ctx.topo.front == "alb")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.4, 0.85))
    return facts


def lambda_timeout_lowered(ctx: Ctx) -> Facts:
    facts = Facts()
    fn = ctx.victim.name
    seconds = ctx.rng.choice((1, 3))
    when = ctx.jitter(0.3, 3.0)
    ctx.change(when, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2",
               {"functionName": fn, "timeout": seconds},
               {"functionName": fn, "functionArn": f"arn:aws:lambda:{ctx.region}:{ctx.account}:function:{fn}", "timeout": seconds,
                "memorySize": 512, "lastUpdateStatus": "InProgress"}, facts=facts)
    for route in ctx.victim.routes:
        route.latency = max(route.latency, seconds * 0.6)

    def fail(route, when):
        duration = seconds + ctx.rng.uniform(0.0, 0.02)
        return Outcome(502, duration, [("RAW", "", f"{when.strftime('%Y-%m-%dT%H:%M:%S.')}{when.microsecond // 1000:03d}Z {ctx.w.b.uuid()} "
                                                      f"Task timed out after {seconds:.2f} seconds")])
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.7))
    return facts


def account_concurrency_exhausted(ctx: Ctx) -> Facts:
    facts = Facts()
    burst = f"{ctx.org}-{ctx.rng.choice(('image-resizer', 'bulk-import', 'webhook-fanout', 'pdf-render'))}"
    limit = ctx.rng.choice((1000, 500))
    facts.metrics.append(ctx.replace_series("AWS/Lambda", "ConcurrentExecutions", {}, ctx.ramp(limit * 0.15, limit, 2, lead=1, sd=0.003),
                                            unit="Count"))
    facts.metrics.append(ctx.replace_series("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": burst},
                                            ctx.ramp(5, limit * 0.93, 2, lead=1, sd=0.01), unit="Count"))
    ctx.post.append(lambda: ctx.w.series("AWS/Lambda", "Invocations", {"FunctionName": burst}, 30, 25000, ctx.onset, kind="count"))
    ctx.replace_series("AWS/Lambda", "Throttles", {"FunctionName": ctx.victim.name}, ctx.ramp(0, ctx.rng.uniform(20, 120), 1),
                       unit="Count", kind="count")
    facts.keep_sources.add("metrics")

    def fail(route, when):
        return Outcome(429 if ctx.topo.front == "apigw" else 503, 0.01, [], throttle=True, elb_only=ctx.topo.front == "alb")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.7))
    return facts
