"""When the log stream alerts: bursts of new or sharply risen templates; standing errors, learning, traffic peaks
and one-off blips stay silent; one notification per burst, incidents grouped across log groups, rate limits."""

from __future__ import annotations

from dataclasses import replace

from tools.alerts.detector import service_of
from tools.alerts.thresholds import MAX_NOTIFICATIONS_PER_INCIDENT, Settings

from .support import DENIED, STANDING, TIMEOUT, delivery, events, local_handler, standing_noise

CHECKOUT = "/ecs/checkout"


def test_service_names_from_log_groups():
    assert service_of("/ecs/checkout") == "checkout"
    assert service_of("/aws/lambda/orders-api") == "orders-api"
    assert service_of("/aws/ecs/payments/app") == "payments"
    assert service_of("API-Gateway-Execution-Logs_abc123/prod") == "API-Gateway-Execution-Logs_abc123"


def test_standing_errors_stay_silent_and_a_new_error_alerts_within_two_minutes():
    handler, collector = local_handler()
    standing_noise(handler, CHECKOUT, range(0, 60))
    assert collector.messages == []  # 60 minutes of the standing 429 retries: silent
    first = handler.handle(delivery(CHECKOUT, events(TIMEOUT, 60, 4, 6000)))
    assert first.status == "quiet"  # one minute of a new error could be a blip
    second = handler.handle(delivery(CHECKOUT, events(TIMEOUT, 61, 4, 6100)))
    assert second.status == "notified"
    [message] = collector.messages
    assert message["metadata"]["additionalContext"]["templateId"] == second.triggers[0].record.template_id
    assert "connect timed out" in message["content"]["description"]
    assert "429" not in message["content"]["description"]  # the standing error is not the alert


def test_nothing_alerts_while_learning():
    handler, collector = local_handler(Settings(learning_seconds=20 * 60))
    for minute in range(0, 10):
        handler.handle(delivery(CHECKOUT, events(TIMEOUT, minute, 10, minute * 100)))
    assert collector.messages == []


def test_a_one_minute_blip_of_a_new_error_is_not_an_incident():
    handler, collector = local_handler()
    standing_noise(handler, CHECKOUT, range(0, 30))
    handler.handle(delivery(CHECKOUT, events(DENIED, 30, 50, 3000)))  # a deploy's moment of errors
    standing_noise(handler, CHECKOUT, range(31, 45))
    assert collector.messages == []


def test_a_traffic_peak_scaling_a_standing_error_stays_silent_but_a_sharp_rise_alerts():
    handler, collector = local_handler()
    standing_noise(handler, CHECKOUT, range(0, 40), per_minute=4)
    standing_noise(handler, CHECKOUT, range(40, 50), per_minute=12)  # 3x traffic: 3x the standing errors
    assert collector.messages == []
    standing_noise(handler, CHECKOUT, range(50, 53), per_minute=60)  # 15x: something broke
    assert len(collector.messages) == 1
    context = collector.messages[0]["metadata"]["additionalContext"]
    assert context["kind"] == "risen"
    assert "Error rate jumped" in collector.messages[0]["content"]["description"]


def test_a_burst_of_10000_events_gives_one_notification():
    handler, collector = local_handler()
    standing_noise(handler, CHECKOUT, range(0, 30))
    burst = events(TIMEOUT, 30, 5000, 10_000) + events(TIMEOUT, 31, 5000, 20_000)
    decision = handler.handle(delivery(CHECKOUT, burst))
    assert decision.events == 10_000 and decision.errors == 10_000 and decision.status == "notified"
    # and the same burst continuing in further deliveries adds nothing
    for minute in range(32, 40):
        handler.handle(delivery(CHECKOUT, events(TIMEOUT, minute, 1000, minute * 10_000)))
    assert len(collector.messages) == 1
    assert "10000 events in the last 5 min" in collector.messages[0]["content"]["description"]


