"""Deadlines: how long one invocation may still work, so fetchers can stop in time and return partial results."""

from __future__ import annotations

import time
from typing import Any, Callable

DEFAULT_SECONDS = 40.0
MARGIN_SECONDS = 3.0


class Deadline:
    """A point on the monotonic clock after which work must stop; ``remaining()`` never goes below zero."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._at = clock() + max(0.0, seconds)

    @classmethod
    def from_context(cls, context: Any, default_seconds: float = DEFAULT_SECONDS, margin: float = MARGIN_SECONDS) -> Deadline:
        """The Lambda context's remaining time minus a margin; ``default_seconds`` without a context."""
        getter = getattr(context, "get_remaining_time_in_millis", None)
        if callable(getter):
            try:
                remaining = float(getter()) / 1000.0
            except (TypeError, ValueError):
                remaining = default_seconds + margin
            return cls(min(remaining - margin, default_seconds) if remaining > margin else 0.0)
        return cls(default_seconds)

    def remaining(self) -> float:
        return max(0.0, self._at - self._clock())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def sub(self, seconds: float) -> Deadline:
        """A deadline no later than this one and at most ``seconds`` away."""
        return Deadline(min(seconds, self.remaining()), self._clock)

    def fraction(self, share: float) -> Deadline:
        return self.sub(self.remaining() * share)
