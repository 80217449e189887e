"""``AlertState`` in DynamoDB: one table, partition key ``pk``, TTL attribute ``expires_at``.

Items: ``meta`` (when watching started), ``tpl#<service>#<template id>`` (template text, first seen, one ``m<minute>``
count attribute per minute, last alert), ``incident#current`` (the open incident) and ``service#<service>`` (last
notification). Counts are atomic ``ADD``\\s; every decision to alert is a conditional write (``ConditionExpression``,
and a ``TransactWriteItems`` for a notification, which must pass the incident's and the service's conditions
together), so of two concurrent invocations that see the same burst exactly one alerts.
"""

from __future__ import annotations

from typing import Any

from tools.alerts.state import Incident, TemplateRecord, keep_buckets
from tools.alerts.thresholds import MAX_NOTIFICATIONS_PER_INCIDENT, STATE_TTL_SECONDS, UPDATE_GAP_SECONDS

PRUNE_AFTER = 20
"""Stale minute attributes are removed once this many pile up: one extra write per 20 minutes of a template."""

TTL_ATTRIBUTE = "expires_at"
_CURRENT = "incident#current"


def _n(value: int) -> dict[str, str]:
    return {"N": str(int(value))}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _int(item: dict[str, Any], name: str) -> int | None:
    value = item.get(name)
    return int(value["N"]) if isinstance(value, dict) and "N" in value else None


