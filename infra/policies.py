"""IAM policy documents as data, built by pure functions from the configuration and a ``Scope``.

Each data source states its read permissions in its declaration (``tools/<source>/source.py``, ``iam``) through
``Grants``; this module adds the Lambdas' own, the agent's, Slack's and the resource policies.

Rules every identity policy here follows (checked by tests/stack): no wildcard actions; a "*" resource
only for the actions AWS grants on "*" alone (``ACCOUNT_WIDE_ACTIONS``); everything else scoped to the
configured log groups, the Athena workgroup, the Glue database and tables, the log and results buckets,
the model / inference profile, the guardrail, the agent alias, the topic and the key.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from infra.naming import Scope
from tools import sources
from tools.common.config import Config

Statement = dict[str, Any]
Document = dict[str, Any]

# Actions that AWS authorises on "*" only (no resource-level permissions in the Service Authorization
# Reference). Nothing else may use Resource "*" (GuardDuty finding reads are scoped to the detector, Security
# Hub reads to the hub).
ACCOUNT_WIDE_ACTIONS: frozenset[str] = frozenset({
    "xray:PutTraceSegments", "xray:PutTelemetryRecords",
    "xray:GetTraceSummaries", "xray:BatchGetTraces",
    "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
    "guardduty:ListDetectors",
    "cloudtrail:LookupEvents",
    "logs:GetQueryResults", "logs:StopQuery",
})

# Geography prefixes of cross-region (system) inference profile ids (``us.anthropic...``). A profile routes to
# regions AWS may add at any time, so the foundation-model ARNs it invokes carry a region wildcard.
PROFILE_PREFIXES: frozenset[str] = frozenset({"us", "us-gov", "eu", "apac", "ca", "jp", "au", "global"})

ATHENA_QUERY_ACTIONS = ("athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
                        "athena:StopQueryExecution")
GLUE_READ_ACTIONS = ("glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions")
RESULTS_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject",
                   "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")
KMS_DATA_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


def statement(sid: str, actions: Iterable[str], resources: Iterable[str] | str,
              conditions: dict[str, Any] | None = None, effect: str = "Allow") -> Statement:
    res = [resources] if isinstance(resources, str) else sorted(dict.fromkeys(resources))
    out: Statement = {"Sid": sid, "Effect": effect, "Action": sorted(dict.fromkeys(actions)),
                      "Resource": res[0] if len(res) == 1 else res}
    if conditions:
        out["Condition"] = conditions
    return out


def document(statements: Iterable[Statement]) -> Document:
    return {"Version": "2012-10-17", "Statement": [s for s in statements if s]}


def to_json(doc: Document) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


# --- trust policies ---------------------------------------------------------------------------------

def service_trust(service: str, conditions: dict[str, Any] | None = None) -> Document:
    st: Statement = {"Sid": "Trust", "Effect": "Allow", "Principal": {"Service": service},
                     "Action": "sts:AssumeRole"}
    if conditions:
        st["Condition"] = conditions
    return document([st])


def agent_trust(scope: Scope) -> Document:
    """bedrock.amazonaws.com, only for agents of this account and region (confused-deputy conditions)."""
    return service_trust("bedrock.amazonaws.com", {
        "StringEquals": {"aws:SourceAccount": scope.account},
        "ArnLike": {"aws:SourceArn": scope.arn("bedrock", "agent/*")},
    })


# --- the agent --------------------------------------------------------------------------------------

def model_resources(model: str, scope: Scope) -> tuple[list[str], list[str], dict[str, Any] | None]:
    """(ARNs for InvokeModel, inference-profile ARNs, condition for foundation-model ARNs or None).

    Accepts a foundation-model id or ARN, a system inference-profile id (``us.anthropic...``) or ARN, or an
    application inference-profile ARN (its models are unknown offline: foundation models are then allowed
    only through that profile, by the ``bedrock:InferenceProfileArn`` condition).
    """
    if model.startswith("arn:"):
        parts = model.split(":", 5)
        kind, _, ident = parts[5].partition("/")
        if kind == "foundation-model":
            return [model], [], None
        if kind == "application-inference-profile":
            fm = f"arn:{scope.partition}:bedrock:*::foundation-model/*"
            return [model, fm], [model], {"ArnEquals": {"bedrock:InferenceProfileArn": model}}
        if kind == "inference-profile":
            return _system_profile(ident, scope, model)
        raise ValueError(f"agent.foundation_model: unsupported Bedrock ARN {model!r}")
    prefix, _, rest = model.partition(".")
    if prefix in PROFILE_PREFIXES:
        return _system_profile(model, scope, scope.arn("bedrock", f"inference-profile/{model}"))
    return [scope.arn("bedrock", f"foundation-model/{model}", account="")], [], None


def _system_profile(profile_id: str, scope: Scope, profile_arn: str) -> tuple[list[str], list[str], None]:
    """The profile and its model in every region (``*`` also matches the empty region of global profiles)."""
    _, _, base_model = profile_id.partition(".")
    model = scope.arn("bedrock", f"foundation-model/{base_model}", region="*", account="")
    return [profile_arn, model], [profile_arn], None


def agent_policy(model: str, scope: Scope, guardrail_arn: str | None, key_arn: str | None = None,
                 knowledge_base_arn: str | None = None) -> Document:
    invoke, profiles, condition = model_resources(model, scope)
    statements = []
    if condition:  # application profile: the profile itself, plus models only via the profile
        statements.append(statement("InvokeProfile", ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                                    profiles))
        statements.append(statement("InvokeModelsViaProfile",
                                    ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                                    [a for a in invoke if a not in profiles], condition))
    else:
        statements.append(statement("InvokeModel", ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                                    invoke))
    if profiles:
        statements.append(statement("ReadInferenceProfile", ["bedrock:GetInferenceProfile"], profiles))
    if guardrail_arn:
        statements.append(statement("ApplyGuardrail", ["bedrock:ApplyGuardrail"], guardrail_arn))
    if knowledge_base_arn:  # [knowledge] bedrock_knowledge_base_id: the agent retrieves from it
        statements.append(statement("RetrieveKnowledge", ["bedrock:Retrieve"], knowledge_base_arn))
    if key_arn:  # only when the agent / guardrail use a customer managed key (the stack uses AWS-owned keys)
        statements.append(statement("AgentKey", KMS_DATA_ACTIONS, key_arn))
    return document(statements)


# --- tool Lambdas -----------------------------------------------------------------------------------

def lambda_base_statements(scope: Scope, log_group_name: str) -> list[Statement]:
    """Write its own log group; send X-Ray segments (AWS grants those on "*" only)."""
    return [
        statement("OwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"],
                  f"{scope.log_group_arn(log_group_name)}:*"),
        statement("XRayWrite", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
    ]


def log_object_prefix(prefix: str, account: str, service: str, organization_id: str = "") -> str:
    """``<prefix>/AWSLogs/[<organization id>/]<account>/<service>/``: where the service delivers this account's logs."""
    head = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    org = f"{organization_id}/" if organization_id else ""
    return f"{head}AWSLogs/{org}{account}/{service}/"


