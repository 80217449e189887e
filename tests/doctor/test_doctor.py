"""`python -m agent doctor`: every check against botocore Stubber answers (ok, missing, denied), the table and
JSON output, the exit status, and one line without credentials."""

from __future__ import annotations

import argparse
import io
import json
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from agent.doctor import checks, exit_code, permissions, render_table, run, run_checks
from tools.common.config import validate

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
ACCOUNT = "123456789012"
QID = "a1b2c3d4-0000-1111-2222-333344445555"


class Stubs:
    """One stubbed client per service; ``clients`` is the factory the checks take."""

    def __init__(self) -> None:
        self.session = boto3.session.Session(aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="secret",
                                             region_name="eu-west-1")
        self.made: dict[str, Any] = {}
        self.stubs: dict[str, Stubber] = {}

    def __call__(self, service: str) -> Any:
        return self.client(service)

    def client(self, service: str) -> Any:
        if service not in self.made:
            self.made[service] = self.session.client(service)
            self.stubs[service] = Stubber(self.made[service])
            self.stubs[service].activate()
        return self.made[service]

    def ok(self, service: str, method: str, response: dict[str, Any], params: dict[str, Any] | None = None) -> None:
        self.client(service)
        self.stubs[service].add_response(method, response, params)

    def error(self, service: str, method: str, code: str, status: int = 400, message: str = "nope") -> None:
        self.client(service)
        self.stubs[service].add_client_error(method, code, message, http_status_code=status)

    def done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def config(**sections: dict[str, Any]) -> Any:
    off = {"logs": {"enabled": False}, "metrics": {"enabled": False}, "xray": {"enabled": False},
           "alb": {"enabled": False}, "cloudtrail": {"enabled": False},
           "findings": {"securityhub": False, "guardduty": False}, "slack": {"enabled": False},
           "project": {"region": "eu-west-1"}}
    return validate({**off, **sections})


@pytest.fixture
def stubs() -> Stubs:
    s = Stubs()
    yield s
    s.done()


# --- credentials and model -------------------------------------------------------------------------------

def test_identity_ok_denied_and_no_credentials(stubs: Stubs) -> None:
    stubs.ok("sts", "get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/sre", "UserId": "A"})
    row, account = checks.identity(stubs)
    assert (row.status, account) == ("ok", ACCOUNT) and ACCOUNT in row.detail
    stubs.error("sts", "get_caller_identity", "InvalidClientTokenId", 403)
    row, account = checks.identity(stubs)
    assert (row.status, account) == ("denied", None) and "sts:GetCallerIdentity" in row.fix

    from botocore.exceptions import NoCredentialsError

    class NoCredentials:
        def get_caller_identity(self) -> None:
            raise NoCredentialsError()

    row, account = checks.identity(lambda service: NoCredentials())
    assert (row.status, account) == ("missing", None) and "aws configure" in row.fix


@pytest.mark.parametrize("model,method,param", [
    ("us.anthropic.claude-haiku-4-5-20251001-v1:0", "get_inference_profile", "inferenceProfileIdentifier"),
    ("anthropic.claude-3-haiku-20240307-v1:0", "get_foundation_model", "modelIdentifier")])
def test_model_access(stubs: Stubs, model: str, method: str, param: str) -> None:
    cfg = config(agent={"foundation_model": model})
    if method == "get_inference_profile":
        ok = {"inferenceProfileName": "US Haiku", "inferenceProfileArn": "arn:aws:bedrock:us-east-1:1:inference-profile/x",
              "models": [{"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/x"}],
              "inferenceProfileId": model, "status": "ACTIVE", "type": "SYSTEM_DEFINED"}
    else:
        ok = {"modelDetails": {"modelArn": "arn:aws:bedrock:eu-west-1::foundation-model/x", "modelId": model,
                               "modelName": "Claude 3 Haiku", "providerName": "Anthropic",
                               "modelLifecycle": {"status": "ACTIVE"}}}
    stubs.ok("bedrock", method, ok, {param: model})
    assert checks.model(cfg, stubs).status == "ok"
    stubs.error("bedrock", method, "ResourceNotFoundException", 404)
    missing = checks.model(cfg, stubs)
    assert missing.status == "missing" and "Model access" in missing.fix
    stubs.error("bedrock", method, "AccessDeniedException", 403)
    denied = checks.model(cfg, stubs)
    assert denied.status == "denied" and "bedrock:Get" in denied.fix


