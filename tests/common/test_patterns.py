"""The shared identifier patterns match what each former private copy matched, region names match by rule, and
one Slack limit holds everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import pytest

from tools.cloudtrail.resources import resources_of
from tools.common.patterns import ARN_IN_TEXT, ARN_STRICT, ARN_VALUE, HEX_ID, UUID, UUID_ANY_CASE, is_region
from tools.triage.titles import strict_id

ARNS = [
    "arn:aws:s3:::shop-assets-prod",                                          # global: no region, no account
    "arn:aws:iam::123456789012:role/checkout-task-role",                      # no region
    "arn:aws:sts::123456789012:assumed-role/ci-deployer/buildkite-8841",      # session
    "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
    "arn:aws:lambda:us-east-1:123456789012:function:resizer:7",               # ':' inside the resource
    "arn:aws:ecs:ap-southeast-2:123456789012:service/shop/checkout",
    "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a",
    "arn:aws-cn:sqs:cn-north-1:123456789012:jobs",
]


@pytest.mark.parametrize("arn", ARNS)
def test_every_arn_kind_matches_each_variant(arn: str) -> None:
    assert re.search(ARN_IN_TEXT, f'failed on "{arn}", retrying').group(0) == arn
    assert re.fullmatch(ARN_VALUE, arn)
    assert re.fullmatch(ARN_STRICT, arn)
    assert strict_id(arn) == arn
    assert arn in resources_of({"requestParameters": {"resourceArn": arn}})


def test_variants_differ_where_their_use_needs_it() -> None:
    risky = "arn:aws:s3:::bucket/<script>"
    assert re.fullmatch(ARN_VALUE, risky)          # a parameter value: any non-space resource
    assert not re.fullmatch(ARN_STRICT, risky)     # never copied into a title
    assert re.search(ARN_IN_TEXT, f"({risky})").group(0) == risky  # text: the closing parenthesis ends it
    assert not re.search(ARN_IN_TEXT, "arn:aws:iam::aws:policy/AdministratorAccess")  # AWS-managed: not ours


def test_ids_and_uuids() -> None:
    assert re.fullmatch(HEX_ID, "vpce-0a1b2c3d4e5f") and not re.fullmatch(HEX_ID, "checkout-api")
    uuid = "0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a"
    assert re.fullmatch(UUID, uuid) and not re.fullmatch(UUID, uuid.upper())
    assert re.fullmatch(UUID_ANY_CASE, uuid.upper())


def test_every_region_botocore_knows_is_a_region() -> None:
    data = json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())
    regions = [name for partition in data["partitions"] for name in partition["regions"] if not name.endswith("-global")]
    assert len(regions) > 30
    assert [name for name in regions if not is_region(name)] == []


@pytest.mark.parametrize("text", ["db-primary-1", "us-east", "checkout-web-1", "i-0abc12345", "us-east-1a", "global"])
def test_names_that_are_not_regions(text: str) -> None:
    assert not is_region(text)


def test_triage_tokens_leave_out_any_region() -> None:
    from tools.triage.signals import tokenize

    tokens = tokenize("timeout calling vpce-0a1b2c3d.dynamodb.ap-south-2 from checkout-api in il-central-1")
    assert "ap-south-2" not in tokens and "il-central-1" not in tokens  # not on the former list of ten
    assert "vpce-0a1b2c3d" in tokens and "checkout-api" in tokens


def test_one_slack_limit_everywhere() -> None:
    from agent.report_schema import SCHEMA_PATH
    from tools.alarm.handler import DESCRIPTION_LIMIT as ALARM_LIMIT
    from tools.alerts.notify import DESCRIPTION_LIMIT as ALERT_LIMIT
    from tools.common.limits import SLACK_LIMIT

    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["properties"]["summary"]["maxLength"] == SLACK_LIMIT == ALARM_LIMIT == ALERT_LIMIT
    answer_rules = (Path(__file__).resolve().parents[2] / "instructions" / "30-answer.md").read_text()
    assert f"{SLACK_LIMIT:,} characters" in answer_rules
