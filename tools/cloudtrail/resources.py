"""What a call touched and what it asked for: resource ids pulled out of a record, and its request
parameters redacted for display.

``resources_of`` is a generic extractor of id-looking values: the ARNs of the record's ``resources`` list,
then every value in ``requestParameters`` (and ids in ``responseElements``) that is an AWS resource id
(``vpce-``, ``rtb-``, ``sg-``, ``i-``, ...), an ARN, or the value of a key naming a resource (``roleName``,
``policyArn``, ``functionName``, ``keyId``, ``secretId``, ``VpcEndpointId``...). Values are only kept when they
look like identifiers (no spaces or quotes), so free text in parameters never passes for a resource.

``request_summary`` renders ``requestParameters`` as compact JSON with secret-looking keys blanked; the
caller still fences it (``safety.fence`` redacts credentials inside values again).
"""

from __future__ import annotations

import json
import re
from typing import Any

from tools.common.patterns import ARN_VALUE

MAX_RESOURCES = 12
_ID = re.compile(
    r"^(?:vpce|vpc|rtb|sg|sgr|subnet|i|eni|igw|eigw|nat|acl|ami|vol|snap|tgw|tgw-attach|tgw-rtb|pcx|pl|lt|"
    r"eipalloc|eipassoc|fl|dopt|vgw|cgw|vpn|key|lb|elb|fs|fsmt|db|cluster|r|sir|vpce-svc|rtbassoc|"
    r"ipam|prefix)-[0-9a-zA-Z]{6,40}$"
)
_ARN = re.compile(f"^{ARN_VALUE}$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:/@+=,#*-]{1,200}$")
_RESOURCE_KEY = re.compile(
    r"(?i)(?:^|_|[a-z])(?:Id|Ids|Arn|Arns|Name|Names|Identifier|Url)$|^(?:bucket|key|queueUrl|topicArn|"
    r"table|cluster|service|repository|stack|function|role|policy|user|group|secret|parameter)$"
)
_NOT_RESOURCE_KEY = re.compile(
    r"(?i)^(?:clientToken|idempotencyToken|requestId|xmlns|x-amz[\w-]*|eventId|version|versionId|"
    r"description|accessKeyId|principalId|deviceName|keyName|sourceIdentity|roleSessionName|"
    r"userAgent|sessionName|name|content|tag|value|type|key|metricName|familyName|displayName|"
    r"statisticName|attributeName|parameterName|actionName)$"
)
_SECRET_KEY = re.compile(
    r"(?i)(password|passwd|secret(?!Id|Arn|Name)|token|privatekey|private_key|credential|passphrase|"
    r"apikey|api_key|authorization|signature|plaintext|ciphertextblob|sessionpolicy|userdata)"
)
_PATH_NAME = re.compile(r"^/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+$")
REDACTED = "[REDACTED]"


def _walk(value: Any, key: str, found: dict[str, None], strict: bool, depth: int = 0) -> None:
    if len(found) >= MAX_RESOURCES or depth > 12:
        return
    if isinstance(value, dict):
        for child_key, child in value.items():
            # Stratus/EC2 XML-style records wrap values: {"VpcEndpointId": {"content": "vpce-..", "tag": 1}}
            _walk(child, key if child_key in ("content", "items", "item") else str(child_key), found, strict, depth + 1)
    elif isinstance(value, list):
        for item in value[:50]:
            _walk(item, key, found, strict, depth + 1)
    elif isinstance(value, str):
        text = value.strip()
        if _ID.match(text) or _ARN.match(text):
            found.setdefault(text, None)
        elif (not strict and _IDENTIFIER.match(text) and _RESOURCE_KEY.search(key)
              and not _NOT_RESOURCE_KEY.match(key) and not _SECRET_KEY.search(key)):
            found.setdefault(text, None)
        elif not strict and key == "name" and _PATH_NAME.match(text):
            found.setdefault(text, None)  # SSM parameters and other hierarchical names: /app/service/setting


def resources_of(record: dict[str, Any]) -> list[str]:
    """Resource names, ids and ARNs a record touched, most specific first, at most ``MAX_RESOURCES``."""
    found: dict[str, None] = {}
    listed = record.get("resources")
    if isinstance(listed, list):
        for item in listed:
            if isinstance(item, dict):
                name = item.get("ARN") or item.get("arn") or item.get("ResourceName")
                if isinstance(name, str) and (_IDENTIFIER.match(name.strip()) or _ARN.match(name.strip())):
                    found.setdefault(name.strip(), None)
    _walk(record.get("requestParameters"), "", found, strict=False)
    _walk(record.get("responseElements"), "", found, strict=True)
    return list(found)[:MAX_RESOURCES]


def redacted(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with the values of secret-looking keys replaced by ``[REDACTED]``."""
    if depth > 20:
        return "…"
    if isinstance(value, dict):
        return {
            k: REDACTED if _SECRET_KEY.search(str(k)) and v not in (None, "", {}, []) else redacted(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redacted(v, depth + 1) for v in value[:20]]
    return value


def request_summary(record: dict[str, Any], limit: int = 300) -> str:
    """``requestParameters`` as compact JSON, secrets blanked, cut to ``limit`` characters ('' when none)."""
    params = record.get("requestParameters")
    if params in (None, "", {}):
        return ""
    if isinstance(params, str):  # Athena rows carry the JSON text
        try:
            params = json.loads(params)
        except json.JSONDecodeError:
            return params[:limit]
    text = json.dumps(redacted(params), separators=(",", ":"), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"
