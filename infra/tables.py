"""Glue table definitions for the Athena-backed tools, taken from the tools' own schema modules.

``tools/alb/schema.py`` and ``tools/cloudtrail/schema.py`` define each table once (columns, SerDe, regex,
partition projection) for both the tools' SQL and this stack; this module only adapts them to Terraform:
the projection placeholders ``${day}`` / ``${region}`` become ``$${day}`` / ``$${region}`` so Terraform keeps
them literal for Athena.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tools.alb import schema as alb_schema
from tools.cloudtrail import schema as trail_schema

Column = tuple[str, str]

ALB_REGEX: str = alb_schema.REGEX

_PLACEHOLDER = re.compile(r"(?<!\$)\$\{(day|region)\}")


def terraform_literal(text: str) -> str:
    """Escape Athena projection placeholders for Terraform (``${day}`` -> ``$${day}``), leaving other text alone."""
    return _PLACEHOLDER.sub(r"$${\1}", text)


@dataclass(frozen=True)
class TableSpec:
    """Everything ``infra.athena`` needs to declare one ``aws_glue_catalog_table``."""

    location: str
    parameters: dict[str, str]
    partition_keys: tuple[Column, ...]
    columns: tuple[Column, ...]
    serde: str
    serde_parameters: dict[str, str]
    input_format: str
    output_format: str


def alb_table(bucket: str, prefix: str, account: str, region: str, retention_start: str) -> TableSpec:
    params = alb_schema.table_parameters(bucket, prefix, account, region, retention_start)
    template = params["storage.location.template"]
    return TableSpec(
        location=template.rsplit("/${", 1)[0] + "/",
        parameters={k: terraform_literal(v) for k, v in params.items()},
        partition_keys=((alb_schema.PARTITION_KEY, "string"),),
        columns=alb_schema.COLUMNS,
        serde=alb_schema.SERDE,
        serde_parameters={"serialization.format": "1", "input.regex": alb_schema.REGEX},
        input_format=alb_schema.INPUT_FORMAT,
        output_format=alb_schema.OUTPUT_FORMAT,
    )


def cloudtrail_table(bucket: str, prefix: str, account: str, region: str, retention_start: str,
                     organization_id: str = "") -> TableSpec:
    regions = trail_schema.query_regions(region)
    params = trail_schema.table_parameters(bucket, prefix, account, regions, retention_start, organization_id)
    return TableSpec(
        location=trail_schema.storage_location(bucket, prefix, account, organization_id),
        parameters={k: terraform_literal(v) for k, v in params.items()},
        partition_keys=trail_schema.PARTITION_KEYS,
        columns=trail_schema.COLUMNS,
        serde=trail_schema.SERDE,
        serde_parameters=dict(trail_schema.SERDE_PARAMETERS),
        input_format=trail_schema.INPUT_FORMAT,
        output_format=trail_schema.OUTPUT_FORMAT,
    )
