"""Alarm-triggered triage: an EventBridge rule for CloudWatch alarms entering ALARM (optionally by name
prefix) invokes the alarm Lambda (``tools.alarm.handler.lambda_handler``), which posts to the topic.

Failures are kept, never retried into a second post: the Lambda's asynchronous invocations are not retried
(``maximum_retry_attempts = 0``: a triage that timed out would likely time out again, and one that failed after
publishing would post twice) and go to the failure queue (its on-failure destination), as do events
EventBridge could not deliver (the target's dead-letter queue). A duplicate delivery of the same state change
finds its record in the idempotency table and posts nothing.
"""

from __future__ import annotations

import json
from typing import Any

from infra import policies
from infra.context import Context
from infra.provider import aws


def event_pattern(name_prefix: str) -> dict[str, Any]:
    detail: dict[str, Any] = {"state": {"value": ["ALARM"]}}
    if name_prefix:
        detail["alarmName"] = [{"prefix": name_prefix}]
    return {"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"], "detail": detail}


FAILURE_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: two weeks to look at a failed alarm investigation
MAX_EVENT_AGE_SECONDS = 900  # an alarm investigation that could not start within 15 min is stale


def failure_queue(ctx: Context) -> Any:
    """The SQS queue failed alarm investigations land in (SSE-SQS: EventBridge can write without key grants)."""
    sqs = aws("sqs_queue")
    return sqs.SqsQueue(ctx.stack, "alarm-failures", name=f"{ctx.names.project}-alarm-failures",
                        message_retention_seconds=FAILURE_RETENTION_SECONDS, sqs_managed_sse_enabled=True)


IDEMPOTENCY_KEY = "id"  # Powertools' DynamoDBPersistenceLayer defaults (tools/alarm/once.py)
IDEMPOTENCY_EXPIRY = "expiration"


def idempotency_table(ctx: Context, key: Any) -> Any:
    """The records that make a duplicate delivery of one alarm state change post nothing (expire by TTL)."""
    from infra.dynamodb import ttl_table

    return ttl_table(ctx, "alarm-idempotency", f"{ctx.names.project}-alarm-idempotency", key, IDEMPOTENCY_KEY,
                     IDEMPOTENCY_EXPIRY)


def build(ctx: Context, fn: Any, queue: Any, role_policy: Any) -> Any:
    """The rule, its target (no Lambda retries, failures to ``queue``) and the queue's policy for EventBridge."""
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
                                                                 maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS),
        dead_letter_config=target_mod.CloudwatchEventTargetDeadLetterConfig(arn=queue.arn))
    aws("sqs_queue_policy").SqsQueuePolicy(ctx.stack, "alarm-failures-policy", queue_url=queue.url,
                                           policy=policies.to_json(policies.events_dead_letter_policy(queue.arn,
                                                                                                     rule.arn)))
    invoke = aws("lambda_function_event_invoke_config")
    invoke.LambdaFunctionEventInvokeConfig(
        ctx.stack, "alarm-invoke-config", function_name=fn.function_name, maximum_retry_attempts=0,
        maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS,
        destination_config=invoke.LambdaFunctionEventInvokeConfigDestinationConfig(
            on_failure=invoke.LambdaFunctionEventInvokeConfigDestinationConfigOnFailure(destination=queue.arn)),
        # Lambda checks the role may send to the destination when the configuration is written.
        depends_on=[role_policy])
    return rule
