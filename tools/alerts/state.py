"""What the alert function remembers between invocations, behind one interface with two stores.

``AlertState`` is the interface: per template (a service's template fingerprint) its first sighting, its counts per
minute and its last alert; the incident currently open; per service its last notification. Every method that
decides who alerts is a compare-and-set, so two concurrent invocations never both alert for one incident:
``DynamoState`` (tools/alerts/dynamo_state.py) does it with DynamoDB ``ConditionExpression``\\s and a transaction,
``LocalState`` (here) with a lock, for ``watch``, the demo and tests.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from tools.alerts.thresholds import (BASELINE_BUCKETS, BUCKET_SECONDS, MAX_NOTIFICATIONS_PER_INCIDENT, RECENT_BUCKETS,
                                     UPDATE_GAP_SECONDS)


@dataclass
class TemplateRecord:
    """One template of one service: counts per minute (``minute = epoch seconds // 60``)."""

    service: str
    template_id: str
    template: str
    first_seen: int
    buckets: dict[int, int] = field(default_factory=dict)
    last_alert: int | None = None


@dataclass
class Incident:
    """The incident open now: new errors arriving within the grouping period join it."""

    id: str
    opened: int
    last_activity: int
    services: set[str] = field(default_factory=set)
    notified_services: set[str] = field(default_factory=set)
    notifications: int = 0
    last_notified: int | None = None


def keep_buckets(buckets: dict[int, int], now: int) -> dict[int, int]:
    """The buckets still needed at ``now`` (the baseline and the recent minutes)."""
    oldest = now // BUCKET_SECONDS - BASELINE_BUCKETS - RECENT_BUCKETS
    return {minute: count for minute, count in buckets.items() if minute > oldest}


class AlertState(Protocol):
    def watching_since(self, now: int) -> int:
        """When this state started watching (set once, by the first caller)."""

    def add_counts(self, service: str, template_id: str, template: str, counts: dict[int, int], first: int,
                   now: int) -> TemplateRecord:
        """Add counts per minute to a template (created at ``first`` when unknown); the record after the update."""

    def claim_template(self, service: str, template_id: str, now: int, cooldown: int) -> bool:
        """Mark the template alerted at ``now`` unless it alerted within ``cooldown``; True for the one winner."""

    def open_or_join(self, candidate: Incident, now: int, group_seconds: int) -> tuple[Incident, bool]:
        """Open ``candidate`` unless an incident had activity within ``group_seconds``; else join that one.
        Returns the incident and whether this call opened it."""

    def claim_notification(self, incident_id: str, service: str, now: int, rate_limit_seconds: int) -> int | None:
        """Reserve the next notification of the incident about ``service``: the incident has sent fewer than the
        maximum, the last one at least the update gap ago, none yet about this service, and the service had no
        notification within the rate limit. Returns the notification's number (1 = the first) or None."""


class LocalState:
    """``AlertState`` in memory, for ``watch``, the demo and tests (a lock makes every method atomic)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started: int | None = None
        self._templates: dict[tuple[str, str], TemplateRecord] = {}
        self._incident: Incident | None = None
        self._service_notified: dict[str, int] = {}

    def watching_since(self, now: int) -> int:
        with self._lock:
            if self._started is None:
                self._started = now
            return self._started

    def add_counts(self, service: str, template_id: str, template: str, counts: dict[int, int], first: int,
                   now: int) -> TemplateRecord:
        with self._lock:
            record = self._templates.get((service, template_id))
            if record is None:
                record = TemplateRecord(service, template_id, template, first)
                self._templates[(service, template_id)] = record
            for minute, count in counts.items():
                record.buckets[minute] = record.buckets.get(minute, 0) + count
            record.buckets = keep_buckets(record.buckets, now)
            return TemplateRecord(record.service, record.template_id, record.template, record.first_seen,
                                  dict(record.buckets), record.last_alert)

    def claim_template(self, service: str, template_id: str, now: int, cooldown: int) -> bool:
        with self._lock:
            record = self._templates.get((service, template_id))
            if record is None or (record.last_alert is not None and record.last_alert > now - cooldown):
                return False
            record.last_alert = now
            return True

    def open_or_join(self, candidate: Incident, now: int, group_seconds: int) -> tuple[Incident, bool]:
        with self._lock:
            current = self._incident
            if current is None or current.last_activity < now - group_seconds:
                self._incident = Incident(candidate.id, candidate.opened, now, set(candidate.services))
                return _copy(self._incident), True
            current.last_activity = max(current.last_activity, now)
            current.services |= candidate.services
            return _copy(current), False

    def claim_notification(self, incident_id: str, service: str, now: int, rate_limit_seconds: int) -> int | None:
        with self._lock:
            incident = self._incident
            if incident is None or incident.id != incident_id:
                return None
            if incident.notifications >= MAX_NOTIFICATIONS_PER_INCIDENT or service in incident.notified_services:
                return None
            if incident.last_notified is not None and incident.last_notified > now - UPDATE_GAP_SECONDS:
                return None
            last = self._service_notified.get(service)
            if last is not None and last > now - rate_limit_seconds:
                return None
            incident.notifications += 1
            incident.last_notified = now
            incident.notified_services.add(service)
            self._service_notified[service] = now
            return incident.notifications


def _copy(incident: Incident) -> Incident:
    return Incident(incident.id, incident.opened, incident.last_activity, set(incident.services),
                    set(incident.notified_services), incident.notifications, incident.last_notified)

