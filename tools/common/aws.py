"""AWS access: boto3 clients created once per container with adaptive retries and bounded timeouts,
and the translation of botocore errors into ``SourceError`` messages an operator can act on."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from tools.common.errors import SourceError
from tools.common.safety import redact

_RETRY = {"mode": "adaptive", "max_attempts": 4}


@lru_cache(maxsize=32)
def client(service: str, region: str | None = None) -> Any:
    """A cached boto3 client (imported lazily so snapshot mode and cold starts stay light)."""
    import boto3
    from botocore.config import Config as BotoConfig

    config = BotoConfig(retries=_RETRY, connect_timeout=3, read_timeout=15, user_agent_extra="ops-agent")
    return boto3.session.Session().client(
        service, region_name=region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1", config=config
    )


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


_HINTS = {
    "AccessDenied": "the tool's IAM role lacks this permission; check the role the stack created",
    "AccessDeniedException": "the tool's IAM role lacks this permission; check the role the stack created",
    "UnauthorizedOperation": "the tool's IAM role lacks this permission",
    "ThrottlingException": "AWS throttled the calls; retry in a minute or narrow the window",
    "Throttling": "AWS throttled the calls; retry in a minute or narrow the window",
    "TooManyRequestsException": "AWS throttled the calls; retry in a minute or narrow the window",
    "LimitExceededException": "a service limit was reached; retry later or narrow the window",
    "ResourceNotFoundException": "the resource does not exist in this account and region; check the configuration",
    "InvalidRequestException": "AWS rejected the request; check the configured names",
    "BadRequestException": "AWS rejected the request; check the configured names",
    "ServiceUnavailableException": "the AWS service is unavailable; retry shortly",
    "InternalServerError": "the AWS service had an internal error; retry shortly",
    "InternalServerException": "the AWS service had an internal error; retry shortly",
}


def explain(source: str, operation: str, exc: BaseException) -> SourceError:
    """Turn a botocore/boto3 exception into a SourceError naming the call, the AWS error and what to do."""
    code = ""
    message = ""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error", {}) or {}
        code = str(error.get("Code", ""))
        message = redact(str(error.get("Message", "")))[:200]  # AWS messages can echo keys or ARNs with secrets
    name = exc.__class__.__name__
    if not code:
        if "Timeout" in name or "timeout" in str(exc).lower():
            return SourceError(source, f"{operation} timed out", "AWS did not answer in time; retry or narrow the window")
        if "EndpointConnectionError" in name or "ConnectionError" in name:
            return SourceError(source, f"{operation} could not reach AWS", "check the network path (VPC endpoints, NAT) of the tool")
        if "NoCredentials" in name or "PartialCredentials" in name:
            return SourceError(source, f"{operation}: no AWS credentials", "run with credentials, or set OPSAGENT_SNAPSHOT for offline data")
        return SourceError(source, f"{operation} failed ({name})", "retry; if it persists check the tool's logs")
    hint = _HINTS.get(code, "retry; if it persists check the tool's logs")
    detail = f"{operation} failed: {code}" + (f" ({message})" if message else "")
    return SourceError(source, detail, hint)
