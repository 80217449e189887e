"""One private S3 bucket the way this stack makes every bucket: versioned, SSE-KMS with the project key (bucket
key on), public access blocked, owner-enforced, TLS only, with the caller's lifecycle rule."""

from __future__ import annotations

from typing import Any

from infra import policies
from infra.context import Context
from infra.provider import aws


def private_bucket(ctx: Context, ident: str, bucket_prefix: str, key: Any, lifecycle_rule: Any,
                   force_destroy: bool) -> tuple[Any, Any]:
    """(bucket, its encryption configuration); resource ids are ``ident`` and ``<ident>-<part>``."""
    s3 = aws("s3_bucket")
    ver = aws("s3_bucket_versioning")
    life = aws("s3_bucket_lifecycle_configuration")
    enc = aws("s3_bucket_server_side_encryption_configuration")
    pab = aws("s3_bucket_public_access_block")
    own = aws("s3_bucket_ownership_controls")
    pol = aws("s3_bucket_policy")
    bucket = s3.S3Bucket(ctx.stack, ident, bucket_prefix=bucket_prefix, force_destroy=force_destroy)
    ver.S3BucketVersioningA(ctx.stack, f"{ident}-versioning", bucket=bucket.id,
                            versioning_configuration=ver.S3BucketVersioningVersioningConfiguration(status="Enabled"))
    life.S3BucketLifecycleConfiguration(ctx.stack, f"{ident}-lifecycle", bucket=bucket.id, rule=[lifecycle_rule])
    encryption = enc.S3BucketServerSideEncryptionConfigurationA(ctx.stack, f"{ident}-encryption", bucket=bucket.id, rule=[
        enc.S3BucketServerSideEncryptionConfigurationRuleA(
            bucket_key_enabled=True,
            apply_server_side_encryption_by_default=enc.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                sse_algorithm="aws:kms", kms_master_key_id=key.arn))])
    pab.S3BucketPublicAccessBlock(ctx.stack, f"{ident}-public-access", bucket=bucket.id, block_public_acls=True,
                                  block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True)
    own.S3BucketOwnershipControls(ctx.stack, f"{ident}-ownership", bucket=bucket.id,
                                  rule=own.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"))
    pol.S3BucketPolicy(ctx.stack, f"{ident}-tls-only", bucket=bucket.id,
                       policy=policies.to_json(policies.tls_only_bucket_policy(bucket.arn)))
    return bucket, encryption