def test_arrivals_across_log_groups_are_one_incident_with_few_notifications():
    handler, collector = local_handler(Settings(rate_limit_seconds=0))
    groups = ["/ecs/checkout", "/ecs/payment", "/aws/lambda/orders", "/ecs/catalog", "/ecs/search"]
    for group in groups:
        standing_noise(handler, group, range(0, 30))
    for minute in range(30, 45):
        for index, group in enumerate(groups):
            if minute >= 30 + index:  # the failure spreads, one service a minute
                handler.handle(delivery(group, events(TIMEOUT, minute, 5, minute * 100 + index * 10)))
    assert 1 < len(collector.messages) <= MAX_NOTIFICATIONS_PER_INCIDENT
    threads = {m["metadata"]["threadId"] for m in collector.messages}
    assert len(threads) == 1  # one Slack thread
    assert [m["metadata"]["eventType"] for m in collector.messages][:2] == ["ErrorBurst", "ErrorBurstUpdate"]
    services = [m["metadata"]["additionalContext"]["service"] for m in collector.messages]
    assert len(set(services)) == len(services)  # each notification is about a service not yet notified


def test_the_rate_limit_holds_a_service_to_one_notification_per_period():
    settings = Settings(rate_limit_seconds=30 * 60, group_seconds=5 * 60)
    handler, collector = local_handler(settings)
    standing_noise(handler, CHECKOUT, range(0, 30))
    for minute in (30, 31):
        handler.handle(delivery(CHECKOUT, events(TIMEOUT, minute, 5, minute * 100)))
    assert len(collector.messages) == 1
    # 12 minutes later (a new incident: the first one saw no arrival for longer than group_minutes),
    # another new error in the same service: within the 30-minute rate limit, so silent
    for minute in (43, 44):
        decision = handler.handle(delivery(CHECKOUT, events(DENIED, minute, 5, minute * 100)))
    assert decision.status == "rate limited"
    assert len(collector.messages) == 1
    # after the rate limit, a third new error notifies again, in a new thread
    for minute in (62, 63):
        handler.handle(delivery(CHECKOUT, events(STANDING.replace("429 Too Many Requests", "503 upstream unavailable"),
                                                 minute, 5, minute * 100)))
    assert len(collector.messages) == 2
    assert collector.messages[0]["metadata"]["threadId"] != collector.messages[1]["metadata"]["threadId"]


def test_configured_settings_come_from_ops_agent_toml():
    from tools.common.config import validate

    config = validate({"alerts": {"rate_limit_minutes": 5, "group_minutes": 3, "learning_minutes": 0, "min_events": 7},
                       "slack": {"connector_name": "ops"}})
    settings = Settings.from_config(config)
    assert replace(settings) == Settings(learning_seconds=0, group_seconds=180, rate_limit_seconds=300, min_events=7,
                                         triage_seconds=40.0, connector="ops")


def test_alerts_fingerprint_errors_with_the_tools_miner():
    """The alert detector's templates are find_error_patterns' and digest-logs' (tools.logs.miner, drain3): a
    word that takes many values is a parameter, which the masking alone would leave as one template per value."""
    from tools.alerts.detector import BatchMiner
    from tools.alerts.subscription import LogEvent
    from tools.logs.miner import mine_lines

    names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
    lines = [f"2026-11-20 09:00:{i:02d} ERROR c.e.payment.Api - card declined for customer {name}"
             for i, name in enumerate(names)]
    batch = [LogEvent(str(i), 1795165200000 + i * 1000, line) for i, line in enumerate(lines)]
    miner = BatchMiner()
    miner.mine(batch[:5])  # a warm container has seen the error before
    mined, errors = miner.mine(batch[5:])
    assert errors == 5
    [template] = mined
    assert template.template.endswith("card declined for customer <*>")
    assert sum(template.counts.values()) == 5
    tools_templates, _ = mine_lines(lines)
    assert template.id == tools_templates[0].id
