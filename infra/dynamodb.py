"""DynamoDB tables for small keyed records that expire: on demand, one string partition key, TTL, encrypted with
the project key, point-in-time recovery. The alert state (``infra.alerts``) and the alarm Lambda's idempotency
records (``infra.alarms``) use it."""

from __future__ import annotations

from typing import Any

from infra.context import Context
from infra.provider import aws


def ttl_table(ctx: Context, ident: str, name: str, key: Any, partition_key: str, ttl_attribute: str,
              deletion_protection: bool = False) -> Any:
    ddb = aws("dynamodb_table")
    return ddb.DynamodbTable(
        ctx.stack, ident, name=name, billing_mode="PAY_PER_REQUEST",
        hash_key=partition_key, attribute=[ddb.DynamodbTableAttribute(name=partition_key, type="S")],
        ttl=ddb.DynamodbTableTtl(attribute_name=ttl_attribute, enabled=True),
        server_side_encryption=ddb.DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=key.arn),
        point_in_time_recovery=ddb.DynamodbTablePointInTimeRecovery(enabled=True),
        deletion_protection_enabled=deletion_protection or None)