class Grants:
    """The means a source declaration states its IAM needs with (``tools.common.source.Grants``), bound to
    this stack's scope, Athena workgroup and results bucket."""

    def __init__(self, cfg: Config, scope: Scope, results_bucket: str, kms_key_arn: str | None) -> None:
        self.cfg, self.scope, self.results_bucket, self.kms_key_arn = cfg, scope, results_bucket, kms_key_arn

    @staticmethod
    def statement(sid: str, actions: Iterable[str], resources: Iterable[str] | str,
                  conditions: dict[str, Any] | None = None) -> Statement:
        return statement(sid, actions, resources, conditions)

    def arn(self, service: str, resource: str) -> str:
        """An ARN of this account and region."""
        return self.scope.arn(service, resource)

    def log_group_arn(self, name: str) -> str:
        return self.scope.log_group_arn(name)

    def athena_table(self, table: str, bucket: str, prefix: str, service: str, sid: str, organization_id: str = "",
                     log_key_arn: str = "") -> list[Statement]:
        """Query one Glue table through the workgroup: Athena, Glue (catalog, database, table), this account's
        objects of ``service`` in the log bucket (read; decrypted with ``log_key_arn`` through S3 when it is
        SSE-KMS) and the results bucket (Athena writes results with the caller's credentials)."""
        ath, scope = self.cfg["athena"], self.scope
        logs_at = log_object_prefix(prefix, scope.account, service, organization_id)
        out = [
            statement(f"{sid}Athena", ATHENA_QUERY_ACTIONS, scope.arn("athena", f"workgroup/{ath['workgroup']}")),
            statement(f"{sid}Glue", GLUE_READ_ACTIONS, [
                scope.arn("glue", "catalog"),
                scope.arn("glue", f"database/{ath['database']}"),
                scope.arn("glue", f"table/{ath['database']}/{table}"),
            ]),
            statement(f"{sid}LogBucketLocation", ["s3:GetBucketLocation"], scope.s3_arn(bucket)),
            statement(f"{sid}LogBucketList", ["s3:ListBucket"], scope.s3_arn(bucket),
                      {"StringLike": {"s3:prefix": [f"{logs_at}*"]}}),
            statement(f"{sid}LogObjects", ["s3:GetObject"], scope.s3_arn(bucket, f"{logs_at}*")),
            statement("AthenaResults", RESULTS_ACTIONS,
                      [scope.s3_arn(self.results_bucket), scope.s3_arn(self.results_bucket, "*")]),
        ]
        if log_key_arn:
            out.append(statement(f"{sid}LogKey", ["kms:Decrypt"], log_key_arn,
                                 {"StringLike": {"kms:ViaService": "s3.*"}}))
        if self.kms_key_arn:
            out.append(statement("AthenaResultsKey", KMS_DATA_ACTIONS, self.kms_key_arn))
        return out