# --- logs, metrics, X-Ray ----------------------------------------------------------------------------------

def test_log_groups(stubs: Stubs) -> None:
    cfg = config(logs={"enabled": True, "log_groups": ["/ecs/checkout", "/ecs/gone"], "log_group_prefixes": ["/aws/lambda/shop-"]})
    stubs.ok("logs", "describe_log_groups", {"logGroups": [{"logGroupName": "/ecs/checkout"}, {"logGroupName": "/ecs/checkout-old"}]},
             {"logGroupNamePrefix": "/ecs/checkout", "limit": 50})
    stubs.ok("logs", "describe_log_groups", {"logGroups": [{"logGroupName": "/ecs/gone-but-similar"}]})
    stubs.error("logs", "describe_log_groups", "AccessDeniedException", 400)
    rows = checks.logs(cfg, stubs)
    assert [r.status for r in rows] == ["ok", "missing", "denied"]
    assert "logs:DescribeLogGroups" in rows[2].fix
    assert checks.logs(config(), stubs)[0].status == "skipped"


def test_metrics_namespaces(stubs: Stubs) -> None:
    cfg = config(metrics={"enabled": True, "namespaces": ["AWS/ApplicationELB", "AWS/RDS", "AWS/ECS"]})
    stubs.ok("cloudwatch", "list_metrics", {"Metrics": [{"Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount"}]},
             {"Namespace": "AWS/ApplicationELB", "RecentlyActive": "PT3H"})
    stubs.ok("cloudwatch", "list_metrics", {"Metrics": []})
    stubs.error("cloudwatch", "list_metrics", "AccessDenied", 403)
    assert [r.status for r in checks.metrics(cfg, stubs)] == ["ok", "missing", "denied"]


def test_xray_group(stubs: Stubs) -> None:
    cfg = config(xray={"enabled": True})
    stubs.ok("xray", "get_group", {"Group": {"GroupName": "Default", "GroupARN": "arn:aws:xray:eu-west-1:1:group/Default"}},
             {"GroupName": "Default"})
    stubs.error("xray", "get_group", "InvalidRequestException", 400, "Group not found")
    stubs.error("xray", "get_group", "AccessDeniedException", 403)
    assert [checks.xray(cfg, stubs).status for _ in range(3)] == ["ok", "missing", "denied"]


# --- findings and Slack ------------------------------------------------------------------------------------

def test_security_hub(stubs: Stubs) -> None:
    cfg = config(findings={"securityhub": True, "guardduty": False})
    stubs.ok("securityhub", "describe_hub", {"HubArn": "arn:aws:securityhub:eu-west-1:1:hub/default", "SubscribedAt": "2025-01-01T00:00:00Z"})
    stubs.error("securityhub", "describe_hub", "InvalidAccessException", 401, "Account is not subscribed to AWS Security Hub")
    stubs.error("securityhub", "describe_hub", "AccessDeniedException", 403)
    rows = [checks.securityhub(cfg, stubs) for _ in range(3)]
    assert [r.status for r in rows] == ["ok", "missing", "denied"]
    assert "enable Security Hub" in rows[1].fix


def test_guardduty(stubs: Stubs) -> None:
    cfg = config(findings={"securityhub": False, "guardduty": True})
    stubs.ok("guardduty", "list_detectors", {"DetectorIds": ["d1"]})
    stubs.ok("guardduty", "get_detector", {"Status": "ENABLED", "ServiceRole": "r"}, {"DetectorId": "d1"})
    stubs.ok("guardduty", "list_detectors", {"DetectorIds": []})
    stubs.ok("guardduty", "list_detectors", {"DetectorIds": ["d1"]})
    stubs.ok("guardduty", "get_detector", {"Status": "DISABLED", "ServiceRole": "r"})
    stubs.error("guardduty", "list_detectors", "AccessDeniedException", 403)
    assert [checks.guardduty(cfg, stubs).status for _ in range(4)] == ["ok", "missing", "missing", "denied"]


