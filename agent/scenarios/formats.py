"""Text and document shapes shared by the scenarios: application log lines, X-Ray segments, findings.

Log lines follow what the runtimes really print (Spring Boot's default console pattern, the Lambda runtime's
START/END/REPORT lines, pino/structlog JSON); X-Ray segments follow the segment document format; findings follow
ASFF (Security Hub) and the GuardDuty ``GetFindings`` response in boto3 casing.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from agent.scenarios.builder import SnapshotBuilder, iso_milli, iso_z

UTC = timezone.utc


# --- log lines ----------------------------------------------------------------------------------------------


def spring_line(when: datetime, level: str, thread: str, logger: str, message: str, pid: int = 1) -> str:
    """Spring Boot 2.x default console pattern, as written to stdout and shipped by awslogs."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"
    return f"{stamp} {level:>5} {pid} --- [{thread[-15:]:>15}] {_abbrev(logger):<40} : {message}"


def _abbrev(logger: str, width: int = 40) -> str:
    """Logback's ``%logger{39}`` abbreviation: shorten leading packages to their first letter."""
    parts = logger.split(".")
    index = 0
    while len(".".join(parts)) > width - 1 and index < len(parts) - 1:
        parts[index] = parts[index][0]
        index += 1
    return ".".join(parts)


def java_stack(exception: str, message: str, frames: list[str], cause: tuple[str, str, list[str]] | None = None) -> str:
    """A Java stack trace (``\\n\\tat`` frames, optional ``Caused by:``) to append to a log message."""
    text = f"{exception}: {message}\n" + "\n".join(f"\tat {frame}" for frame in frames)
    if cause:
        c_exc, c_msg, c_frames = cause
        text += f"\nCaused by: {c_exc}: {c_msg}\n" + "\n".join(f"\tat {frame}" for frame in c_frames)
        text += f"\n\t... {len(frames) + 3} common frames omitted"
    return text


def lambda_start(request_id: str, version: str = "$LATEST") -> str:
    return f"START RequestId: {request_id} Version: {version}"


