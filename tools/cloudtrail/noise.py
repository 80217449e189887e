"""Routine calls that are mutating on paper but say nothing about what changed: log streams, metric and
trace uploads, role assumptions, KMS data-key use, SSM agent heartbeats, ENI churn of Lambda/ECS, data-plane
writes. They are dropped when an AWS service or automation makes them (a person or an infrastructure-as-code tool doing the
same is kept) and counted, so the body can say "N routine service events omitted"."""

from __future__ import annotations

from tools.cloudtrail.model import Call
from tools.cloudtrail.records import IAC_VIAS

ANY = "*"
# (event source prefix, event name or ANY) -> who makes it routine: "service" only, or "nonhuman"
# (services and automation such as SDK clients of the workload's own roles).
ROUTINE: dict[tuple[str, str], str] = {
    **{("logs", n): "nonhuman" for n in ("CreateLogStream", "PutLogEvents")},
    **{("sts", n): "nonhuman" for n in ("AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML",
                                          "GetSessionToken", "SetSourceIdentity", "TagSession")},
    **{("kms", n): "nonhuman" for n in ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                                          "ReEncrypt", "RetireGrant", "CreateGrant", "GenerateRandom")},
    **{("xray", n): "nonhuman" for n in ("PutTraceSegments", "PutTelemetryRecords")},
    ("monitoring", "PutMetricData"): "nonhuman",
    **{("ssm", n): "nonhuman" for n in ("UpdateInstanceInformation", "UpdateInstanceAssociationStatus",
                                          "PutInventory", "PutComplianceItems")},
    ("ec2messages", ANY): "nonhuman",
    ("ssmmessages", ANY): "nonhuman",
    **{("ecs", n): "nonhuman" for n in ("SubmitTaskStateChange", "SubmitContainerStateChange",
                                          "SubmitAttachmentStateChanges", "DiscoverPollEndpoint", "Poll",
                                          "StartTelemetrySession", "RegisterContainerInstance")},
    **{("ec2", n): "service" for n in ("CreateNetworkInterface", "DeleteNetworkInterface", "AttachNetworkInterface",
                                         "DetachNetworkInterface", "AssignPrivateIpAddresses",
                                         "UnassignPrivateIpAddresses", "CreateNetworkInterfacePermission")},
    # Data-plane writes (data events, when the trail records them).
    **{("s3", n): "nonhuman" for n in ("PutObject", "DeleteObject", "DeleteObjects", "CopyObject", "UploadPart",
                                         "CreateMultipartUpload", "CompleteMultipartUpload", "AbortMultipartUpload")},
    **{("dynamodb", n): "nonhuman" for n in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                                               "TransactWriteItems")},
    **{("sqs", n): "nonhuman" for n in ("SendMessage", "SendMessageBatch", "DeleteMessage", "DeleteMessageBatch",
                                          "ReceiveMessage", "ChangeMessageVisibility")},
    ("lambda", "Invoke"): "nonhuman",
    ("sns", "Publish"): "nonhuman",
    ("events", "PutEvents"): "nonhuman",
    **{(s, n): "nonhuman" for s in ("kinesis", "firehose") for n in ("PutRecord", "PutRecords", "PutRecordBatch")},
}


def is_routine(call: Call) -> bool:
    """True when the call is routine noise: a listed event made by an AWS service (or automation, if listed so).

    Failed calls are never routine (a denied ``kms:Decrypt`` or ``sts:AssumeRole`` is exactly what to show), nor
    are calls made through infrastructure-as-code tools (Terraform creating a log group is a deliberate change).
    """
    if call.actor == "human" or call.failed or call.via in IAC_VIAS:
        return False
    scope = ROUTINE.get((call.service, call.event_name)) or ROUTINE.get((call.service, ANY))
    if scope is None:
        return False
    return scope == "nonhuman" or call.actor == "service"
