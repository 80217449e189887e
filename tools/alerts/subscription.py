"""CloudWatch Logs subscription deliveries: the Lambda event ``{"awslogs": {"data": base64(gzip(JSON))}}``.

``decode`` returns the delivery (``messageType``, ``logGroup``, ``logStream``, ``logEvents[{id, timestamp,
message}]``) or raises ``BadDelivery`` with a one-line reason; ``encode`` builds the same event (used by
``watch`` to replay a snapshot exactly as CloudWatch Logs would deliver it, and by tests).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

DATA_MESSAGE = "DATA_MESSAGE"
CONTROL_MESSAGE = "CONTROL_MESSAGE"
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
"""A delivery holds at most 1 MB compressed; anything decompressing beyond 16 MB is not CloudWatch Logs."""


class BadDelivery(ValueError):
    """The event is not a readable subscription delivery; the message says why."""


@dataclass
class LogEvent:
    id: str
    timestamp: int  # epoch milliseconds
    message: str


@dataclass
class Delivery:
    message_type: str
    log_group: str
    log_stream: str
    owner: str = ""
    events: list[LogEvent] = field(default_factory=list)
    skipped: int = 0  # malformed events left out


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise BadDelivery(f"awslogs.data is not gzip ({exc})") from None
    if inflater.unconsumed_tail:
        raise BadDelivery(f"awslogs.data decompresses beyond {MAX_DECOMPRESSED_BYTES} bytes")
    return out


def decode(event: Any) -> Delivery:
    """The delivery in a Lambda event from a CloudWatch Logs subscription filter."""
    if not isinstance(event, dict) or not isinstance(event.get("awslogs"), dict):
        raise BadDelivery("the event has no 'awslogs' object (not a CloudWatch Logs subscription delivery)")
    data = event["awslogs"].get("data")
    if not isinstance(data, str) or not data:
        raise BadDelivery("awslogs.data is missing or not a string")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise BadDelivery("awslogs.data is not base64") from None
    try:
        body = json.loads(_inflate(raw))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadDelivery(f"awslogs.data is not JSON after gunzip ({exc.__class__.__name__})") from None
    if not isinstance(body, dict):
        raise BadDelivery("the delivery is not a JSON object")
    kind = body.get("messageType")
    if kind not in (DATA_MESSAGE, CONTROL_MESSAGE):
        raise BadDelivery(f"messageType is {str(kind)[:40]!r}, expected DATA_MESSAGE or CONTROL_MESSAGE")
    delivery = Delivery(kind, str(body.get("logGroup") or ""), str(body.get("logStream") or ""), str(body.get("owner") or ""))
    if kind == CONTROL_MESSAGE:
        return delivery
    if not delivery.log_group:
        raise BadDelivery("a DATA_MESSAGE without logGroup")
    events = body.get("logEvents")
    if not isinstance(events, list):
        raise BadDelivery("a DATA_MESSAGE without a logEvents list")
    for item in events:
        if (isinstance(item, dict) and isinstance(item.get("message"), str)
                and isinstance(item.get("timestamp"), int) and not isinstance(item.get("timestamp"), bool)):
            delivery.events.append(LogEvent(str(item.get("id") or ""), item["timestamp"], item["message"]))
        else:
            delivery.skipped += 1
    return delivery


def encode(log_group: str, log_stream: str, events: list[dict[str, Any]], owner: str = "123456789012",
           filter_name: str = "ops-agent-alerts", message_type: str = DATA_MESSAGE) -> dict[str, Any]:
    """A Lambda event as CloudWatch Logs delivers it; ``events`` are ``{id, timestamp, message}``."""
    body = {
        "messageType": message_type,
        "owner": owner,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": [filter_name],
        "logEvents": events,
    }
    if message_type == CONTROL_MESSAGE:
        body.update(owner="CloudwatchLogs", logGroup="", logStream="", subscriptionFilters=[],
                    logEvents=[{"id": "", "timestamp": events[0]["timestamp"] if events else 0,
                                "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}])
    packed = gzip.compress(json.dumps(body, separators=(",", ":")).encode("utf-8"), mtime=0)
    return {"awslogs": {"data": base64.b64encode(packed).decode("ascii")}}
