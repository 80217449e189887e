"""Past incidents: each investigation that found something is saved with its fingerprint (error templates, change
kinds, resources, services), and a new one that matches a past one says "similar to …, on …".

Similarity is a weighted Jaccard index over the four fingerprint sets (``WEIGHTS``); a past incident is similar
from ``SIMILAR_MIN``. A past record whose window overlaps the new one is the same incident (an alert and the
question asked after it), not a precedent.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from tools.logs.miner import normalise_template

WEIGHTS = {"templates": 0.4, "changes": 0.25, "resources": 0.2, "services": 0.15}
"""The same new error is the strongest sign of the same failure; the same kind of change (``ModifyVpcEndpoint``)
next; the same resources and services make a coincidence less likely but alone prove little."""
SIMILAR_MIN = 0.3
"""About one shared template plus one more shared dimension; below, matches were coincidental in our checks."""
MAX_SET = 20  # items kept per fingerprint set
SCHEMA_VERSION = 1


@dataclass
class PastIncident:
    id: str
    date: str  # ISO day of the onset (or the window start)
    window_start: str
    window_end: str
    title: str
    confidence: str
    templates: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # CloudTrail event names
    resources: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    version: int = SCHEMA_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PastIncident:
        raw = json.loads(text)
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("title"), str):
            raise ValueError("not a past-incident record")
        known = {name for name in cls.__dataclass_fields__}
        values = {k: v for k, v in raw.items() if k in known}
        for name in ("templates", "changes", "resources", "services"):
            values[name] = [str(x) for x in values.get(name, []) if isinstance(x, str)][:MAX_SET]
        for name in ("date", "window_start", "window_end", "confidence"):
            values[name] = str(values.get(name, ""))
        return cls(**values)


def _bounded(items: Any) -> list[str]:
    return sorted({str(i) for i in items if i})[:MAX_SET]


def fingerprint(report: dict[str, Any], hypotheses: list[Any], services: list[str]) -> PastIncident | None:
    """The record of an investigation (None when it found nothing worth remembering)."""
    if not report.get("hypotheses") or report["hypotheses"][0]["confidence"] == "low":
        return None
    templates, changes, resources = set(), set(), set()
    for hypothesis in hypotheses[:2]:
        for item in hypothesis.evidence(10):
            attrs = getattr(item, "attrs", {}) or {}
            if item.kind == "error_pattern" and attrs.get("template"):
                templates.add(normalise_template(str(attrs["template"]))[:300])
            if item.kind == "change" and attrs.get("event_name"):
                changes.add(str(attrs["event_name"]))
            for resource in attrs.get("resources") or []:
                if isinstance(resource, str) and 2 < len(resource) < 200:
                    resources.add(resource)
    top = report["hypotheses"][0]
    start, end = report["window"]["start"], report["window"]["end"]
    onset = report.get("onset") or start
    digest = hashlib.sha256(f"{start}\x1f{end}\x1f{top['title']}".encode()).hexdigest()[:10]
    return PastIncident(f"inv-{onset[:10]}-{digest}", onset[:10], start, end, top["title"][:200], top["confidence"],
                        _bounded(templates), _bounded(changes), _bounded(resources), _bounded(s.lower() for s in services))


def _jaccard(left: list[str], right: list[str]) -> float | None:
    a, b = set(left), set(right)
    if not a and not b:
        return None  # nothing to compare: the dimension does not count
    return len(a & b) / len(a | b)


def similarity(new: PastIncident, old: PastIncident) -> float:
    """Weighted Jaccard over the dimensions either incident has (0..1)."""
    total = weight = 0.0
    for name, w in WEIGHTS.items():
        value = _jaccard(getattr(new, name), getattr(old, name))
        if value is None:
            continue
        total += w * value
        weight += w
    return total / weight if weight else 0.0


def _overlaps(new: PastIncident, old: PastIncident) -> bool:
    return bool(old.window_start and old.window_end) and old.window_start < new.window_end and new.window_start < old.window_end


def similar(new: PastIncident, past: list[PastIncident], limit: int = 2) -> list[tuple[PastIncident, float]]:
    """Past incidents like ``new`` (most similar first), the same incident excluded."""
    scored = [(old, similarity(new, old)) for old in past if old.id != new.id and not _overlaps(new, old)]
    return sorted([(o, s) for o, s in scored if s >= SIMILAR_MIN], key=lambda item: -item[1])[:limit]


_SAFE_KEY = re.compile(r"[^A-Za-z0-9_.-]")


def object_name(record: PastIncident) -> str:
    """The file / S3 object name of a record: sortable by date."""
    return _SAFE_KEY.sub("-", record.id) + ".json"