def lambda_end(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def lambda_report(request_id: str, duration_ms: float, memory_mb: int, used_mb: int, init_ms: float | None = None) -> str:
    billed = int(duration_ms) + 1
    text = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB")
    if init_ms is not None:
        text += f"\tInit Duration: {init_ms:.2f} ms"
    return text + "\t"


def python_lambda_line(when: datetime, level: str, request_id: str, message: str) -> str:
    """The Python Lambda runtime's default log line (tab separated)."""
    return f"[{level}]\t{iso_milli(when)}\t{request_id}\t{message}\n"


def pino_line(when: datetime, level: str, message: str, **fields: Any) -> str:
    """A Node.js pino JSON line (level as number, time in epoch ms)."""
    levels = {"trace": 10, "debug": 20, "info": 30, "warn": 40, "error": 50, "fatal": 60}
    record: dict[str, Any] = {"level": levels[level], "time": int(when.timestamp() * 1000), "pid": 1,
                              "hostname": fields.pop("hostname", "ip-10-0-2-15.ec2.internal")}
    record.update(fields)
    record["msg"] = message
    return json.dumps(record, separators=(",", ":"))


def json_line(when: datetime, level: str, message: str, **fields: Any) -> str:
    """A structlog/Powertools-style JSON line."""
    record: dict[str, Any] = {"timestamp": iso_milli(when), "level": level.upper(), "message": message}
    record.update(fields)
    return json.dumps(record, separators=(",", ":"))


# --- X-Ray --------------------------------------------------------------------------------------------------


def ts(moment: datetime) -> float:
    return round(moment.timestamp(), 6)


def xray_exception(builder: SnapshotBuilder, exc_type: str, message: str, frames: list[tuple[str, int, str]],
                   remote: bool = False) -> dict[str, Any]:
    return {
        "id": builder.segment_id(),
        "message": message,
        "type": exc_type,
        "remote": remote,
        "stack": [{"path": path, "line": line, "label": label} for path, line, label in frames],
    }


def aws_subsegment(builder: SnapshotBuilder, name: str, operation: str, start: datetime, end: datetime, *,
                   region: str, table: str | None = None, status: int | None = 200, fault: bool = False,
                   error: bool = False, throttle: bool = False, exception: dict[str, Any] | None = None,
                   retries: int = 0, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A subsegment for an AWS SDK call (``namespace: aws``)."""
    aws: dict[str, Any] = {"operation": operation, "region": region,
                           "request_id": builder.chars(52) if status else None, "retries": retries}
    if aws["request_id"] is None:
        del aws["request_id"]
    if table:
        aws["table_name"] = table
        aws["resource_names"] = [table]
    if extra:
        aws.update(extra)
    sub: dict[str, Any] = {"id": builder.segment_id(), "name": name, "start_time": ts(start), "end_time": ts(end),
                           "namespace": "aws", "aws": aws}
    if status:
        sub["http"] = {"response": {"status": status, "content_length": builder.rng.randint(2, 900)}}
    if fault:
        sub["fault"] = True
    if error:
        sub["error"] = True
    if throttle:
        sub["throttle"] = True
    if exception:
        sub["cause"] = {"working_directory": "/app", "exceptions": [exception]}
    return sub


def remote_subsegment(builder: SnapshotBuilder, host: str, method: str, url: str, start: datetime, end: datetime,
                      status: int | None, *, exception: dict[str, Any] | None = None) -> dict[str, Any]:
    """A subsegment for an HTTP call to another service (``namespace: remote``)."""
    sub: dict[str, Any] = {"id": builder.segment_id(), "name": host, "start_time": ts(start), "end_time": ts(end),
                           "namespace": "remote", "http": {"request": {"method": method, "url": url}}}
    if status is not None:
        sub["http"]["response"] = {"status": status, "content_length": builder.rng.randint(20, 600)}
        if status == 429:
            sub["throttle"] = True
            sub["error"] = True
        elif 400 <= status < 500:
            sub["error"] = True
        elif status >= 500:
            sub["fault"] = True
    if exception:
        sub["fault"] = True
        sub["cause"] = {"working_directory": "/app", "exceptions": [exception]}
    return sub


def service_segment(builder: SnapshotBuilder, trace_id: str, name: str, origin: str, start: datetime, end: datetime, *,
                    method: str, url: str, status: int, client_ip: str, user_agent: str | None = None,
                    parent_id: str | None = None, subsegments: list[dict[str, Any]] | None = None,
                    exception: dict[str, Any] | None = None, aws: dict[str, Any] | None = None,
                    annotations: dict[str, Any] | None = None, sdk: str = "X-Ray for Java",
                    sdk_version: str = "2.18.2") -> dict[str, Any]:
    """A service's segment document (the root of its part of the trace)."""
    request: dict[str, Any] = {"method": method, "url": url, "client_ip": client_ip, "x_forwarded_for": True}
    if user_agent:
        request["user_agent"] = user_agent
    doc: dict[str, Any] = {
        "trace_id": trace_id,
        "id": builder.segment_id(),
        "name": name,
        "start_time": ts(start),
        "end_time": ts(end),
        "origin": origin,
        "http": {"request": request, "response": {"status": status, "content_length": builder.rng.randint(40, 4000)}},
        "aws": {**(aws or {}), "xray": {"sdk": sdk, "sdk_version": sdk_version}},
    }
    if parent_id:
        doc["parent_id"] = parent_id
    if status >= 500:
        doc["fault"] = True
    elif status == 429:
        doc["throttle"] = True
        doc["error"] = True
    elif status >= 400:
        doc["error"] = True
    if exception:
        doc["cause"] = {"working_directory": "/app", "exceptions": [exception]}
    if annotations:
        doc["annotations"] = annotations
    if subsegments:
        doc["subsegments"] = subsegments
    return doc


# --- findings -------------------------------------------------------------------------------------------------


def _label(normalized: int) -> str:
    if normalized >= 90:
        return "CRITICAL"
    if normalized >= 70:
        return "HIGH"
    if normalized >= 40:
        return "MEDIUM"
    if normalized >= 1:
        return "LOW"
    return "INFORMATIONAL"


def asff_control_finding(builder: SnapshotBuilder, control_id: str, title: str, description: str, *,
                         resource_type: str, resource_id: str, normalized: int, first_seen: datetime,
                         last_seen: datetime, details: dict[str, Any] | None = None,
                         related_rule: str | None = None) -> dict[str, Any]:
    """A Security Hub control finding (consolidated control findings, AWS Foundational Security Best Practices)."""
    account, region = builder.account, builder.region
    finding_id = (f"arn:aws:securityhub:{region}:{account}:security-control/{control_id}/finding/{builder.uuid()}")
    label = _label(normalized)
    resource: dict[str, Any] = {"Type": resource_type, "Id": resource_id, "Partition": "aws", "Region": region}
    if details:
        resource["Details"] = details
    product_fields = {
        "RelatedAWSResources:0/name": related_rule or f"securityhub-{control_id.lower().replace('.', '-')}-{builder.hex(8)}",
        "RelatedAWSResources:0/type": "AWS::Config::ConfigRule",
        "aws/securityhub/ProductName": "Security Hub",
        "aws/securityhub/CompanyName": "AWS",
        "Resources:0/Id": resource_id,
        "aws/securityhub/FindingId": f"arn:aws:securityhub:{region}::product/aws/securityhub/{finding_id}",
    }
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": f"arn:aws:securityhub:{region}::product/aws/securityhub",
        "ProductName": "Security Hub",
        "CompanyName": "AWS",
        "Region": region,
        "GeneratorId": f"security-control/{control_id}",
        "AwsAccountId": account,
        "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
        "FirstObservedAt": iso_milli(first_seen),
        "LastObservedAt": iso_milli(last_seen),
        "CreatedAt": iso_milli(first_seen),
        "UpdatedAt": iso_milli(last_seen + timedelta(seconds=7)),
        "Severity": {"Label": label, "Normalized": normalized, "Original": label},
        "Title": title,
        "Description": description,
        "Remediation": {"Recommendation": {
            "Text": "For information on how to correct this issue, consult the AWS Security Hub controls documentation.",
            "Url": f"https://docs.aws.amazon.com/console/securityhub/{control_id}/remediation"}},
        "ProductFields": product_fields,
        "Resources": [resource],
        "Compliance": {"Status": "FAILED", "SecurityControlId": control_id,
                       "AssociatedStandards": [{"StandardsId": "standards/aws-foundational-security-best-practices/v/1.0.0"}]},
        "WorkflowState": "NEW",
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "FindingProviderFields": {"Severity": {"Label": label, "Original": label},
                                  "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"]},
        "ProcessedAt": iso_milli(last_seen + timedelta(seconds=9)),
    }


