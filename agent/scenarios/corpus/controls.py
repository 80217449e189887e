"""Control windows for the corpus: nothing is wrong, whatever the telemetry shows. Truth: "no cause".

* ``control-quiet`` - ordinary traffic and background noise;
* ``control-benign-deploy`` - a deploy of the service in question that goes fine (with the ECS scheduler's
  target registrations);
* ``control-standing-errors`` - the service logs the same error at the same rate before and after the "onset";
* ``control-traffic-peak`` - traffic doubles or triples for twenty minutes and is served fine (CPU follows);
* ``control-scheduled-batch`` - a scheduled batch task and an auto scaling reaction, no errors;
* ``control-benign-config`` - a parameter of the service changes (log level, banner text) and nothing follows;
* ``control-traffic-dip`` - traffic falls to a third or a half (the end of a campaign): metrics drop, no errors.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.scenarios.corpus.change_kinds import ecs_reactions, update_service
from agent.scenarios.corpus.context import Ctx, Facts
from agent.scenarios.corpus.herrings import autoscaling_reaction, scheduled_task, standing_error


def control_quiet(ctx: Ctx) -> Facts:
    return Facts()


def control_benign_deploy(ctx: Ctx) -> Facts:
    if ctx.platform == "lambda":
        fn = ctx.victim.name
        ctx.change(ctx.onset, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2",
                   {"functionName": fn, "s3Bucket": f"{ctx.org}-lambda-artifacts", "s3Key": f"{fn}/{ctx.w.b.hex(12)}.zip", "publish": True},
                   {"functionName": fn, "functionArn": f"arn:aws:lambda:{ctx.region}:{ctx.account}:function:{fn}", "lastUpdateStatus": "InProgress"},
                   actor=ctx.actor("ci"))
    else:
        update_service(ctx, ctx.onset, ctx.victim.name, None, actor=ctx.actor("ci"))
        if ctx.w.lb:
            ecs_reactions(ctx, ctx.onset, ctx.victim.name, ctx.w.tg_arn(ctx.victim), ctx.victim.tasks)
    return Facts()


def control_standing_errors(ctx: Ctx) -> Facts:
    message = ctx.rng.choice((
        "Validation failed for request: field 'email' must be a well-formed email address",
        "Upstream cache miss storm avoided: lock held by another worker ({n} waiters)",
        "Retrying publish to event bus after throttle ({ms} ms backoff)",
    ))
    ctx.w.benign.append((ctx.victim.name, ctx.rng.uniform(0.8, 2.5), "ERROR", f"com.{ctx.org}.web.RequestValidator", message))
    standing_error(ctx)
    return Facts()


def control_traffic_peak(ctx: Ctx) -> Facts:
    start, factor = ctx.onset, ctx.rng.uniform(1.8, 3.0)
    end = start + timedelta(minutes=20)

    def multiplier(m: datetime) -> float:
        if m < start or m >= end:
            return 1.0
        return 1.0 + (factor - 1.0) * min(1.0, (m - start).total_seconds() / 300)
    ctx.w.rate_multiplier = multiplier
    return Facts()


def control_scheduled_batch(ctx: Ctx) -> Facts:
    scheduled_task(ctx)
    autoscaling_reaction(ctx)
    return Facts()


def control_benign_config(ctx: Ctx) -> Facts:
    name = f"/{ctx.org}/{ctx.victim.name}/{ctx.rng.choice(('log-level', 'banner-text', 'cache-ttl-seconds'))}"
    ctx.change(ctx.onset, "ssm.amazonaws.com", "PutParameter", {"name": name, "type": "String", "overwrite": True},
               {"version": ctx.rng.randint(2, 40), "tier": "Standard"}, actor=ctx.actor())
    return Facts()


def control_traffic_dip(ctx: Ctx) -> Facts:
    start, factor = ctx.onset, ctx.rng.uniform(0.3, 0.6)
    ctx.w.rate_multiplier = lambda m: factor if m >= start else 1.0
    return Facts()
