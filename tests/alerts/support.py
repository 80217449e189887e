"""Builders for alert tests: log events as an application writes them, deliveries, a handler with local state."""

from __future__ import annotations

from typing import Any

from tools.alerts.handler import AlertHandler
from tools.alerts.notify import Enrichment
from tools.alerts.state import LocalState
from tools.alerts.subscription import encode
from tools.alerts.thresholds import Settings

T0 = 1795165200000  # 2026-11-20T09:00:00Z in ms
MINUTE = 60_000

STANDING = "2026-11-20 09:{mm:02d}:01.220 WARN  c.e.payment.GatewayClient - retry failed: 429 Too Many Requests (attempt {n})"
TIMEOUT = ("2026-11-20 09:{mm:02d}:{ss:02d}.118 ERROR c.e.checkout.OrderService - connect timed out: "
           "dynamodb.us-east-1.amazonaws.com/3.218.180.{n}:443 after 2000 ms, requestId={n}f1c2")
DENIED = ("[ERROR] AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/orders-role/orders is not "
          "authorized to perform: dynamodb:PutItem on resource: table/orders-{n} requestId={n}")


def events(template: str, minute: int, count: int, start_id: int = 0) -> list[dict[str, Any]]:
    """``count`` events of ``template`` spread over minute ``minute`` after T0."""
    out = []
    for i in range(count):
        second = (i * 60) // max(count, 1)
        out.append({"id": str(start_id + i), "timestamp": T0 + minute * MINUTE + second * 1000 + i % 1000,
                    "message": template.format(mm=minute % 60, ss=second, n=start_id + i)})
    return out


def delivery(log_group: str, batch: list[dict[str, Any]], stream: str = "ecs/app/4f1c") -> dict[str, Any]:
    return encode(log_group, stream, batch)


class Collector:
    """A publisher that keeps what would be posted."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def __call__(self, message: dict[str, Any]) -> str:
        self.messages.append(message)
        return f"m-{len(self.messages)}"


def local_handler(settings: Settings | None = None, state: Any = None) -> tuple[AlertHandler, Collector]:
    collector = Collector()
    handler = AlertHandler(state or LocalState(), collector, lambda alert, remaining: Enrichment(), settings or Settings())
    return handler, collector


def standing_noise(handler: AlertHandler, group: str, minutes: range, per_minute: int = 2) -> None:
    """The standing error of the service, every minute of ``minutes``."""
    for minute in minutes:
        handler.handle(delivery(group, events(STANDING, minute, per_minute, minute * 100)))
