"""Athena for the ALB and CloudTrail tools: results bucket, workgroup, Glue database and tables.

The tables use partition projection by day over the user's log buckets, so no crawler or
``MSCK REPAIR`` is needed; their definitions come from the tools' schema modules via ``infra.tables``.
"""

from __future__ import annotations

from typing import Any

from infra import policies, tables
from infra.buckets import private_bucket
from infra.context import Context
from infra.provider import aws


def results_bucket(ctx: Context, key: Any) -> tuple[str, str]:
    """(bucket name, bucket ARN): the configured one, or a new encrypted, private, TLS-only bucket."""
    configured = ctx.cfg["athena"]["results_bucket"]
    if configured:
        return configured, ctx.scope.s3_arn(configured)
    life = aws("s3_bucket_lifecycle_configuration")
    days = ctx.cfg["athena"]["results_expiry_days"]
    rule = life.S3BucketLifecycleConfigurationRule(
        id="expire-query-results", status="Enabled",
        filter=[life.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
        expiration=[life.S3BucketLifecycleConfigurationRuleExpiration(days=days)],
        noncurrent_version_expiration=[
            life.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=1)],
        abort_incomplete_multipart_upload=[
            life.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=1)],
    )
    bucket, _ = private_bucket(ctx, "results", ctx.names.results_bucket_prefix(), key, rule, force_destroy=True)
    return bucket.bucket, bucket.arn


def workgroup(ctx: Context, bucket: str, key: Any) -> Any:
    wg = aws("athena_workgroup")
    ath = ctx.cfg["athena"]
    return wg.AthenaWorkgroup(
        ctx.stack, "workgroup", name=ath["workgroup"], force_destroy=True,
        description=f"{ctx.names.project}: read-only queries of the ops agent",
        configuration=wg.AthenaWorkgroupConfiguration(
            enforce_workgroup_configuration=True,
            publish_cloudwatch_metrics_enabled=True,
            bytes_scanned_cutoff_per_query=ath["bytes_scanned_cutoff"],
            result_configuration=wg.AthenaWorkgroupConfigurationResultConfiguration(
                output_location=f"s3://{bucket}/results/",
                encryption_configuration=wg.AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                    encryption_option="SSE_KMS", kms_key_arn=key.arn),
            ),
        ))


def _table(ctx: Context, ident: str, name: str, database: Any, spec: tables.TableSpec, description: str) -> Any:
    gt = aws("glue_catalog_table")
    return gt.GlueCatalogTable(
        ctx.stack, ident, name=name, database_name=database.name, table_type="EXTERNAL_TABLE",
        description=description, parameters=spec.parameters,
        partition_keys=[gt.GlueCatalogTablePartitionKeys(name=n, type=t) for n, t in spec.partition_keys],
        storage_descriptor=gt.GlueCatalogTableStorageDescriptor(
            location=spec.location, input_format=spec.input_format, output_format=spec.output_format,
            ser_de_info=gt.GlueCatalogTableStorageDescriptorSerDeInfo(
                name=f"{name}-serde", serialization_library=spec.serde, parameters=spec.serde_parameters),
            columns=[gt.GlueCatalogTableStorageDescriptorColumns(name=c, type=t) for c, t in spec.columns],
        ))


def build(ctx: Context, key: Any) -> dict[str, Any]:
    """Results bucket and workgroup always (cheap, and the tools report 'not configured' cleanly);
    the Glue database and tables when their log bucket is configured."""
    bucket_name, bucket_arn = results_bucket(ctx, key)
    out: dict[str, Any] = {"results_bucket": bucket_name, "results_bucket_arn": bucket_arn,
                           "workgroup": workgroup(ctx, bucket_name, key)}
    want_alb, want_trail = policies.alb_enabled(ctx.cfg), policies.cloudtrail_athena(ctx.cfg)
    if not (want_alb or want_trail):
        return out
    gdb = aws("glue_catalog_database")
    database = gdb.GlueCatalogDatabase(ctx.stack, "glue-database", name=ctx.cfg["athena"]["database"],
                                       description=f"{ctx.names.project}: ALB and CloudTrail logs (projection)")
    out["database"] = database
    region, account = ctx.scope.region, ctx.scope.account
    if want_alb:
        alb = ctx.cfg["alb"]
        spec = tables.alb_table(alb["log_bucket"], alb["log_prefix"], account, region, alb["retention_start"])
        out["alb_table"] = _table(ctx, "alb-table", alb["table"], database, spec,
                                  "Application Load Balancer access logs (tools/alb/schema.py)")
    if want_trail:
        ct = ctx.cfg["cloudtrail"]
        spec = tables.cloudtrail_table(ct["log_bucket"], ct["log_prefix"], account, region, ct["retention_start"],
                                       ct["organization_id"])
        out["cloudtrail_table"] = _table(ctx, "cloudtrail-table", ct["table"], database, spec,
                                         "CloudTrail events (tools/cloudtrail/schema.py)")
    return out
