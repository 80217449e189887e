"""``python -m agent watch --snapshot DIR [--json]``: the proactive alerts, offline.

The snapshot's log events are replayed in time order as CloudWatch Logs would deliver them to the alert Lambda:
only lines the subscription filter passes (the tools' error definition), one delivery per log group and stream
every ``DELIVERY_SECONDS``. Each delivery goes through the same ``AlertHandler`` as in AWS, with local state and
triage reading the snapshot up to the moment of the alert. Prints one JSON object per notification that would be
posted: ``{"time": ISO, "notification": <AWS Chatbot custom notification>}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TextIO

from agent.errors import UsageError

DELIVERY_SECONDS = 10
"""CloudWatch Logs buffers a subscription's events for a few seconds per log stream before it delivers them."""
MAX_DELIVERY_EVENTS = 10_000
"""The most events one subscription delivery carries."""


@dataclass
class Posted:
    time: datetime
    notification: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time.strftime("%Y-%m-%dT%H:%M:%SZ"), "notification": self.notification}


def deliveries(snapshot: Any, account: str = "") -> Iterator[dict[str, Any]]:
    """Subscription events for the snapshot's error lines, in time order (the last event's time decides)."""
    from tools.alerts.subscription import encode
    from tools.common.snapshot import ReadStats
    from tools.logs.matching import is_error

    stats = ReadStats()
    selected = [event for event in snapshot.log_events(stats) if is_error(event["message"])]
    selected.sort(key=lambda event: int(event["timestamp"]))
    pending: dict[tuple[str, str], list[dict[str, Any]]] = {}
    slice_end: int | None = None

    def flush() -> Iterator[dict[str, Any]]:
        batches = sorted(pending.items(), key=lambda item: item[1][-1]["timestamp"])
        pending.clear()
        for (group, stream), batch in batches:
            for start in range(0, len(batch), MAX_DELIVERY_EVENTS):
                yield encode(group, stream, batch[start:start + MAX_DELIVERY_EVENTS], owner=account)

    for index, event in enumerate(selected):
        stamp = int(event["timestamp"])
        if slice_end is not None and stamp >= slice_end:
            yield from flush()
            slice_end = None
        if slice_end is None:
            slice_end = stamp - stamp % (DELIVERY_SECONDS * 1000) + DELIVERY_SECONDS * 1000
        key = (event["logGroupName"], str(event.get("logStreamName") or "stream"))
        pending.setdefault(key, []).append({"id": str(index), "timestamp": stamp, "message": event["message"]})
    yield from flush()


def replay(snapshot: Any, settings: Any = None, enrich: Any = None) -> list[Posted]:
    """Every notification the alert handler would post while the snapshot's logs stream in."""
    from tools.alerts.enrich import Enricher
    from tools.alerts.handler import AlertHandler
    from tools.alerts.state import LocalState
    from tools.alerts.thresholds import Settings
    from tools.common import config as config_module

    settings = settings or Settings.from_config(config_module.load())
    posted: list[Posted] = []
    current: list[datetime] = []

    def publish(message: dict[str, Any]) -> str:
        posted.append(Posted(current[-1], message))
        return message["id"]

    state = LocalState()
    # The subscription has been streaming since the snapshot's start: a quiet start is learned as quiet.
    state.watching_since(int(snapshot.manifest.start.timestamp()))
    handler = AlertHandler(state, publish, enrich or Enricher(settings, snapshot), settings, snapshot.region)
    for event in deliveries(snapshot, snapshot.manifest.account):
        from tools.alerts.subscription import decode

        delivery = decode(event)
        current.append(datetime.fromtimestamp(max(e.timestamp for e in delivery.events) / 1000, timezone.utc))
        handler.handle_delivery(delivery, remaining=settings.triage_seconds + 10)
    return posted


def render(posted: Posted) -> str:
    content = posted.notification["content"]
    return f"[{posted.to_json()['time']}] {content['title']}\n{content['description']}\n"


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    import os

    from tools.common.errors import ConfigError
    from tools.common.snapshot import Snapshot, SnapshotError

    out = out or sys.stdout
    path = getattr(args, "snapshot", None) or os.environ.get("OPSAGENT_SNAPSHOT")
    if not path:
        raise UsageError("watch needs --snapshot DIR (or OPSAGENT_SNAPSHOT): it replays that snapshot's logs")
    try:
        snapshot = Snapshot.open(path)
    except SnapshotError as exc:
        raise UsageError(str(exc)) from None
    try:
        posted = replay(snapshot)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    for item in posted:
        if getattr(args, "json", False):
            print(json.dumps(item.to_json(), ensure_ascii=False), file=out, flush=True)
        else:
            print(render(item), file=out, flush=True)
    if not posted and not getattr(args, "json", False):
        print("No notification: nothing new or sharply risen in the replayed error lines.", file=out)
    return 0
