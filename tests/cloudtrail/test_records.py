"""Reading one record: principals, human vs automation vs service, read-only, denials, resources, redaction."""

from __future__ import annotations

import json

import pytest

from tests.cloudtrail.fixtures import assumed_role, at, aws_service, iam_user, record, root
from tools.cloudtrail.model import is_denial
from tools.cloudtrail.noise import is_routine
from tools.cloudtrail.records import parse_call, principal_of
from tools.cloudtrail.resources import request_summary, resources_of


@pytest.mark.parametrize("identity, name, kind", [
    (iam_user("alice"), "alice", "IAMUser"),
    (assumed_role("checkout-task", "ecs-task-1"), "checkout-task/ecs-task-1", "AssumedRole"),
    (aws_service("autoscaling.amazonaws.com"), "autoscaling.amazonaws.com", "AWSService"),
    (root(), "root@123456789012", "Root"),
    ({"type": "FederatedUser", "arn": "arn:aws:sts::123456789012:federated-user/Bob", "principalId": "123:Bob"}, "Bob", "FederatedUser"),
    ({"accountId": "123456789012", "invokedBy": "AWS Internal"}, "AWS Internal", "AWSService"),
    ({"type": "AssumedRole", "arn": "arn: aws: sts: : 123456789012: assumed-role/DevRole/Dev1"}, "DevRole/Dev1", "AssumedRole"),
    (None, "unknown", "Unknown"),
])
def test_principals_are_readable(identity, name: str, kind: str) -> None:
    principal = principal_of(identity)
    assert (principal.name, principal.type) == (name, kind)


@pytest.mark.parametrize("identity, agent, extra, actor, via", [
    (iam_user("alice"), "Mozilla/5.0 (X11)", {}, "human", "console"),
    (iam_user("alice"), "aws-cli/2.15 Python/3.11", {}, "human", "CLI"),
    (assumed_role("AWSReservedSSO_Admin_1", "jane@example.com"), "aws-cli/2.15", {}, "human", "CLI"),
    (assumed_role("ci-deployer", "buildkite-1"), "aws-cli/2.15", {}, "automation", "CLI"),
    (assumed_role("ci-deployer", "buildkite-1"), "anything", {"sessionCredentialFromConsole": "true"}, "human", "console"),
    (assumed_role("terraform", "run"), "APN/1.0 HashiCorp/1.0 Terraform/1.9.8", {}, "automation", "Terraform"),
    (assumed_role("app", "x"), "Boto3/1.34 md/Botocore#1.34", {}, "automation", "SDK"),
    (assumed_role("AWSServiceRoleForECS", "ecs", invoked_by="ecs.amazonaws.com"), "ecs.amazonaws.com", {}, "service", "ecs.amazonaws.com"),
    (aws_service("lambda.amazonaws.com"), "lambda.amazonaws.com", {}, "service", "lambda.amazonaws.com"),
    ({"accountId": "1", "invokedBy": "AWS Internal"}, "AWS Internal", {}, "service", "AWS Internal"),
    # A person's console action through an SSO role: the console calls with "AWS Internal", still a human decision.
    (assumed_role("AWSReservedSSO_Admin_1", "jane@example.com"), "AWS Internal", {"sessionCredentialFromConsole": "true"},
     "human", "console"),
    (assumed_role("AWSReservedSSO_Admin_1", "jane@example.com"), "AWS Internal", {}, "human", "console"),
    (assumed_role("ci-deployer", "buildkite-1"), "AWS Internal", {}, "service", "AWS internal"),
])
def test_human_automation_or_service(identity, agent: str, extra: dict, actor: str, via: str) -> None:
    call = parse_call({**record("PutThing", "x.amazonaws.com", at("09:00:00"), identity, agent=agent), **extra})
    assert call is not None and (call.actor, call.via) == (actor, via)


@pytest.mark.parametrize("name, flag, expected", [
    ("DescribeInstances", None, True), ("GetObject", None, True), ("ListRoles", None, True), ("HeadBucket", None, True),
    ("LookupEvents", None, True), ("BatchGetItem", None, True), ("Getaway", None, False), ("ModifyVpcEndpoint", None, False),
    ("DescribeInstances", False, False), ("PutObject", True, True), ("ConsoleLogin", None, False),
])
def test_read_only_from_the_field_or_the_verb(name: str, flag: bool | None, expected: bool) -> None:
    rec = record(name, "x.amazonaws.com", at("09:00:00"), iam_user("a"), read_only=flag,
                 event_type="AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall")
    assert parse_call(rec).read_only is expected  # type: ignore[union-attr]
    assert parse_call({**rec, "readOnly": "true"}).read_only is True  # type: ignore[union-attr]  # LookupEvents strings


