"""Alarm-triggered triage: an EventBridge rule for CloudWatch alarms entering ALARM (optionally by name
prefix) invokes the alarm Lambda (``tools.alarm.handler.lambda_handler``), which posts to the topic."""

from __future__ import annotations

import json
from typing import Any

from infra.context import Context
from infra.provider import aws


def event_pattern(name_prefix: str) -> dict[str, Any]:
    detail: dict[str, Any] = {"state": {"value": ["ALARM"]}}
    if name_prefix:
        detail["alarmName"] = [{"prefix": name_prefix}]
    return {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"], "detail": detail}


def build(ctx: Context, fn: Any) -> Any:
    rule_mod = aws("cloudwatch_event_rule")
    target_mod = aws("cloudwatch_event_target")
    perm = aws("lambda_permission")
    rule = rule_mod.CloudwatchEventRule(
        ctx.stack, "alarm-rule", name=f"{ctx.names.project}-alarm-triage",
        description="CloudWatch alarms entering ALARM start an ops-agent investigation",
        event_pattern=json.dumps(event_pattern(ctx.cfg["alarms"]["name_prefix"]), sort_keys=True))
    perm.LambdaPermission(ctx.stack, "alarm-invoke-by-events", statement_id="AllowEventBridgeAlarmRule",
                          action="lambda:InvokeFunction", function_name=fn.function_name,
                          principal="events.amazonaws.com", source_arn=rule.arn)
    target_mod.CloudwatchEventTarget(
        ctx.stack, "alarm-target", rule=rule.name, arn=fn.arn, target_id="alarm-triage",
        retry_policy=target_mod.CloudwatchEventTargetRetryPolicy(maximum_retry_attempts=2,
                                                                 maximum_event_age_in_seconds=900))
    return rule
