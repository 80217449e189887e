"""Read-only checks of a real account against the configuration, one function per source.

Each check returns ``Check`` rows: ``ok``, ``missing`` (the thing is not there or not enabled: the fix says how
to set it up), ``denied`` (the credentials may not look: the fix names the IAM action), ``error`` (anything else,
e.g. throttling or no network) or ``skipped`` (the source is off in the configuration, or the credentials failed).
Only Athena's probe runs a query: ``SELECT 1 ... WHERE <today's partition> LIMIT 1``, bounded by
``PROBE_SECONDS``. Clients come from a factory (``service -> boto3 client``) so tests pass stubbed ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from tools.common.config import Config

Clients = Callable[[str], Any]
OK, MISSING, DENIED, ERROR, SKIPPED = "ok", "missing", "denied", "error", "skipped"
PROBE_SECONDS = 30.0  # one LIMIT 1 query on one day's partition answers in seconds; longer means a problem
DEFAULT_XRAY_GROUP = "Default"

_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
                 "AuthorizationErrorException", "Forbidden", "403", "UnrecognizedClientException",
                 "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch"}
_MISSING_CODES = {"ResourceNotFoundException", "NoSuchBucket", "404", "NotFound", "MetadataException",
                  "EntityNotFoundException", "TrailNotFoundException", "InvalidAccessException",
                  "NoSuchEntity", "NotFoundException"}


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "")) or str(
            response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
    return ""


def _message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    text = response.get("Error", {}).get("Message", "") if isinstance(response, dict) else ""
    return " ".join(str(text or exc).split())[:160]


def classify(exc: BaseException) -> str:
    """``denied``, ``missing`` or ``error`` for an exception of a boto3 call."""
    code = _code(exc)
    message = _message(exc).lower()
    if code in _DENIED_CODES or "not authorized" in message or "access denied" in message:
        return DENIED
    if code in _MISSING_CODES or "not found" in message or "does not exist" in message or "not subscribed" in message:
        return MISSING
    return ERROR


def failed(name: str, exc: BaseException, action: str, missing_fix: str) -> Check:
    """The row for a failed call of ``action`` (``service:Operation``): words from the shared mapping
    (``tools.common.aws_errors``); denied -> grant the action; missing -> ``missing_fix``; else its hint."""
    from tools.common.aws_errors import describe

    status = classify(exc)
    service, _, operation = action.partition(":")
    what, hint = describe(exc, operation, service)
    fix = {DENIED: f"allow {action} for these credentials", MISSING: missing_fix}.get(status, hint)
    return Check(name, status, what[:200], fix)


# --- credentials and model -------------------------------------------------------------------


def identity(clients: Clients) -> tuple[Check, str | None]:
    """(row, account id or None): no credentials stops every other check."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        who = clients("sts").get_caller_identity()
    except NoCredentialsError:
        return Check("credentials", MISSING, "no AWS credentials found",
                     "set AWS_PROFILE or run aws configure / aws sso login"), None
    except BotoCoreError as exc:  # a missing profile, an expired SSO session: the shared words for it
        from tools.common.aws_errors import describe

        what, hint = describe(exc, "GetCallerIdentity", "sts")
        return Check("credentials", MISSING, what, hint), None
    except (ClientError, BotoCoreError) as exc:
        return failed("credentials", exc, "sts:GetCallerIdentity", "check the credentials"), None
    return Check("credentials", OK, f"account {who.get('Account')} as {who.get('Arn')}"), str(who.get("Account"))


def model(cfg: Config, clients: Clients) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    from infra.policies import PROFILE_PREFIXES

    model_id = cfg["agent"]["foundation_model"]
    name = f"model {model_id}"
    is_profile = ":inference-profile/" in model_id or ":application-inference-profile/" in model_id or (
        not model_id.startswith("arn:") and model_id.partition(".")[0] in PROFILE_PREFIXES)
    bedrock = clients("bedrock")
    try:
        if is_profile:
            profile = bedrock.get_inference_profile(inferenceProfileIdentifier=model_id)
            status = profile.get("status", "")
            if status and status != "ACTIVE":
                return Check(name, MISSING, f"inference profile is {status}", "choose an ACTIVE inference profile")
            return Check(name, OK, f"inference profile {profile.get('inferenceProfileName', model_id)} "
                                   f"({len(profile.get('models', []))} model(s))")
        found = bedrock.get_foundation_model(modelIdentifier=model_id)["modelDetails"]
        state = found.get("modelLifecycle", {}).get("status", "ACTIVE")
        if state != "ACTIVE":
            return Check(name, MISSING, f"model lifecycle is {state}", "choose an ACTIVE model in agent.foundation_model")
        return Check(name, OK, f"{found.get('providerName', '')} {found.get('modelName', model_id)}".strip())
    except (ClientError, BotoCoreError) as exc:
        action = "bedrock:GetInferenceProfile" if is_profile else "bedrock:GetFoundationModel"
        return failed(name, exc, action, "check agent.foundation_model and request model access in the Bedrock "
                                         "console (Model access)")