def test_slack_channel(stubs: Stubs) -> None:
    cfg = config(slack={"enabled": True, "workspace_id": "T0123456789", "channel_id": "C0123456789"})
    mine = {"ChatConfigurationArn": "arn:aws:chatbot::1:chat-configuration/slack-channel/ops", "SlackTeamName": "t",
            "SlackTeamId": "T0123456789", "SlackChannelId": "C0123456789", "SlackChannelName": "ops", "IamRoleArn": "arn:aws:iam::1:role/r",
            "SnsTopicArns": [], "ConfigurationName": "ops-agent-ops"}
    stubs.ok("chatbot", "describe_slack_channel_configurations", {"SlackChannelConfigurations": [mine]})
    stubs.ok("chatbot", "describe_slack_channel_configurations",
             {"SlackChannelConfigurations": [{**mine, "SlackChannelId": "C9999999999"}]})
    stubs.error("chatbot", "describe_slack_channel_configurations", "AccessDeniedException", 403)
    assert [checks.chatbot(cfg, stubs).status for _ in range(3)] == ["ok", "missing", "denied"]


# --- Athena: workgroup, tables, probe; CloudTrail -----------------------------------------------------------

def _probe(stubs: Stubs, rows: int, params: list[str]) -> None:
    stubs.ok("athena", "start_query_execution", {"QueryExecutionId": QID},
             {"QueryString": ANY, "QueryExecutionContext": ANY, "WorkGroup": "ops-agent", "ExecutionParameters": params})
    stubs.ok("athena", "get_query_execution", {"QueryExecution": {"QueryExecutionId": QID, "Status": {"State": "SUCCEEDED"},
                                                                  "Statistics": {"DataScannedInBytes": 10}}})
    data = [{"Data": [{"VarCharValue": "probe"}]}] + [{"Data": [{"VarCharValue": "1"}]}] * rows
    stubs.ok("athena", "get_query_results", {"ResultSet": {"Rows": data, "ResultSetMetadata": {
        "ColumnInfo": [{"Name": "probe", "Type": "integer"}]}}})


def test_alb_bucket_table_and_probe(stubs: Stubs) -> None:
    cfg = config(alb={"enabled": True, "log_bucket": "alb-logs"})
    stubs.ok("s3", "head_bucket", {}, {"Bucket": "alb-logs"})
    stubs.ok("athena", "get_table_metadata", {"TableMetadata": {"Name": "alb_access_logs"}},
             {"CatalogName": "AwsDataCatalog", "DatabaseName": "ops_agent", "TableName": "alb_access_logs"})
    _probe(stubs, 1, ["'2026/11/20'"])
    rows = checks.alb(cfg, stubs, NOW, sleep=lambda s: None)
    assert [(r.name, r.status) for r in rows] == [("alb log bucket", "ok"), ("alb table ops_agent.alb_access_logs", "ok"),
                                                  ("alb probe query", "ok")]
    # no rows today, table missing, bucket denied
    stubs.error("s3", "head_bucket", "403", 403)
    stubs.error("athena", "get_table_metadata", "MetadataException", 400, "Table alb_access_logs not found")
    rows = checks.alb(cfg, stubs, NOW, sleep=lambda s: None)
    assert [r.status for r in rows] == ["denied", "missing"] and "make deploy" in rows[1].fix
    stubs.ok("s3", "head_bucket", {})
    stubs.ok("athena", "get_table_metadata", {"TableMetadata": {"Name": "alb_access_logs"}})
    _probe(stubs, 0, ["'2026/11/20'"])
    assert checks.alb(cfg, stubs, NOW, sleep=lambda s: None)[-1].status == "missing"


def test_probe_query_binds_only_in_where() -> None:
    sql = checks.probe_sql("ops_agent", "cloudtrail_logs", {"region": "eu-west-1", "day": "2026/11/20"})
    assert sql == 'SELECT 1 AS probe FROM "ops_agent"."cloudtrail_logs" WHERE region = ? AND day = ? LIMIT 1'


def test_probe_denied_by_the_log_bucket(stubs: Stubs) -> None:
    cfg = config(alb={"enabled": True, "log_bucket": "alb-logs"})
    stubs.ok("s3", "head_bucket", {})
    stubs.ok("athena", "get_table_metadata", {"TableMetadata": {"Name": "alb_access_logs"}})
    stubs.ok("athena", "start_query_execution", {"QueryExecutionId": QID})
    stubs.ok("athena", "get_query_execution", {"QueryExecution": {"QueryExecutionId": QID, "Status": {
        "State": "FAILED", "StateChangeReason": "Permission denied on S3 path: s3://alb-logs/AWSLogs/x: Access Denied"}}})
    row = checks.alb(cfg, stubs, NOW, sleep=lambda s: None)[-1]
    assert row.status == "denied" and "s3:GetObject" in row.fix