def test_denials() -> None:
    for code in ("AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "UnauthorizedOperation",
                 "KMS.AccessDeniedException", "AuthFailure"):
        assert is_denial(code), code
    for code in ("", "NoSuchEntity", "ThrottlingException", "Client.InvalidParameterValue"):
        assert not is_denial(code), code


def test_malformed_records() -> None:
    good = record("X", "x.amazonaws.com", at("09:00:00"), iam_user("a"))
    assert parse_call(good) is not None
    for bad in ({**good, "eventTime": "yesterday"}, {**good, "eventTime": 5}, {**good, "eventName": None}, "text", None):
        assert parse_call(bad) is None


def test_resources_from_ids_arns_and_named_keys() -> None:
    rec = record("X", "x.amazonaws.com", at("09:00:00"), iam_user("a"), request={
        "ModifyVpcEndpointRequest": {"VpcEndpointId": "vpce-0a1b2c3d4e5f67890",
                                     "AddRouteTableId": [{"content": "rtb-0123456789abcdef0", "tag": 1}]},
        "groupSet": {"items": [{"groupId": "sg-0123456789abcdef0"}]},
        "roleName": "checkout-task", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "functionName": "shop-orders",
        "keyId": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", "secretId": "prod/db", "clientToken": "abc-123",
        "description": "free text with spaces", "password": "hunter2hunter2", "name": "not-a-resource",
    }, response={"instancesSet": {"items": [{"instanceId": "i-0f7c711dc84bedda0", "privateDnsName": "ip-10-0-0-1"}]}},
        resources=[{"ARN": "arn:aws:ec2:eu-west-1:123456789012:vpc-endpoint/vpce-0a1b2c3d4e5f67890", "type": "AWS::EC2::VPCEndpoint"}])
    found = resources_of(rec)
    assert found[0].startswith("arn:aws:ec2:")
    for expected in ("vpce-0a1b2c3d4e5f67890", "rtb-0123456789abcdef0", "sg-0123456789abcdef0", "checkout-task",
                     "arn:aws:iam::aws:policy/ReadOnlyAccess", "shop-orders", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                     "prod/db", "i-0f7c711dc84bedda0"):
        assert expected in found, expected
    for unexpected in ("abc-123", "free text with spaces", "hunter2hunter2", "not-a-resource", "ip-10-0-0-1"):
        assert unexpected not in found


def test_request_summary_blanks_secret_keys_and_is_bounded() -> None:
    rec = record("CreateSecret", "secretsmanager.amazonaws.com", at("09:00:00"), iam_user("a"), request={
        "name": "db", "secretString": "s3cr3t-value", "nested": {"Password": "p@ss", "apiKey": "k", "secretId": "keep-me"},
        "big": "x" * 1000})
    text = request_summary(rec, 200)
    assert "s3cr3t-value" not in text and "p@ss" not in text and '"apiKey":"[REDACTED]"' in text
    assert '"secretId":"keep-me"' in text and len(text) <= 201
    assert request_summary(record("X", "x.amazonaws.com", at("09:00:00"), iam_user("a"))) == ""
    assert json.loads(request_summary({"requestParameters": {"a": 1}})) == {"a": 1}


@pytest.mark.parametrize("name, source, identity, agent, routine", [
    ("CreateLogStream", "logs.amazonaws.com", aws_service("lambda.amazonaws.com"), "lambda.amazonaws.com", True),
    ("CreateLogStream", "logs.amazonaws.com", assumed_role("exec", "t"), "Amazon ECS Agent - v1.88.0", True),
    ("CreateLogStream", "logs.amazonaws.com", iam_user("alice"), "aws-cli/2.0", False),
    ("AssumeRole", "sts.amazonaws.com", aws_service("ecs-tasks.amazonaws.com"), "ecs-tasks.amazonaws.com", True),
    ("CreateNetworkInterface", "ec2.amazonaws.com", assumed_role("svc", "x", "lambda.amazonaws.com"), "lambda.amazonaws.com", True),
    ("CreateNetworkInterface", "ec2.amazonaws.com", assumed_role("app", "x"), "Boto3/1.34", False),
    ("PutRetentionPolicy", "logs.amazonaws.com", assumed_role("tf", "x"), "Terraform/1.9.8", False),
    ("PutItem", "dynamodb.amazonaws.com", assumed_role("tf", "x"), "HashiCorp Terraform/1.9.8", False),
    ("ModifyVpcEndpoint", "ec2.amazonaws.com", aws_service("x.amazonaws.com"), "x.amazonaws.com", False),
])
def test_routine_noise(name: str, source: str, identity: dict, agent: str, routine: bool) -> None:
    call = parse_call(record(name, source, at("09:00:00"), identity, agent=agent))
    assert call is not None and is_routine(call) is routine
    failed = parse_call(record(name, source, at("09:00:00"), identity, agent=agent, error="AccessDenied"))
    assert failed is not None and not is_routine(failed)
