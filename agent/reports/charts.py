"""Charts of an investigation as inline SVG, drawn with matplotlib's SVG backend (no pyplot state, no files, no
network): each changed metric around the onset with the onset and the most relevant changes marked on the time
axis, and a timeline of changes, onset and first symptoms.

Output is deterministic (fixed hash salt per chart, no date metadata) and text stays text (``svg.fonttype``
none), so the page is small and searchable. Every label comes from our own data; matplotlib escapes it as XML.
"""

from __future__ import annotations

import io
from datetime import datetime

from agent.reports.investigation import Investigation, MetricChart

WIDTH_IN = 8.0
HEIGHT_IN = 3.0
MAX_MARKED_CHANGES = 3
ONSET_COLOR = "#c62828"
CHANGE_COLOR = "#6a1b9a"
LINE_COLOR = "#1565c0"
_LANES = ("change", "onset", "symptom")


def _svg(figure: object, salt: str) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})  # type: ignore[attr-defined]
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(height: float = HEIGHT_IN) -> tuple[object, object]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def _time_axis(axes: object) -> None:
    import matplotlib.dates as mdates

    axes.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz="UTC"))  # type: ignore[attr-defined]
    axes.set_xlabel("UTC", fontsize=8)  # type: ignore[attr-defined]
    axes.tick_params(labelsize=8)  # type: ignore[attr-defined]
    axes.grid(True, alpha=0.25)  # type: ignore[attr-defined]


def _marks(axes: object, inv: Investigation, lo: datetime, hi: datetime) -> None:
    onset = inv.onset
    if onset is not None and lo <= onset <= hi:
        axes.axvline(onset, color=ONSET_COLOR, linestyle="--", linewidth=1.4, label=f"onset {onset:%H:%M}Z")  # type: ignore[attr-defined]
    for change in marked_changes(inv, lo, hi):
        axes.axvline(change.time, color=CHANGE_COLOR, linestyle=":", linewidth=1.2,  # type: ignore[attr-defined]
                     label=f"{change.attrs.get('event_name', 'change')} {change.time:%H:%M:%S}Z")


def marked_changes(inv: Investigation, lo: datetime, hi: datetime) -> list:
    """The changes worth a mark: the most relevant one, and the others that could explain the incident."""
    from tools.cloudtrail.relevance import EXPLAINS_THRESHOLD

    inside = [c for c in inv.changes if c.time and lo <= c.time <= hi]
    keep = [c for i, c in enumerate(inside) if i == 0 or float(c.attrs.get("relevance") or 0) >= EXPLAINS_THRESHOLD]
    return keep[:MAX_MARKED_CHANGES]


def metric_svg(chart: MetricChart, inv: Investigation) -> str:
    figure, axes = _figure()
    times = [t for t, _ in chart.points]
    values = [v for _, v in chart.points]
    axes.plot(times, values, color=LINE_COLOR, linewidth=1.6, label=chart.evidence_id)  # type: ignore[attr-defined]
    axes.fill_between(times, values, alpha=0.12, color=LINE_COLOR)  # type: ignore[attr-defined]
    _marks(axes, inv, times[0], times[-1])
    axes.set_title(chart.title[:110], fontsize=9, loc="left")  # type: ignore[attr-defined]
    axes.set_ylabel(chart.unit[:20] or "value", fontsize=8)  # type: ignore[attr-defined]
    _time_axis(axes)
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=3, frameon=False)  # type: ignore[attr-defined]
    return _svg(figure, chart.evidence_id)


def timeline_events(inv: Investigation) -> list[tuple[datetime, str, str]]:
    """(time, lane, label) of the changes, the onset and each symptom's first evidence, in time order."""
    events: list[tuple[datetime, str, str]] = []
    for change in inv.changes:
        if change.time:
            events.append((change.time, "change", f"{change.attrs.get('event_name', 'change')} [{change.id}]"))
    if inv.onset is not None:
        events.append((inv.onset, "onset", "onset"))
    seen: set[str] = set()
    for item in inv.evidence:
        if item.source != "cloudtrail" and item.time and item.id not in seen:
            seen.add(item.id)
            events.append((item.time, "symptom", f"{item.source} [{item.id}]"))
    return sorted(events, key=lambda e: e[0])


def timeline_svg(inv: Investigation) -> str | None:
    events = timeline_events(inv)
    if not events:
        return None
    figure, axes = _figure(height=2.2)
    colors = {"change": CHANGE_COLOR, "onset": ONSET_COLOR, "symptom": LINE_COLOR}
    for lane_index, lane in enumerate(_LANES):
        lane_events = [e for e in events if e[1] == lane]
        if lane_events:
            axes.scatter([e[0] for e in lane_events], [lane_index] * len(lane_events), color=colors[lane], s=36,  # type: ignore[attr-defined]
                         zorder=3, label=lane)
    # Labels only where they matter (the symptoms are listed in the table below): the onset and the changes
    # that could explain it.
    labelled = {id(c) for c in marked_changes(inv, events[0][0], events[-1][0])}
    for change in inv.changes:
        if id(change) in labelled and change.time:
            axes.annotate(f"{change.attrs.get('event_name', 'change')} {change.time:%H:%M}Z", (change.time, 0),  # type: ignore[attr-defined]
                          xytext=(4, 8), textcoords="offset points", fontsize=7, color=CHANGE_COLOR)
    if inv.onset is not None:
        axes.annotate(f"onset {inv.onset:%H:%M}Z", (inv.onset, 1), xytext=(4, 8), textcoords="offset points",  # type: ignore[attr-defined]
                      fontsize=7, color=ONSET_COLOR)
    axes.set_yticks(range(len(_LANES)), list(_LANES))  # type: ignore[attr-defined]
    axes.set_ylim(-0.6, len(_LANES) - 0.1)  # type: ignore[attr-defined]
    axes.set_title("Timeline", fontsize=9, loc="left")  # type: ignore[attr-defined]
    _time_axis(axes)
    return _svg(figure, "timeline")
