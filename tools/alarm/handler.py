"""Alarm triage: an EventBridge "CloudWatch Alarm State Change" event (state ALARM) starts an investigation of
the hour before the alarm fired, focused on the alarm's dimensions, and posts the answer to the Slack channel as
an AWS Chatbot (Amazon Q Developer in chat applications) custom notification on the SNS topic in
``OPSAGENT_TOPIC_ARN``, threaded per alarm. A malformed or irrelevant event is logged and ignored. A failed
investigation or publish is logged and raised (``AlarmTriageFailed``, one line, no event text): the function is
never retried (a retry could post twice) and Lambda sends the event to its on-failure destination, the failure
queue (``infra/alarms.py``), where it can be inspected and redriven. A duplicate delivery of the same state change
posts nothing (``tools.alarm.once``: Powertools idempotency on the alarm and its state timestamp).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent

from tools.common.invocation import with_clean_log_state
from tools.common.limits import CHATBOT_TITLE_LIMIT, SLACK_LIMIT

logger = Logger(service="ops-agent-alarm", level=os.environ.get("LOG_LEVEL", "INFO"))

ALARM_STATE_CHANGE = "CloudWatch Alarm State Change"
LOOKBACK = timedelta(minutes=60)
MAX_AFTER = timedelta(minutes=30)
TITLE_LIMIT = CHATBOT_TITLE_LIMIT
DESCRIPTION_LIMIT = SLACK_LIMIT
_FOCUS_DIMENSIONS = ("LoadBalancer", "ServiceName", "FunctionName", "TableName", "DBInstanceIdentifier", "DBClusterIdentifier",
                     "QueueName", "TargetGroup", "ClusterName", "CacheClusterId", "ApiName", "StateMachineArn")
_SAFE = re.compile(r"^[A-Za-z0-9_./#:@+=,\-* ]{1,256}$")


class Ignored(Exception):
    """The event is not one this handler acts on; the message says why."""


class AlarmTriageFailed(RuntimeError):
    """The investigation or the publish failed; raised so Lambda records the event in the failure queue."""


def _time(text: Any) -> datetime:
    from tools.common.timewindow import parse_instant, to_utc, UTC

    if not isinstance(text, str) or not text:
        raise Ignored("the event has no state timestamp")
    cleaned = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.strip())  # 2026-11-20T09:41:00.123+0000
    try:
        return to_utc(parse_instant(cleaned, datetime.now(UTC)))
    except ValueError:
        raise Ignored(f"unreadable state timestamp {text[:40]!r}") from None


def parse_event(event: Any) -> dict[str, Any]:
    """Alarm name/ARN, state time, reason and focus dimension from the EventBridge event; Ignored otherwise."""
    if not isinstance(event, dict):
        raise Ignored("the event is not a JSON object")
    change = EventBridgeEvent(event)
    try:
        detail_type, detail = change.detail_type, change.detail
    except KeyError as exc:
        raise Ignored(f"the event has no {exc.args[0]!r}: not an EventBridge event") from None
    if detail_type != ALARM_STATE_CHANGE:
        raise Ignored(f"detail-type is {str(detail_type)[:60]!r}, not a CloudWatch alarm state change")
    if not isinstance(detail, dict) or not isinstance(detail.get("state"), dict):
        raise Ignored("the event has no detail.state")
    state = detail["state"]
    if state.get("value") != "ALARM":
        raise Ignored(f"state is {str(state.get('value'))[:20]!r}, not ALARM")
    name = detail.get("alarmName")
    if not isinstance(name, str) or not name:
        raise Ignored("the event has no alarmName")
    resources = change.get("resources")
    arn = resources[0] if isinstance(resources, list) and resources else ""
    dimensions: dict[str, str] = {}
    metrics = ((detail.get("configuration") or {}).get("metrics") or []) if isinstance(detail.get("configuration"), dict) else []
    for metric in metrics if isinstance(metrics, list) else []:
        inner = ((metric or {}).get("metricStat") or {}).get("metric") or {}
        for key, value in (inner.get("dimensions") or {}).items():
            if isinstance(key, str) and isinstance(value, str):
                dimensions.setdefault(key, value)
    focus = next((dimensions[k] for k in _FOCUS_DIMENSIONS if k in dimensions and _SAFE.match(dimensions[k])), None)
    return {
        "name": name[:255],
        "arn": str(arn)[:2048],
        "time": _time(state.get("timestamp") or change.get("time")),
        "reason": str(state.get("reason", ""))[:500],
        "focus": focus,
        "dimensions": dimensions,
        "account": str(change.get("account", "")),
        "region": str(change.get("region", "")),
    }


def state_key(alarm: dict[str, Any]) -> dict[str, str]:
    """What makes one alarm state change: the alarm (ARN, else name) and the time it entered ALARM."""
    return {"alarm": alarm["arn"] or alarm["name"], "time": alarm["time"].isoformat()}


def alarm_window(alarm_time: datetime, now: datetime) -> Any:
    """From an hour before the alarm to now (at most 30 min after the alarm; never empty)."""
    from tools.common.timewindow import Window

    end = min(max(now, alarm_time + timedelta(minutes=1)), alarm_time + MAX_AFTER)
    return Window(alarm_time - LOOKBACK, end)


def notification(alarm: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """The Chatbot custom notification (version 1.0, source custom, client-markdown)."""
    from tools.common.safety import safe

    name = safe(alarm["name"], 120).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    from tools.triage.headline import unchecked_sources

    top = report["hypotheses"][0] if report["hypotheses"] else None
    unchecked = unchecked_sources(report["sources"])
    headline = f"{top['title']} ({top['confidence']})" if top else (
        f"could not check {unchecked}" if unchecked else "no clear cause found")
    title = f":rotating_light: {name} is in ALARM: {headline}"
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"
    description = report["summary"]
    if len(description) > DESCRIPTION_LIMIT:
        description = description[: DESCRIPTION_LIMIT - 1] + "…"
    steps: list[str] = []
    if top:
        first = top["evidence"][0]
        steps.append(f"Check {first['id']} in the console" + (f": {first['link']}" if first.get("link") and len(first["link"]) < 500 else ""))
        log_ids = [e["id"] for h in report["hypotheses"][:1] for e in h["evidence"] if e["source"] == "logs"]
        if log_ids:
            steps.append(f"Ask in this thread: show the raw lines for {log_ids[0]}")
    steps.append("Ask in this thread: what changed before that?")
    thread = "alarm-" + hashlib.sha256((alarm["arn"] or alarm["name"]).encode()).hexdigest()[:16]
    return {
        "version": "1.0",
        "source": "custom",
        "id": f"{thread}-{alarm['time'].strftime('%Y%m%dT%H%M%S')}",
        "content": {"textType": "client-markdown", "title": title, "description": description, "nextSteps": steps[:5],
                    "keywords": [name[:50], "ALARM"]},
        "metadata": {
            "threadId": thread,
            "summary": f"{name} ALARM: {headline}"[:250],
            "eventType": "AlarmTriage",
            "relatedResources": [alarm["arn"]] if alarm["arn"] else [],
            "additionalContext": {"onset": str(report.get("onset") or ""), "window": f"{report['window']['start']}/{report['window']['end']}"},
        },
    }


def _sns_client() -> Any:
    from tools.common.aws import client

    return client("sns")


def investigate(alarm: dict[str, Any], context: Any) -> dict[str, Any]:
    """The triage service's investigation of the alarm's window, focused on its dimension; the report."""
    from tools.common import config as config_module
    from tools.common.deadline import Deadline
    from tools.common.snapshot import from_environment
    from tools.common.timewindow import UTC
    from tools.triage.service import investigate_window

    config = config_module.load()
    snapshot = from_environment()
    now = snapshot.manifest.end if snapshot is not None else datetime.now(UTC)
    turn = float(config["limits"]["turn_seconds"])
    outcome = investigate_window(alarm_window(alarm["time"], now), config=config, snapshot=snapshot,
                                 deadline=Deadline.from_context(context, turn) if context else Deadline(turn),
                                 question=f"Why did alarm {alarm['name'][:200]} go to ALARM?", service=alarm["focus"])
    return outcome.result.data["report"]


def handle(event: Any, context: Any) -> dict[str, Any]:
    try:
        alarm = parse_event(event)
    except Ignored as exc:
        logger.info("event ignored", extra={"reason": str(exc)})
        return {"status": "ignored", "reason": str(exc)}
    try:
        from tools.common import config as config_module

        prefix = config_module.load()["alarms"]["name_prefix"]
        if prefix and not alarm["name"].startswith(prefix):
            logger.info("alarm outside the configured prefix", extra={"alarm": alarm["name"]})
            return {"status": "ignored", "reason": "alarm name outside the configured prefix"}
        topic = os.environ.get("OPSAGENT_TOPIC_ARN")
        if not topic:
            logger.error("OPSAGENT_TOPIC_ARN is not set; nothing published")
            return {"status": "error", "reason": "OPSAGENT_TOPIC_ARN is not set"}
        from tools.alarm import once

        def investigate_and_post() -> dict[str, Any]:
            report = investigate(alarm, context)
            message = notification(alarm, report)
            response = _sns_client().publish(TopicArn=topic, Message=json.dumps(message, ensure_ascii=False))
            logger.info("alarm triage published", extra={"alarm": alarm["name"], "message_id": response.get("MessageId")})
            return {"status": "published", "messageId": response.get("MessageId"),
                    "threadId": message["metadata"]["threadId"]}

        return once.run(state_key(alarm), investigate_and_post, context)
    except Exception as exc:  # noqa: BLE001 - logged here; raised so the event lands in the failure queue
        from tools.alarm import once

        if once.already_in_progress(exc):
            logger.info("duplicate delivery while the first is running", extra={"alarm": alarm["name"]})
            return {"status": "ignored", "reason": "this alarm state change is already being investigated"}
        logger.exception("alarm triage failed")
        raise AlarmTriageFailed(f"alarm triage of {alarm['name'][:120]!r} failed: {exc.__class__.__name__}") from None


lambda_handler = with_clean_log_state(logger, handle)
