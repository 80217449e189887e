"""The evaluation scenarios besides the demo: one builder function per incident kind, each deterministic.

Every scenario has its own account, region, window, architecture and names, and background noise in several
sources (benign CloudTrail changes before the onset, INFO/WARN lines, a recurring benign error, unrelated metric
series with an unrelated shift, standing findings). ``TRUTH`` holds each scenario's ground truth (see
``catalog.Scenario.truth``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agent.scenarios.builder import iam_user_identity
from agent.scenarios.formats import guardduty_as_asff, guardduty_finding, java_stack
from agent.scenarios.workload import Outcome, Route, Service, Workload, node_invoke_error, python_unhandled

TF_UA = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
         "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.3")
CONSOLE_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
GH_UA = "aws-sdk-js/3.709.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ecs#3.709.0 m/E,e"
CLI_UA = ("aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython "
          "cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#unknown")

TRUTH: dict[str, dict[str, Any]] = {}
EVENT_IDS: dict[str, str] = {"iam-permission-removed": "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "security-group-rule-revoked": "2e3d4c5b-6a7f-4b8c-9d0e-1f2a3b4c5d6e", "bad-deploy": "3f4e5d6c-7b8a-4c9d-8e0f-2a3b4c5d6e7f", "secret-rotated": "4a5f6e7d-8c9b-4d0e-9f1a-3b4c5d6e7f80", "kms-key-disabled": "5b6a7f8e-9d0c-4e1f-8a2b-4c5d6e7f8091", "security-incident": "6c7b8a9f-0e1d-4f2a-9b3c-5d6e7f8091a2"}


def _benign_changes(w: Workload, before: datetime, service: str) -> None:
    """A few benign changes before the onset: a deploy of another component, an alarm, a failed CI call."""
    b = w.b
    span = (before - w.start).total_seconds()

    def at(fraction: float) -> datetime:
        """A moment ``fraction`` of the way from the window start to ``before`` (benign changes stay inside)."""
        return w.start + timedelta(seconds=int(span * fraction))
    tf = w.human("terraform-apply", "terraform-run-" + b.hex(6), sso=False)
    ci = w.human("ci-deployer", "buildkite-" + str(w.rng.randint(1000, 9999)), sso=False)
    b.add_cloudtrail_event(at(0.12), "monitoring.amazonaws.com", "PutMetricAlarm", tf,
                           {"alarmName": f"{service}-errors-high", "namespace": "AWS/Logs", "metricName": "IncomingLogEvents",
                            "period": 300, "evaluationPeriods": 3, "threshold": 5000, "comparisonOperator": "GreaterThanThreshold"},
                           None, source_ip="34.201.18.77", user_agent=TF_UA)
    b.add_cloudtrail_event(at(0.37), "ssm.amazonaws.com", "PutParameter", ci, None, None,
                           source_ip="44.210.3.19", user_agent=CLI_UA, error_code="AccessDenied", read_only=False,
                           error_message=(f"User: {ci['arn']} is not authorized to perform: ssm:PutParameter on resource: "
                                          f"arn:aws:ssm:{w.region}:{w.account}:parameter/shared/feature-flags because no "
                                          "identity-based policy allows the ssm:PutParameter action"))
    b.add_cloudtrail_event(at(0.58), "logs.amazonaws.com", "PutRetentionPolicy", tf,
                           {"logGroupName": "/aws/lambda/nightly-report-export", "retentionInDays": 90}, None,
                           source_ip="34.201.18.77", user_agent=TF_UA)
    b.add_cloudtrail_event(at(0.81), "s3.amazonaws.com", "PutBucketTagging", tf,
                           {"bucketName": "static-assets-prod", "Host": "static-assets-prod.s3.amazonaws.com", "tagging": ""},
                           None, source_ip="34.201.18.77", user_agent=TF_UA)


# --- iam-permission-removed: API Gateway + Lambda + DynamoDB in eu-west-1, IAM change (global, us-east-1) ------


def build_iam_permission_removed(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="210987654321", region="eu-west-1", start="2026-10-07T13:30:00Z", end="2026-10-07T15:00:00Z",
                 description=("Invoicing API: API Gateway REST API 'invoices-api' (stage prod) -> Lambda functions "
                              "invoices-create and invoices-get (Python 3.12) -> DynamoDB table 'invoices' in eu-west-1; "
                              "a Lambda pdf-renderer writes PDFs to S3 bucket invoices-pdf-prod."),
                 question="creating invoices returns 502 since about 14:20, what changed?", seed=7001, front="apigw",
                 domain="abc123defg.execute-api.eu-west-1.amazonaws.com")
    w.add_api("invoices-api")
    w.add_dep("ddb_put", "dynamodb", "invoices", "PutItem")
    w.add_dep("ddb_get", "dynamodb", "invoices", "GetItem")
    w.add_dep("s3_put", "s3", "invoices-pdf-prod", "PutObject")
    w.add_service(Service("invoices-create", "lambda", "python",
                          [Route("POST", "/prod/invoices", 14, 0.18, ("ddb_put",))], tasks=4, log_rate=0.8))
    w.add_service(Service("invoices-get", "lambda", "python", [Route("GET", "/prod/invoices/{id}", 30, 0.05, ("ddb_get",))],
                          tasks=3, log_rate=0.4))
    w.add_service(Service("pdf-renderer", "lambda", "python", [Route("POST", "/prod/invoices/{id}/pdf", 4, 1.4, ("s3_put",))],
                          tasks=2, log_rate=0.9))
    onset = w.t("14:21:30")
    change = w.t("14:20:07")
    role_arn = f"arn:aws:sts::{w.account}:assumed-role/invoices-create-lambda-role/invoices-create"

    def failure(w: Workload, s: Service, r: Route, when: datetime) -> Outcome | None:
        if s.name != "invoices-create" or when < onset:
            return None
        msg = (f"An error occurred (AccessDeniedException) when calling the PutItem operation: User: {role_arn} is not "
               f"authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:{w.region}:{w.account}:table/invoices "
               "because no identity-based policy allows the dynamodb:PutItem action")
        return Outcome(502, w.rng.uniform(0.09, 0.3), [
            ("INFO", "", f"Creating invoice inv-{w.rng.randint(100000, 999999)} for account acct-{w.rng.randint(1000, 9999)}"),
            ("RAW", "", python_unhandled("ClientError", msg, [
                '  File "/var/task/app.py", line 41, in handler\n    table.put_item(Item=item)\n',
                '  File "/var/runtime/botocore/client.py", line 1023, in _make_api_call\n    raise error_class(parsed_response, operation_name)\n']))],
            fault=("botocore.exceptions.ClientError", msg, "ddb_put"))
    w.failure = failure
    w.benign.append(("pdf-renderer", 0.6, "WARN", "", "Font cache miss for 'NotoSans-Regular'; rebuilding ({ms} ms)"))
    w.run_traffic()
    _benign_changes(w, onset, "invoices")
    tf = w.human("terraform-apply", "terraform-run-8c1d2e", sso=False)
    # the decisive change: IAM is global, its events carry us-east-1
    w.b.add_cloudtrail_event(change, "iam.amazonaws.com", "DetachRolePolicy", tf,
                                      {"roleName": "invoices-create-lambda-role",
                                       "policyArn": f"arn:aws:iam::{w.account}:policy/invoices-table-write"}, None,
                                      source_ip="34.201.18.77", user_agent=TF_UA, region="us-east-1", read_only=False,
                                      event_id=EVENT_IDS["iam-permission-removed"])
    w.b.add_cloudtrail_event(change + timedelta(seconds=2), "iam.amazonaws.com", "AttachRolePolicy", tf,
                             {"roleName": "invoices-create-lambda-role",
                              "policyArn": f"arn:aws:iam::{w.account}:policy/invoices-table-read"}, None,
                             source_ip="34.201.18.77", user_agent=TF_UA, region="us-east-1", read_only=False)
    w.cloudtrail_noise()
    w.standard_metrics("13:41")
    w.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", {"TableName": "invoices"}, 14, 0.5, onset, kind="count")
    w.series("AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": "invoices"}, 15, 15, onset, kind="count")
    w.series("AWS/DynamoDB", "UserErrors", {}, 0.3, 14, onset, kind="count")
    w.standing_findings("invoices-pdf-prod")
    return w.write(gzip)


# --- security-group-rule-revoked: ECS Node.js + RDS PostgreSQL in us-west-2 --------------------------------------


def build_security_group_rule_revoked(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="345678901234", region="us-west-2", start="2026-08-14T16:00:00Z", end="2026-08-14T17:30:00Z",
                 description=("Accounts platform in us-west-2: ECS Fargate Node.js services 'accounts' and 'profile' behind ALB "
                              "app/accounts-alb/9f8e7d6c5b4a3921; 'accounts' uses RDS PostgreSQL instance accounts-db "
                              "(security group sg-0db5432aa11bb22cc allows 5432 from the app security group sg-0app8080ccdd33ee)."),
                 question="accounts API is timing out since ~16:45", seed=7002, domain="accounts.example.org")
    w.add_alb("accounts-alb", "9f8e7d6c5b4a3921")
    w.add_dep("pg", "rds", "accounts-db.c8x7y6z5w4v3.us-west-2.rds.amazonaws.com:5432/accounts", "postgresql")
    w.add_dep("redis", "remote", "sessions.x9y8z7.ng.0001.usw2.cache.amazonaws.com")
    w.add_service(Service("accounts", "ecs", "node", [Route("GET", "/v1/accounts/{id}", 60, 0.03, ("pg",)),
                                                        Route("POST", "/v1/accounts/{id}/settings", 12, 0.06, ("pg",))], tasks=3))
    w.add_service(Service("profile", "ecs", "node", [Route("GET", "/v1/profile/{id}", 45, 0.02, ("redis",))], tasks=2))
    onset = w.t("16:44:40")
    change = w.t("16:43:58")
    db_ip = "10.20.3.45"

    def failure(w: Workload, s: Service, r: Route, when: datetime) -> Outcome | None:
        if s.name != "accounts" or when < onset:
            return None
        latency = w.rng.uniform(5.0, 10.5)
        if latency > 10.0:
            return Outcome(504, 10.0, [("ERROR", "", f"Error: connect ETIMEDOUT {db_ip}:5432")], elb_only=True,
                           fault=("Error", f"connect ETIMEDOUT {db_ip}:5432", "pg"))
        return Outcome(503, latency, [
            ("ERROR", "", f"KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. "
                          f"Are you missing a .transacting(trx) call? (cause: Error: connect ETIMEDOUT {db_ip}:5432)")],
            fault=("KnexTimeoutError", f"connect ETIMEDOUT {db_ip}:5432", "pg"))
    w.failure = failure
    w.benign.append(("profile", 0.8, "WARN", "", "Redis command latency above 50ms (HGETALL profile:*); retrying {n} time(s)"))
    w.run_traffic()
    w.housekeeping_logs()
    _benign_changes(w, onset, "accounts")
    jo = w.human("AWSReservedSSO_NetworkAdmin_0a9b8c7d6e5f4a3b", "raj.patel@example.org")
    w.b.add_cloudtrail_event(w.t("16:12:30"), "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", jo,
                             {"groupId": "sg-0bastion22aa11bb0", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                              "ipRanges": {"items": [{"cidrIp": "10.20.0.0/16", "description": "vpn"}]}}]}},
                             {"requestId": w.b.uuid(), "_return": True}, source_ip="198.51.100.61", user_agent=CONSOLE_UA, console=True)
    w.b.add_cloudtrail_event(
        change, "ec2.amazonaws.com", "RevokeSecurityGroupIngress", jo,
        {"groupId": "sg-0db5432aa11bb22cc", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
         "groups": {"items": [{"groupId": "sg-0app8080ccdd33ee"}]}, "ipRanges": {}, "ipv6Ranges": {}, "prefixListIds": {}}]}},
        {"requestId": w.b.uuid(), "_return": True, "unknownIpPermissionSet": {}}, source_ip="198.51.100.61",
        user_agent=CONSOLE_UA, console=True, read_only=False, event_id=EVENT_IDS["security-group-rule-revoked"])
    w.cloudtrail_noise()
    w.standard_metrics("16:08")
    db = {"DBInstanceIdentifier": "accounts-db"}
    w.series("AWS/RDS", "DatabaseConnections", db, 42, 1, onset)
    w.series("AWS/RDS", "CPUUtilization", db, 21, 3, onset)
    w.series("AWS/RDS", "ReadIOPS", db, 310, 12, onset)
    w.series("AWS/RDS", "FreeableMemory", db, 2.1e9, 2.1e9, onset, unit="Bytes")
    w.standing_findings("accounts-exports")
    return w.write(gzip)


# --- bad-deploy: ECS Spring 'pricing' service, UpdateService to a broken task definition ------------------------


def build_bad_deploy(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="456789012345", region="us-east-1", start="2026-09-03T18:00:00Z", end="2026-09-03T19:30:00Z",
                 description=("Travel pricing: ECS Fargate Spring Boot services 'pricing' and 'search' (cluster prod) behind ALB "
                              "app/travel-alb/1a2b3c4d5e6f7081; pricing reads DynamoDB table fare-rules and calls a rates "
                              "provider; deploys come from GitHub Actions."),
                 question="quote API 500s spiking, started around 18:52", seed=7003, domain="api.travel.example")
    w.add_alb("travel-alb", "1a2b3c4d5e6f7081")
    w.add_dep("rules", "dynamodb", "fare-rules", "Query")
    w.add_dep("rates", "remote", "https://rates.partner.example/v3/quote")
    w.add_service(Service("pricing", "ecs", "spring", [Route("POST", "/api/quote", 50, 0.12, ("rules", "rates")),
                                                        Route("GET", "/api/quote/{id}", 20, 0.03, ("rules",))], tasks=3))
    w.add_service(Service("search", "ecs", "spring", [Route("GET", "/api/search?from=SFO&to=JFK", 80, 0.09)], tasks=3, log_rate=0.3))
    deploy = w.t("18:49:31")
    onset = w.t("18:51:40")

    def failure(w: Workload, s: Service, r: Route, when: datetime) -> Outcome | None:
        if s.name != "pricing" or when < onset:
            return None
        if r.method == "POST" and w.rng.random() < 0.62:
            stack = java_stack("java.lang.NullPointerException",
                               'Cannot invoke "com.example.pricing.model.FareRule.getCurrency()" because "rule" is null',
                               ["com.example.pricing.service.QuoteService.applyRules(QuoteService.java:214)",
                                "com.example.pricing.service.QuoteService.quote(QuoteService.java:88)",
                                "com.example.pricing.web.QuoteController.create(QuoteController.java:47)"])
            return Outcome(500, w.rng.uniform(0.02, 0.08), [
                ("ERROR", "com.example.pricing.web.GlobalExceptionHandler", f"Unhandled exception on POST /api/quote\n{stack}")],
                fault=("java.lang.NullPointerException", 'Cannot invoke "FareRule.getCurrency()" because "rule" is null', "rules"))
        return None
    w.failure = failure
    w.benign.append(("pricing", 0.7, "WARN", "com.example.pricing.rates.RatesClient",
                     "Rates provider responded 503; serving cached rates ({ms} ms old)"))
    w.run_traffic()
    w.housekeeping_logs()
    _benign_changes(w, onset, "pricing")
    gh = w.human("github-actions-deploy", "GitHubActions", sso=False)
    w.b.add_cloudtrail_event(w.t("18:20:11"), "ecs.amazonaws.com", "UpdateService", gh,
                             {"cluster": "prod", "service": "search", "taskDefinition": "search:77"},
                             {"service": {"serviceName": "search", "taskDefinition": f"arn:aws:ecs:{w.region}:{w.account}:task-definition/search:77"}},
                             source_ip="20.42.11.7", user_agent=GH_UA)
    w.b.add_cloudtrail_event(deploy - timedelta(seconds=30), "ecs.amazonaws.com", "RegisterTaskDefinition", gh,
                             {"family": "pricing", "containerDefinitions": [{"name": "pricing",
                              "image": f"{w.account}.dkr.ecr.{w.region}.amazonaws.com/pricing:4.12.0"}]},
                             {"taskDefinition": {"taskDefinitionArn": f"arn:aws:ecs:{w.region}:{w.account}:task-definition/pricing:113",
                                                 "revision": 113}}, source_ip="20.42.11.7", user_agent=GH_UA)
    w.b.add_cloudtrail_event(deploy, "ecs.amazonaws.com", "UpdateService", gh,
                                      {"cluster": "prod", "service": "pricing", "taskDefinition": "pricing:113"},
                                      {"service": {"serviceName": "pricing", "taskDefinition": f"arn:aws:ecs:{w.region}:{w.account}:task-definition/pricing:113",
                                                   "desiredCount": 3}}, source_ip="20.42.11.7", user_agent=GH_UA, read_only=False,
                                      event_id=EVENT_IDS["bad-deploy"])
    w.cloudtrail_noise()
    w.standard_metrics("18:14")
    w.standing_findings("travel-static")
    return w.write(gzip)


# --- dynamodb-throttling: traffic surge on an SQS-fed Lambda writer; no change event ----------------------------


def build_dynamodb_throttling(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="567890123456", region="ap-southeast-2", start="2026-12-01T00:00:00Z", end="2026-12-01T01:30:00Z",
                 description=("Telemetry ingest in ap-southeast-2: ALB app/ingest-alb/5e4d3c2b1a098765 -> Lambda 'ingest-events' "
                              "(Python) writing to DynamoDB table 'device-events' (provisioned 400 WCU, no auto scaling) and "
                              "ECS service 'dashboard' reading it."),
                 question="devices report failed uploads since 00:40", seed=7004, domain="ingest.example.net")
    w.add_alb("ingest-alb", "5e4d3c2b1a098765")
    w.add_dep("put", "dynamodb", "device-events", "BatchWriteItem")
    w.add_dep("read", "dynamodb", "device-events", "Query")
    w.add_service(Service("ingest-events", "lambda", "python", [Route("POST", "/v1/events", 35, 0.04, ("put",))], tasks=6, log_rate=0.25))
    w.add_service(Service("dashboard", "ecs", "spring", [Route("GET", "/dashboard/devices/{id}", 25, 0.05, ("read",))], tasks=2))
    onset = w.t("00:39:00")
    surge_end = w.t("01:20:00")
    w.rate_multiplier = lambda m: 3.4 if onset <= m < surge_end else 1.0

    def failure(w: Workload, s: Service, r: Route, when: datetime) -> Outcome | None:
        if s.name != "ingest-events" or not (onset <= when < surge_end) or w.rng.random() > 0.55:
            return None
        msg = ("An error occurred (ProvisionedThroughputExceededException) when calling the BatchWriteItem operation "
               "(reached max retries: 9): The level of configured provisioned throughput for the table was exceeded. "
               "Consider increasing your provisioning level with the UpdateTable API.")
        return Outcome(502, w.rng.uniform(1.5, 4.0), [("WARN", "", "Retrying BatchWriteItem: 25 unprocessed items"),
                                                     ("RAW", "", python_unhandled("ProvisionedThroughputExceededException", msg,
                                                                              ['  File "/var/task/handler.py", line 58, in handler\n    batch.put_item(Item=event)\n']))],
                       fault=("ProvisionedThroughputExceededException", msg, "put"), throttle=True)
    w.failure = failure
    w.benign.append(("dashboard", 0.5, "WARN", "com.example.dashboard.cache.TileCache", "Tile cache eviction: {n} entries"))
    w.run_traffic()
    w.housekeeping_logs()
    _benign_changes(w, onset, "ingest")
    w.cloudtrail_noise()
    w.standard_metrics("00:08")
    t = {"TableName": "device-events"}
    w.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", t, 7200, 24000, onset, kind="count", end=surge_end, sd=0.03)
    w.series("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", t, 400, 400, onset, sd=0)
    w.series("AWS/DynamoDB", "WriteThrottleEvents", t, 0, 5200, onset, kind="count", end=surge_end)
    w.series("AWS/DynamoDB", "ThrottledRequests", {**t, "Operation": "BatchWriteItem"}, 0, 1900, onset, kind="count", end=surge_end)
    w.series("AWS/DynamoDB", "SuccessfulRequestLatency", {**t, "Operation": "BatchWriteItem"}, 6.1, 6.4, onset, unit="Milliseconds")
    w.standing_findings("ingest-archive")
    return w.write(gzip)


# --- db-connection-pool-exhausted: ECS Spring + RDS MySQL; a slow report query holds connections ----------------


def build_db_connection_pool_exhausted(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="678901234567", region="eu-central-1", start="2026-07-22T07:00:00Z", end="2026-07-22T08:30:00Z",
                 description=("Booking system in eu-central-1: ECS Fargate Spring Boot 'booking' (HikariCP pool of 20 per task, "
                              "4 tasks) and 'availability' behind ALB app/booking-alb/0f1e2d3c4b5a6978, RDS MySQL instance "
                              "booking-db (max_connections 80)."),
                 question="bookings failing with timeouts this morning", seed=7005, domain="booking.example.eu")
    w.add_alb("booking-alb", "0f1e2d3c4b5a6978")
    w.add_dep("mysql", "rds", "booking-db.cx1y2z3a4b5c.eu-central-1.rds.amazonaws.com:3306/booking", "mysql")
    w.add_service(Service("booking", "ecs", "spring", [Route("POST", "/api/bookings", 30, 0.09, ("mysql",)),
                                                        Route("GET", "/api/bookings/{id}", 35, 0.03, ("mysql",))], tasks=4))
    w.add_service(Service("availability", "ecs", "spring", [Route("GET", "/api/availability?date=2026-08-01", 70, 0.04)], tasks=2))
    onset = w.t("07:47:00")

    def failure(w: Workload, s: Service, r: Route, when: datetime) -> Outcome | None:
        if s.name != "booking" or when < onset or w.rng.random() > 0.7:
            return None
        stack = java_stack("org.springframework.jdbc.CannotGetJdbcConnectionException",
                           "Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: "
                           "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                           ["org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)",
                            "com.example.booking.repository.BookingRepository.save(BookingRepository.java:52)"],
                           ("java.sql.SQLTransientConnectionException",
                            "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
                            ["com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)"]))
        return Outcome(500, w.rng.uniform(30.0, 30.4), [
            ("WARN", "com.zaxxer.hikari.pool.HikariPool", "HikariPool-1 - Pool stats (total=20, active=20, idle=0, waiting=%d)" % w.rng.randint(8, 40)),
            ("ERROR", "com.example.booking.web.ErrorHandler", stack)],
            fault=("java.sql.SQLTransientConnectionException",
                   "HikariPool-1 - Connection is not available, request timed out after 30000ms.", "mysql"))
    w.failure = failure
    w.benign.append(("availability", 0.6, "WARN", "com.example.availability.PartnerFeed", "Partner feed stale by {n} minute(s); using last snapshot"))
    w.run_traffic()
    w.housekeeping_logs()
    _benign_changes(w, onset, "booking")
    w.cloudtrail_noise()
    w.standard_metrics("07:12")
    db = {"DBInstanceIdentifier": "booking-db"}
    w.series("AWS/RDS", "DatabaseConnections", db, 34, 80, onset, ramp_minutes=4, sd=0.02)
    w.series("AWS/RDS", "CPUUtilization", db, 24, 88, onset, ramp_minutes=3)
    w.series("AWS/RDS", "ReadLatency", db, 0.0012, 0.019, onset, unit="Seconds")
    w.series("AWS/RDS", "ReadIOPS", db, 420, 2900, onset)
    w.standing_findings("booking-exports")
    return w.write(gzip)


# --- secret-rotated: Secrets Manager rotation, app keeps the old password ---------------------------------------


def build_secret_rotated(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="789012345678", region="us-east-2", start="2026-06-10T02:30:00Z", end="2026-06-10T04:00:00Z",
                 description=("Orders backend in us-east-2: ECS Fargate Spring Boot 'orders-api' and 'fulfilment' behind ALB "
                              "app/orders-alb/7a6b5c4d3e2f1a0b, Aurora PostgreSQL orders-db; DB credentials in Secrets "
                              "Manager secret prod/orders-db/app (rotation Lambda orders-db-rotation)."),
                 question="orders-api returning 500 since 03:00", seed=7006, domain="orders.example.com")
    w.add_alb("orders-alb", "7a6b5c4d3e2f1a0b")
    w.add_dep("pg", "rds", "orders-db.cluster-a1b2c3d4e5f6.us-east-2.rds.amazonaws.com:5432/orders", "postgresql")
    w.add_service(Service("orders-api", "ecs", "spring", [Route("GET", "/v2/orders/{id}", 40, 0.03, ("pg",)),
                                                           Route("POST", "/v2/orders", 15, 0.08, ("pg",))], tasks=3))
    w.add_service(Service("fulfilment", "ecs", "spring", [Route("GET", "/v2/shipments/{id}", 20, 0.04)], tasks=2))
    rotate = w.t("02:58:44")
    onset = w.t("03:00:30")

    def failure(w: Workload, s: Service, r: Route, when: datetime) -> Outcome | None:
        if s.name != "orders-api" or when < onset:
            return None
        msg = 'FATAL: password authentication failed for user "orders_app"'
        return Outcome(500, w.rng.uniform(0.05, 0.4), [
            ("ERROR", "com.zaxxer.hikari.pool.HikariPool", f"HikariPool-1 - Exception during pool initialization.\norg.postgresql.util.PSQLException: {msg}\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)"),
            ("ERROR", "com.example.orders.web.ErrorHandler", f"Request failed: org.postgresql.util.PSQLException: {msg}")],
            fault=("org.postgresql.util.PSQLException", msg, "pg"))
    w.failure = failure
    w.benign.append(("fulfilment", 0.5, "WARN", "com.example.fulfilment.CarrierClient", "Carrier API returned 429; retry {n}/3 in {ms}ms"))
    w.run_traffic()
    w.housekeeping_logs()
    _benign_changes(w, onset, "orders")
    rot = w.human("orders-db-rotation-role", "orders-db-rotation", sso=False)
    w.b.add_cloudtrail_event(rotate, "secretsmanager.amazonaws.com", "RotateSecret",
                                      w.human("AWSReservedSSO_PowerUserAccess_5e6f7a8b9c0d1e2f", "ops.bot@example.com"),
                                      {"secretId": "prod/orders-db/app", "rotateImmediately": True}, {"aRN": f"arn:aws:secretsmanager:{w.region}:{w.account}:secret:prod/orders-db/app-Qw3rTy", "name": "prod/orders-db/app", "versionId": "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e"},
                                      source_ip="198.51.100.200", user_agent=CLI_UA, read_only=False,
                                      event_id=EVENT_IDS["secret-rotated"])
    w.b.add_cloudtrail_event(rotate + timedelta(seconds=3), "secretsmanager.amazonaws.com", "PutSecretValue", rot,
                             {"secretId": f"arn:aws:secretsmanager:{w.region}:{w.account}:secret:prod/orders-db/app-Qw3rTy",
                              "clientRequestToken": "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e", "versionStages": ["AWSPENDING"]},
                             None, source_ip="3.17.88.20", user_agent="Boto3/1.35.70 md/Botocore#1.35.70 ua/2.0 os/linux#5.10.228 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12",
                             read_only=False)
    w.b.add_cloudtrail_event(rotate + timedelta(seconds=9), "secretsmanager.amazonaws.com", "UpdateSecretVersionStage", rot,
                             {"secretId": "prod/orders-db/app", "versionStage": "AWSCURRENT", "moveToVersionId": "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e"},
                             None, source_ip="3.17.88.20", user_agent="Boto3/1.35.70", read_only=False)
    w.cloudtrail_noise()
    w.standard_metrics("02:40")
    db = {"DBClusterIdentifier": "orders-db"}
    w.series("AWS/RDS", "DatabaseConnections", db, 26, 7, onset)
    w.series("AWS/RDS", "LoginFailures", db, 0, 35, onset, kind="count")
    w.standing_findings("orders-invoices")
    return w.write(gzip)


# --- kms-key-disabled: SQS-triggered Lambda reading SSE-KMS objects ---------------------------------------------


def build_kms_key_disabled(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="890123456789", region="eu-west-2", start="2026-05-05T10:00:00Z", end="2026-05-05T11:30:00Z",
                 description=("Document pipeline in eu-west-2: API Gateway 'docs-api' -> Lambda 'docs-upload' and 'docs-fetch' "
                              "(Node.js) storing objects in S3 bucket docs-store-prod encrypted with customer managed KMS key "
                              "alias/docs-store (key 3f4e5d6c-7b8a-4990-a1b2-c3d4e5f60718)."),
                 question="document downloads failing since 10:34", seed=7007, front="apigw",
                 domain="q1w2e3r4t5.execute-api.eu-west-2.amazonaws.com")
    w.add_api("docs-api")
    w.add_dep("get", "s3", "docs-store-prod", "GetObject")
    w.add_dep("put", "s3", "docs-store-prod", "PutObject")
    w.add_service(Service("docs-fetch", "lambda", "node", [Route("GET", "/prod/docs/{id}", 35, 0.08, ("get",))], tasks=4))
    w.add_service(Service("docs-upload", "lambda", "node", [Route("POST", "/prod/docs", 12, 0.2, ("put",))], tasks=3))
    key_id = "3f4e5d6c-7b8a-4990-a1b2-c3d4e5f60718"
    change = w.t("10:33:05")
    onset = w.t("10:33:20")

    def failure(w: Workload, s: Service, r: Route, when: datetime) -> Outcome | None:
        if when < onset:
            return None
        key_arn = f"arn:aws:kms:{w.region}:{w.account}:key/{key_id}"
        msg = f"{key_arn} is disabled."
        return Outcome(500, w.rng.uniform(0.04, 0.12), [
            ("ERROR", "", node_invoke_error("KMS.DisabledException", msg,
                                     ["KMS.DisabledException: " + msg, "    at de_DisabledExceptionRes (/var/runtime/node_modules/@aws-sdk/client-s3/dist-cjs/index.js:4421:21)"]))],
            fault=("KMS.DisabledException", msg, "get" if s.name == "docs-fetch" else "put"))
    w.failure = failure
    w.run_traffic()
    _benign_changes(w, onset, "docs")
    admin = w.human("AWSReservedSSO_SecurityAdmin_9c8b7a6f5e4d3c2b", "lena.k@example.co.uk")
    w.b.add_cloudtrail_event(w.t("10:31:40"), "kms.amazonaws.com", "ListAliases", admin, {"limit": 100}, None,
                             source_ip="198.51.100.9", user_agent=CONSOLE_UA, console=True)
    w.b.add_cloudtrail_event(w.t("10:32:10"), "kms.amazonaws.com", "ScheduleKeyDeletion", admin,
                             {"keyId": "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d", "pendingWindowInDays": 30},
                             {"keyId": f"arn:aws:kms:{w.region}:{w.account}:key/0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d", "keyState": "PendingDeletion"},
                             source_ip="198.51.100.9", user_agent=CONSOLE_UA, console=True, read_only=False)
    w.b.add_cloudtrail_event(change, "kms.amazonaws.com", "DisableKey", admin, {"keyId": key_id}, None,
                                      source_ip="198.51.100.9", user_agent=CONSOLE_UA, console=True, read_only=False,
                                      event_id=EVENT_IDS["kms-key-disabled"], resources=[{"accountId": w.account, "type": "AWS::KMS::Key",
                                                  "ARN": f"arn:aws:kms:{w.region}:{w.account}:key/{key_id}"}])
    for i in range(6):
        w.b.add_cloudtrail_event(onset + timedelta(minutes=3 * i, seconds=w.rng.randint(0, 50)), "kms.amazonaws.com", "Decrypt",
                                 w.human("docs-fetch-lambda-role", "docs-fetch", sso=False),
                                 {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::docs-store-prod/tenant-42/doc-%d.pdf" % w.rng.randint(1, 9999)},
                                  "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, None, source_ip="s3.amazonaws.com",
                                 user_agent="s3.amazonaws.com", error_code="DisabledException",
                                 error_message=f"arn:aws:kms:{w.region}:{w.account}:key/{key_id} is disabled.", read_only=True)
    w.cloudtrail_noise()
    w.standard_metrics("10:05")
    w.standing_findings("docs-store-prod")
    return w.write(gzip)


# --- security-incident: leaked IAM user key used from an anonymizing IP -----------------------------------------


def build_security_incident(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="901234567890", region="us-east-1", start="2026-04-18T21:00:00Z", end="2026-04-18T22:30:00Z",
                 description=("Analytics platform: ECS Fargate Spring Boot 'reports' behind ALB app/analytics-alb/2b3c4d5e6f7a8b9c; "
                              "IAM user svc-reporting (access key used by an on-premises ETL job from 198.51.100.30)."),
                 question="GuardDuty alerted on svc-reporting, what happened?", seed=7008, domain="analytics.example.com")
    w.add_alb("analytics-alb", "2b3c4d5e6f7a8b9c")
    w.add_dep("s3", "s3", "analytics-results", "GetObject")
    w.add_service(Service("reports", "ecs", "spring", [Route("GET", "/reports/{id}", 30, 0.2, ("s3",))], tasks=2))
    onset = w.t("21:41:12")
    bad_ip = "185.220.101.47"
    user = iam_user_identity(w.account, "svc-reporting")
    w.benign.append(("reports", 0.4, "WARN", "com.example.reports.Renderer", "Chart render took {ms}ms (>100ms budget)"))
    w.run_traffic()
    w.housekeeping_logs()
    _benign_changes(w, onset, "reports")
    b = w.b
    # normal use of the key by the ETL job
    for i in range(12):
        b.add_cloudtrail_event(w.start + timedelta(minutes=7 * i, seconds=w.rng.randint(0, 59)), "s3.amazonaws.com", "ListObjects", user,
                               {"bucketName": "analytics-raw", "prefix": "2026/04/18/"}, None, source_ip="198.51.100.30",
                               user_agent="aws-sdk-java/1.12.780 Linux/5.15 OpenJDK_64-Bit_Server_VM/17.0.12", management=False)
    ua = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.15-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#kali.2024 md/prompt#off md/command#sts.get-caller-identity"
    b.add_cloudtrail_event(onset, "sts.amazonaws.com", "GetCallerIdentity", user, None, None, source_ip=bad_ip, user_agent=ua,
                           event_id=EVENT_IDS["security-incident"])
    steps = [
        (40, "s3.amazonaws.com", "ListBuckets", None, None, None),
        (95, "iam.amazonaws.com", "ListUsers", None, None, None),
        (130, "iam.amazonaws.com", "ListAttachedUserPolicies", {"userName": "svc-reporting"}, None, None),
        (185, "secretsmanager.amazonaws.com", "ListSecrets", None, None, None),
        (230, "secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/analytics/warehouse"}, None, None),
        (236, "secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/analytics/stripe-api-key"}, None, None),
        (241, "secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/payments/db"}, None, "AccessDenied"),
        (300, "iam.amazonaws.com", "CreateUser", {"userName": "backup-svc"}, {"user": {"userName": "backup-svc", "arn": f"arn:aws:iam::{w.account}:user/backup-svc"}}, None),
        (318, "iam.amazonaws.com", "CreateAccessKey", {"userName": "backup-svc"}, {"accessKey": {"accessKeyId": "AKIA" + b.chars(16), "status": "Active", "userName": "backup-svc"}}, None),
        (333, "iam.amazonaws.com", "AttachUserPolicy", {"userName": "backup-svc", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, None, "AccessDenied"),
    ]
    for offset, source, name, params, response, error in steps:
        b.add_cloudtrail_event(onset + timedelta(seconds=offset), source, name, user, params, response, source_ip=bad_ip,
                               user_agent=ua.replace("sts.get-caller-identity", name.lower()),
                               region="us-east-1", error_code=error,
                               error_message=(f"User: arn:aws:iam::{w.account}:user/svc-reporting is not authorized to perform this action"
                                              if error else None),
                               read_only=name.startswith(("List", "Get")))
    w.cloudtrail_noise()
    w.standard_metrics("21:10")
    det = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
    gd = guardduty_finding(
        b, "UnauthorizedAccess:IAMUser/TorIPCaller", f"A Tor exit node IP address {bad_ip} called APIs as svc-reporting.",
        f"API ListSecrets was invoked by IAM user svc-reporting from Tor exit node IP address {bad_ip}.",
        severity=5.0, first_seen=onset + timedelta(seconds=185), last_seen=onset + timedelta(seconds=333), count=11, detector_id=det,
        resource={"ResourceType": "AccessKey", "AccessKeyDetails": {"AccessKeyId": user["accessKeyId"], "PrincipalId": user["principalId"],
                                                                    "UserName": "svc-reporting", "UserType": "IAMUser"}},
        action={"ActionType": "AWS_API_CALL", "AwsApiCallAction": {"Api": "ListSecrets", "CallerType": "Remote IP",
                                                                   "ServiceName": "secretsmanager.amazonaws.com",
                                                                   "RemoteIpDetails": {"IpAddressV4": bad_ip, "Country": {"CountryName": "Germany"},
                                                                                       "Organization": {"Asn": "60729", "AsnOrg": "Stiftung Erneuerbare Freiheit"}}}})
    gd2 = guardduty_finding(
        b, "CredentialAccess:IAMUser/AnomalousBehavior", "Anomalous secret retrieval by svc-reporting.",
        "APIs commonly used to access credentials were invoked by IAM user svc-reporting in an unusual way.",
        severity=5.0, first_seen=onset + timedelta(seconds=230), last_seen=onset + timedelta(seconds=241), count=3, detector_id=det,
        resource={"ResourceType": "AccessKey", "AccessKeyDetails": {"AccessKeyId": user["accessKeyId"], "UserName": "svc-reporting", "UserType": "IAMUser"}},
        action={"ActionType": "AWS_API_CALL", "AwsApiCallAction": {"Api": "GetSecretValue", "CallerType": "Remote IP",
                                                                   "ServiceName": "secretsmanager.amazonaws.com",
                                                                   "RemoteIpDetails": {"IpAddressV4": bad_ip}}})
    for finding, ttp in ((gd, "TTPs/Initial Access"), (gd2, "TTPs/Credential Access")):
        b.add_guardduty_finding(finding)
        b.add_securityhub_finding(guardduty_as_asff(b, finding, "AwsIamAccessKey", f"AWS::IAM::AccessKey:{user['accessKeyId']}", ttp))
    w.standing_findings("analytics-results")
    return w.write(gzip)


# --- quiet: nothing wrong, same kinds of noise ------------------------------------------------------------------


def build_quiet(out: str | Path, gzip: bool = False) -> Path:
    w = Workload(out, account="112233445566", region="ca-central-1", start="2026-03-12T12:00:00Z", end="2026-03-12T13:30:00Z",
                 description=("Library catalogue in ca-central-1: ECS Fargate Spring Boot 'books' and Node.js 'members' behind "
                              "ALB app/library-alb/3c4d5e6f7a8b9c0d, DynamoDB tables books and loans."),
                 question="is anything wrong with the library API in the last 90 minutes?", seed=7009, domain="library.example.ca")
    w.add_alb("library-alb", "3c4d5e6f7a8b9c0d")
    w.add_dep("books", "dynamodb", "books", "GetItem")
    w.add_dep("loans", "dynamodb", "loans", "Query")
    w.add_service(Service("books", "ecs", "spring", [Route("GET", "/api/books/{id}", 70, 0.03, ("books",)),
                                                      Route("GET", "/api/books?q=history", 25, 0.07, ("books",))], tasks=3))
    w.add_service(Service("members", "ecs", "node", [Route("GET", "/api/members/{id}/loans", 30, 0.04, ("loans",))], tasks=2))
    w.benign.append(("books", 0.6, "WARN", "com.example.books.isbn.IsbnClient", "ISBN lookup returned 429 Too Many Requests; retry {n}/3"))
    w.benign.append(("members", 0.15, "ERROR", "", "Email provider rejected message: mailbox full (552)"))
    w.run_traffic()
    w.housekeeping_logs()
    _benign_changes(w, w.t("12:55"), "library")
    gh = w.human("github-actions-deploy", "GitHubActions", sso=False)
    w.b.add_cloudtrail_event(w.t("12:41:09"), "ecs.amazonaws.com", "UpdateService", gh,
                             {"cluster": "prod", "service": "members", "taskDefinition": "members:31"},
                             {"service": {"serviceName": "members", "taskDefinition": f"arn:aws:ecs:{w.region}:{w.account}:task-definition/members:31"}},
                             source_ip="20.42.11.7", user_agent=GH_UA, read_only=False)
    w.cloudtrail_noise()
    w.standard_metrics("12:20")
    w.standing_findings("library-covers")
    return w.write(gzip)


def _truth(kind: str, onset: str | None, keywords: list[str], source: str) -> dict[str, Any]:
    truth: dict[str, Any] = {"kind": kind, "cause_keywords": keywords, "cause_source": source, "onset": onset,
                             "quiet": kind == "quiet"}
    if kind in EVENT_IDS:
        truth["change_event_id"] = EVENT_IDS[kind]
    return truth


TRUTH.update({
    "iam-permission-removed": _truth("iam-permission-removed", "2026-10-07T14:21:30Z",
                                     ["detachrolepolicy", "invoices-create-lambda-role", "accessdenied"], "cloudtrail"),
    "security-group-rule-revoked": _truth("security-group-rule-revoked", "2026-08-14T16:44:40Z",
                                          ["revokesecuritygroupingress", "sg-0db5432aa11bb22cc", "etimedout"], "cloudtrail"),
    "bad-deploy": _truth("bad-deploy", "2026-09-03T18:51:40Z", ["updateservice", "pricing:113", "nullpointerexception"], "cloudtrail"),
    "dynamodb-throttling": _truth("dynamodb-throttling", "2026-12-01T00:39:00Z",
                                  ["provisionedthroughputexceeded", "device-events", "throttl"], "metrics"),
    "db-connection-pool-exhausted": _truth("db-connection-pool-exhausted", "2026-07-22T07:47:00Z",
                                           ["connection is not available", "hikaripool", "databaseconnections"], "logs"),
    "secret-rotated": _truth("secret-rotated", "2026-06-10T03:00:30Z",
                             ["rotatesecret", "prod/orders-db/app", "password authentication failed"], "cloudtrail"),
    "kms-key-disabled": _truth("kms-key-disabled", "2026-05-05T10:33:20Z",
                               ["disablekey", "3f4e5d6c-7b8a-4990-a1b2-c3d4e5f60718", "disabledexception"], "cloudtrail"),
    "security-incident": _truth("security-incident", "2026-04-18T21:41:12Z",
                                ["svc-reporting", "185.220.101.47", "getsecretvalue", "createaccesskey"], "guardduty"),
    "quiet": _truth("quiet", None, [], "none"),
})

BUILDERS = {
    "iam-permission-removed": build_iam_permission_removed,
    "security-group-rule-revoked": build_security_group_rule_revoked,
    "bad-deploy": build_bad_deploy,
    "dynamodb-throttling": build_dynamodb_throttling,
    "db-connection-pool-exhausted": build_db_connection_pool_exhausted,
    "secret-rotated": build_secret_rotated,
    "kms-key-disabled": build_kms_key_disabled,
    "security-incident": build_security_incident,
    "quiet": build_quiet,
}