def test_workgroup(stubs: Stubs) -> None:
    cfg = config(alb={"enabled": True, "log_bucket": "alb-logs"})
    stubs.ok("athena", "get_work_group", {"WorkGroup": {"Name": "ops-agent", "State": "ENABLED"}}, {"WorkGroup": "ops-agent"})
    stubs.error("athena", "get_work_group", "InvalidRequestException", 400, "WorkGroup ops-agent is not found.")
    stubs.error("athena", "get_work_group", "AccessDeniedException", 403)
    assert [checks.workgroup(cfg, stubs).status for _ in range(3)] == ["ok", "missing", "denied"]


def test_cloudtrail_lookup_mode(stubs: Stubs) -> None:
    cfg = config(cloudtrail={"enabled": True, "mode": "lookup"})
    stubs.ok("cloudtrail", "lookup_events", {"Events": []}, {"MaxResults": 1})
    stubs.error("cloudtrail", "lookup_events", "AccessDeniedException", 403)
    assert [checks.cloudtrail(cfg, stubs, "eu-west-1")[0].status for _ in range(2)] == ["ok", "denied"]


def test_cloudtrail_athena_mode_trail_bucket_and_table(stubs: Stubs) -> None:
    cfg = config(cloudtrail={"enabled": True, "mode": "athena", "log_bucket": "trail-logs"})
    trail = {"Name": "main", "TrailARN": "arn:aws:cloudtrail:eu-west-1:1:trail/main", "S3BucketName": "trail-logs"}
    stubs.ok("cloudtrail", "describe_trails", {"trailList": [trail]}, {"includeShadowTrails": True})
    stubs.ok("cloudtrail", "get_trail_status", {"IsLogging": True}, {"Name": trail["TrailARN"]})
    stubs.ok("s3", "head_bucket", {}, {"Bucket": "trail-logs"})
    stubs.ok("athena", "get_table_metadata", {"TableMetadata": {"Name": "cloudtrail_logs"}})
    _probe(stubs, 1, ["'eu-west-1'", "'2026/11/20'"])
    rows = checks.cloudtrail(cfg, stubs, "eu-west-1", NOW, sleep=lambda s: None)
    assert [r.status for r in rows] == ["ok", "ok", "ok", "ok"]
    # an organization trail not configured as one; a KMS trail without the key; no trail at all; denied
    for found, expected in (({**trail, "IsOrganizationTrail": True}, "cloudtrail.organization_id"),
                            ({**trail, "KmsKeyId": "arn:aws:kms:eu-west-1:1:key/k"}, "cloudtrail.kms_key_arn")):
        stubs.ok("cloudtrail", "describe_trails", {"trailList": [found]})
        stubs.ok("cloudtrail", "get_trail_status", {"IsLogging": True})
        stubs.error("s3", "head_bucket", "404", 404)
        stubs.error("athena", "get_table_metadata", "AccessDeniedException", 403)
        rows = checks.cloudtrail(cfg, stubs, "eu-west-1", NOW)
        assert [r.status for r in rows] == ["missing", "missing", "denied"] and expected in rows[0].fix
    stubs.ok("cloudtrail", "describe_trails", {"trailList": []})
    stubs.error("s3", "head_bucket", "403", 403)
    stubs.error("athena", "get_table_metadata", "MetadataException", 400, "not found")
    rows = checks.cloudtrail(cfg, stubs, "eu-west-1", NOW)
    assert [r.status for r in rows] == ["missing", "denied", "missing"]


# --- the command ---------------------------------------------------------------------------------------

def test_without_credentials_everything_else_is_skipped_and_the_exit_is_1(tmp_path) -> None:
    from botocore.exceptions import NoCredentialsError

    class NoCredentials:
        def get_caller_identity(self) -> None:
            raise NoCredentialsError()

    out = io.StringIO()
    code = run(argparse.Namespace(config=None, region="eu-west-1", json=True), lambda s: NoCredentials(), out)
    report = json.loads(out.getvalue())
    assert code == 1 and report["ok"] is False
    assert report["checks"][0]["status"] == "missing"
    assert {c["status"] for c in report["checks"][1:]} == {"skipped"}


