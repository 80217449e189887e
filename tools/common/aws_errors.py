"""The one translation of botocore/boto3 exceptions into words an on-call engineer can act on.

``describe(exc, operation, source)`` returns ``(what, hint)``: what failed ("AWS profile 'prod' not found",
"no AWS credentials", "AccessDenied for logs:StartQuery on role ops-agent-logs", "Athena workgroup 'x' not
found", "AWS credentials expired") and what to do. ``tools.common.aws.explain`` wraps it in a ``SourceError``;
triage's fan-out, the tool contract and ``record`` use the same mapping, so a failure reads the same everywhere.
Nothing here imports botocore: exceptions are recognised by class name and by their ``response`` dict.
"""

from __future__ import annotations

import re
from tools.common.safety import redact

# The IAM action prefix of an API operation, when the operation name alone says which service it belongs to.
_OPERATION_SERVICE = {
    "StartQuery": "logs", "StopQuery": "logs", "DescribeLogGroups": "logs", "FilterLogEvents": "logs",
    "GetLogEvents": "logs", "StartQueryExecution": "athena", "GetQueryExecution": "athena",
    "StopQueryExecution": "athena", "GetWorkGroup": "athena", "LookupEvents": "cloudtrail",
    "ListMetrics": "cloudwatch", "GetMetricData": "cloudwatch", "GetMetricStatistics": "cloudwatch",
    "GetTraceSummaries": "xray", "BatchGetTraces": "xray", "ListDetectors": "guardduty",
    "ListFindings": "guardduty", "GetCallerIdentity": "sts", "ListObjectsV2": "s3", "GetObject": "s3",
}
# The service an ambiguous operation (GetQueryResults, GetFindings) belongs to, by the source that called it.
_SOURCE_SERVICE = {
    "logs": "logs", "alb": "athena", "cloudtrail": "athena", "metrics": "cloudwatch", "xray": "xray",
    "securityhub": "securityhub", "guardduty": "guardduty", "CloudWatch Logs": "logs", "athena": "athena",
}
# IAM names the permission of ListObjectsV2 differently from the operation.
_IAM_ACTION = {"s3:ListObjectsV2": "s3:ListBucket"}

_NOT_AUTHORIZED = re.compile(r"User: (arn:\S+) is not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9]+)")
_ROLE = re.compile(r":(?:assumed-role|role)/([^/\s]+)")
_WORKGROUP = re.compile(r"(?i)workgroup\s+['\"]?([\w.-]+)['\"]?\s+(?:is\s+)?not\s+found")

RETRY = "retry; if it persists check the tool's logs"
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                 "UnauthorizedAccess", "Forbidden"}
_EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_INVALID_CREDENTIAL_CODES = {"InvalidClientTokenId", "UnrecognizedClientException", "InvalidSignatureException",
                             "SignatureDoesNotMatch", "InvalidAccessKeyId", "AuthFailure"}
_THROTTLED_CODES = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
                    "SlowDown", "ProvisionedThroughputExceededException"}
_HINTS = {
    "LimitExceededException": "a service limit was reached; retry later or narrow the window",
    "ResourceNotFoundException": "the resource does not exist in this account and region; check the configuration",
    "NoSuchBucket": "the bucket does not exist or is in another account; check [alb] log_bucket",
    "InvalidRequestException": "AWS rejected the request; check the configured names",
    "BadRequestException": "AWS rejected the request; check the configured names",
    "ValidationException": "AWS rejected the request; check the configured names",
    "ServiceUnavailableException": "the AWS service is unavailable; retry shortly",
    "InternalServerError": "the AWS service had an internal error; retry shortly",
    "InternalServerException": "the AWS service had an internal error; retry shortly",
    "InternalFailure": "the AWS service had an internal error; retry shortly",
}


def iam_action(operation: str, source: str) -> str:
    """The IAM action of an API call, e.g. ('StartQuery', 'logs') -> 'logs:StartQuery'."""
    service = _OPERATION_SERVICE.get(operation) or _SOURCE_SERVICE.get(source) or re.sub(r"[^a-z0-9-]", "", source.lower())
    action = f"{service}:{operation}"
    return _IAM_ACTION.get(action, action)


