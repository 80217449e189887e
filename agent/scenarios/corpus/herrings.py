"""Red herrings for the corpus: benign things placed near the onset that a naive ranking takes for the cause.

* ``other_deploy`` - a CI deploy of ANOTHER service minutes before the onset, with the ECS scheduler's own
  ``RegisterTargets`` / ``DeregisterTargets`` reactions;
* ``autoscaling_reaction`` - Application Auto Scaling calling ``UpdateService`` (an AWS service reacting to load);
* ``scheduled_task`` - EventBridge Scheduler's ``RunTask`` of a batch task;
* ``console_edit`` - a person's console action through an SSO role (``userAgent`` "AWS Internal",
  ``sessionCredentialFromConsole``) on an unrelated resource;
* ``other_parameter`` - a ``PutParameter`` on another service's parameter;
* ``standing_error`` - an error another service logs at the same rate all window long;
* ``other_lambda_config`` - ``UpdateFunctionConfiguration`` on an unrelated function.

``add_herrings`` draws 1 to 3 of them (or exactly the names given) and returns their names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from agent.scenarios.builder import assumed_role_identity
from agent.scenarios.corpus.change_kinds import ecs_reactions, update_service
from agent.scenarios.corpus.context import Ctx


def other_deploy(ctx: Ctx) -> None:
    others = [s for s in ctx.topo.others if s.kind == "ecs"]
    name = others[0].name if others else f"{ctx.org}-admin-ui"
    when = ctx.jitter(2.0, 9.0)
    update_service(ctx, when, name, None, actor=ctx.actor("ci"))
    tg = ctx.w.tg_arn(others[0]) if (others and ctx.w.lb) else ctx.w.b.target_group_arn(f"{name}-tg")
    ecs_reactions(ctx, when, name, tg, ctx.rng.randint(2, 3))


def autoscaling_reaction(ctx: Ctx) -> None:
    target = ctx.victim.name if ctx.platform == "ecs" else (ctx.topo.others[0].name if ctx.topo.others else "worker")
    ident = assumed_role_identity(ctx.account, "AWSServiceRoleForApplicationAutoScaling_ECSService", "AutoScaling",
                                  path="/aws-service-role/ecs.application-autoscaling.amazonaws.com/")
    ident["invokedBy"] = "application-autoscaling.amazonaws.com"
    ctx.w.b.add_cloudtrail_event(ctx.onset + timedelta(seconds=ctx.rng.randint(-240, 300)), "ecs.amazonaws.com", "UpdateService", ident,
                                 {"cluster": ctx.topo.cluster, "service": target, "desiredCount": ctx.rng.randint(4, 8)},
                                 {"service": {"serviceName": target, "desiredCount": ctx.rng.randint(4, 8), "status": "ACTIVE"}},
                                 source_ip="application-autoscaling.amazonaws.com", user_agent="application-autoscaling.amazonaws.com",
                                 read_only=False)


def scheduled_task(ctx: Ctx) -> None:
    ident = assumed_role_identity(ctx.account, "eventbridge-scheduler-runtask", f"{ctx.w.b.hex(32)}")
    ident["invokedBy"] = "scheduler.amazonaws.com"
    task = f"{ctx.org}-{ctx.rng.choice(('nightly-export', 'cleanup', 'report-builder', 'cache-warmer'))}"
    ctx.w.b.add_cloudtrail_event(ctx.jitter(-1.0, 6.0), "ecs.amazonaws.com", "RunTask", ident,
                                 {"cluster": ctx.topo.cluster, "taskDefinition": f"{task}:{ctx.rng.randint(3, 40)}", "count": 1,
                                  "launchType": "FARGATE", "startedBy": "chronos-schedule"},
                                 {"tasks": [{"taskArn": f"arn:aws:ecs:{ctx.region}:{ctx.account}:task/{ctx.topo.cluster}/{ctx.w.b.hex(32)}",
                                             "lastStatus": "PROVISIONING"}], "failures": []},
                                 source_ip="scheduler.amazonaws.com", user_agent="scheduler.amazonaws.com", read_only=False)


def console_edit(ctx: Ctx) -> None:
    actor = ctx.actor("console-internal")
    when = ctx.jitter(1.0, 8.0)
    choice = ctx.rng.choice(("tags", "alarm", "bucket"))
    if choice == "tags":
        ctx.change(when, "ec2.amazonaws.com", "CreateTags",
                   {"resourcesSet": {"items": [{"resourceId": f"i-0{ctx.w.b.hex(16)}"}]},
                    "tagSet": {"items": [{"key": "CostCenter", "value": str(ctx.rng.randint(1000, 9999))}]}},
                   {"requestId": ctx.w.b.uuid(), "_return": True}, actor=actor)
    elif choice == "alarm":
        ctx.change(when, "monitoring.amazonaws.com", "PutMetricAlarm",
                   {"alarmName": f"{ctx.org}-billing-{ctx.rng.randint(1, 9)}", "metricName": "EstimatedCharges", "namespace": "AWS/Billing",
                    "threshold": 5000.0, "comparisonOperator": "GreaterThanThreshold", "evaluationPeriods": 1, "period": 21600},
                   None, actor=actor)
    else:
        ctx.change(when, "s3.amazonaws.com", "PutBucketLifecycle",
                   {"bucketName": f"{ctx.org}-access-logs", "Host": f"{ctx.org}-access-logs.s3.{ctx.region}.amazonaws.com", "lifecycle": ""},
                   None, actor=actor)


def other_parameter(ctx: Ctx) -> None:
    other = ctx.topo.others[-1].name if ctx.topo.others else "reports"
    ctx.change(ctx.jitter(1.0, 10.0), "ssm.amazonaws.com", "PutParameter",
               {"name": f"/{ctx.org}/{other}/log-level", "type": "String", "overwrite": True}, {"version": ctx.rng.randint(2, 30), "tier": "Standard"},
               actor=ctx.actor(ctx.rng.choice(("cli", "console"))))


def standing_error(ctx: Ctx) -> None:
    other = ctx.topo.others[0] if ctx.topo.others else ctx.victim
    message = ctx.rng.choice((
        "Failed to refresh feature flags from cache: Connection reset by peer (will retry in {ms} ms)",
        "Timeout while publishing metrics batch ({n} retries)",
        "Deprecated API version v1 called by client; responding 410 Gone",
        "Token refresh failed for downstream audit client, using cached token ({n} attempts)",
    ))
    ctx.w.benign.append((other.name, ctx.rng.uniform(0.4, 1.5), "ERROR", f"com.{ctx.org}.common.Background", message))


def other_lambda_config(ctx: Ctx) -> None:
    fn = f"{ctx.org}-{ctx.rng.choice(('thumbnailer', 'audit-forwarder', 'slack-notifier', 'cost-report'))}"
    ctx.change(ctx.jitter(1.0, 8.0), "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2",
               {"functionName": fn, "memorySize": ctx.rng.choice((256, 512, 1024)), "timeout": 30},
               {"functionName": fn, "functionArn": f"arn:aws:lambda:{ctx.region}:{ctx.account}:function:{fn}", "lastUpdateStatus": "InProgress"},
               actor=ctx.actor(ctx.rng.choice(("terraform", "console"))))


HERRINGS: dict[str, Callable[[Ctx], None]] = {
    "other_deploy": other_deploy,
    "autoscaling_reaction": autoscaling_reaction,
    "scheduled_task": scheduled_task,
    "console_edit": console_edit,
    "other_parameter": other_parameter,
    "standing_error": standing_error,
    "other_lambda_config": other_lambda_config,
}


def add_herrings(ctx: Ctx, names: list[str] | None = None) -> list[str]:
    """Place 1 to 3 drawn red herrings (or exactly ``names``); returns the names placed."""
    chosen = names if names is not None else ctx.rng.sample(sorted(HERRINGS), ctx.rng.randint(1, 3))
    for name in chosen:
        HERRINGS[name](ctx)
    return list(chosen)