def _str(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    return value["S"] if isinstance(value, dict) and "S" in value else ""


def _set(item: dict[str, Any], name: str) -> set[str]:
    value = item.get(name)
    return set(value["SS"]) if isinstance(value, dict) and "SS" in value else set()


def _conditional_failed(exc: Exception) -> bool:
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


class DynamoState:
    """``AlertState`` on a DynamoDB table (``client`` is a boto3 DynamoDB client)."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table
        self._started: int | None = None

    def watching_since(self, now: int) -> int:
        if self._started is not None:
            return self._started
        try:
            self.client.put_item(TableName=self.table, Item={"pk": _s("meta"), "started": _n(now)},
                                 ConditionExpression="attribute_not_exists(pk)")
            self._started = now
        except Exception as exc:  # noqa: BLE001 - only a failed condition is expected; others re-raised
            if not _conditional_failed(exc):
                raise
            item = self.client.get_item(TableName=self.table, Key={"pk": _s("meta")}, ConsistentRead=True).get("Item", {})
            self._started = _int(item, "started") or now
        return self._started

    def add_counts(self, service: str, template_id: str, template: str, counts: dict[int, int], first: int,
                   now: int) -> TemplateRecord:
        names = {"#tpl": "template", "#svc": "service", "#first": "first_seen", "#seen": "last_seen", "#ttl": TTL_ATTRIBUTE}
        values: dict[str, Any] = {":tpl": _s(template), ":svc": _s(service), ":first": _n(first), ":now": _n(now),
                                  ":ttl": _n(now + STATE_TTL_SECONDS)}
        adds = []
        for index, (minute, count) in enumerate(sorted(counts.items())):
            names[f"#m{index}"] = f"m{minute}"
            values[f":c{index}"] = _n(count)
            adds.append(f"#m{index} :c{index}")
        expression = ("SET #tpl = if_not_exists(#tpl, :tpl), #svc = if_not_exists(#svc, :svc), "
                      "#first = if_not_exists(#first, :first), #seen = :now, #ttl = :ttl")
        if adds:
            expression += " ADD " + ", ".join(adds)
        key = {"pk": _s(f"tpl#{service}#{template_id}")}
        item = self.client.update_item(TableName=self.table, Key=key, UpdateExpression=expression,
                                       ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                                       ReturnValues="ALL_NEW")["Attributes"]
        buckets = {int(name[1:]): int(value["N"]) for name, value in item.items()
                   if name[:1] == "m" and name[1:].isdigit() and "N" in value}
        kept = keep_buckets(buckets, now)
        stale = sorted(set(buckets) - set(kept))
        if len(stale) >= PRUNE_AFTER:
            self.client.update_item(TableName=self.table, Key=key,
                                    UpdateExpression="REMOVE " + ", ".join(f"#r{i}" for i in range(len(stale))),
                                    ExpressionAttributeNames={f"#r{i}": f"m{minute}" for i, minute in enumerate(stale)})
        return TemplateRecord(service, template_id, _str(item, "template"), _int(item, "first_seen") or first, kept,
                              _int(item, "last_alert"))

    def claim_template(self, service: str, template_id: str, now: int, cooldown: int) -> bool:
        try:
            self.client.update_item(
                TableName=self.table, Key={"pk": _s(f"tpl#{service}#{template_id}")},
                UpdateExpression="SET #la = :now",
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(#la) OR #la <= :cutoff)",
                ExpressionAttributeNames={"#la": "last_alert"},
                ExpressionAttributeValues={":now": _n(now), ":cutoff": _n(now - cooldown)})
            return True
        except Exception as exc:  # noqa: BLE001
            if _conditional_failed(exc):
                return False
            raise

    def open_or_join(self, candidate: Incident, now: int, group_seconds: int) -> tuple[Incident, bool]:
        try:
            self.client.put_item(
                TableName=self.table,
                Item={"pk": _s(_CURRENT), "incident_id": _s(candidate.id), "opened": _n(candidate.opened),
                      "last_activity": _n(now), "services": {"SS": sorted(candidate.services)},
                      "notifications": _n(0), TTL_ATTRIBUTE: _n(now + STATE_TTL_SECONDS)},
                ConditionExpression="attribute_not_exists(pk) OR last_activity < :cutoff",
                ExpressionAttributeValues={":cutoff": _n(now - group_seconds)})
            return Incident(candidate.id, candidate.opened, now, set(candidate.services)), True
        except Exception as exc:  # noqa: BLE001
            if not _conditional_failed(exc):
                raise
        item = self.client.update_item(
            TableName=self.table, Key={"pk": _s(_CURRENT)},
            UpdateExpression="SET last_activity = :now, #ttl = :ttl ADD services :svcs",
            ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={":now": _n(now), ":svcs": {"SS": sorted(candidate.services)},
                                       ":ttl": _n(now + STATE_TTL_SECONDS)},
            ReturnValues="ALL_NEW")["Attributes"]
        return _incident(item), False

    def claim_notification(self, incident_id: str, service: str, now: int, rate_limit_seconds: int) -> int | None:
        item = self.client.get_item(TableName=self.table, Key={"pk": _s(_CURRENT)}, ConsistentRead=True).get("Item")
        if not item or _str(item, "incident_id") != incident_id:
            return None
        sent = _int(item, "notifications") or 0
        if sent >= MAX_NOTIFICATIONS_PER_INCIDENT:
            return None
        incident_update = {
            "TableName": self.table, "Key": {"pk": _s(_CURRENT)},
            "UpdateExpression": "SET notifications = :next, last_notified = :now ADD notified_services :svcs",
            "ConditionExpression": ("incident_id = :id AND notifications = :sent AND NOT contains(notified_services, :svc) "
                                    "AND (attribute_not_exists(last_notified) OR last_notified <= :gap)"),
            "ExpressionAttributeValues": {":next": _n(sent + 1), ":now": _n(now), ":svcs": {"SS": [service]},
                                          ":id": _s(incident_id), ":sent": _n(sent), ":svc": _s(service),
                                          ":gap": _n(now - UPDATE_GAP_SECONDS)},
        }
        service_update = {
            "TableName": self.table, "Key": {"pk": _s(f"service#{service}")},
            "UpdateExpression": "SET last_notified = :now, #ttl = :ttl",
            "ConditionExpression": "attribute_not_exists(last_notified) OR last_notified <= :cutoff",
            "ExpressionAttributeNames": {"#ttl": TTL_ATTRIBUTE},
            "ExpressionAttributeValues": {":now": _n(now), ":cutoff": _n(now - rate_limit_seconds),
                                          ":ttl": _n(now + STATE_TTL_SECONDS)},
        }
        try:
            self.client.transact_write_items(TransactItems=[{"Update": incident_update}, {"Update": service_update}])
        except Exception as exc:  # noqa: BLE001
            if _conditional_failed(exc):
                return None
            raise
        return sent + 1


def _incident(item: dict[str, Any]) -> Incident:
    return Incident(_str(item, "incident_id"), _int(item, "opened") or 0, _int(item, "last_activity") or 0,
                    _set(item, "services"), _set(item, "notified_services"), _int(item, "notifications") or 0,
                    _int(item, "last_notified"))
