"""From one delivery's error lines to the templates that should alert.

``mine_batch`` keeps the error lines (the subscription filter may deliver more), mines them with the tools' template
miner and counts each template per minute. ``decide`` reads a template's record after its counts were added:
a template with no history in the baseline alerts when it bursts (``min_events`` in the last five minutes, in at
least ``NEW_MIN_MINUTES`` distinct minutes); a known one when its last five minutes exceed ``RISE_FACTOR`` times
its baseline rate and ``RISE_MIN_EVENTS``. Nothing alerts while the state is still learning the standing errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.alerts.state import TemplateRecord
from tools.alerts.subscription import LogEvent
from tools.alerts.thresholds import (BASELINE_BUCKETS, BUCKET_SECONDS, NEW_MIN_MINUTES, RECENT_BUCKETS, RISE_FACTOR,
                                     RISE_MIN_EVENTS, TEMPLATE_COOLDOWN_SECONDS, Settings)
from tools.logs.matching import is_error

_GROUP_PREFIXES = re.compile(r"^/?(?:aws/(?:lambda|ecs|eks|rds/(?:instance|cluster)/[^/]+|apigateway|vendedlogs/[^/]+)/|ecs/|eks/|"
                             r"lambda/|app/|application/)")


def service_of(log_group: str) -> str:
    """A short service name for a log group: ``/ecs/checkout`` -> ``checkout``, ``/aws/lambda/orders-api`` ->
    ``orders-api``; otherwise the last meaningful path part."""
    rest = _GROUP_PREFIXES.sub("", log_group.strip())
    parts = [p for p in rest.split("/") if p and p not in ("application", "app", "logs", "containers", "service")]
    name = parts[0] if parts else log_group.strip("/") or "unknown"
    return re.sub(r"[^A-Za-z0-9_.-]", "-", name)[:64] or "unknown"


@dataclass
class MinedTemplate:
    """One template of a batch: its counts per minute, first time and a sample line."""

    id: str
    template: str
    counts: dict[int, int] = field(default_factory=dict)
    first: int = 0
    sample: str = ""


class BatchMiner:
    """Mines deliveries with one miner kept across calls (a warm Lambda, or a whole ``watch`` replay), so the
    same error keeps one fingerprint.

    The miner is the tools' own (``tools.logs.miner``, drain3), with no masking-only fallback: a fingerprint
    that depended on whether drain3 was installed would make every standing error "new" again in a container
    without it. The Lambda zip bundles drain3 (``infra.packaging``), and a test imports this module from the
    built zip and checks that it mines with drain3.
    """

    def __init__(self) -> None:
        from tools.logs.miner import TemplateMiner

        self._miner = TemplateMiner()

    def _template(self, message: str) -> str:
        return str(self._miner.template(self._miner.add(message)))

    def mine(self, events: list[LogEvent]) -> tuple[list[MinedTemplate], int]:
        """The templates of the error lines among ``events`` and how many lines were errors."""
        from tools.logs.miner import template_id

        found: dict[str, MinedTemplate] = {}
        errors = 0
        for event in events:
            if not is_error(event.message):
                continue
            errors += 1
            template = self._template(event.message)
            key = template_id(template)
            second = event.timestamp // 1000
            minute = second // BUCKET_SECONDS
            mined = found.get(key)
            if mined is None:
                mined = found[key] = MinedTemplate(key, template, first=second, sample=event.message)
            mined.counts[minute] = mined.counts.get(minute, 0) + 1
            mined.first = min(mined.first, second)
        return list(found.values()), errors


@dataclass
class Trigger:
    """A template that should alert, and why."""

    record: TemplateRecord
    kind: str  # "new" or "risen"
    recent: int  # events in the last five minutes
    baseline_rate: float  # events per five minutes before (0 for new)
    sample: str = ""
    log_group: str = ""


def decide(record: TemplateRecord, now: int, started: int, settings: Settings) -> Trigger | None:
    """Whether ``record`` (after this batch's counts) should alert at ``now``."""
    if now - started < settings.learning_seconds:
        return None  # still learning what is normal
    if record.last_alert is not None and now - record.last_alert < TEMPLATE_COOLDOWN_SECONDS:
        return None
    current = now // BUCKET_SECONDS
    recent_minutes = [m for m in record.buckets if current - RECENT_BUCKETS < m <= current and record.buckets[m] > 0]
    recent = sum(record.buckets[m] for m in recent_minutes)
    earliest = max(current - RECENT_BUCKETS - BASELINE_BUCKETS, started // BUCKET_SECONDS)
    before = sum(count for m, count in record.buckets.items() if earliest <= m <= current - RECENT_BUCKETS)
    if before == 0:
        if recent >= settings.min_events and len(recent_minutes) >= NEW_MIN_MINUTES:
            return Trigger(record, "new", recent, 0.0)
        return None
    span = max(1, current - RECENT_BUCKETS - max(earliest, record.first_seen // BUCKET_SECONDS) + 1)
    rate = before / span * RECENT_BUCKETS
    if recent >= RISE_MIN_EVENTS and recent >= RISE_FACTOR * rate:
        return Trigger(record, "risen", recent, rate)
    return None

