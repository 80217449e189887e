"""Where the stack lives (partition, region, account) and how its resources are named.

Values may be plain strings (unit tests, a pinned account) or Terraform references (``${data...}``)
produced at synth; the pure modules only format them into ARNs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    partition: str
    region: str
    account: str

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        """``arn:<partition>:<service>:<region>:<account>:<resource>`` (pass "" to leave a part empty)."""
        reg = self.region if region is None else region
        acct = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{reg}:{acct}:{resource}"

    def s3_arn(self, bucket: str, key: str = "") -> str:
        return f"arn:{self.partition}:s3:::{bucket}" + (f"/{key}" if key else "")

    def log_group_arn(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}")


# S3 names a bucket ``bucket_prefix`` + a 26-character unique suffix, so a prefix holds at most 63 - 26.
BUCKET_PREFIX_MAX = 37


@dataclass(frozen=True)
class Names:
    """Resource names derived from ``project.name`` (lower case, digits, hyphens; at most 31 characters,
    ``tools.common.config.PROJECT_NAME_MAX``). Every name stays inside its AWS limit for that length."""

    project: str

    def results_bucket_prefix(self) -> str:
        """``<project>-athena-results-``, the project shortened so the prefix fits S3's 37 characters."""
        tail = "-athena-results-"
        return self.project[: BUCKET_PREFIX_MAX - len(tail)].rstrip("-") + tail

    def function(self, group: str) -> str:
        return f"{self.project}-{group}"

    def function_log_group(self, group: str) -> str:
        return f"/aws/lambda/{self.function(group)}"

    def role(self, purpose: str) -> str:
        return f"{self.project}-{purpose}"

