"""The ops-agent stack: wires the resource modules together in dependency order and declares the outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack
from constructs import Construct

from infra import agent, alarms, alerts, athena, lambdas, policies, slack
from infra.context import Context
from infra.iam import make_key
from infra.naming import Names, Scope
from infra.provider import aws
from tools.catalogue import ACTION_GROUPS
from tools.common.config import Config
from tools.common.links.console import partition_of


class OpsAgentStack(TerraformStack):
    def __init__(self, scope: Construct, ident: str, cfg: Config, build_dir: Path) -> None:
        super().__init__(scope, ident)
        # cdktf's convention (state at the repository root, outside cdktf.out so `make clean` keeps it), written
        # relative to the stack folder so plain `terraform` there works; use a remote backend for a team.
        LocalBackend(self, path=f"../../../terraform.{ident}.tfstate")
        project = cfg["project"]
        region, account = project["region"], project["account"]
        tags = {"project": project["name"], **project["tags"]}
        provider = aws("provider")
        provider.AwsProvider(self, "aws", region=region, default_tags=[provider.AwsProviderDefaultTags(tags=tags)],
                             allowed_account_ids=[account] if account else None)
        if not account:
            caller = aws("data_aws_caller_identity").DataAwsCallerIdentity(self, "caller")
            account = caller.account_id
        ctx = Context(self, cfg, Scope(partition_of(region), region, account), Names(project["name"]))

        key = make_key(ctx)
        ctx.shared["key"] = key
        ath = athena.build(ctx, key)
        notify = cfg["slack"]["enabled"] or cfg["alarms"]["enabled"] or cfg["alerts"]["enabled"]
        topic = slack.topic(ctx, key) if notify else None
        code = lambdas.code_asset(ctx, build_dir)
        knowledge = alerts.knowledge_bucket(ctx, key)
        functions = lambdas.build_tools(ctx, ACTION_GROUPS, code, key, ath["results_bucket"], knowledge)
        # "tools-only": accounts without Bedrock Agents Classic serve the tool Lambdas through AgentCore Gateway
        # (docs/agentcore.md); no agent, alias or Chatbot connector is created.
        built = agent.build(ctx, functions) if cfg["agent"]["kind"] == "bedrock-agents" else None
        if built is not None and cfg["slack"]["enabled"]:
            slack.build(ctx, built["alias"], topic.arn)
        if cfg["alarms"]["enabled"]:
            alarm_log_group = ctx.names.function_log_group("alarm")
            queue = alarms.failure_queue(ctx)
            records = alarms.idempotency_table(ctx, key)
            fn = lambdas.tool_function(
                ctx, "alarm", code, key,
                policies.alarm_policy(cfg, ctx.scope, alarm_log_group, ath["results_bucket"], key.arn, topic.arn,
                                      queue.arn, records.arn),
                extra_env={"OPSAGENT_TOPIC_ARN": topic.arn, "OPSAGENT_IDEMPOTENCY_TABLE": records.name})
            alarms.build(ctx, fn, queue, ctx.shared["alarm-role-policy"])
            functions["alarm"] = fn
        if cfg["alerts"]["enabled"]:
            table = alerts.state_table(ctx, key)
            fn = lambdas.tool_function(
                ctx, "alerts", code, key,
                policies.alerts_policy(cfg, ctx.scope, ctx.names.function_log_group("alerts"), ath["results_bucket"],
                                       key.arn, topic.arn, table.arn, knowledge.arn),
                extra_env={"OPSAGENT_TOPIC_ARN": topic.arn, "OPSAGENT_ALERT_TABLE": table.name,
                           "OPSAGENT_KNOWLEDGE_BUCKET": knowledge.bucket})
            alerts.build(ctx, fn, ctx.shared["alerts-role-policy"])
            functions["alerts"] = fn

        if built is not None:
            ag, alias = built["agent"], built["alias"]
            TerraformOutput(self, "agent_id", value=ag.agent_id, description="Bedrock agent id")
            TerraformOutput(self, "agent_arn", value=ag.agent_arn, description="Bedrock agent ARN")
            TerraformOutput(self, "agent_alias_id", value=alias.agent_alias_id, description="Bedrock agent alias id")
            TerraformOutput(self, "agent_alias_arn", value=alias.agent_alias_arn)
            TerraformOutput(
                self, "slack_connector_command",
                value=f"@aws connector add {cfg['slack']['connector_name']} {ag.agent_arn} {alias.agent_alias_id}",
                description="Paste in the Slack channel once to connect the agent")
        TerraformOutput(self, "athena_workgroup", value=ath["workgroup"].name)
        TerraformOutput(self, "knowledge_bucket", value=knowledge.bucket,
                        description="runbooks/ (from the repository) and incidents/ (saved investigations)")
        TerraformOutput(self, "tool_function_arns", value={g: fn.arn for g, fn in functions.items() if g not in ("alarm", "alerts")},
                        description="The tool Lambdas: AgentCore Gateway Lambda targets (docs/agentcore.md)")
        if topic is not None:
            TerraformOutput(self, "notification_topic_arn", value=topic.arn)
        self.functions: dict[str, Any] = functions


def synth(cfg: Config, outdir: str = "cdktf.out") -> str:
    """Synthesize the stack for ``cfg`` into ``outdir``; returns the stack name (its folder under stacks/)."""
    app = App(outdir=outdir)
    name = cfg["project"]["name"]
    OpsAgentStack(app, name, cfg, Path(outdir) / "build")
    app.synth()
    return name