def guardduty_finding(builder: SnapshotBuilder, finding_type: str, title: str, description: str, *,
                      severity: float, resource: dict[str, Any], action: dict[str, Any], first_seen: datetime,
                      last_seen: datetime, count: int, detector_id: str, resource_role: str = "TARGET",
                      additional_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """A GuardDuty finding as ``GetFindings`` returns it through boto3 (PascalCase keys)."""
    finding_id = builder.hex(32)
    account, region = builder.account, builder.region
    return {
        "AccountId": account,
        "Arn": f"arn:aws:guardduty:{region}:{account}:detector/{detector_id}/finding/{finding_id}",
        "CreatedAt": iso_milli(first_seen),
        "Description": description,
        "Id": finding_id,
        "Partition": "aws",
        "Region": region,
        "Resource": resource,
        "SchemaVersion": "2.0",
        "Service": {
            "Action": action,
            "Archived": False,
            "Count": count,
            "DetectorId": detector_id,
            "EventFirstSeen": iso_z(first_seen),
            "EventLastSeen": iso_z(last_seen),
            "ResourceRole": resource_role,
            "ServiceName": "guardduty",
            "AdditionalInfo": {"Value": json.dumps(additional_info or {}), "Type": "default"},
        },
        "Severity": severity,
        "Title": title,
        "Type": finding_type,
        "UpdatedAt": iso_milli(last_seen + timedelta(minutes=4)),
    }


def guardduty_as_asff(builder: SnapshotBuilder, gd: dict[str, Any], resource_type: str, resource_id: str,
                      ttp: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ASFF finding Security Hub carries for a GuardDuty finding (product ``aws/guardduty``)."""
    region, account = builder.region, builder.account
    sev = gd["Severity"]
    normalized = 90 if sev >= 9 else 70 if sev >= 7 else 40 if sev >= 4 else 20
    label = _label(normalized)
    detector = gd["Service"]["DetectorId"]
    finding_id = f"arn:aws:guardduty:{region}:{account}:detector/{detector}/finding/{gd['Id']}"
    asff_type = f"{ttp}/{gd['Type'].replace('/', '-')}"  # ASFF types use '-' where GuardDuty's use '/'
    resource: dict[str, Any] = {"Type": resource_type, "Id": resource_id, "Partition": "aws", "Region": region}
    if details:
        resource["Details"] = details
    return {
        "SchemaVersion": "2018-10-08",
        "Id": finding_id,
        "ProductArn": f"arn:aws:securityhub:{region}::product/aws/guardduty",
        "ProductName": "GuardDuty",
        "CompanyName": "Amazon",
        "Region": region,
        "GeneratorId": f"arn:aws:guardduty:{region}:{account}:detector/{detector}",
        "AwsAccountId": account,
        "Types": [asff_type],
        "FirstObservedAt": gd["Service"]["EventFirstSeen"],
        "LastObservedAt": gd["Service"]["EventLastSeen"],
        "CreatedAt": gd["CreatedAt"],
        "UpdatedAt": gd["UpdatedAt"],
        "Severity": {"Product": sev, "Label": label, "Normalized": normalized},
        "Title": gd["Title"],
        "Description": gd["Description"],
        "SourceUrl": f"https://{region}.console.aws.amazon.com/guardduty/home?region={region}#/findings?macros=current&fId={gd['Id']}",
        "ProductFields": {
            "aws/guardduty/service/archived": "false",
            "aws/guardduty/service/count": str(gd["Service"]["Count"]),
            "aws/guardduty/service/detectorId": detector,
            "aws/guardduty/service/serviceName": "guardduty",
            "aws/guardduty/service/resourceRole": gd["Service"]["ResourceRole"],
            "aws/securityhub/FindingId": f"arn:aws:securityhub:{region}::product/aws/guardduty/{finding_id}",
            "aws/securityhub/ProductName": "GuardDuty",
            "aws/securityhub/CompanyName": "Amazon",
        },
        "Resources": [resource],
        "WorkflowState": "NEW",
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "FindingProviderFields": {"Severity": {"Label": label, "Product": sev}, "Types": [asff_type]},
    }
