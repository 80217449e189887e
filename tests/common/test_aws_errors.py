"""The shared AWS error mapping: every credential, permission and configuration failure reads as something an
engineer can act on, and the tool contract uses it for exceptions raised outside a tool's own handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
    TokenRetrievalError,
)

from tools import catalogue
from tools.common import aws
from tools.common.app import execute
from tools.common.aws_errors import describe, iam_action, is_aws_exception
from tools.logs.service import find_error_patterns
from tests.support import stubbed


def client_error(code: str, message: str = "", operation: str = "StartQuery") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


DENIED = ("User: arn:aws:sts::123456789012:assumed-role/ops-agent-logs-role/ops-agent-logs is not authorized to perform: "
          "logs:StartQuery on resource: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/checkout:* because no "
          "identity-based policy allows the logs:StartQuery action")


@pytest.mark.parametrize("exc, operation, source, expected", [
    (ProfileNotFound(profile="prod-sre"), "", "logs", "AWS profile 'prod-sre' not found"),
    (NoCredentialsError(), "DescribeLogGroups", "logs", "no AWS credentials"),
    (TokenRetrievalError(provider="sso", error_msg="expired"), "", "xray", "AWS SSO session has expired"),
    (client_error("AccessDeniedException", DENIED), "StartQuery", "CloudWatch Logs",
     "AccessDenied for logs:StartQuery on role ops-agent-logs-role"),
    (client_error("AccessDeniedException", "no details", "StartQueryExecution"), "StartQueryExecution", "alb",
     "AccessDenied for athena:StartQueryExecution on the tool's role"),
    (client_error("AccessDenied", "", "GetQueryResults"), "GetQueryResults", "CloudWatch Logs", "logs:GetQueryResults"),
    (client_error("AccessDenied", "", "GetQueryResults"), "GetQueryResults", "athena", "athena:GetQueryResults"),
    (client_error("AccessDenied", "", "ListObjectsV2"), "ListObjectsV2", "alb", "s3:ListBucket"),
    (client_error("ExpiredTokenException", "The security token included in the request is expired"), "LookupEvents",
     "cloudtrail", "AWS credentials have expired"),
    (client_error("UnrecognizedClientException", "The security token included in the request is invalid"), "GetFindings",
     "securityhub", "AWS does not accept these credentials"),
    (client_error("InvalidRequestException", "WorkGroup ops-agent is not found.", "StartQueryExecution"),
     "StartQueryExecution", "alb", "Athena workgroup 'ops-agent' not found"),
    (client_error("ThrottlingException", "Rate exceeded"), "GetMetricData", "metrics", "GetMetricData failed: ThrottlingException"),
    (ConnectTimeoutError(endpoint_url="https://logs.us-east-1.amazonaws.com"), "StartQuery", "logs", "StartQuery timed out"),
    (EndpointConnectionError(endpoint_url="https://logs"), "StartQuery", "logs", "StartQuery could not reach AWS"),
])
def test_each_failure_reads_as_an_action(exc: BaseException, operation: str, source: str, expected: str) -> None:
    what, hint = describe(exc, operation, source)
    assert expected in what, what
    assert hint and "retry; if it persists" not in hint


def test_the_hint_of_a_denial_names_the_permission_to_grant() -> None:
    what, hint = describe(client_error("AccessDeniedException", DENIED), "StartQuery", "CloudWatch Logs")
    assert "grant logs:StartQuery to role ops-agent-logs-role" in hint
    assert "123456789012" not in what  # the account id stays out of the sentence; the role name is enough


def test_iam_action_of_ambiguous_operations_follows_the_source() -> None:
    assert iam_action("GetFindings", "guardduty") == "guardduty:GetFindings"
    assert iam_action("GetFindings", "securityhub") == "securityhub:GetFindings"
    assert iam_action("StartQuery", "alb") == "logs:StartQuery"


def test_botocore_exceptions_are_recognised() -> None:
    assert is_aws_exception(NoCredentialsError())
    assert is_aws_exception(client_error("AccessDenied"))
    assert not is_aws_exception(ValueError("x"))


def test_a_missing_profile_in_a_tool_is_a_normal_answer_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_PROFILE", "prod-sre")
    monkeypatch.setenv("OPSAGENT_CONFIG", '{"logs": {"log_groups": ["/ecs/checkout"]}}')
    aws.client.cache_clear()
    try:
        function = catalogue.find("logs", "find_error_patterns")
        assert function is not None
        outcome = execute(function, find_error_patterns, {}, use_environment_snapshot=False)
    finally:
        aws.client.cache_clear()
    assert not outcome.reprompt
    assert outcome.result is not None and outcome.result.status == "error"
    assert "AWS profile 'prod-sre' not found" in outcome.body
    assert "internal error" not in outcome.body


def test_access_denied_from_logs_insights_names_action_and_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSAGENT_CONFIG", '{"logs": {"log_groups": ["/ecs/checkout"]}}')
    function = catalogue.find("logs", "find_error_patterns")
    assert function is not None
    with stubbed("logs") as stub:
        stub.add_client_error("start_query", "AccessDeniedException", DENIED, 400)
        outcome = execute(function, find_error_patterns, {}, use_environment_snapshot=False)
    assert outcome.result is not None and outcome.result.status == "error"
    assert "AccessDenied for logs:StartQuery on role ops-agent-logs-role" in outcome.body
