"""IAM documents as data (infra.policies), without a synth: scoping per source, models, the rule checker."""

from __future__ import annotations

import copy

import pytest

from infra import policies
from infra.naming import Scope
from tools.catalogue import ACTION_GROUPS
from tools.common.config import DEFAULTS, load_file, validate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCOPE = Scope("aws", "eu-west-1", "123456789012")
KEY = "arn:aws:kms:eu-west-1:123456789012:key/abc"


@pytest.fixture
def cfg():
    return load_file(ROOT / "tests" / "full-config.toml")


def _actions(statements) -> set[str]:
    return {a for st in statements for a in st["Action"]}


def _resources(statements) -> set[str]:
    return {r for st in statements for r in policies._as_list(st["Resource"])}


@pytest.mark.parametrize("group", [*ACTION_GROUPS, "alarm"])
def test_every_tool_policy_follows_the_rules(cfg, group: str) -> None:
    doc = policies.tool_policy(group, cfg, SCOPE, f"/aws/lambda/ops-agent-{group}", "results", KEY)
    assert policies.violations(doc) == []
    assert doc["Version"] == "2012-10-17"


def test_logs_policy_is_scoped_to_configured_groups_and_prefixes(cfg) -> None:
    sts = policies.read_statements("logs", cfg, SCOPE, "results", KEY)
    read = next(s for s in sts if s["Sid"] == "LogsRead")
    assert set(read["Resource"]) == {
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/checkout",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/checkout:*",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/catalog",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/catalog:*",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/payment",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/payment:*",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/shop-*",
    }
    assert {a.split(":")[0] for a in _actions(sts)} == {"logs"}


def test_alb_policy_reads_only_the_log_prefix_and_the_workgroup(cfg) -> None:
    sts = policies.read_statements("alb", cfg, SCOPE, "results", KEY)
    res = _resources(sts)
    assert "arn:aws:s3:::my-alb-access-logs/shop/AWSLogs/123456789012/elasticloadbalancing/*" in res
    assert "arn:aws:athena:eu-west-1:123456789012:workgroup/ops-agent" in res
    assert "arn:aws:glue:eu-west-1:123456789012:table/ops_agent/alb_access_logs" in res
    assert not any("cloudtrail" in r for r in res)
    obj = next(s for s in sts if s["Sid"] == "AlbLogObjects")
    assert obj["Action"] == ["s3:GetObject"]


def test_cloudtrail_policy_follows_the_mode(cfg) -> None:
    athena = policies.read_statements("cloudtrail", cfg, SCOPE, "results", KEY)
    assert "arn:aws:s3:::my-cloudtrail-logs/AWSLogs/123456789012/CloudTrail/*" in _resources(athena)
    assert "cloudtrail:LookupEvents" not in _actions(athena)
    raw = copy.deepcopy(cfg.data)
    raw["cloudtrail"]["mode"] = "lookup"
    lookup = policies.read_statements("cloudtrail", validate(raw), SCOPE, "results", KEY)
    assert lookup == [policies.statement("CloudTrailLookup", ["cloudtrail:LookupEvents"], "*")]


def test_disabled_sources_get_no_permissions(cfg) -> None:
    raw = copy.deepcopy(cfg.data)
    for section in ("logs", "alb", "cloudtrail", "metrics", "xray"):
        raw[section]["enabled"] = False
    raw["findings"] = {"securityhub": False, "guardduty": False}
    off = validate(raw)
    for group in ACTION_GROUPS:
        assert policies.read_statements(group, off, SCOPE, "results", KEY) == []


def test_defaults_without_buckets_grant_no_s3(cfg) -> None:
    sts = policies.read_statements("triage", validate({}), SCOPE, "results", KEY)
    assert not any(a.startswith(("s3:", "athena:", "glue:")) for a in _actions(sts))
    assert "cloudtrail:LookupEvents" in _actions(sts)  # default mode: lookup


