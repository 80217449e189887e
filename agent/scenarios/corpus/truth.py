"""Ground truth of a corpus incident and the one matcher the bench and the tests score hypotheses with.

A ``Truth`` names the incident kind, its category and the *decisive fact*: what an on-call engineer must see
to act, as opposed to the symptoms every kind shares (5xx, latency, a faulting trace):

* ``events`` - CloudTrail ``eventID``s of the change that caused it (or of the attacker's calls); a hypothesis
  matches when its evidence holds one of those events (evidence id ``evidence_id("cloudtrail", eventID)`` or an
  ``attrs.event_id``), not merely another event with the same name;
* ``metrics`` - the saturated or failing resource as metric keys (namespace, metric, dimensions); a hypothesis
  matches when its evidence holds one of those series (``series_id`` of ``tools.metrics.model`` or matching
  ``attrs``): the resource, not the front door's 5xx;
* ``exceptions`` - the exception class (or the runtime's distinctive error text) of a poison input or of a broken
  library path, together with ``hosts`` for a failing dependency: a log, trace or ALB item must name it;
* ``findings`` - GuardDuty / Security Hub finding types on a resource.

Any one listed fact in any evidence item of the hypothesis is enough (a kind may list the change *and* the
resource it broke), unless the hypothesis LEADS with another CloudTrail change: its first evidence item is what
it names as the cause, and blaming the wrong change is wrong whatever symptoms it also cites. A control window's truth has ``control=True``
and no facts: it is scored by ``control_ok`` (no ``high`` hypothesis), never by ``matches``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tools.common.evidence import evidence_id
from tools.metrics.model import series_id

FINDING_SOURCES = ("guardduty", "securityhub")
EXCEPTION_SOURCES = ("logs", "xray", "alb")


@dataclass(frozen=True)
class MetricFact:
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]

    @property
    def evidence_id(self) -> str:
        return series_id(self.namespace, self.metric, dict(self.dimensions))


@dataclass(frozen=True)
class Truth:
    """What went wrong in one corpus case and which facts prove it (see the module docstring)."""

    kind: str
    category: str
    description: str
    onset: str | None
    control: bool = False
    service: str | None = None                    # the service whose requests fail (for reports; never scored)
    events: tuple[str, ...] = ()                  # CloudTrail eventIDs
    event_names: tuple[str, ...] = ()             # for reports only: the events' names
    metrics: tuple[MetricFact, ...] = ()
    exceptions: tuple[str, ...] = ()              # exception class or distinctive error text (any one)
    hosts: tuple[str, ...] = ()                   # failing dependency host (required with exceptions when given)
    findings: tuple[str, ...] = ()                # finding types
    missing_sources: tuple[str, ...] = ()         # sources deliberately absent from the snapshot
    red_herrings: tuple[str, ...] = ()            # what was placed to mislead, for reading the results

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def decisive(self) -> str:
        """A short label of the decisive fact (for tables)."""
        if self.control:
            return "no cause"
        if self.events:
            return "event " + "/".join(dict.fromkeys(self.event_names)) if self.event_names else "event"
        if self.metrics:
            return "resource " + ", ".join(f"{m.metric} {dict(m.dimensions)}" for m in self.metrics[:2])
        if self.findings:
            return "finding " + self.findings[0]
        if self.exceptions:
            return "exception " + self.exceptions[0] + (" @ " + self.hosts[0] if self.hosts else "")
        return "dependency " + ", ".join(self.hosts)


def metric_fact(namespace: str, metric: str, dimensions: Mapping[str, str]) -> MetricFact:
    return MetricFact(namespace, metric, tuple(sorted(dimensions.items())))


def _text(item: Mapping[str, Any]) -> str:
    parts = [str(item.get("summary") or ""), str(item.get("id") or "")]
    attrs = item.get("attrs")
    if isinstance(attrs, Mapping):
        for key in ("exception", "template", "message", "keywords", "resources", "downstream", "error_reasons", "service"):
            value = attrs.get(key)
            if isinstance(value, (list, tuple)):
                parts.extend(str(v) for v in value)
            elif value is not None:
                parts.append(str(value))
    return "\n".join(parts).lower()


def _event_ids(item: Mapping[str, Any]) -> set[str]:
    attrs = item.get("attrs") if isinstance(item.get("attrs"), Mapping) else {}
    found = {str(attrs.get("event_id"))} if attrs.get("event_id") else set()
    return found


def _metric_match(item: Mapping[str, Any], fact: MetricFact) -> bool:
    if item.get("source") != "metrics":
        return False
    if item.get("id") == fact.evidence_id:
        return True
    attrs = item.get("attrs") if isinstance(item.get("attrs"), Mapping) else {}
    dims = attrs.get("dimensions")
    return (attrs.get("namespace") == fact.namespace and attrs.get("metric") == fact.metric and isinstance(dims, Mapping)
            and dict(dims) == dict(fact.dimensions))


def evidence_matches(item: Mapping[str, Any], truth: Truth) -> bool:
    """True when this one evidence item (a report evidence dict, ``attrs`` optional) shows a decisive fact."""
    if truth.control:
        return False
    source = item.get("source")
    if truth.events and source == "cloudtrail":
        wanted = {evidence_id("cloudtrail", e) for e in truth.events}
        if item.get("id") in wanted or _event_ids(item) & set(truth.events):
            return True
    if any(_metric_match(item, fact) for fact in truth.metrics):
        return True
    if truth.findings and source in FINDING_SOURCES:
        text = _text(item)
        if any(f.lower() in text for f in truth.findings):
            return True
    if truth.exceptions and source in EXCEPTION_SOURCES:
        text = _text(item)
        if any(e.lower() in text for e in truth.exceptions) and (not truth.hosts or any(h.lower() in text for h in truth.hosts)):
            return True
    if truth.hosts and not truth.exceptions and source in EXCEPTION_SOURCES:
        text = _text(item)
        if any(h.lower() in text for h in truth.hosts):
            return True
    return False


def blames_another_change(hypothesis: Mapping[str, Any], truth: Truth) -> bool:
    """True when the hypothesis leads with a CloudTrail item that is not one of the decisive events.

    A hypothesis's first evidence item is what it names as the cause; one that leads with an unrelated change
    (a deploy of another service, an AWS service's own reaction) tells the on-call engineer to roll back the
    wrong thing, whatever symptoms it also cites.
    """
    evidence = hypothesis.get("evidence") or []
    lead = evidence[0] if evidence and isinstance(evidence[0], Mapping) else None
    return bool(lead and lead.get("source") == "cloudtrail" and not evidence_matches(lead, truth))


def matches(hypothesis: Mapping[str, Any], truth: Truth) -> bool:
    """True when the hypothesis's evidence holds the decisive event, resource, exception or finding of ``truth``
    and it does not lead with another change (``blames_another_change``).

    The title is not read: a hypothesis is only as right as the evidence it cites.
    """
    if blames_another_change(hypothesis, truth):
        return False
    evidence = hypothesis.get("evidence") or []
    return any(isinstance(item, Mapping) and evidence_matches(item, truth) for item in evidence)


def rank_of_truth(hypotheses: Sequence[Mapping[str, Any]], truth: Truth) -> int | None:
    """1-based rank of the first matching hypothesis, or None."""
    for index, hypothesis in enumerate(hypotheses, 1):
        if matches(hypothesis, truth):
            return index
    return None


def control_ok(hypotheses: Iterable[Mapping[str, Any]]) -> bool:
    """A control window is answered right when no hypothesis is stated ``high``."""
    return all(h.get("confidence") != "high" for h in hypotheses)


def control_quiet(hypotheses: Iterable[Mapping[str, Any]]) -> bool:
    """Stricter: nothing above ``low``."""
    return all(h.get("confidence") == "low" for h in hypotheses)
