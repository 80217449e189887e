"""One CloudTrail record read into a ``Call``: who (a readable principal and whether a human, automation or an
AWS service made it), what (service, event name, read-only or not, error code), when and from where.

Records come from three places in the same CloudTrail record format: snapshot log files, the
``CloudTrailEvent`` JSON string inside a LookupEvents event, and Athena rows rebuilt into that shape.
Parsing is lenient: a record without a readable ``eventTime`` or ``eventName`` is malformed (None), every
other field may be missing or oddly typed. Resource extraction is left to ``resources.py`` (it is the
costly part and only needed for the records that survive the filters).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from tools.cloudtrail.model import Call, Principal
from tools.common.timewindow import UTC, parse_instant, to_utc

# Name prefixes of read-only calls, used when a record has no ``readOnly`` field.
READ_ONLY_PREFIXES = (
    "Describe", "Get", "List", "Head", "Lookup", "Search", "BatchGet", "Scan", "Query", "Select",
    "View", "Preview", "Estimate", "Simulate", "Validate", "Check", "Verify", "Detect",
)
_PREFIX_WORD = re.compile(r"^(?:" + "|".join(READ_ONLY_PREFIXES) + r")(?=[A-Z0-9_]|$)")

# User agents that mean a person at a keyboard (console, CLI, CloudShell).
_CONSOLE_AGENTS = ("console.amazonaws.com", "signin.amazonaws.com", "mozilla/", "[s3console", "console.ec2.amazonaws.com")
_CLI_AGENTS = ("aws-cli/", "aws-powershell", "awspowershell", "ec2-api-tools", "cloudshell", "aws-shell")
_TOOL_AGENTS = (
    ("terraform", "Terraform"), ("pulumi", "Pulumi"), ("cloudformation", "CloudFormation"),
    ("aws-cdk", "CDK"), ("cdk/", "CDK"), ("cloudcustodian", "Cloud Custodian"), ("boto3", "SDK"),
    ("botocore", "SDK"), ("aws-sdk", "SDK"), ("aws-internal", "AWS internal"), ("aws internal", "AWS internal"),
)

IAC_VIAS = frozenset({"Terraform", "Pulumi", "CloudFormation", "CDK"})
# How-labels of ours (never from the record), shown without a fence.
KNOWN_VIAS = frozenset({"console", "CLI", "AWS internal", "other client", "unknown client", *(v for _, v in _TOOL_AGENTS)})


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _role_session(arn: str) -> str:
    """``arn:aws:sts::1:assumed-role/Role/session`` -> ``Role/session`` (tolerates spaces from docs)."""
    compact = arn.replace(" ", "")
    marker = ":assumed-role/"
    return compact.split(marker, 1)[1] if marker in compact else ""


def principal_of(identity: Any) -> Principal:
    """A readable principal from ``userIdentity``: IAM user name, role/session, service, root, federated."""
    if not isinstance(identity, dict):
        return Principal("unknown", "Unknown", "")
    kind = _text(identity.get("type")) or ("AWSService" if identity.get("invokedBy") else "Unknown")
    arn = _text(identity.get("arn"))
    user = _text(identity.get("userName"))
    invoked_by = _text(identity.get("invokedBy"))
    if kind == "IAMUser":
        name = user or arn.rsplit("/", 1)[-1] or "unknown-user"
    elif kind == "AssumedRole":
        issuer = identity.get("sessionContext", {}) if isinstance(identity.get("sessionContext"), dict) else {}
        role = _text((issuer.get("sessionIssuer") or {}).get("userName")) if isinstance(issuer.get("sessionIssuer"), dict) else ""
        session = _role_session(arn)
        name = session or (role + "/?" if role else _text(identity.get("principalId")) or "unknown-role")
    elif kind == "Root":
        name = "root" + (f"@{identity.get('accountId')}" if identity.get("accountId") else "")
    elif kind == "AWSService":
        name = invoked_by or "AWS-service"
    elif kind == "FederatedUser":
        name = arn.rsplit("/", 1)[-1] if "/" in arn else _text(identity.get("principalId")) or "federated-user"
    elif kind == "AWSAccount":
        name = f"account/{identity.get('accountId', '?')}" + (f"/{invoked_by}" if invoked_by else "")
    else:
        name = user or arn.rsplit("/", 1)[-1] or invoked_by or _text(identity.get("principalId")) or "unknown"
    return Principal(name.strip() or "unknown", kind, arn)


def actor_of(identity: Any, user_agent: str, source_ip: str, event_type: str, from_console: bool = False) -> tuple[str, str]:
    """(human | automation | service, how): console and CLI sessions are humans, AWS services are services."""
    identity = identity if isinstance(identity, dict) else {}
    invoked_by = _text(identity.get("invokedBy"))
    if identity.get("type") == "AWSService" or event_type == "AwsServiceEvent":
        return "service", invoked_by or "AWS internal"
    if user_agent == "AWS Internal" and not invoked_by and (from_console or _personal(identity)):
        # A person's console action: the console calls through AWS's own endpoints ("AWS Internal"), but the
        # session came from a console sign-in or an IAM Identity Center (SSO) role: a human decision.
        return "human", "console"
    if user_agent == "AWS Internal":
        return "service", invoked_by or "AWS internal"
    if invoked_by in ("signin.amazonaws.com", "console.amazonaws.com"):
        return "human", "console"
    if invoked_by.endswith("amazonaws.com"):
        return "service", invoked_by
    if source_ip.endswith(".amazonaws.com") and user_agent in ("", source_ip):
        return "service", source_ip
    if from_console:
        return "human", "console"
    actor, via = _agent_kind(user_agent.lower()[:300])
    if via == "CLI" and not _personal(identity):
        return "automation", via  # the CLI under a workload or CI role is a script
    return actor, via


def _personal(identity: dict[str, Any]) -> bool:
    """An identity a person uses: an IAM user, root, an IAM Identity Center role, or a session named like a person."""
    if identity.get("type") in ("IAMUser", "Root", "FederatedUser", "IdentityCenterUser"):
        return True
    arn = _text(identity.get("arn"))
    session = _role_session(arn).split("/", 1)[-1]
    return "/AWSReservedSSO_" in arn.replace(" ", "") or "@" in session


@lru_cache(maxsize=2048)
def _agent_kind(agent: str) -> tuple[str, str]:
    """Classify a (lower-cased) user agent; cached, as a handful of agents make most calls."""
    if any(a in agent for a in _CONSOLE_AGENTS):
        return "human", "console"
    if any(a in agent for a in _CLI_AGENTS):
        return "human", "CLI"
    for needle, label in _TOOL_AGENTS:
        if needle in agent:
            return ("service", label) if label == "AWS internal" else ("automation", label)
    if agent.endswith(".amazonaws.com"):
        return "service", agent
    return "automation", "other client" if agent else "unknown client"


def read_only_of(record: dict[str, Any], event_name: str) -> bool:
    """The record's ``readOnly`` (bool or "true"/"false"), else guessed from the event name's verb."""
    value = record.get("readOnly")
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if record.get("eventType") in ("AwsServiceEvent", "AwsConsoleSignIn"):
        return False
    return bool(_PREFIX_WORD.match(event_name))


def parse_time(value: Any) -> datetime | None:
    """``eventTime`` (ISO string, or a datetime from boto3) as aware UTC; None when unreadable."""
    if isinstance(value, datetime):
        return to_utc(value)
    if not isinstance(value, str) or "-" not in value:
        return None
    try:
        return to_utc(datetime.fromisoformat(value))
    except ValueError:
        pass
    try:
        return parse_instant(value, datetime.now(UTC))
    except ValueError:
        return None


def parse_call(record: Any) -> Call | None:
    """A ``Call`` from one CloudTrail record, or None when it lacks a readable ``eventTime``/``eventName``."""
    if not isinstance(record, dict):
        return None
    name = record.get("eventName")
    moment = parse_time(record.get("eventTime"))
    if not isinstance(name, str) or not name or moment is None:
        return None
    identity = record.get("userIdentity")
    agent = _text(record.get("userAgent"))
    source_ip = _text(record.get("sourceIPAddress"))
    event_type = _text(record.get("eventType"))
    actor, via = actor_of(identity, agent, source_ip, event_type, str(record.get("sessionCredentialFromConsole")).lower() == "true")
    return Call(
        event_id=_text(record.get("eventID")),
        event_name=name,
        event_source=_text(record.get("eventSource")),
        time=moment,
        region=_text(record.get("awsRegion")),
        principal=principal_of(identity),
        actor=actor,
        via=via,
        read_only=read_only_of(record, name),
        error_code=_text(record.get("errorCode")),
        event_type=event_type,
        source_ip=source_ip,
        user_agent=agent,
        record=record,
    )
