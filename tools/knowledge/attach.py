"""Knowledge added to a finished investigation (after ranking, never changing it): a runbook link on each
hypothesis a runbook matches, the past incidents it resembles ("similar to …, on …"), and the investigation saved
as a past incident for the next time. Everything here is best effort: a failure is returned as a problem line and
the report stays as ranked."""

from __future__ import annotations

from typing import Any

from tools.common.limits import SLACK_LIMIT
from tools.common.safety import safe
from tools.knowledge import store
from tools.knowledge.incidents import fingerprint, similar

HYPOTHESES_WITH_RUNBOOKS = 3  # the ones an on-call engineer reads


def hypothesis_query(entry: dict[str, Any], hypothesis: Any) -> str:
    """What a runbook for this hypothesis would mention: its title and its evidence's decisive strings."""
    parts = [entry["title"]]
    for item in hypothesis.evidence(6) if hypothesis is not None else []:
        attrs = getattr(item, "attrs", {}) or {}
        for key in ("event_name", "error_code", "exception", "finding_type", "metric", "template"):
            value = attrs.get(key)
            if isinstance(value, str):
                parts.append(value[:300])
        parts += [str(k) for k in attrs.get("keywords") or [] if isinstance(k, str)][:5]
    return " ".join(parts)


def _append(report: dict[str, Any], line: str) -> None:
    if len(report["summary"]) + 1 + len(line) <= SLACK_LIMIT:
        report["summary"] = report["summary"] + "\n" + line


def _slack_link(link: str, title: str) -> str:
    title = safe(title, 120).replace("<", "&lt;").replace(">", "&gt;").replace("|", "/")
    return f"<{link}|{title}>" if link.startswith("https://") else f"{title} (`{link}`)"


def attach(report: dict[str, Any], hypotheses: list[Any], focus: str | None, config: Any) -> list[str]:
    """Add ``runbooks`` to matching hypothesis entries and ``similar_incidents`` to the report; save it."""
    problems: list[str] = []
    try:
        knowledge = store.load(config["knowledge"]["runbook_base_url"])
    except Exception as exc:  # noqa: BLE001 - knowledge is optional; the investigation stands without it
        return [f"runbooks could not be read from {store.describe_source()} ({exc.__class__.__name__})"]
    index = knowledge.index
    services = [focus] if focus else []
    first_runbook: dict[str, str] | None = None
    if index is not None:
        for entry, hypothesis in list(zip(report["hypotheses"], hypotheses))[:HYPOTHESES_WITH_RUNBOOKS]:
            hits = [h for h in index.search(hypothesis_query(entry, hypothesis), "runbook", services, 2) if h.match]
            if hits:
                entry["runbooks"] = [{"title": h.document.title, "link": h.document.link} for h in hits[:1]]
                first_runbook = first_runbook or entry["runbooks"][0]
    record = fingerprint(report, hypotheses, services)
    if record is not None:
        matches = similar(record, knowledge.incidents)
        if matches:
            report["similar_incidents"] = [{"id": old.id, "date": old.date, "title": old.title, "score": round(score, 2)}
                                           for old, score in matches]
        try:
            store.save_incident(record)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"the investigation could not be saved ({exc.__class__.__name__})")
    if first_runbook and report["hypotheses"] and report["hypotheses"][0].get("runbooks"):
        _append(report, f"*Runbook:* {_slack_link(first_runbook['link'], first_runbook['title'])}")
    for past in report.get("similar_incidents", [])[:1]:
        _append(report, f"_Similar to {safe(past['title'], 160)}, on {past['date']} (`{past['id']}`)._")
    return problems
