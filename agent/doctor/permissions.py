"""The IAM permissions the account-facing commands need, listed once for ``--help`` and docs/operations.md.

``doctor`` and ``record`` run with the operator's own credentials (not the Lambdas' roles); both only read.
Each entry: (action, why). Tests check every action here is one botocore knows and that the commands call
nothing that is not listed.
"""

from __future__ import annotations

Permission = tuple[str, str]

DOCTOR: tuple[Permission, ...] = (
    ("sts:GetCallerIdentity", "credentials and account"),
    ("bedrock:GetFoundationModel", "the configured model (a model id or ARN)"),
    ("bedrock:GetInferenceProfile", "the configured inference profile"),
    ("logs:DescribeLogGroups", "the configured log groups and prefixes"),
    ("athena:GetWorkGroup", "the Athena workgroup"),
    ("athena:GetTableMetadata", "the ALB and CloudTrail tables"),
    ("athena:StartQueryExecution", "one probe query per table (LIMIT 1, today's partition)"),
    ("athena:GetQueryExecution", "the probe's outcome"),
    ("athena:GetQueryResults", "the probe's row"),
    ("athena:StopQueryExecution", "stop a probe that runs too long"),
    ("glue:GetDatabase", "Athena reads the catalog for the probe"),
    ("glue:GetTable", "Athena reads the catalog for the probe"),
    ("s3:GetBucketLocation", "the log buckets exist and can be reached (HeadBucket)"),
    ("s3:ListBucket", "the log buckets (HeadBucket) and the probe's reads"),
    ("s3:GetObject", "the probe's reads of the log bucket"),
    ("s3:PutObject", "the probe's result in the Athena results bucket"),
    ("cloudtrail:DescribeTrails", "the trail delivering to cloudtrail.log_bucket"),
    ("cloudtrail:GetTrailStatus", "the trail is logging"),
    ("cloudtrail:LookupEvents", "lookup mode: event history can be read"),
    ("cloudwatch:ListMetrics", "the configured namespaces have metrics"),
    ("xray:GetGroup", "X-Ray is reachable (the Default group)"),
    ("securityhub:DescribeHub", "Security Hub is enabled"),
    ("guardduty:ListDetectors", "GuardDuty has a detector"),
    ("guardduty:GetDetector", "the detector is enabled"),
    ("chatbot:DescribeSlackChannelConfigurations", "the Slack channel is configured"),
)

RECORD: tuple[Permission, ...] = (
    ("sts:GetCallerIdentity", "the account the snapshot is recorded from"),
    ("logs:DescribeLogGroups", "the groups under the configured prefixes"),
    ("logs:FilterLogEvents", "the log events of the window"),
    ("s3:ListBucket", "the ALB access-log objects of the window's days"),
    ("s3:GetObject", "the ALB access-log objects"),
    ("cloudtrail:LookupEvents", "the CloudTrail events of the window and its look-back"),
    ("cloudwatch:ListMetrics", "the metrics of the configured namespaces"),
    ("cloudwatch:GetMetricData", "their values over the window and its baseline"),
    ("xray:GetTraceSummaries", "the traces of the window"),
    ("xray:BatchGetTraces", "their segments"),
    ("securityhub:GetFindings", "Security Hub findings"),
    ("guardduty:ListDetectors", "GuardDuty detectors"),
    ("guardduty:ListFindings", "GuardDuty finding ids"),
    ("guardduty:GetFindings", "GuardDuty findings"),
)


def help_text(permissions: tuple[Permission, ...]) -> str:
    """The permissions as an argparse epilog (one action per line)."""
    width = max(len(action) for action, _ in permissions)
    lines = [f"  {action.ljust(width)}  {why}" for action, why in permissions]
    return "IAM permissions needed (read-only, with your own credentials):\n" + "\n".join(lines)
