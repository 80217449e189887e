"""The first line of a triage answer, from the report's ``sources``: what could not be checked comes first, and
"nothing abnormal" is said only when the sources that could show the symptom were read with a baseline.

Rules (issue 12, "Never say 'nothing abnormal' when it could not look"):

* any source ``error`` or ``partial`` -> the answer starts with ``*Could not check:*`` naming each such source
  and why (the reason its tool gave: "no AWS credentials", "unreadable file logs/x.gz: truncated gzip");
  when no source could be read at all, it says so and nothing else is claimed;
* no hypothesis above ``low`` -> "*Nothing clearly abnormal*" only when every symptom source was read and had
  data before the window to compare with, and the line names them; otherwise it says what was read, and what
  could not be compared ("no data before 09:00Z").
"""

from __future__ import annotations

import re
from typing import Any

# Sources whose data shows the symptom of an availability incident (errors, 5xx, latency, faults): an
# all-clear needs them. CloudTrail and findings show causes, not symptoms, so their absence does not block one.
SYMPTOM_SOURCES = ("logs", "alb", "metrics", "xray")
READ = ("ok", "empty", "partial")
FAILED = ("error", "partial")
REASON_CHARS = 160  # one source's reason in the first line; the full text is in the sources section
FIRST_LINE_CHARS = 700
_COUNT = re.compile(r"^\d+ (evidence item|finding group)")
_NOT_READ = re.compile(r"^not read \([a-z]+\): ")


def _first_problem(entry: dict[str, Any]) -> str:
    """The part of a source's detail that says what went wrong (not the evidence count)."""
    missing = entry.get("missing") or []
    if missing:
        return str(missing[0]) + (f" (+{len(missing) - 1} more)" if len(missing) > 1 else "")
    parts = [p.strip() for p in str(entry.get("detail", "")).split("; ")]
    parts = [p for p in parts if p and not _COUNT.match(p)]
    return parts[0] if parts else str(entry.get("status", "failed"))


def reason(entry: dict[str, Any]) -> str:
    """Why a source could not be (fully) checked, in the words of its tool, without the advice."""
    text = _first_problem(entry).split(" — ", 1)[0]
    text = _NOT_READ.sub("", text)
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def _hint(entry: dict[str, Any]) -> str:
    text = _first_problem(entry)
    return text.split(" — ", 1)[1].strip() if " — " in text else ""


def nothing_read(sources: dict[str, dict[str, Any]]) -> bool:
    """No data source could be read at all (every one failed or is not configured): exit status 3."""
    return not any(entry.get("status") in READ for entry in sources.values())


def could_not_check(sources: dict[str, dict[str, Any]]) -> str | None:
    """The first line when a source failed or was partial, else None."""
    failed = {name: entry for name, entry in sources.items() if entry.get("status") in FAILED}
    if not failed:
        return None
    reasons = {name: reason(entry) for name, entry in failed.items()}
    if nothing_read(sources):
        distinct = set(reasons.values())
        if len(distinct) > 1:  # "failed after 0 finding(s): X" and "X" are one reason
            distinct = {why.rsplit(": ", 1)[-1] for why in reasons.values()}
        if len(distinct) == 1:
            only = next(iter(failed.values()))
            hint = _hint(only)
            line = f"*Could not check any source: {distinct.pop()}.*" + (f" {hint[0].upper() + hint[1:]}." if hint else "")
            return line + " Nothing was read, so nothing can be said about this window."
        listed = "; ".join(f"{name} ({why})" for name, why in reasons.items())
        return _cut(f"*Could not check any source:* {listed}. Nothing was read, so nothing can be said about this window.")
    listed = "; ".join(f"{name}{' (partly)' if failed[name].get('status') == 'partial' else ''}: {why}" for name, why in reasons.items())
    return _cut(f"*Could not check:* {listed}.")


def _cut(line: str) -> str:
    return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1] + "…"


def all_clear(sources: dict[str, dict[str, Any]]) -> str:
    """The line for a window where nothing stands out: an all-clear only with full, compared symptom data."""
    symptom = {name: sources.get(name, {"status": "not_configured"}) for name in SYMPTOM_SOURCES}
    read = [name for name, entry in symptom.items() if entry.get("status") in ("ok", "empty")]
    failed = [name for name, entry in symptom.items() if entry.get("status") in FAILED]
    without = [name for name in read if symptom[name].get("no_baseline")]
    if not any(entry.get("status") in READ for entry in sources.values()):
        return "*No answer*: no source could be read."
    if not read:
        return "*No finding, but no symptom source was read* (logs, ALB, metrics, X-Ray): this is not an all-clear."
    compared = [name for name in read if name not in without]
    if not failed and not without:
        return (f"*Nothing clearly abnormal in this window*: no error, 5xx or latency change stands out in "
                f"{', '.join(compared)}, each compared with the window before.")
    parts = []
    if without:
        starts = sorted({str(symptom[name].get("baseline_from") or "") for name in without} - {""})
        since = f" (the data starts at {starts[0]})" if starts else ""
        parts.append(f"{', '.join(without)} had no data before the window{since}, so only changes inside it could be seen")
    if failed:
        parts.append(f"{', '.join(failed)} could not be fully read")
    return (f"*No change stands out in what could be read* ({', '.join(read)}); not an all-clear: "
            + "; ".join(parts) + ".")


def unchecked_sources(sources: dict[str, dict[str, Any]]) -> str | None:
    """'logs, alb (no AWS credentials)': the failed or partial sources for a short title, or None."""
    failed = [name for name, entry in sources.items() if entry.get("status") in FAILED]
    if not failed:
        return None
    reasons = {reason(sources[name]) for name in failed}
    return ", ".join(failed) + (f" ({reasons.pop()})" if len(reasons) == 1 else "")