# --- CloudWatch Logs, metrics, X-Ray -------------------------------------------------------------


def logs(cfg: Config, clients: Clients) -> list[Check]:
    from botocore.exceptions import BotoCoreError, ClientError

    section = cfg["logs"]
    if not section["enabled"]:
        return [Check("logs", SKIPPED, "logs.enabled = false")]
    client, rows = clients("logs"), []
    wanted = [(g, False) for g in section["log_groups"]] + [(p, True) for p in section["log_group_prefixes"]]
    if not wanted:
        return [Check("logs", MISSING, "no log group configured", "list groups in logs.log_groups or logs.log_group_prefixes")]
    for name, is_prefix in wanted:
        label = f"log groups {name}*" if is_prefix else f"log group {name}"
        try:
            found = client.describe_log_groups(logGroupNamePrefix=name, limit=50).get("logGroups", [])
        except (ClientError, BotoCoreError) as exc:
            rows.append(failed(label, exc, "logs:DescribeLogGroups", "check the name and the region"))
            continue
        names = [g.get("logGroupName", "") for g in found]
        hit = names if is_prefix else [n for n in names if n == name]
        if hit:
            rows.append(Check(label, OK, f"{len(hit)} group(s)" + (" or more" if is_prefix and len(hit) >= 50 else "")))
        else:
            rows.append(Check(label, MISSING, "no such log group in this account and region",
                              "fix the name in [logs] or set project.region to the workload's region"))
    return rows


def metrics(cfg: Config, clients: Clients) -> list[Check]:
    from botocore.exceptions import BotoCoreError, ClientError

    section = cfg["metrics"]
    if not section["enabled"]:
        return [Check("metrics", SKIPPED, "metrics.enabled = false")]
    client, rows = clients("cloudwatch"), []
    for namespace in section["namespaces"]:
        label = f"metrics {namespace}"
        try:
            found = client.list_metrics(Namespace=namespace, RecentlyActive="PT3H").get("Metrics", [])
        except (ClientError, BotoCoreError) as exc:
            rows.append(failed(label, exc, "cloudwatch:ListMetrics", "check the namespace"))
            continue
        rows.append(Check(label, OK, f"{len(found)} metric(s) active in the last 3 h") if found else
                    Check(label, MISSING, "no metric active in the last 3 h",
                          "drop the namespace from metrics.namespaces if nothing publishes to it"))
    return rows


def xray(cfg: Config, clients: Clients) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    if not cfg["xray"]["enabled"]:
        return Check("xray", SKIPPED, "xray.enabled = false")
    try:
        group = clients("xray").get_group(GroupName=DEFAULT_XRAY_GROUP).get("Group", {})
    except (ClientError, BotoCoreError) as exc:
        return failed("xray group Default", exc, "xray:GetGroup", "instrument a service with X-Ray (the Default "
                                                                   "group appears with the first traces)")
    return Check("xray group Default", OK, str(group.get("GroupARN", "reachable")))


# --- findings -------------------------------------------------------------------------------------


def securityhub(cfg: Config, clients: Clients) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    if not cfg["findings"]["securityhub"]:
        return Check("securityhub", SKIPPED, "findings.securityhub = false")
    try:
        hub = clients("securityhub").describe_hub()
    except (ClientError, BotoCoreError) as exc:
        return failed("securityhub", exc, "securityhub:DescribeHub",
                      "enable Security Hub in this region (or set findings.securityhub = false)")
    return Check("securityhub", OK, f"enabled since {str(hub.get('SubscribedAt', '?'))[:10]}")


