"""Every number that decides whether the log stream alerts, each with the reason it has its value.

The operator-facing ones come from ``[alerts]`` in ops-agent.toml (``Settings.from_config``); the rest are named
constants here. Times are in seconds; counts are error events of one template in one service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# --- counting -------------------------------------------------------------------------------------

BUCKET_SECONDS = 60
"""Counts are kept per minute: CloudWatch Logs delivers within seconds, and the alert promise is minutes."""

RECENT_BUCKETS = 5
"""The "now" of a decision is the last five minutes: long enough to see a burst of a slow error (one every
minute), short enough that the first alert comes within five minutes of the onset."""

BASELINE_BUCKETS = 120
"""A template's baseline is its last two hours before "now": it covers a deploy cycle and a traffic ramp, and
keeps the DynamoDB item small (one attribute per minute, pruned beyond this)."""

STATE_TTL_SECONDS = 3 * 24 * 3600
"""Items live three days after their last update (DynamoDB TTL): a template quiet for a weekend is forgotten
and alerts again if it bursts."""

# --- what is a burst ------------------------------------------------------------------------------

NEW_MIN_MINUTES = 2
"""A new template must appear in at least two distinct minutes: a deploy's or a restart's one-off error lines
come in one moment, a failure that hurts users keeps happening."""

RISE_FACTOR = 5.0
"""A known template alerts when its last five minutes exceed five times its baseline rate: daily traffic peaks
multiply error counts by two or three, a new failure mode by far more."""

RISE_MIN_EVENTS = 20
"""...and by at least twenty events: a standing error that goes from one to six lines is not an incident."""

TEMPLATE_COOLDOWN_SECONDS = 6 * 3600
"""A template that alerted stays quiet for six hours (an on-call shift): the thread already exists."""

# --- incidents ------------------------------------------------------------------------------------

MAX_NOTIFICATIONS_PER_INCIDENT = 3
"""The first alert plus at most two updates (the incident spreading to other services): more is noise."""

UPDATE_GAP_SECONDS = 120
"""Two notifications of one incident are at least two minutes apart, so a spreading failure gives one update."""

TRIAGE_LOOKBACK_SECONDS = 30 * 60
"""Triage looks at the half hour before the first new error: the changes that caused it are usually there."""

PUBLISH_MARGIN_SECONDS = 5.0
"""Time kept after triage for the runbook search, the notification and the SNS publish."""


@dataclass(frozen=True)
class Settings:
    """The operator-tunable part (``[alerts]`` of ops-agent.toml)."""

    learning_seconds: int = 20 * 60
    """Nothing alerts until the state has watched this long: the standing errors are learned first."""
    group_seconds: int = 10 * 60
    """New errors arriving within this long of an open incident's last arrival join it, in any log group."""
    rate_limit_seconds: int = 30 * 60
    """At most one notification per service in this long."""
    min_events: int = 3
    """A new template alerts from this many events in the last five minutes (with ``NEW_MIN_MINUTES``)."""
    triage_seconds: float = 40.0
    """The investigation that enriches an alert stops after this long."""
    connector: str = "ops-agent"
    """The Chatbot connector name for the follow-up line ``@aws ask <connector> ...``."""

    @classmethod
    def from_config(cls, config: Any) -> Settings:
        alerts = config["alerts"]
        return cls(
            learning_seconds=int(alerts["learning_minutes"]) * 60,
            group_seconds=int(alerts["group_minutes"]) * 60,
            rate_limit_seconds=int(alerts["rate_limit_minutes"]) * 60,
            min_events=int(alerts["min_events"]),
            triage_seconds=float(alerts["triage_seconds"]),
            connector=str(config["slack"]["connector_name"]),
        )
