"""The Bedrock agent: guardrail (+ version), service role, agent, one action group per catalogue group
(function schemas generated from ``tools.catalogue``), Lambda permissions and the alias."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from infra import policies
from infra.alerts import associate_knowledge_base, knowledge_base_arn
from infra.context import Context
from infra.iam import make_role_and_policy
from infra.instruction import build_instruction
from infra.provider import aws
from tools.catalogue import ACTION_GROUP_DESCRIPTIONS, ACTION_GROUPS, functions_of

PROMPT_ATTACK_INPUT_STRENGTH = "HIGH"
CREDENTIAL_ENTITIES = ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "PASSWORD")
SECRET_REGEXES = (
    ("bearer-token", r"(?i)bearer\s+[A-Za-z0-9\-._~+/]{8,}=*", "HTTP bearer tokens"),
    ("jwt", r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}", "JSON Web Tokens"),
    ("private-key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----", "PEM private key headers"),
)


def function_schema_data(group: str) -> list[dict[str, Any]]:
    """The catalogue's functions of ``group`` in the provider's function_schema shape (pure data)."""
    return [
        {"name": f.name, "description": f.description,
         "parameters": [{"name": p.name, "type": p.type, "required": p.required, "description": p.description}
                        for p in f.parameters]}
        for f in functions_of(group)
    ]


def guardrail(ctx: Context) -> tuple[Any, Any]:
    g = aws("bedrock_guardrail")
    gv = aws("bedrock_guardrail_version")
    rail = g.BedrockGuardrail(
        ctx.stack, "guardrail", name=f"{ctx.names.project}-guardrail",
        description="Prompt attacks on input; credentials masked in and out.",
        blocked_input_messaging="This request was blocked by the ops agent's guardrail.",
        blocked_outputs_messaging="The answer was blocked by the ops agent's guardrail.",
        content_policy_config=[g.BedrockGuardrailContentPolicyConfig(filters_config=[
            # AWS requires output strength NONE for the prompt-attack filter.
            g.BedrockGuardrailContentPolicyConfigFiltersConfig(
                type="PROMPT_ATTACK", input_strength=PROMPT_ATTACK_INPUT_STRENGTH, output_strength="NONE"),
        ])],
        sensitive_information_policy_config=[g.BedrockGuardrailSensitiveInformationPolicyConfig(
            pii_entities_config=[g.BedrockGuardrailSensitiveInformationPolicyConfigPiiEntitiesConfig(
                type=t, action="ANONYMIZE") for t in CREDENTIAL_ENTITIES],
            regexes_config=[g.BedrockGuardrailSensitiveInformationPolicyConfigRegexesConfig(
                name=n, pattern=p, description=d, action="ANONYMIZE") for n, p, d in SECRET_REGEXES],
        )],
    )
    version = gv.BedrockGuardrailVersion(ctx.stack, "guardrail-version", guardrail_arn=rail.guardrail_arn,
                                         description="Deployed by the ops-agent stack")
    return rail, version


def _action_group(ctx: Context, group: str, agent: Any, fn: Any, after: Any | None) -> Any:
    ag = aws("bedrockagent_agent_action_group")
    schema = ag.BedrockagentAgentActionGroupFunctionSchema(member_functions=[
        ag.BedrockagentAgentActionGroupFunctionSchemaMemberFunctions(functions=[
            ag.BedrockagentAgentActionGroupFunctionSchemaMemberFunctionsFunctions(
                name=f["name"], description=f["description"],
                parameters=[ag.BedrockagentAgentActionGroupFunctionSchemaMemberFunctionsFunctionsParameters(
                    map_block_key=p["name"], type=p["type"], required=p["required"], description=p["description"])
                    for p in f["parameters"]])
            for f in function_schema_data(group)])])
    return ag.BedrockagentAgentActionGroup(
        ctx.stack, f"action-group-{group}", action_group_name=group, agent_id=agent.agent_id,
        agent_version="DRAFT", description=ACTION_GROUP_DESCRIPTIONS[group],
        action_group_state="ENABLED", skip_resource_in_use_check=True, prepare_agent=True,
        action_group_executor=[ag.BedrockagentAgentActionGroupActionGroupExecutor(lambda_=fn.arn)],
        function_schema=[schema],
        # One at a time: Bedrock rejects concurrent updates of one agent (ConflictException).
        depends_on=[after] if after is not None else None,
    )


def build(ctx: Context, functions: dict[str, Any]) -> dict[str, Any]:
    a = aws("bedrockagent_agent")
    alias_mod = aws("bedrockagent_agent_alias")
    perm = aws("lambda_permission")
    agent_cfg = ctx.cfg["agent"]
    instruction = build_instruction()

    rail = version = None
    if agent_cfg["guardrail"]:
        rail, version = guardrail(ctx)
    role, role_policy = make_role_and_policy(ctx, "agent", ctx.names.role("agent"), policies.agent_trust(ctx.scope),
                     policies.agent_policy(agent_cfg["foundation_model"], ctx.scope,
                                           rail.guardrail_arn if rail is not None else None,
                                           knowledge_base_arn=knowledge_base_arn(ctx)),
                     f"{ctx.names.project} Bedrock agent: invoke the configured model, apply the guardrail")
    kwargs: dict[str, Any] = {}
    if rail is not None:
        kwargs["guardrail_configuration"] = [a.BedrockagentAgentGuardrailConfiguration(
            guardrail_identifier=rail.guardrail_id, guardrail_version=version.version)]
    agent = a.BedrockagentAgent(
        ctx.stack, "agent", agent_name=ctx.names.project, agent_resource_role_arn=role.arn,
        foundation_model=agent_cfg["foundation_model"], instruction=instruction,
        idle_session_ttl_in_seconds=agent_cfg["idle_session_ttl_seconds"], prepare_agent=True,
        skip_resource_in_use_check=True,
        description="AIOps assistant for on-call engineers (Slack)",
        # PrepareAgent runs at create and checks the role's permissions: wait for the inline policy.
        depends_on=[role_policy], **kwargs)

    previous = None
    groups = []
    for group in ACTION_GROUPS:
        fn = functions[group]
        permission = perm.LambdaPermission(
            ctx.stack, f"{group}-invoke-by-agent", statement_id="AllowBedrockAgent", action="lambda:InvokeFunction",
            function_name=fn.function_name, principal="bedrock.amazonaws.com", source_arn=agent.agent_arn,
            source_account=ctx.scope.account)
        previous = _action_group(ctx, group, agent, fn, previous)
        groups.append((previous, permission))

    # The alias points at a version made from the prepared DRAFT; its description carries a digest of what
    # the agent is made of, so a change of instruction, functions or model updates the alias (new version).
    digest = hashlib.sha256(json.dumps({
        "instruction": instruction, "model": agent_cfg["foundation_model"],
        "groups": {g: function_schema_data(g) for g in ACTION_GROUPS},
    }, sort_keys=True).encode()).hexdigest()[:16]
    knowledge_base = associate_knowledge_base(ctx, agent)  # optional: [knowledge] bedrock_knowledge_base_id
    alias = alias_mod.BedrockagentAgentAlias(
        ctx.stack, "agent-alias", agent_alias_name="live", agent_id=agent.agent_id,
        description=f"ops-agent build {digest}",
        depends_on=[g for pair in groups for g in pair] + ([knowledge_base] if knowledge_base is not None else []))
    return {"agent": agent, "alias": alias, "role": role, "guardrail": rail, "guardrail_version": version,
            "action_groups": [g for g, _ in groups]}
