"""Everything a shareable investigation shows, gathered once: the triage report, the evidence behind it (with
attrs), the changes ranked by relevance to the incident (``list_changes`` with the triage's onset and symptoms in
the session), and the series of the changed metrics around the onset for the charts.

``gather`` runs the tools in-process through the tool contract, as ``triage`` does; ``markdown.py`` and
``html_page.py`` render the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tools.common.evidence import Evidence
from tools.common.timewindow import Window, parse_instant

MAX_CHARTS = 4
MAX_CHANGES = 12
# The charts show this much on each side of the onset (or the whole window when shorter).
CHART_MARGIN = timedelta(minutes=45)


@dataclass
class MetricChart:
    evidence_id: str
    title: str
    unit: str
    points: list[tuple[datetime, float]]


@dataclass
class Investigation:
    report: dict[str, Any]
    evidence: list[Evidence]
    changes: list[Evidence] = field(default_factory=list)
    charts: list[MetricChart] = field(default_factory=list)
    account: str = ""
    region: str = ""
    data_source: str = "AWS"
    notes: list[str] = field(default_factory=list)

    @property
    def window(self) -> Window:
        now = datetime.now().astimezone()
        return Window(parse_instant(self.report["window"]["start"], now), parse_instant(self.report["window"]["end"], now))

    @property
    def onset(self) -> datetime | None:
        text = self.report.get("onset")
        return parse_instant(text, datetime.now().astimezone()) if text else None

    def lead(self) -> str:
        """How to name the top hypothesis: a low-confidence one is a weak lead, not a cause."""
        top = self.report["hypotheses"][0] if self.report["hypotheses"] else None
        if top is None:
            return ""
        return "Most likely cause" if top["confidence"] in ("high", "medium") else "Weak lead only (not a finding)"

    def no_hypothesis(self) -> str:
        """The summary line when there is no hypothesis: never an all-clear for sources that were not read."""
        from tools.triage.headline import could_not_check, nothing_read

        sources = self.report["sources"]
        if nothing_read(sources):
            return "no data source could be read, so nothing can be said about this window (see What could not be checked)."
        if could_not_check(sources):
            return ("none from the sources that could be read; the sources under What could not be checked were not "
                    "(fully) read, so this is not an all-clear.")
        return "nothing abnormal was found in the sources read."

    def top_mitigation(self) -> tuple[Evidence, str] | None:
        """The rollback of the change the top hypothesis rests on (else of the most relevant change); none when
        the top hypothesis is only a weak lead."""
        if not self.report["hypotheses"] or self.report["hypotheses"][0]["confidence"] == "low":
            return None
        top_ids = {item["id"] for h in self.report["hypotheses"][:1] for item in h["evidence"]}
        for item in sorted(self.changes, key=lambda e: e.id not in top_ids):
            if item.attrs.get("mitigation") and (item.id in top_ids or item is self.changes[0]):
                return item, str(item.attrs["mitigation"])
        return None


def gather(snapshot: Any, window: Window, report: dict[str, Any], result: Any, session: dict[str, str], config: Any) -> Investigation:
    """The investigation around a finished triage (``result``: its ToolResult; ``session``: what it left)."""
    inv = Investigation(report, list(result.evidence) if result is not None else [])
    if snapshot is not None:
        inv.account, inv.region, inv.data_source = snapshot.manifest.account, snapshot.region, f"snapshot {snapshot.root}"
    inv.changes = _changes(snapshot, window, session, config, inv)
    inv.charts = _charts(snapshot, inv)
    return inv


def _changes(snapshot: Any, window: Window, session: dict[str, str], config: Any, inv: Investigation) -> list[Evidence]:
    from tools import catalogue
    from tools.cloudtrail.service import list_changes
    from tools.common.app import execute
    from tools.common.deadline import Deadline

    function = catalogue.find("cloudtrail", "list_changes")
    assert function is not None
    outcome = execute(function, list_changes, {"window": window.encode()}, session=session, deadline=Deadline(30.0),
                      config=config, snapshot=snapshot, use_environment_snapshot=False)
    if outcome.result is None or outcome.result.status in ("error", "not_configured"):
        inv.notes.append("the change timeline could not be read (" + (outcome.result.status if outcome.result else "no result") + ")")
        return []
    made = [e for e in outcome.result.evidence if e.kind == "change"]
    return made[:MAX_CHANGES]


def _charts(snapshot: Any, inv: Investigation) -> list[MetricChart]:
    wanted = [e for h in inv.report["hypotheses"] for item in h["evidence"] for e in inv.evidence
              if e.id == item["id"] and e.source == "metrics"]
    wanted = list({e.id: e for e in wanted}.values())[:MAX_CHARTS]
    if not wanted:
        return []
    if snapshot is None:
        inv.notes.append("charts are drawn from snapshot data; in AWS mode open the metrics' console links")
        return []
    from tools.common.snapshot import ReadStats
    from tools.metrics.model import statistic_for
    from tools.metrics.snapshot_backend import read_series

    ids = {e.id for e in wanted}
    fetched = read_series(snapshot, lambda key: statistic_for(key.metric), lambda key: key.evidence_id() in ids, ReadStats())
    around = inv.onset or inv.window.start
    lo, hi = max(inv.window.start - CHART_MARGIN, around - 2 * CHART_MARGIN), min(inv.window.end, around + 2 * CHART_MARGIN)
    charts = []
    by_id = {s.key.evidence_id(): s for s in fetched.series}
    for item in wanted:
        series = by_id.get(item.id)
        if series is None:
            continue
        points = [(t, v) for t, v in series.points if lo <= t <= hi]
        if series.is_count and points:
            points = _zero_filled(points, series.period, max(lo, inv.window.start), hi)
        if len(points) >= 2:
            charts.append(MetricChart(item.id, f"{series.key.label()} ({series.statistic})", series.unit, points))
    return charts


def _zero_filled(points: list[tuple[datetime, float]], period: int, lo: datetime, hi: datetime) -> list[tuple[datetime, float]]:
    """A count series with its missing periods as zeros (CloudWatch omits periods with no events)."""
    known = dict(points)
    step = timedelta(seconds=max(period, 60))
    moment = min(known)
    while moment - step >= lo:
        moment -= step
    filled = []
    while moment <= hi:
        filled.append((moment, known.get(moment, 0.0)))
        moment += step
    return filled
