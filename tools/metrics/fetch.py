"""What a backend hands to the digest: the series it read and what it could not read.

Both backends (``aws_backend``, ``snapshot_backend``) return a ``Fetched``; ``choose_period`` picks the
aggregation period so a baseline+window span has a few hundred points and respects CloudWatch retention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tools.common.timewindow import Window
from tools.metrics.model import Series

TARGET_POINTS = 300
_RETENTION = ((timedelta(hours=3), 1), (timedelta(days=15), 60), (timedelta(days=63), 300))


@dataclass
class Fetched:
    """Series read, how many metrics were candidates, notes, failures, and whether reading stopped early.

    ``coverage`` is the time the source holds data for (a snapshot's window); outside it a missing count is
    unknown, not zero. None: the whole requested span (CloudWatch).
    """

    series: list[Series] = field(default_factory=list)
    candidates: int = 0
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    partial: bool = False
    coverage: Window | None = None


def choose_period(start: datetime, end: datetime, now: datetime, target_points: int = TARGET_POINTS) -> int:
    """A period (multiple of 60 s) giving about ``target_points`` over [start, end) and available at that age.

    CloudWatch keeps 1-minute data for 15 days, 5-minute data for 63 days, then hourly data.
    """
    raw = max(60, math.ceil((end - start).total_seconds() / target_points / 60) * 60)
    age = now - start
    minimum = 3600
    for limit, period in _RETENTION:
        if age <= limit:
            minimum = max(period, 60)
            break
    period = max(raw, minimum)
    return period if period % minimum == 0 else math.ceil(period / minimum) * minimum