def test_all_ok_exits_0_and_the_table_lists_every_check(stubs: Stubs) -> None:
    cfg = config(findings={"securityhub": True, "guardduty": False})
    stubs.ok("sts", "get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/sre", "UserId": "u"})
    stubs.ok("bedrock", "get_inference_profile", {
        "inferenceProfileName": "p", "inferenceProfileArn": "arn:aws:bedrock:eu-west-1:1:inference-profile/p",
        "models": [{"modelArn": "arn:aws:bedrock:eu-west-1::foundation-model/x"}], "inferenceProfileId": "p",
        "status": "ACTIVE", "type": "SYSTEM_DEFINED"})
    stubs.ok("securityhub", "describe_hub", {"HubArn": "h"})
    rows = run_checks(cfg, stubs, "eu-west-1", NOW)
    assert exit_code(rows) == 0
    table = render_table(rows)
    assert table.splitlines()[0].startswith("credentials") and "everything configured is in place" in table
    assert [r.status for r in rows if r.name == "securityhub"] == ["ok"]


def test_a_problem_shows_its_fix_and_exits_1() -> None:
    rows = [checks.Check("credentials", "ok", "account 1"), checks.Check("guardduty", "missing", "no detector", "enable it")]
    assert exit_code(rows) == 1
    assert "fix:     enable it" in render_table(rows) and "1 problem(s)" in render_table(rows)


def test_cli_wires_doctor_and_lists_permissions(capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli import main

    assert main(["doctor", "--help"]) == 0
    help_text = capsys.readouterr().out
    for action, _ in permissions.DOCTOR:
        assert action in help_text
    assert main(["record", "--help"]) == 0
    help_text = capsys.readouterr().out
    for action, _ in permissions.RECORD:
        assert action in help_text


def test_bad_config_is_one_line(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text("[slack]\nconnector_name = 'a-name-longer-than-twenty'\n")
    assert main(["doctor", "--config", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "slack.connector_name" in err


def test_permission_lists_name_real_operations() -> None:
    """Every action is an operation of its service's botocore model (typos would grant nothing)."""
    import botocore.session

    session = botocore.session.get_session()
    prefixes = {"sts": "sts", "bedrock": "bedrock", "logs": "logs", "athena": "athena", "glue": "glue", "s3": "s3",
                "cloudtrail": "cloudtrail", "cloudwatch": "cloudwatch", "xray": "xray", "securityhub": "securityhub",
                "guardduty": "guardduty", "chatbot": "chatbot"}
    for action, _ in permissions.DOCTOR + permissions.RECORD:
        prefix, name = action.split(":")
        model = session.get_service_model(prefixes[prefix])
        assert name in model.operation_names or (prefix == "s3" and name in {"ListBucket"}), action


def test_doctor_calls_only_listed_operations() -> None:
    """Every AWS operation checks.py calls is in permissions.DOCTOR (so `doctor --help` tells the whole truth)."""
    import re
    from pathlib import Path

    import botocore.session
    from botocore import xform_name

    session = botocore.session.get_session()
    services = {"sts": "sts", "bedrock": "bedrock", "logs": "logs", "athena": "athena", "s3": "s3",
                "cloudtrail": "cloudtrail", "cloudwatch": "cloudwatch", "xray": "xray", "securityhub": "securityhub",
                "guardduty": "guardduty", "chatbot": "chatbot"}
    known: dict[str, set[str]] = {}
    for prefix, name in services.items():
        for op in session.get_service_model(name).operation_names:
            known.setdefault(xform_name(op), set()).add(f"{prefix}:{op}")
    source = (Path(checks.__file__).read_text() + Path(checks.__file__).with_name("__init__.py").read_text()
              + Path(__file__).resolve().parents[2].joinpath("tools/common/athena.py").read_text())
    listed = {action for action, _ in permissions.DOCTOR} | {"s3:HeadBucket"}  # HeadBucket is s3:ListBucket in IAM
    called = [known[m] for m in re.findall(r"\.(\w+)\(", source) if m in known]
    assert len(called) >= 15
    assert [sorted(c) for c in called if not c & listed] == []
    assert "athena:GetQueryResults" in listed  # the probe reads its one row


def test_docs_list_the_same_permissions() -> None:
    from pathlib import Path

    text = Path(__file__).resolve().parents[2].joinpath("docs/operations.md").read_text()
    doctor, record = text.split("## `python -m agent record")
    for section, perms in ((doctor, permissions.DOCTOR), (record, permissions.RECORD)):
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert rows == [f"| `{a}` | {w} |" for a, w in perms]