def reads_athena(name: str, cfg: Config) -> bool:
    """Whether source ``name`` is read through Athena with this configuration (its declaration's ``athena``):
    the stack then declares its Glue table and the tools' Athena permissions."""
    source = sources.registry().get(name)
    return source is not None and source.reads_athena(cfg)


def alb_enabled(cfg: Config) -> bool:
    return reads_athena("alb", cfg)


def cloudtrail_athena(cfg: Config) -> bool:
    return reads_athena("cloudtrail", cfg)


CROSS_SOURCE_GROUPS = ("triage", "alarm")
"""Groups that read every source: their policy is the union of the registered sources' statements."""


def read_statements(group: str, cfg: Config, scope: Scope, results_bucket: str,
                    kms_key_arn: str | None) -> list[Statement]:
    """The read permissions one action group's source declares (triage and alarm: the union)."""
    registry = sources.registry()
    if group in CROSS_SOURCE_GROUPS:
        return merge_statements(read_statements(s.name, cfg, scope, results_bucket, kms_key_arn) for s in registry)
    source = registry.get(group)
    if source is None:
        raise ValueError(f"unknown action group {group!r}")
    if not source.enabled(cfg):
        return []
    return source.iam(cfg[group], Grants(cfg, scope, results_bucket, kms_key_arn))


def merge_statements(groups: Iterable[list[Statement]]) -> list[Statement]:
    """Union of statements; statements with the same Sid (the shared results bucket) appear once."""
    seen: dict[str, Statement] = {}
    for group in groups:
        for st in group:
            seen.setdefault(st["Sid"], st)
    return list(seen.values())


def tool_policy(group: str, cfg: Config, scope: Scope, log_group_name: str, results_bucket: str,
                kms_key_arn: str | None) -> Document:
    return document(lambda_base_statements(scope, log_group_name)
                    + read_statements(group, cfg, scope, results_bucket, kms_key_arn))


IDEMPOTENCY_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


def alarm_policy(cfg: Config, scope: Scope, log_group_name: str, results_bucket: str, kms_key_arn: str,
                 topic_arn: str, failure_queue_arn: str | None = None, idempotency_table_arn: str | None = None) -> Document:
    """The alarm Lambda runs triage (its reads), posts the result to the Slack topic and, as its on-failure
    destination, sends failed invocations to the failure queue."""
    stmts = tool_policy("alarm", cfg, scope, log_group_name, results_bucket, kms_key_arn)["Statement"]
    stmts = [s for s in stmts if s["Sid"] != "AthenaResultsKey"]
    stmts += [statement("PublishToTopic", ["sns:Publish"], topic_arn),
              statement("TopicAndResultsKey", KMS_DATA_ACTIONS, kms_key_arn)]
    if failure_queue_arn:
        stmts.append(statement("FailureQueue", ["sqs:SendMessage"], failure_queue_arn))
    if idempotency_table_arn:  # Powertools idempotency records of tools/alarm/once.py
        stmts.append(statement("IdempotencyRecords", IDEMPOTENCY_ACTIONS, idempotency_table_arn))
    return document(stmts)


