"""The CloudTrail tool's data model: what list_changes asks a backend for (``ChangeQuery``), one API call as read
from a record (``Call`` and its ``Principal``), and what a backend reports besides records (``FetchReport``): notes
for the body and whether the answer is partial. Shared by the three backends (LookupEvents, Athena, snapshot);
``tools.cloudtrail.records`` reads records into ``Call``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tools.common.errors import InputError
from tools.common.timewindow import Window

# Short names the model may use for a service, mapped to the first label of its event source.
SERVICE_ALIASES = {
    "cloudwatch": "monitoring",
    "elb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "elbv2": "elasticloadbalancing",
    "vpc": "ec2",
    "eventbridge": "events",
    "stepfunctions": "states",
    "cognito": "cognito-idp",
    "ses": "email",
}


def event_source(service: str | None) -> str | None:
    """``ec2`` / ``EC2`` / ``ec2.amazonaws.com`` -> ``ec2.amazonaws.com``; None stays None."""
    if not service:
        return None
    name = service.strip().lower()
    if name.endswith(".amazonaws.com"):
        return name
    if "." in name:
        raise InputError("service", f"{name!r} is neither a short service name nor an event source",
                         "a short name like 'ec2' or 'iam', or an event source like 'ec2.amazonaws.com'")
    return SERVICE_ALIASES.get(name, name) + ".amazonaws.com"


@dataclass(frozen=True)
class ChangeQuery:
    """The window asked about, how far before it to look, and the filters (already normalised)."""

    window: Window
    lookback: timedelta
    event_source: str | None = None
    principal: str | None = None
    resource: str | None = None
    include_read_only: bool = False
    region: str = "us-east-1"

    @property
    def span(self) -> Window:
        """The time range to read: the lookback before the window, and the window."""
        return self.window.widen(before=self.lookback)

    @property
    def lookback_window(self) -> Window | None:
        return Window(self.span.start, self.window.start) if self.lookback > timedelta(0) else None


@dataclass
class FetchReport:
    """Side facts of a fetch: notes for the body, and ``partial`` when not everything could be read."""

    notes: list[str] = field(default_factory=list)
    partial: bool = False
    cuts: list[str] = field(default_factory=list)  # why the answer is partial (also in ``notes``)
    malformed: int = 0
    read_only_not_fetched: bool = False

    def cut(self, note: str) -> None:
        self.partial = True
        self.notes.append(note)
        self.cuts.append(note)


# Error codes that mean "not allowed" (EC2 prefixes them with "Client.").
_DENIAL_CODES = {
    "accessdenied", "accessdeniedexception", "unauthorizedoperation", "unauthorizedaccess",
    "unauthorized", "authfailure", "authorizationerror", "authorizationexception", "forbidden",
    "forbiddenexception", "invalidclienttokenid", "expiredtoken", "expiredtokenexception",
    "signaturedoesnotmatch", "notauthorized", "notauthorizedexception",
}


@dataclass(frozen=True)
class Principal:
    """Who made a call: a readable name, the identity type and the full ARN when there is one."""

    name: str
    type: str
    arn: str


@dataclass(frozen=True)
class Call:
    """One API call (CloudTrail event) reduced to what the digest needs; ``record`` keeps the rest."""

    event_id: str
    event_name: str
    event_source: str
    time: datetime
    region: str
    principal: Principal
    actor: str  # human | automation | service
    via: str  # console, CLI, Terraform, SDK, an AWS service name, ...
    read_only: bool
    error_code: str
    event_type: str
    source_ip: str
    user_agent: str
    record: dict[str, Any]

    @property
    def service(self) -> str:
        """Short service name: ``ec2`` for ``ec2.amazonaws.com``."""
        return self.event_source.split(".", 1)[0] if self.event_source else "?"

    @property
    def failed(self) -> bool:
        return bool(self.error_code)

    @property
    def denied(self) -> bool:
        return is_denial(self.error_code)


def is_denial(code: str) -> bool:
    """True for AccessDenied, UnauthorizedOperation, Client.UnauthorizedOperation and friends."""
    if not code:
        return False
    plain = code.rsplit(".", 1)[-1].lower()
    return plain in _DENIAL_CODES or "accessdenied" in plain or "unauthorized" in plain
