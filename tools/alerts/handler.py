"""Lambda entry of the proactive alerts: a CloudWatch Logs subscription delivery in, at most one Slack
notification out.

Read top to bottom: decode the delivery (CONTROL_MESSAGE ignored) -> mine the error lines into templates ->
add their counts to the state and decide which burst -> claim them (conditional writes: of two concurrent
invocations one wins) -> open or join the incident -> claim a notification (incident cap, per-service rate
limit) -> enrich (triage, runbooks, past incidents) within the deadline -> publish the Chatbot custom
notification. Bad events are logged and answered with a status; nothing raises.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from aws_lambda_powertools import Logger

from tools.alerts import notify
from tools.alerts.detector import BatchMiner, Trigger, decide, service_of
from tools.alerts.state import AlertState, Incident
from tools.alerts.subscription import CONTROL_MESSAGE, BadDelivery, Delivery, decode
from tools.alerts.thresholds import TEMPLATE_COOLDOWN_SECONDS, Settings

logger = Logger(service="ops-agent-alerts", level=os.environ.get("LOG_LEVEL", "INFO"))

Publisher = Callable[[dict[str, Any]], str]
Enrich = Callable[[notify.Alert, float], notify.Enrichment]


@dataclass
class Decision:
    """What one delivery led to (returned by the handler, logged, and used by ``watch`` and tests)."""

    status: str
    events: int = 0
    errors: int = 0
    templates: int = 0
    triggers: list[Trigger] = field(default_factory=list)
    alert: notify.Alert | None = None
    notification: dict[str, Any] | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "events": self.events, "errors": self.errors,
                               "templates": self.templates, "triggers": [t.record.template_id for t in self.triggers]}
        if self.notification is not None:
            out["notificationId"] = self.notification["id"]
            out["threadId"] = self.notification["metadata"]["threadId"]
        if self.reason:
            out["reason"] = self.reason
        return out


class AlertHandler:
    """The alert logic with its state, publisher and enrichment injected (DynamoDB + SNS in Lambda; local state
    and a collector in ``watch`` and tests)."""

    def __init__(self, state: AlertState, publish: Publisher, enrich: Enrich, settings: Settings,
                 region: str = "us-east-1") -> None:
        self.state = state
        self.publish = publish
        self.enrich = enrich
        self.settings = settings
        self.region = region
        self.miner = BatchMiner()

    # --- phases (separate so tests can interleave two invocations) ----------------------------------

    def detect(self, delivery: Delivery) -> Decision:
        """Mine and count the delivery; the templates that burst (not yet claimed)."""
        templates, errors = self.miner.mine(delivery.events)
        decision = Decision("quiet", len(delivery.events), errors, len(templates))
        if not templates:
            return decision
        now = max(event.timestamp for event in delivery.events) // 1000
        started = self.state.watching_since(now)
        service = service_of(delivery.log_group)
        for mined in templates:
            record = self.state.add_counts(service, mined.id, mined.template, mined.counts, mined.first, now)
            trigger = decide(record, now, started, self.settings)
            if trigger is not None:
                trigger.sample = mined.sample
                trigger.log_group = delivery.log_group
                decision.triggers.append(trigger)
        decision.triggers.sort(key=lambda t: -t.recent)
        if decision.triggers:
            decision.status = "burst"
        return decision

    def claim(self, decision: Decision, delivery: Delivery) -> notify.Alert | None:
        """Claim the bursting templates, open or join the incident, reserve a notification."""
        if not decision.triggers:
            return None
        now = max(event.timestamp for event in delivery.events) // 1000
        won = [t for t in decision.triggers
               if self.state.claim_template(t.record.service, t.record.template_id, now, TEMPLATE_COOLDOWN_SECONDS)]
        if not won:
            decision.status, decision.reason = "claimed elsewhere", "another invocation alerted for these templates"
            return None
        decision.triggers = won
        service = won[0].record.service
        candidate = Incident(notify.incident_id(service, won[0].record.template_id, now), now, now, {service})
        incident, opened = self.state.open_or_join(candidate, now, self.settings.group_seconds)
        number = self.state.claim_notification(incident.id, service, now, self.settings.rate_limit_seconds)
        if number is None:
            decision.status = "grouped" if not opened else "rate limited"
            decision.reason = (f"joined incident {incident.id} (no further notification due)" if not opened
                               else f"{service} was notified within the rate limit")
            return None
        incident.services.add(service)
        return notify.Alert(incident, number, service, won, self.region, delivery.owner, now)

    def handle_delivery(self, delivery: Delivery, remaining: float = 60.0) -> Decision:
        decision = self.detect(delivery)
        alert = self.claim(decision, delivery)
        if alert is None:
            return decision
        enrichment = self.enrich(alert, remaining)
        message = notify.build(alert, enrichment, self.settings.connector)
        self.publish(message)
        decision.status, decision.alert, decision.notification = "notified", alert, message
        return decision

    def handle(self, event: Any, remaining: float = 60.0) -> Decision:
        """One Lambda event: a subscription delivery (or anything else, refused with a reason)."""
        try:
            delivery = decode(event)
        except BadDelivery as exc:
            return Decision("ignored", reason=str(exc))
        if delivery.message_type == CONTROL_MESSAGE:
            return Decision("ignored", reason="CONTROL_MESSAGE (CloudWatch Logs checking the destination)")
        return self.handle_delivery(delivery, remaining)


# --- the Lambda --------------------------------------------------------------------------------------

_HANDLER: AlertHandler | None = None


def _build_from_environment() -> AlertHandler:
    from tools.alerts.dynamo_state import DynamoState
    from tools.alerts.enrich import Enricher
    from tools.common import config as config_module
    from tools.common.aws import client, region

    table = os.environ.get("OPSAGENT_ALERT_TABLE")
    topic = os.environ.get("OPSAGENT_TOPIC_ARN")
    if not table or not topic:
        raise RuntimeError("OPSAGENT_ALERT_TABLE and OPSAGENT_TOPIC_ARN must be set")
    settings = Settings.from_config(config_module.load())
    sns = client("sns")

    def publish(message: dict[str, Any]) -> str:
        response = sns.publish(TopicArn=topic, Message=json.dumps(message, ensure_ascii=False))
        return str(response.get("MessageId", ""))

    return AlertHandler(DynamoState(client("dynamodb"), table), publish, Enricher(settings), settings, region())


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    global _HANDLER
    try:
        if _HANDLER is None:
            _HANDLER = _build_from_environment()
        getter = getattr(context, "get_remaining_time_in_millis", None)
        remaining = float(getter()) / 1000.0 if callable(getter) else 60.0
        decision = _HANDLER.handle(event, remaining)
        logger.info("delivery handled", extra=decision.to_json())
        return decision.to_json()
    except Exception as exc:  # noqa: BLE001 - a subscription target must not fail (CloudWatch Logs retries)
        logger.exception("alert handling failed")
        return {"status": "error", "reason": exc.__class__.__name__}