def guardduty(cfg: Config, clients: Clients) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    if not cfg["findings"]["guardduty"]:
        return Check("guardduty", SKIPPED, "findings.guardduty = false")
    client = clients("guardduty")
    try:
        detectors = client.list_detectors().get("DetectorIds", [])
        if not detectors:
            return Check("guardduty", MISSING, "no detector in this region",
                         "enable GuardDuty in this region (or set findings.guardduty = false)")
        status = client.get_detector(DetectorId=detectors[0]).get("Status", "")
    except (ClientError, BotoCoreError) as exc:
        return failed("guardduty", exc, "guardduty:ListDetectors", "enable GuardDuty in this region")
    if status != "ENABLED":
        return Check("guardduty", MISSING, f"detector {detectors[0]} is {status or 'not enabled'}",
                     "enable the detector in the GuardDuty console")
    return Check("guardduty", OK, f"detector {detectors[0]} enabled")


# --- Athena, S3 and CloudTrail ----------------------------------------------------------------------


def bucket(name: str, label: str, clients: Clients) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        clients("s3").head_bucket(Bucket=name)
    except (ClientError, BotoCoreError) as exc:
        return failed(label, exc, "s3:ListBucket", "fix the bucket name in the configuration")
    return Check(label, OK, f"s3://{name} reachable")


def workgroup(cfg: Config, clients: Clients) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    name = cfg["athena"]["workgroup"]
    try:
        group = clients("athena").get_work_group(WorkGroup=name)["WorkGroup"]
    except (ClientError, BotoCoreError) as exc:
        return failed(f"athena workgroup {name}", exc, "athena:GetWorkGroup",
                      "deploy the stack (make deploy) or fix athena.workgroup")
    if group.get("State") != "ENABLED":
        return Check(f"athena workgroup {name}", MISSING, f"workgroup is {group.get('State')}", "enable the workgroup")
    return Check(f"athena workgroup {name}", OK, "enabled")


def probe_sql(database: str, table: str, partitions: Iterable[str]) -> str:
    """``SELECT 1`` from one partition; every partition value is bound (``?`` only in WHERE)."""
    where = " AND ".join(f"{column} = ?" for column in partitions)
    return f'SELECT 1 AS probe FROM "{database}"."{table}" WHERE {where} LIMIT 1'


def table(cfg: Config, clients: Clients, name: str, partitions: dict[str, str], label: str,
          sleep: Callable[[float], None] = time.sleep) -> list[Check]:
    """The table exists (GetTableMetadata) and one bounded query over today's partition runs."""
    from botocore.exceptions import BotoCoreError, ClientError

    from tools.common import athena as runner
    from tools.common.deadline import Deadline
    from tools.common.errors import SourceError

    database = cfg["athena"]["database"]
    client = clients("athena")
    try:
        client.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=database, TableName=name)
    except (ClientError, BotoCoreError) as exc:
        return [failed(f"{label} table {database}.{name}", exc, "athena:GetTableMetadata",
                       "deploy the stack (make deploy): it creates the table")]
    rows = [Check(f"{label} table {database}.{name}", OK, "exists")]
    sql = probe_sql(database, name, partitions)
    try:
        result = runner.run_query(sql, list(partitions.values()), database=database,
                                  workgroup=cfg["athena"]["workgroup"], deadline=Deadline(PROBE_SECONDS),
                                  client=client, sleep=sleep, max_rows=1)
    except SourceError as exc:
        text = f"{exc.what} {exc.hint}".lower()
        status = DENIED if ("denied" in text or "not authorized" in text) else ERROR
        rows.append(Check(f"{label} probe query", status, exc.what[:200],
                          "allow the log bucket's s3:GetObject (and kms:Decrypt on its key) for these credentials"
                          if status == DENIED else exc.hint or "open the query in the Athena console"))
        return rows
    found = "a row" if result.rows else "no rows"
    detail = f"{found} for {', '.join(f'{k}={v}' for k, v in partitions.items())}"
    if result.rows:
        rows.append(Check(f"{label} probe query", OK, detail))
    else:
        rows.append(Check(f"{label} probe query", MISSING, detail,
                          "check the log bucket, prefix and that logs are delivered today (organization trails: "
                          "cloudtrail.organization_id)"))
    return rows


def today(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).strftime("%Y/%m/%d")


