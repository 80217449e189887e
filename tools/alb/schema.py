"""The ALB access-log table, defined once: columns, the RegexSerDe regex, and the Glue table the stack creates.

The same ``REGEX`` parses lines in Athena (Glue table with ``org.apache.hadoop.hive.serde2.RegexSerDe``, Java
regex, whole-line match) and locally (DuckDB's RE2, anchored the same way by ``full_match_regex()``), so the two
modes cannot drift. It uses only syntax both engines share (no look-arounds, no back-references).

Layout (the ELB user guide's "Access log entries" for Application Load Balancers): the fields up to ``error_reason`` are always present;
``target:port_list`` .. ``classification_reason`` and ``conn_trace_id`` are optional so older lines parse; anything
AWS appends after them is accepted and ignored (``(?: .*)?``). The request URL is matched lazily so a line is split
at the first place where the rest of the layout fits.

The table is partitioned by ``day`` ('yyyy/MM/dd', the S3 delivery date) with partition projection; queries must
constrain ``day`` (see ``tools.alb.sql``).
"""

from __future__ import annotations

SERDE = "org.apache.hadoop.hive.serde2.RegexSerDe"
INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
PARTITION_KEY = "day"
DAY_FORMAT = "yyyy/MM/dd"  # Java/Glue notation of the partition values (Python: %Y/%m/%d)

_Q = r"\"([^\"]*)\""  # a double-quoted field that may contain spaces

# (column name, Athena/Glue type, regex group). One capturing group per column, in order.
_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("type", "string", r"([^ ]*)"),
    ("time", "string", r" ([^ ]*)"),
    ("elb", "string", r" ([^ ]*)"),
    ("client_ip", "string", r" ([^ ]*)"),
    ("client_port", "int", r":([0-9]*)"),
    ("target_ip", "string", r" ([^ ]*)"),
    ("target_port", "int", r"[:-]([0-9]*)"),
    ("request_processing_time", "double", r" ([-.0-9]*)"),
    ("target_processing_time", "double", r" ([-.0-9]*)"),
    ("response_processing_time", "double", r" ([-.0-9]*)"),
    ("elb_status_code", "int", r" ([-0-9]*)"),
    ("target_status_code", "string", r" (-|[-0-9]*)"),
    ("received_bytes", "bigint", r" ([-0-9]*)"),
    ("sent_bytes", "bigint", r" ([-0-9]*)"),
    ("request_verb", "string", r" \"([^ ]*)"),
    ("request_url", "string", r" (.*?)"),
    ("request_proto", "string", r" (- |[^ ]*)\""),
    ("user_agent", "string", " " + _Q),
    ("ssl_cipher", "string", r" ([^ ]*)"),
    ("ssl_protocol", "string", r" ([^ ]*)"),
    ("target_group_arn", "string", r" ([^ ]*)"),
    ("trace_id", "string", " " + _Q),
    ("domain_name", "string", " " + _Q),
    ("chosen_cert_arn", "string", " " + _Q),
    ("matched_rule_priority", "string", r" ([-.0-9]*)"),
    ("request_creation_time", "string", r" ([^ ]*)"),
    ("actions_executed", "string", " " + _Q),
    ("redirect_url", "string", " " + _Q),
    ("error_reason", "string", " " + _Q),
    # Optional (newer) fields; each group below is inside a non-capturing optional group.
    ("target_port_list", "string", _Q),
    ("target_status_code_list", "string", _Q),
    ("classification", "string", _Q),
    ("classification_reason", "string", _Q),
    ("conn_trace_id", "string", r"([^ ]*)"),
)

COLUMNS: tuple[tuple[str, str], ...] = tuple((name, kind) for name, kind, _ in _FIELDS)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
_REQUIRED = 29  # type .. error_reason


def _build_regex() -> str:
    head = "".join(group for _, _, group in _FIELDS[:_REQUIRED])
    tl, tsl, cls, reason, conn = (group for _, _, group in _FIELDS[_REQUIRED:])
    tail = f"(?: {tl} {tsl}(?: {cls} {reason}(?: {conn})?)?)?"
    return head + tail + "(?: .*)?"


REGEX: str = _build_regex()
"""The RegexSerDe ``input.regex`` (whole-line match, one group per column of ``COLUMNS``)."""


def full_match_regex() -> str:
    """``REGEX`` anchored for engines whose extract functions search instead of matching the whole line."""
    return "^(?:" + REGEX + ")$"


def storage_location_template(bucket: str, prefix: str, account: str, region: str) -> str:
    """The S3 template of partition projection: where ELB delivers one day of one account and region."""
    base = f"s3://{bucket}/" + (prefix.strip("/") + "/" if prefix.strip("/") else "")
    return f"{base}AWSLogs/{account}/elasticloadbalancing/{region}/${{{PARTITION_KEY}}}"


def table_parameters(bucket: str, prefix: str, account: str, region: str, retention_start: str) -> dict[str, str]:
    """Table properties: partition projection by day ('yyyy/MM/dd' from ``retention_start`` until NOW)."""
    return {
        "EXTERNAL": "TRUE",
        "projection.enabled": "true",
        f"projection.{PARTITION_KEY}.type": "date",
        f"projection.{PARTITION_KEY}.format": DAY_FORMAT,
        f"projection.{PARTITION_KEY}.range": f"{retention_start},NOW",
        f"projection.{PARTITION_KEY}.interval": "1",
        f"projection.{PARTITION_KEY}.interval.unit": "DAYS",
        "storage.location.template": storage_location_template(bucket, prefix, account, region),
    }

