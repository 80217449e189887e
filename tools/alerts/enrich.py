"""What an alert carries besides the new template: triage of that service and window (within its own deadline),
matching runbooks and similar past incidents. Each part that fails is named in ``Enrichment.problems``; none
stops the alert."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tools.alerts.notify import Alert, Enrichment
from tools.alerts.thresholds import PUBLISH_MARGIN_SECONDS, TRIAGE_LOOKBACK_SECONDS, Settings


def triage_report(alert: Alert, seconds: float, snapshot: Any = None) -> dict[str, Any]:
    """triage__investigate for the alert's service, from the lookback before the first error to now."""
    from tools.common import config as config_module
    from tools.common.deadline import Deadline
    from tools.common.snapshot import from_environment
    from tools.common.timewindow import Window
    from tools.triage.service import investigate_window

    start = datetime.fromtimestamp(alert.since - TRIAGE_LOOKBACK_SECONDS, timezone.utc)
    end = datetime.fromtimestamp(alert.time + 1, timezone.utc)  # now: nothing after the alert is looked at
    if snapshot is not None:
        start = max(start, snapshot.manifest.start)
        end = min(end, snapshot.manifest.end)
    outcome = investigate_window(Window(start, end), deadline=Deadline(seconds), config=config_module.load(),
                                 snapshot=snapshot if snapshot is not None else from_environment(),
                                 question=f"Why is {alert.service} logging new errors since {start.strftime('%H:%M')}?",
                                 service=alert.service)
    return outcome.result.data["report"]


class Enricher:
    """Triage, runbooks and past incidents for an alert; ``snapshot`` set in ``watch`` (else AWS or
    ``OPSAGENT_SNAPSHOT``)."""

    def __init__(self, settings: Settings, snapshot: Any = None) -> None:
        self.settings = settings
        self.snapshot = snapshot

    def __call__(self, alert: Alert, remaining: float) -> Enrichment:
        enrichment = Enrichment()
        budget = min(self.settings.triage_seconds, remaining - PUBLISH_MARGIN_SECONDS)
        if budget <= 1:
            enrichment.problems.append("triage (no time left in this invocation)")
        else:
            try:
                enrichment.report = triage_report(alert, budget, self.snapshot)
            except Exception as exc:  # noqa: BLE001 - the alert goes out without triage, saying so
                enrichment.problems.append(f"triage ({exc.__class__.__name__})")
        report = enrichment.report or {}
        hypotheses = report.get("hypotheses") or []
        enrichment.runbooks = list(hypotheses[0].get("runbooks", [])) if hypotheses else []
        enrichment.similar = [{"title": p["title"], "date": p["date"], "id": p["id"]} for p in report.get("similar_incidents", [])]
        if not enrichment.runbooks:
            enrichment.runbooks = self.runbooks_for(alert, enrichment.problems)
        return enrichment

    def runbooks_for(self, alert: Alert, problems: list[str]) -> list[dict[str, str]]:
        """Runbooks matching the new templates themselves (when triage attached none)."""
        from tools.common import config as config_module
        from tools.knowledge import store

        query = " ".join([t.record.template for t in alert.triggers[:3]] + [t.log_group for t in alert.triggers[:3]])
        try:
            knowledge = store.load(config_module.load()["knowledge"]["runbook_base_url"])
        except Exception as exc:  # noqa: BLE001
            problems.append(f"runbooks ({exc.__class__.__name__})")
            return []
        if knowledge.index is None:
            return []
        hits = [h for h in knowledge.index.search(query, "runbook", [alert.service], 2) if h.match]
        return [{"title": h.document.title, "link": h.document.link} for h in hits[:1]]
