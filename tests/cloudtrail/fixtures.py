"""Builders of CloudTrail records in the real record format (written here, modelled on the shapes in
shared/data/cloudtrail), snapshots holding them, and tool requests with a fixed clock."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from tools import catalogue
from tools.cloudtrail import service
from tools.common import config as config_module
from tools.common.app import Outcome, ToolRequest, execute
from tools.common.deadline import Deadline
from tools.common.snapshot import Snapshot
from tools.common.timewindow import UTC, Window, iso

ACCOUNT = "123456789012"
REGION = "eu-west-1"
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
END = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
WINDOW = Window(START, END)
FUNCTION = catalogue.find("cloudtrail", "list_changes")


def at(hhmmss: str) -> datetime:
    hour, minute, second = (int(p) for p in hhmmss.split(":"))
    return datetime(2026, 11, 20, hour, minute, second, tzinfo=UTC)


def iam_user(name: str, key: str = "AKIAIOSFODNN7EXAMPLE") -> dict[str, Any]:
    return {"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE", "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "accountId": ACCOUNT, "accessKeyId": key, "userName": name}


def assumed_role(role: str, session: str, invoked_by: str | None = None) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "AssumedRole", "principalId": f"AROAJ45Q7YFFAREXAMPLE:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}", "accountId": ACCOUNT,
        "accessKeyId": "ASIAJ45Q7YFFAREXAMPL",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "principalId": "AROAJ45Q7YFFAREXAMPLE",
                              "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}", "accountId": ACCOUNT, "userName": role},
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-20T08:00:00Z", "mfaAuthenticated": "false"},
        },
    }
    if invoked_by:
        identity["invokedBy"] = invoked_by
    return identity


def aws_service(name: str) -> dict[str, Any]:
    return {"type": "AWSService", "invokedBy": name}


def root() -> dict[str, Any]:
    return {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root", "accountId": ACCOUNT,
            "accessKeyId": "ASIAROOTEXAMPLEKEY12"}


def record(name: str, source: str, moment: datetime, identity: dict[str, Any], *, region: str = REGION,
           agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2", ip: str = "203.0.113.10",
           request: Any = None, response: Any = None, error: str | None = None, read_only: bool | None = False,
           event_id: str | None = None, resources: list[dict[str, str]] | None = None,
           event_type: str = "AwsApiCall") -> dict[str, Any]:
    """One CloudTrail record as CloudTrail writes it to S3."""
    rec: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": iso(moment),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": request,
        "responseElements": response,
        "requestID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"req-{name}-{iso(moment)}")),
        "eventID": event_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}-{iso(moment)}-{identity.get('arn')}")),
        "eventType": event_type,
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"},
    }
    if read_only is not None:
        rec["readOnly"] = read_only
    if error:
        rec["errorCode"] = error
        rec["errorMessage"] = f"User is not authorized to perform {name}"
    if resources is not None:
        rec["resources"] = resources
    return rec


VPCE_ID = "vpce-0a1b2c3d4e5f67890"
RTB_ID = "rtb-0f1e2d3c4b5a69788"


def modify_vpc_endpoint(moment: datetime = at("09:38:12"), identity: dict[str, Any] | None = None) -> dict[str, Any]:
    """EC2 query-API parameters as CloudTrail records them (``content``/``tag`` wrappers)."""
    return record(
        "ModifyVpcEndpoint", "ec2.amazonaws.com", moment, identity or assumed_role("PlatformAdmin", "jdoe"),
        request={"ModifyVpcEndpointRequest": {"VpcEndpointId": VPCE_ID,
                                              "RemoveRouteTableId": {"content": RTB_ID, "tag": 1}}},
        response={"ModifyVpcEndpointResponse": {"return": True, "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/"}},
        event_id="3f5c1a2b-9d8e-4f70-a1b2-c3d4e5f60718",
    )


def write_snapshot(root: Path, files: dict[str, Any], *, region: str = REGION) -> Snapshot:
    """A snapshot directory with ``manifest.json`` and ``cloudtrail/<name>`` files (dicts dumped as JSON)."""
    (root / "cloudtrail").mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps(
        {"version": 1, "account": ACCOUNT, "region": region, "start": iso(START), "end": iso(END)}))
    for name, content in files.items():
        path = root / "cloudtrail" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return Snapshot.open(root)


def config(**cloudtrail: Any) -> config_module.Config:
    return config_module.validate({"cloudtrail": {"mode": "lookup", **cloudtrail}})


def run(snapshot: Snapshot, params: dict[str, Any] | None = None, **cloudtrail: Any) -> Outcome:
    """list_changes through the tool contract (parameter validation, rendering) on a snapshot."""
    raw = {"window": "2026-11-20T09:00Z/2026-11-20T11:00Z", **(params or {})}
    return execute(FUNCTION, service.list_changes, raw, snapshot=snapshot, config=config(**cloudtrail),
                   deadline=Deadline(30))


def request(params: dict[str, Any] | None = None, *, deadline: Deadline | None = None,
            cfg: config_module.Config | None = None, window: Window = WINDOW) -> ToolRequest:
    """A request for AWS mode with a fixed clock (no snapshot)."""
    return ToolRequest(FUNCTION, dict(params or {}), window, END, deadline or Deadline(30), cfg or config(), None)