def _api_name(operation: str) -> str:
    """The API operation of a caller's label such as 'ListMetrics AWS/ApplicationELB'."""
    head = operation.split(" ", 1)[0].split("/", 1)[0]
    return head if re.fullmatch(r"[A-Z][A-Za-z0-9]+", head) else ""


def _client_error(exc: BaseException) -> tuple[str, str]:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return "", ""
    error = response.get("Error", {}) or {}
    if not isinstance(error, dict):
        return "", ""
    # AWS messages can echo keys or ARNs with secrets: redacted before they leave the tool
    return str(error.get("Code", "")), redact(str(error.get("Message", "")))[:300]


def _denied(operation: str, source: str, code: str, message: str, exc: BaseException) -> tuple[str, str]:
    found = _NOT_AUTHORIZED.search(message)
    api = str(getattr(exc, "operation_name", "") or _api_name(operation))
    action = found.group(2) if found else (iam_action(api, source) if api else operation)
    role = _ROLE.search(found.group(1)) if found else _ROLE.search(message)
    on = f"role {role.group(1)}" if role else "the tool's role"
    failed = f"{api or operation} failed: {code}" if (api or operation) else code
    return (f"AccessDenied for {action} on {on} ({failed})",
            f"the IAM role lacks this permission: grant {action} to {on} (the stack's IAM policy for this source), "
            "or check an SCP or resource policy that denies it")


def describe(exc: BaseException, operation: str = "", source: str = "") -> tuple[str, str]:
    """(what failed, what to do) for an exception raised by boto3/botocore while calling ``operation``."""
    name = exc.__class__.__name__
    code, message = _client_error(exc)
    call = f"{operation}: " if operation else ""
    if not code:
        if name == "ProfileNotFound":
            profile = getattr(exc, "kwargs", {}).get("profile") or ""
            return (f"AWS profile '{redact(str(profile))[:80]}' not found",
                    "set AWS_PROFILE to a profile of ~/.aws/config (aws configure list-profiles), or unset it")
        if name in ("NoCredentialsError", "PartialCredentialsError"):
            return ("no AWS credentials" + (" (incomplete)" if name == "PartialCredentialsError" else ""),
                    "run with credentials (aws sso login, AWS_PROFILE, or a role), or set OPSAGENT_SNAPSHOT for offline data")
        if name in ("TokenRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError", "SSOError", "LoginTokenLoadError"):
            return "the AWS SSO session has expired or was never started", "run aws sso login (with the same profile) and ask again"
        if name in ("CredentialRetrievalError", "UnknownCredentialError"):
            return "the AWS credentials could not be obtained", "check the credential_process or role settings of the profile"
        if name == "NoRegionError":
            return "no AWS region configured", "set AWS_REGION or [project] region"
        if "Timeout" in name or "timeout" in str(exc).lower():
            return f"{operation or 'the AWS call'} timed out", "AWS did not answer in time; retry or narrow the window"
        if "EndpointConnectionError" in name or "ConnectionError" in name:
            return f"{operation or 'the tool'} could not reach AWS", "check the network path (VPC endpoints, NAT) of the tool"
        return f"{call}failed ({name})", RETRY
    if code in _DENIED_CODES:
        return _denied(operation, source, code, message, exc)
    if code in _EXPIRED_CODES:
        return f"{call}the AWS credentials have expired ({code})", "refresh them (aws sso login, or a new session) and ask again"
    if code in _INVALID_CREDENTIAL_CODES:
        return f"{call}AWS does not accept these credentials ({code})", "check the access key or profile in use; it may be deleted or for another partition"
    workgroup = _WORKGROUP.search(message)
    if workgroup:
        return f"Athena workgroup '{workgroup.group(1)}' not found", "check [alb]/[cloudtrail] workgroup, or deploy the stack that creates it"
    detail = (f"{operation} failed: " if operation else "") + code + (f" ({message})" if message else "")
    if code in _THROTTLED_CODES:
        return detail, "AWS throttled the calls; retry in a minute or narrow the window"
    return detail, _HINTS.get(code, RETRY)


def is_aws_exception(exc: BaseException) -> bool:
    """Raised by boto3/botocore (a client, credential or connection error)."""
    module = type(exc).__module__
    return module.startswith(("botocore", "boto3")) or isinstance(getattr(exc, "response", None), dict)

