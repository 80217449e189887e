"""The findings tool's data model: one normalised ``Finding`` whichever product and casing it came from,
the selection criteria, and what a backend fetched (with a status line per part: Security Hub, GuardDuty)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PRODUCTS = {"securityhub": "Security Hub", "guardduty": "GuardDuty"}
"""The two sources this tool reads (evidence sources and triage report sources), with their display names."""
SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
GUARDDUTY_MIN_SCORE = {"INFORMATIONAL": 0, "LOW": 1, "MEDIUM": 4, "HIGH": 7, "CRITICAL": 9}
"""GuardDuty's numeric severity at which each label starts (Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9, Critical 9+)."""


def rank(label: str) -> int:
    """Position of a severity label (unknown labels rank lowest)."""
    return SEVERITIES.index(label) if label in SEVERITIES else 0


def at_or_above(label: str) -> list[str]:
    return [s for s in SEVERITIES if rank(s) >= rank(label)]


@dataclass(frozen=True)
class Criteria:
    """What the caller asked for."""

    min_severity: str = "MEDIUM"
    resource: str | None = None
    include_standing: bool = False


@dataclass
class Finding:
    """One finding, normalised from ASFF (Security Hub) or GuardDuty's own format."""

    source: str  # "securityhub" | "guardduty" (GuardDuty findings carried by Security Hub count as guardduty)
    finding_id: str
    finding_type: str
    title: str
    description: str
    severity: str
    resource_type: str
    resource_id: str
    resources: tuple[str, ...]
    first_seen: datetime | None
    last_seen: datetime | None
    updated: datetime | None
    count: int = 1
    active: bool = True
    product: str = ""
    control: bool = False
    via_securityhub: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """Identity across products: a GuardDuty finding carried by Security Hub has the same key."""
        return (self.source, self.finding_id)


@dataclass(frozen=True)
class Part:
    """How reading one product went: ``read``, ``partial``, ``error`` or ``not_configured``, and a detail line."""

    status: str
    detail: str


@dataclass
class Fetched:
    """Findings read from both products, how each product went, and what cut the reading short."""

    findings: list[Finding] = field(default_factory=list)
    parts: dict[str, Part] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
