"""Slack through AWS Chatbot: the encrypted SNS topic, the channel role and guardrail policy (InvokeAgent
on this agent's alias only) and the Slack channel configuration subscribed to the topic."""

from __future__ import annotations

from typing import Any

from infra import policies
from infra.context import Context
from infra.iam import make_role
from infra.provider import aws
from tools.common.errors import ConfigError


def topic(ctx: Context, key: Any) -> Any:
    sns = aws("sns_topic")
    return sns.SnsTopic(ctx.stack, "topic", name=f"{ctx.names.project}-notifications", kms_master_key_id=key.arn)


def build(ctx: Context, alias: Any, topic_arn: str) -> Any:
    slack = ctx.cfg["slack"]
    if not (slack["workspace_id"] and slack["channel_id"]):
        raise ConfigError(f"{ctx.cfg.origin}: [slack] is enabled but 'slack.workspace_id' or 'slack.channel_id' is "
                          "empty; copy both from the AWS Chatbot console (or set slack.enabled = false).")
    doc = policies.invoke_agent_policy(alias.agent_alias_arn)
    iam_policy = aws("iam_policy")
    chatbot = aws("chatbot_slack_channel_configuration")
    role = make_role(ctx, "chatbot", ctx.names.role("chatbot"), policies.service_trust("chatbot.amazonaws.com"), doc,
                     f"{ctx.names.project} Slack channel: invoke the ops agent alias")
    guardrail = iam_policy.IamPolicy(ctx.stack, "chatbot-guardrail", name=f"{ctx.names.project}-chatbot-guardrail",
                                     description="Channel guardrail: only InvokeAgent on the ops agent alias",
                                     policy=policies.to_json(doc))
    return chatbot.ChatbotSlackChannelConfiguration(
        ctx.stack, "slack-channel", configuration_name=f"{ctx.names.project}-{slack['connector_name']}",
        iam_role_arn=role.arn, slack_team_id=slack["workspace_id"], slack_channel_id=slack["channel_id"],
        guardrail_policy_arns=[guardrail.arn], sns_topic_arns=[topic_arn], logging_level="ERROR",
        user_authorization_required=False)
