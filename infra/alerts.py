"""Proactive alerts and the team's knowledge: the knowledge bucket (runbooks/ uploaded from the repository,
incidents/ written by investigations), the alert state table, the alert Lambda
(``tools.alerts.handler.lambda_handler``), its permission for CloudWatch Logs and one subscription filter per
watched log group, and the optional Bedrock Knowledge Base association.
"""

from __future__ import annotations

from typing import Any

from infra.buckets import private_bucket
from infra.context import Context
from infra.provider import aws
from tools.alerts.dynamo_state import TTL_ATTRIBUTE
from tools.common.errors import ConfigError
from tools.knowledge.runbooks import load_folder, repository_folder
from tools.knowledge.store import RUNBOOK_PREFIX

NONCURRENT_DAYS = 30
"""A replaced runbook or incident record stays recoverable for a month."""


def knowledge_bucket(ctx: Context, key: Any) -> Any:
    """A private, encrypted, versioned, TLS-only bucket holding runbooks/ and incidents/."""
    life = aws("s3_bucket_lifecycle_configuration")
    obj = aws("s3_object")
    rule = life.S3BucketLifecycleConfigurationRule(
        id="old-versions", status="Enabled",
        filter=[life.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
        noncurrent_version_expiration=[
            life.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=NONCURRENT_DAYS)],
        abort_incomplete_multipart_upload=[
            life.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=1)],
    )
    prefix = ctx.names.project[:26].rstrip("-") + "-knowledge-"
    bucket, encryption = private_bucket(ctx, "knowledge", prefix, key, rule, force_destroy=False)
    runbooks, problems = load_folder(repository_folder())
    if problems:
        raise ConfigError("runbooks/: " + "; ".join(problems[:3]))
    for runbook in runbooks:
        path = repository_folder() / f"{runbook.name}.md"
        obj.S3Object(ctx.stack, f"runbook-{runbook.name}", bucket=bucket.id, key=f"{RUNBOOK_PREFIX}{runbook.name}.md",
                     content=path.read_text(encoding="utf-8"), content_type="text/markdown; charset=utf-8",
                     depends_on=[encryption])
    return bucket


def state_table(ctx: Context, key: Any) -> Any:
    """The alert state: on demand, TTL, encrypted with the project key, point-in-time recovery."""
    from infra.dynamodb import ttl_table

    return ttl_table(ctx, "alert-state", f"{ctx.names.project}-alert-state", key, "pk", TTL_ATTRIBUTE,
                     deletion_protection=True)


def watched_log_groups(cfg: Any) -> list[str]:
    """The log groups with a subscription filter: ``alerts.log_groups``, else ``logs.log_groups``."""
    groups = list(cfg["alerts"]["log_groups"] or cfg["logs"]["log_groups"])
    if not groups:
        raise ConfigError(f"{cfg.origin}: [alerts] is enabled but no log group is listed; set alerts.log_groups "
                          "(exact names: a subscription filter cannot use a prefix).")
    return groups


def build(ctx: Context, fn: Any, role_policy: Any) -> list[Any]:
    """CloudWatch Logs may invoke the alert Lambda for each watched group; one subscription filter per group."""
    perm = aws("lambda_permission")
    sub = aws("cloudwatch_log_subscription_filter")
    filters = []
    for index, group in enumerate(watched_log_groups(ctx.cfg)):
        permission = perm.LambdaPermission(
            ctx.stack, f"alerts-invoke-by-logs-{index}", statement_id=f"AllowLogsSubscription{index}",
            action="lambda:InvokeFunction", function_name=fn.function_name, principal="logs.amazonaws.com",
            source_arn=f"{ctx.scope.log_group_arn(group)}:*", source_account=ctx.scope.account)
        filters.append(sub.CloudwatchLogSubscriptionFilter(
            ctx.stack, f"alerts-subscription-{index}", name=f"{ctx.names.project}-alerts", log_group_name=group,
            filter_pattern=ctx.cfg["alerts"]["filter_pattern"], destination_arn=fn.arn,
            depends_on=[permission, role_policy]))
    return filters


def associate_knowledge_base(ctx: Context, agent: Any) -> Any | None:
    """The configured Bedrock Knowledge Base, associated with the agent (None when none is configured)."""
    kb_id = ctx.cfg["knowledge"]["bedrock_knowledge_base_id"]
    if not kb_id:
        return None
    assoc = aws("bedrockagent_agent_knowledge_base_association")
    return assoc.BedrockagentAgentKnowledgeBaseAssociation(
        ctx.stack, "knowledge-base", agent_id=agent.agent_id, knowledge_base_id=kb_id, agent_version="DRAFT",
        description="The team's runbooks and wiki: search it for how to fix a cause triage found.",
        knowledge_base_state="ENABLED")


def knowledge_base_arn(ctx: Context) -> str | None:
    kb_id = ctx.cfg["knowledge"]["bedrock_knowledge_base_id"]
    return ctx.scope.arn("bedrock", f"knowledge-base/{kb_id}") if kb_id else None