def alb(cfg: Config, clients: Clients, now: datetime | None = None,
        sleep: Callable[[float], None] = time.sleep) -> list[Check]:
    section = cfg["alb"]
    if not section["enabled"]:
        return [Check("alb", SKIPPED, "alb.enabled = false")]
    if not section["log_bucket"]:
        return [Check("alb", MISSING, "alb.log_bucket is empty", "set alb.log_bucket to the access-log bucket")]
    rows = [bucket(section["log_bucket"], "alb log bucket", clients)]
    return rows + table(cfg, clients, section["table"], {"day": today(now)}, "alb", sleep)


def cloudtrail(cfg: Config, clients: Clients, region: str, now: datetime | None = None,
               sleep: Callable[[float], None] = time.sleep) -> list[Check]:
    from botocore.exceptions import BotoCoreError, ClientError

    section = cfg["cloudtrail"]
    if not section["enabled"]:
        return [Check("cloudtrail", SKIPPED, "cloudtrail.enabled = false")]
    client = clients("cloudtrail")
    if section["mode"] == "lookup":
        try:
            client.lookup_events(MaxResults=1)
        except (ClientError, BotoCoreError) as exc:
            return [failed("cloudtrail event history", exc, "cloudtrail:LookupEvents", "check the region")]
        return [Check("cloudtrail event history", OK, "LookupEvents answers")]
    if not section["log_bucket"]:
        return [Check("cloudtrail", MISSING, "cloudtrail.log_bucket is empty (mode = athena)",
                      "set cloudtrail.log_bucket to the trail's bucket, or mode = \"lookup\"")]
    rows: list[Check] = []
    try:
        trails = client.describe_trails(includeShadowTrails=True).get("trailList", [])
        trail = next((t for t in trails if t.get("S3BucketName") == section["log_bucket"]), None)
        if trail is None:
            rows.append(Check("cloudtrail trail", MISSING, f"no trail delivers to s3://{section['log_bucket']}",
                              "create a trail to that bucket or fix cloudtrail.log_bucket"))
        else:
            logging = client.get_trail_status(Name=trail.get("TrailARN") or trail["Name"]).get("IsLogging")
            org = " (organization trail)" if trail.get("IsOrganizationTrail") else ""
            if trail.get("IsOrganizationTrail") and not section["organization_id"]:
                rows.append(Check("cloudtrail trail", MISSING, f"{trail['Name']}{org} writes under AWSLogs/<org id>/",
                                  "set cloudtrail.organization_id"))
            elif trail.get("KmsKeyId") and not section["kms_key_arn"]:
                rows.append(Check("cloudtrail trail", MISSING, f"{trail['Name']} encrypts with {trail['KmsKeyId']}",
                                  "set cloudtrail.kms_key_arn to that key"))
            elif not logging:
                rows.append(Check("cloudtrail trail", MISSING, f"{trail['Name']} is not logging", "start logging"))
            else:
                rows.append(Check("cloudtrail trail", OK, f"{trail['Name']}{org} logging"))
    except (ClientError, BotoCoreError) as exc:
        rows.append(failed("cloudtrail trail", exc, "cloudtrail:DescribeTrails", "check the region"))
    rows.append(bucket(section["log_bucket"], "cloudtrail log bucket", clients))
    return rows + table(cfg, clients, section["table"], {"region": region, "day": today(now)}, "cloudtrail", sleep)


def athena_needed(cfg: Config) -> bool:
    from infra.policies import alb_enabled, cloudtrail_athena

    return alb_enabled(cfg) or cloudtrail_athena(cfg)


def chatbot(cfg: Config, clients: Clients) -> Check:
    from botocore.exceptions import BotoCoreError, ClientError

    slack = cfg["slack"]
    if not slack["enabled"]:
        return Check("slack channel", SKIPPED, "slack.enabled = false")
    try:
        pages = clients("chatbot").describe_slack_channel_configurations().get("SlackChannelConfigurations", [])
    except (ClientError, BotoCoreError) as exc:
        return failed("slack channel", exc, "chatbot:DescribeSlackChannelConfigurations",
                      "authorise the Slack workspace in the AWS Chatbot console")
    hit = next((c for c in pages if c.get("SlackChannelId") == slack["channel_id"]
                and c.get("SlackTeamId") == slack["workspace_id"]), None)
    if hit is None:
        return Check("slack channel", MISSING, f"no Chatbot configuration for channel {slack['channel_id']}",
                     "make deploy creates it; check slack.workspace_id and slack.channel_id")
    return Check("slack channel", OK, str(hit.get("ConfigurationName", slack["channel_id"])))