def test_triage_is_the_union_of_the_sources(cfg) -> None:
    triage = _actions(policies.read_statements("triage", cfg, SCOPE, "results", KEY))
    parts = set().union(*(_actions(policies.read_statements(g, cfg, SCOPE, "results", KEY))
                          for g in ACTION_GROUPS if g != "triage"))
    assert triage == parts


def test_violations_catch_wildcards_and_star_resources() -> None:
    doc = policies.document([
        policies.statement("A", ["s3:*"], "arn:aws:s3:::b"),
        policies.statement("B", ["s3:GetObject"], "*"),
        policies.statement("C", ["xray:PutTraceSegments"], "*"),
        policies.statement("D", ["s3:*"], "*", effect="Deny"),
    ])
    problems = policies.violations(doc)
    assert len(problems) == 2
    assert problems[0].startswith("A: wildcard action") and problems[1].startswith("B: resource '*'")


def test_agent_trust_has_both_confused_deputy_conditions() -> None:
    st = policies.agent_trust(SCOPE)["Statement"][0]
    assert st["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"},
                               "ArnLike": {"aws:SourceArn": "arn:aws:bedrock:eu-west-1:123456789012:agent/*"}}


@pytest.mark.parametrize("profile", ["eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
                                     "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                                     "us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0"])
def test_cross_region_profile_allows_its_model_in_every_region(profile: str) -> None:
    """A profile routes to regions AWS may add later: the model ARN carries a region wildcard."""
    invoke, profiles, cond = policies.model_resources(profile, SCOPE)
    assert profiles == [f"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/{profile}"]
    assert invoke == [profiles[0], f"arn:aws:bedrock:*::foundation-model/{profile.split('.', 1)[1]}"]
    assert cond is None


def test_foundation_model_id_and_arns() -> None:
    assert policies.model_resources("anthropic.claude-3-haiku-20240307-v1:0", SCOPE)[0] == [
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
    app = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc123"
    invoke, profiles, cond = policies.model_resources(app, SCOPE)
    assert profiles == [app] and cond == {"ArnEquals": {"bedrock:InferenceProfileArn": app}}
    doc = policies.agent_policy(app, SCOPE, None)
    via = next(s for s in doc["Statement"] if s["Sid"] == "InvokeModelsViaProfile")
    assert via["Condition"] == cond
    with pytest.raises(ValueError):
        policies.model_resources("arn:aws:bedrock:eu-west-1:123456789012:custom-model/x", SCOPE)


def test_agent_policy_scopes_guardrail_and_key() -> None:
    doc = policies.agent_policy("anthropic.claude-3-haiku-20240307-v1:0", SCOPE, "arn:g", KEY)
    assert policies.violations(doc) == []
    sids = {s["Sid"]: s for s in doc["Statement"]}
    assert sids["ApplyGuardrail"]["Resource"] == "arn:g"
    assert sids["AgentKey"]["Resource"] == KEY


def test_invoke_agent_policy_is_only_invoke_agent_on_the_alias() -> None:
    doc = policies.invoke_agent_policy("arn:aws:bedrock:eu-west-1:123456789012:agent-alias/A/B")
    assert doc["Statement"] == [{"Sid": "InvokeOpsAgent", "Effect": "Allow", "Action": ["bedrock:InvokeAgent"],
                                 "Resource": "arn:aws:bedrock:eu-west-1:123456789012:agent-alias/A/B"}]


def test_alarm_policy_adds_publish_to_the_topic_only(cfg) -> None:
    doc = policies.alarm_policy(cfg, SCOPE, "/aws/lambda/ops-agent-alarm", "results", KEY, "arn:topic", "arn:queue")
    assert policies.violations(doc) == []
    publish = [s for s in doc["Statement"] if "sns:Publish" in s["Action"]]
    assert publish == [policies.statement("PublishToTopic", ["sns:Publish"], "arn:topic")]
    queue = [s for s in doc["Statement"] if "sqs:SendMessage" in s["Action"]]
    assert queue == [policies.statement("FailureQueue", ["sqs:SendMessage"], "arn:queue")]


def test_unused_permissions_are_not_granted(cfg) -> None:
    """Nothing in tools/ calls these (FilterLogEvents is `record`'s, run with the user's own credentials)."""
    granted = _actions(policies.read_statements("triage", cfg, SCOPE, "results", KEY))
    assert not granted & {"logs:FilterLogEvents", "xray:GetServiceGraph", "athena:GetWorkGroup"}


def test_findings_reads_are_scoped_to_the_hub_and_the_detectors(cfg) -> None:
    sts = {s["Sid"]: s for s in policies.read_statements("findings", cfg, SCOPE, "results", KEY)}
    assert sts["SecurityHubRead"]["Resource"] == "arn:aws:securityhub:eu-west-1:123456789012:hub/default"
    assert sts["GuardDutyRead"]["Resource"] == "arn:aws:guardduty:eu-west-1:123456789012:detector/*"
    assert sts["GuardDutyDetectors"] == policies.statement("GuardDutyDetectors", ["guardduty:ListDetectors"], "*")


def test_organization_trail_and_its_kms_key(cfg) -> None:
    raw = copy.deepcopy(cfg.data)
    key = "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    raw["cloudtrail"].update(organization_id="o-a1b2c3d4e5", kms_key_arn=key)
    sts = {s["Sid"]: s for s in policies.read_statements("cloudtrail", validate(raw), SCOPE, "results", KEY)}
    assert sts["TrailLogObjects"]["Resource"] == \
        "arn:aws:s3:::my-cloudtrail-logs/AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/*"
    assert sts["TrailLogBucketList"]["Condition"] == {
        "StringLike": {"s3:prefix": ["AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail/*"]}}
    assert sts["TrailLogKey"] == policies.statement("TrailLogKey", ["kms:Decrypt"], key,
                                                    {"StringLike": {"kms:ViaService": "s3.*"}})
    assert "TrailLogKey" not in {s["Sid"] for s in policies.read_statements("cloudtrail", cfg, SCOPE, "r", KEY)}


def test_defaults_config_is_untouched() -> None:
    assert DEFAULTS["cloudtrail"]["mode"] == "lookup"


def test_log_bucket_listing_is_limited_to_the_log_prefix(cfg) -> None:
    sts = policies.read_statements("alb", cfg, SCOPE, "results", KEY)
    listing = next(s for s in sts if s["Sid"] == "AlbLogBucketList")
    assert listing["Action"] == ["s3:ListBucket"]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["shop/AWSLogs/123456789012/elasticloadbalancing/*"]}}
    trail = policies.read_statements("cloudtrail", cfg, SCOPE, "results", KEY)
    assert next(s for s in trail if s["Sid"] == "TrailLogBucketList")["Condition"] == {
        "StringLike": {"s3:prefix": ["AWSLogs/123456789012/CloudTrail/*"]}}


@pytest.mark.parametrize("region,partition", [("us-gov-west-1", "aws-us-gov"), ("cn-north-1", "aws-cn")])
def test_every_arn_carries_the_regions_partition(cfg, region: str, partition: str) -> None:
    from tools.common.links.console import partition_of

    assert partition_of(region) == partition
    scope = Scope(partition, region, "123456789012")
    docs = [policies.tool_policy(g, cfg, scope, f"/aws/lambda/ops-agent-{g}", "results", KEY) for g in ACTION_GROUPS]
    docs.append(policies.agent_policy("us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0", scope, None))
    arns = {r for doc in docs for r in _resources(doc["Statement"]) if r.startswith("arn:") and r != KEY}
    assert arns and all(r.startswith(f"arn:{partition}:") for r in arns), sorted(arns)[:5]