def knowledge_statements(bucket_arn: str, write_incidents: bool) -> list[Statement]:
    """Read the runbooks and past incidents of the knowledge bucket; save investigations under incidents/."""
    out = [statement("KnowledgeList", ["s3:ListBucket"], bucket_arn,
                     {"StringLike": {"s3:prefix": ["runbooks/*", "incidents/*"]}}),
           statement("KnowledgeRead", ["s3:GetObject"], [f"{bucket_arn}/runbooks/*", f"{bucket_arn}/incidents/*"])]
    if write_incidents:
        out.append(statement("IncidentsWrite", ["s3:PutObject"], f"{bucket_arn}/incidents/*"))
    return out


def alerts_policy(cfg: Config, scope: Scope, log_group_name: str, results_bucket: str, kms_key_arn: str,
                  topic_arn: str, table_arn: str, bucket_arn: str) -> Document:
    """The alert Lambda: its state table (items only, no scans), triage's reads, the knowledge bucket, and
    publishing to the Slack topic."""
    stmts = tool_policy("alarm", cfg, scope, log_group_name, results_bucket, kms_key_arn)["Statement"]
    stmts = [s for s in stmts if s["Sid"] != "AthenaResultsKey"]
    stmts += [statement("AlertState", ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], table_arn),
              statement("PublishToTopic", ["sns:Publish"], topic_arn),
              statement("TopicTableResultsKey", KMS_DATA_ACTIONS, kms_key_arn)]
    stmts += knowledge_statements(bucket_arn, write_incidents=True)
    return document(stmts)


def events_dead_letter_policy(queue_arn: str, rule_arn: str) -> Document:
    """The failure queue's resource policy: EventBridge may send events of this rule only."""
    return document([{
        "Sid": "AlarmRuleDeadLetters", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
    }])


# --- Slack (AWS Chatbot) -----------------------------------------------------------------------------

def invoke_agent_policy(alias_arn: str) -> Document:
    """Chatbot channel role and guardrail: InvokeAgent on this agent's alias, nothing else."""
    return document([statement("InvokeOpsAgent", ["bedrock:InvokeAgent"], alias_arn)])


# --- resource policies -------------------------------------------------------------------------------

def tls_only_bucket_policy(bucket_arn: str) -> Document:
    return document([{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }])


def kms_key_policy(scope: Scope, log_group_arn_pattern: str) -> Document:
    """The default key policy (the account administers the key through IAM) plus CloudWatch Logs use for
    this project's log groups. "*" in a key policy means this key."""
    root = f"arn:{scope.partition}:iam::{scope.account}:root"
    return document([
        {"Sid": "AccountAdministersKey", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*",
         "Resource": "*"},
        {"Sid": "CloudWatchLogsUse", "Effect": "Allow",
         "Principal": {"Service": f"logs.{scope.region}.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
         "Resource": "*",
         "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arn_pattern}}},
    ])


# --- the rules, as a checker (used by tests on the synthesized JSON too) -------------------------------

def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def violations(doc: Document) -> list[str]:
    """Why an identity policy breaks the rules: wildcard actions, or "*" resources for scoped actions."""
    problems = []
    for st in doc.get("Statement", []):
        if st.get("Effect") != "Allow":
            continue
        sid = st.get("Sid", "?")
        if "NotAction" in st or "NotResource" in st:
            problems.append(f"{sid}: NotAction/NotResource")
        actions = _as_list(st.get("Action", []))
        for action in actions:
            if "*" in action or "?" in action:
                problems.append(f"{sid}: wildcard action {action}")
        if "*" in _as_list(st.get("Resource", [])):
            scoped = sorted(a for a in actions if a not in ACCOUNT_WIDE_ACTIONS)
            if scoped:
                problems.append(f"{sid}: resource '*' for actions with resource-level permissions {scoped}")
    return problems
