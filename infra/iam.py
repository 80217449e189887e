"""IAM roles with one inline policy each, and the project's KMS key; documents come from ``infra.policies``."""

from __future__ import annotations

from typing import Any

from infra import policies
from infra.context import Context
from infra.provider import aws
from tools.common.errors import ConfigError

MAX_INLINE_POLICY_CHARS = 10240  # IAM quota: inline policies of one role, whitespace excluded


def make_role(ctx: Context, ident: str, name: str, trust: policies.Document, policy: policies.Document,
              description: str) -> Any:
    """A role trusted as ``trust`` with exactly one inline policy ``policy`` (nothing attached)."""
    return make_role_and_policy(ctx, ident, name, trust, policy, description)[0]


def make_role_and_policy(ctx: Context, ident: str, name: str, trust: policies.Document,
                         policy: policies.Document, description: str) -> tuple[Any, Any]:
    """(role, its inline policy resource): a resource that uses the role's permissions at creation (the agent's
    PrepareAgent) depends on the policy, not only on the role's ARN."""
    text = policies.to_json(policy)
    if len(text) > MAX_INLINE_POLICY_CHARS:
        raise ConfigError(f"{ctx.cfg.origin}: the policy of role {name} would be {len(text)} characters (IAM allows "
                          f"{MAX_INLINE_POLICY_CHARS}); list fewer log groups or use logs.log_group_prefixes.")
    iam_role = aws("iam_role")
    iam_role_policy = aws("iam_role_policy")
    role = iam_role.IamRole(ctx.stack, f"{ident}-role", name=name, description=description,
                            assume_role_policy=policies.to_json(trust), max_session_duration=3600)
    inline = iam_role_policy.IamRolePolicy(ctx.stack, f"{ident}-policy", name=f"{name}-policy", role=role.id,
                                           policy=text)
    return role, inline


def make_key(ctx: Context) -> Any:
    """One customer managed key (rotated) for the log groups, the Athena results and the SNS topic."""
    kms_key = aws("kms_key")
    kms_alias = aws("kms_alias")
    pattern = ctx.scope.log_group_arn(f"/aws/lambda/{ctx.names.project}-*")
    key = kms_key.KmsKey(ctx.stack, "key", description=f"{ctx.names.project}: logs, Athena results, SNS",
                         enable_key_rotation=True, deletion_window_in_days=30,
                         policy=policies.to_json(policies.kms_key_policy(ctx.scope, pattern)))
    kms_alias.KmsAlias(ctx.stack, "key-alias", name=f"alias/{ctx.names.project}", target_key_id=key.key_id)
    return key
