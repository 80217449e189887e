"""AWS access: boto3 clients created once per container with adaptive retries and bounded timeouts,
and the translation of botocore errors into ``SourceError`` messages an operator can act on."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from tools.common.aws_errors import describe
from tools.common.errors import SourceError

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


def explain(source: str, operation: str, exc: BaseException) -> SourceError:
    """Turn a botocore/boto3 exception into a SourceError naming the call, the AWS error and what to do
    (the shared mapping of ``tools.common.aws_errors``)."""
    what, hint = describe(exc, operation, source)
    return SourceError(source, what, hint)
