"""Builders of findings in the real formats: Security Hub ASFF (as GetFindings returns it) and GuardDuty
findings in the service's camelCase (exports, EventBridge) or boto3's PascalCase, modelled on shared/data."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"
DETECTOR = "12abc34d567e8fa901bc2d34e56789f0"
SH_PRODUCT = "arn:aws:securityhub:us-east-1::product/aws/securityhub"
GD_PRODUCT = "arn:aws:securityhub:us-east-1::product/aws/guardduty"


def asff_control(control: str, resource_id: str, *, resource_type: str = "AwsEc2SecurityGroup", label: str = "HIGH",
                 first: str = "2026-10-01T08:00:00.000Z", updated: str = "2026-11-19T22:10:00.000Z",
                 title: str | None = None, description: str = "", workflow: str = "NEW", record: str = "ACTIVE", n: int = 0) -> dict[str, Any]:
    """A Security Hub control finding (AWS Foundational Security Best Practices)."""
    standard = f"arn:aws:securityhub:us-east-1:{ACCOUNT}:subscription/aws-foundational-security-best-practices/v/1.0.0"
    finding_id = f"{standard}/{control}/finding/{n:08x}-1111-4222-8333-{zlib.crc32((control + resource_id).encode()):012d}"
    return {
        "SchemaVersion": "2018-10-08", "Id": finding_id, "ProductArn": SH_PRODUCT,
        "GeneratorId": f"aws-foundational-security-best-practices/v/1.0.0/{control}", "AwsAccountId": ACCOUNT,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"],
        "FirstObservedAt": first, "LastObservedAt": updated, "CreatedAt": first, "UpdatedAt": updated,
        "Severity": {"Product": 70, "Label": label, "Normalized": 70, "Original": label},
        "Title": title or f"{control} control check failed", "Description": description or f"This AWS control checks {control}.",
        "ProductFields": {"StandardsArn": "arn:aws:securityhub:::standards/aws-foundational-security-best-practices/v/1.0.0",
                          "ControlId": control, "aws/securityhub/ProductName": "Security Hub", "aws/securityhub/CompanyName": "AWS"},
        "Resources": [{"Type": resource_type, "Id": resource_id, "Partition": "aws", "Region": "us-east-1"}],
        "Compliance": {"Status": "FAILED", "SecurityControlId": control},
        "WorkflowState": workflow, "Workflow": {"Status": workflow}, "RecordState": record,
    }


def guardduty_camel(finding_id: str, *, finding_type: str = "Recon:EC2/PortProbeUnprotectedPort", severity: float = 2.0,
                    instance: str = "i-0bastion00000001", first: str = "2026-11-18T03:12:00Z", last: str = "2026-11-20T09:52:00Z",
                    updated: str = "2026-11-20T09:55:10.000Z", count: int = 14, archived: bool = False,
                    title: str | None = None, description: str = "") -> dict[str, Any]:
    """A GuardDuty finding as the service writes it (exports, EventBridge ``detail``)."""
    return {
        "schemaVersion": "2.0", "accountId": ACCOUNT, "region": "us-east-1", "partition": "aws", "id": finding_id,
        "arn": f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{DETECTOR}/finding/{finding_id}", "type": finding_type,
        "resource": {"resourceType": "Instance", "instanceDetails": {
            "instanceId": instance, "instanceType": "t3.micro", "availabilityZone": "us-east-1a",
            "tags": [{"key": "Name", "value": "bastion"}],
            "networkInterfaces": [{"privateIpAddress": "10.0.0.12", "publicIp": "198.51.100.10", "subnetId": "subnet-0a1b2c3d",
                                   "vpcId": "vpc-0a1b2c3d", "securityGroups": [{"groupName": "bastion", "groupId": "sg-0bastion"}]}]}},
        "service": {"serviceName": "guardduty", "detectorId": DETECTOR, "archived": archived, "count": count,
                    "eventFirstSeen": first, "eventLastSeen": last, "resourceRole": "TARGET",
                    "action": {"actionType": "PORT_PROBE", "portProbeAction": {"blocked": False, "portProbeDetails": [
                        {"localPortDetails": {"port": 22, "portName": "SSH"}, "remoteIpDetails": {"ipAddressV4": "203.0.113.7"}}]}}},
        "severity": severity, "createdAt": first, "updatedAt": updated,
        "title": title or f"Unprotected port on EC2 instance {instance} is being probed.",
        "description": description or f"EC2 instance {instance} has an unprotected port which is being probed by a known malicious host.",
    }


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {(k[:1].upper() + k[1:]): _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


def guardduty_pascal(finding_id: str, **kwargs: Any) -> dict[str, Any]:
    """The same finding as boto3's GetFindings returns it (PascalCase keys)."""
    return _pascal(guardduty_camel(finding_id, **kwargs))


def asff_from_guardduty(finding_id: str, *, updated: str = "2026-11-20T09:55:10.000Z") -> dict[str, Any]:
    """The copy of a GuardDuty finding that Security Hub imports (shared/data/guardduty asff sample)."""
    return {
        "SchemaVersion": "2018-10-08",
        "Id": f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{DETECTOR}/finding/{finding_id}",
        "ProductArn": GD_PRODUCT, "GeneratorId": f"arn:aws:guardduty:us-east-1:{ACCOUNT}:detector/{DETECTOR}",
        "AwsAccountId": ACCOUNT, "Types": ["TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"],
        "FirstObservedAt": "2026-11-18T03:12:00Z", "LastObservedAt": "2026-11-20T09:52:00Z",
        "CreatedAt": "2026-11-18T03:20:00.000Z", "UpdatedAt": updated,
        "Severity": {"Product": 5, "Label": "MEDIUM", "Normalized": 50},
        "Title": "Unprotected port on EC2 instance i-0bastion00000001 is being probed.",
        "Description": "EC2 instance i-0bastion00000001 has an unprotected port which is being probed by a known malicious host.",
        "ProductFields": {"aws/guardduty/service/archived": "false", "aws/guardduty/service/count": "14",
                          "aws/guardduty/service/detectorId": DETECTOR, "aws/securityhub/ProductName": "GuardDuty",
                          "aws/securityhub/CompanyName": "Amazon"},
        "Resources": [{"Type": "AwsEc2Instance", "Id": f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0bastion00000001",
                       "Partition": "aws", "Region": "us-east-1"}],
        "WorkflowState": "NEW", "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE",
    }


def write_snapshot(root: Path, securityhub: list[dict[str, Any]] | None, guardduty: list[dict[str, Any]] | None,
                   *, start: str = "2026-11-20T09:00:00Z", end: str = "2026-11-20T11:00:00Z", per_file: int = 100) -> Path:
    """A snapshot with GetFindings responses (None: the folder is absent)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text(json.dumps({"version": 1, "account": ACCOUNT, "region": "us-east-1", "start": start, "end": end}))
    for folder, items in (("securityhub", securityhub), ("guardduty", guardduty)):
        if items is None:
            continue
        (root / folder).mkdir(exist_ok=True)
        for index in range(0, max(1, len(items)), per_file):
            (root / folder / f"findings-{index:05d}.json").write_text(json.dumps({"Findings": items[index:index + per_file]}))
    return root
