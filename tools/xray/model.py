"""The X-Ray tool's data model: one ``Fault`` per faulty trace (its root cause), and what a backend fetched.

Both backends (AWS and snapshot) produce the same ``Fetched`` so the digest is shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["fault", "error", "throttle", "slow"]
KINDS: tuple[Kind, ...] = ("fault", "error", "throttle", "slow")
SLOW_SECONDS = 3
"""Response time (seconds) above which a trace counts as slow (``responsetime > 3`` in X-Ray)."""


@dataclass(frozen=True)
class Query:
    """What to look for: the kind of problem and an optional (validated) X-Ray service name."""

    kind: Kind = "fault"
    service: str | None = None


@dataclass
class Fault:
    """The root cause of one faulty trace."""

    trace_id: str
    time: datetime | None
    service: str
    entity_path: tuple[str, ...]
    exception: str
    message: str = ""
    downstream: str = ""
    resources: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        """What groups faults into one fact: (service, exception, downstream)."""
        return (self.service, self.exception, self.downstream)


@dataclass
class Fetched:
    """Everything a backend found for one window: root causes, totals, baseline and what limited it."""

    faults: list[Fault] = field(default_factory=list)
    total: int | None = None
    baseline: int | None = None
    baseline_partial: bool = False
    partial: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

SERVICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/@#+=,\- ]{0,127}$")
"""X-Ray service names the tool accepts: no quotes, backslashes, braces or wildcards can reach a filter."""
