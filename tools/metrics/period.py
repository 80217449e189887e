"""The aggregation period of a metrics fetch: ``choose_period`` picks it so a baseline+window span has a few
hundred points and respects CloudWatch retention."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

TARGET_POINTS = 300
_RETENTION = ((timedelta(hours=3), 1), (timedelta(days=15), 60), (timedelta(days=63), 300))


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
