"""Athena backend (``[cloudtrail] mode = "athena"``): SQL over the trail's table (``schema.py``), run by the shared
runner ``tools.common.athena``.

The query prunes partitions on the projected ``region`` (the workload region and us-east-1, for global
services) and ``day`` (every day the span touches), bounds ``eventtime``, and pushes the filters down: read-only
calls are dropped in SQL unless asked (denied reads are kept), the service, principal and resource filters
become ``strpos`` predicates. Every value is bound through ``ExecutionParameters`` (all in ``WHERE``, the only
clause Athena binds them in); the only names in the text are the validated table name and our own constants,
and the ``ORDER BY`` holds the window start as a generated integer literal. Rows come back ordered by distance to the window
start, so when more than ``MAX_ROWS`` match, the calls kept are those nearest the onset, and the answer says
it is partial. Each row is rebuilt into the CloudTrail record shape the digest reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from tools.cloudtrail import schema
from tools.cloudtrail.model import ChangeQuery, FetchReport
from tools.common.config import Config
from tools.common.deadline import Deadline
from tools.common.evidence import athena_link

MAX_ROWS = 5000
SLEEP = time.sleep  # the Athena polling sleep; replaced in tests so polling never waits
_DENIED = ("accessdenied", "unauthorized")

_SELECT = """SELECT eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, errorcode, readonly,
       eventid, eventtype, sessioncredentialfromconsole, requestparameters,
       useridentity.type AS identity_type, useridentity.arn AS identity_arn,
       useridentity.username AS identity_username, useridentity.invokedby AS identity_invokedby,
       useridentity.principalid AS identity_principalid, useridentity.accountid AS identity_accountid,
       useridentity.sessioncontext.sessionissuer.username AS issuer_username,
       array_join(transform(resources, r -> r.arn), ' ') AS resource_arns
FROM "{table}"
WHERE region IN ({regions}) AND day IN ({days})
  AND eventtime >= ? AND eventtime < ?"""


def days(query: ChangeQuery) -> list[str]:
    """The ``day`` partition values (``yyyy/MM/dd``) the span touches."""
    span = query.span
    day, last = span.start.date(), (span.end - timedelta(microseconds=1)).date()
    values = []
    while day <= last:
        values.append(day.strftime(schema.PY_DAY_FORMAT))
        day += timedelta(days=1)
    return values


def build_sql(query: ChangeQuery, table: str) -> tuple[str, list[object]]:
    """The SQL text (placeholders only) and its parameters, in order."""
    regions = schema.query_regions(query.region)
    day_values = days(query)
    params: list[object] = [*regions, *day_values, _event_time(query.span.start), _event_time(query.span.end)]
    sql = _SELECT.format(table=table, regions=", ".join("?" * len(regions)), days=", ".join("?" * len(day_values)))
    if not query.include_read_only:
        denied = " OR ".join("strpos(lower(coalesce(errorcode, '')), ?) > 0" for _ in _DENIED)
        sql += f"\n  AND (readonly IS NULL OR readonly <> 'true' OR {denied})"
        params.extend(_DENIED)
    if query.event_source:
        sql += "\n  AND eventsource = ?"
        params.append(query.event_source)
    if query.principal:
        sql += ("\n  AND (strpos(lower(coalesce(useridentity.arn, '')), ?) > 0"
                " OR strpos(lower(coalesce(useridentity.username, useridentity.invokedby, '')), ?) > 0)")
        params.extend([query.principal.lower()] * 2)
    if query.resource:
        sql += ("\n  AND (strpos(lower(coalesce(requestparameters, '')), ?) > 0"
                " OR strpos(lower(coalesce(responseelements, '')), ?) > 0"
                " OR strpos(lower(array_join(transform(resources, r -> r.arn), ' ')), ?) > 0)")
        params.extend([query.resource.lower()] * 3)
    # Athena binds execution parameters only in WHERE: the onset is an integer this code computes, written as a
    # literal (``:d`` leaves nothing but digits in the text).
    onset = int(query.window.start.timestamp())
    sql += (f"\nORDER BY abs(to_unixtime(from_iso8601_timestamp(eventtime)) - {onset:d}), eventtime DESC"
            f"\nLIMIT {MAX_ROWS + 1:d}")
    return sql, params


def _event_time(moment: Any) -> str:
    """CloudTrail's ``eventtime`` text form (``2026-11-20T09:00:00Z``): compared as strings, which sort by time."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(text: Any) -> Any:
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return text


def to_record(row: dict[str, Any]) -> dict[str, Any]:
    """An Athena row rebuilt into the CloudTrail record shape ``records.parse_call`` reads."""
    identity = {
        "type": row.get("identity_type"),
        "arn": row.get("identity_arn"),
        "userName": row.get("identity_username"),
        "invokedBy": row.get("identity_invokedby"),
        "principalId": row.get("identity_principalid"),
        "accountId": row.get("identity_accountid"),
        "sessionContext": {"sessionIssuer": {"userName": row.get("issuer_username")}},
    }
    return {
        "eventTime": row.get("eventtime"),
        "eventSource": row.get("eventsource"),
        "eventName": row.get("eventname"),
        "awsRegion": row.get("awsregion"),
        "sourceIPAddress": row.get("sourceipaddress"),
        "userAgent": row.get("useragent"),
        "errorCode": row.get("errorcode"),
        "readOnly": row.get("readonly"),
        "eventID": row.get("eventid"),
        "eventType": row.get("eventtype"),
        "sessionCredentialFromConsole": row.get("sessioncredentialfromconsole"),
        "userIdentity": {k: v for k, v in identity.items() if v is not None},
        "requestParameters": _json(row.get("requestparameters")),
        "resources": [{"ARN": arn} for arn in str(row.get("resource_arns") or "").split()],
    }


def fetch(query: ChangeQuery, config: Config, deadline: Deadline, report: FetchReport,
          sleep: Any = None) -> Iterator[dict[str, Any]]:
    """Run the query and stream its rows as CloudTrail records; Athena failures raise ``SourceError``."""
    from tools.common import athena

    settings, athena_settings = config["cloudtrail"], config["athena"]
    sql, params = build_sql(query, settings["table"])
    bucket = athena_settings["results_bucket"]
    result = athena.run_query(
        sql, params, database=athena_settings["database"], workgroup=athena_settings["workgroup"],
        deadline=deadline, output_location=f"s3://{bucket}/cloudtrail/" if bucket else None,
        max_rows=MAX_ROWS + 1, sleep=sleep or SLEEP,
    )
    rows = result.rows
    if len(rows) > MAX_ROWS:
        rows = rows[:MAX_ROWS]
        report.cut(f"more than {MAX_ROWS} calls matched; the {MAX_ROWS} nearest the window start were digested "
                   "(narrow the window or add a filter)")
    if not result.complete:
        report.cut("; ".join(result.notes) or "the Athena results were not read to the end")
    report.notes.append(f"Athena scanned {athena.human_bytes(result.bytes_scanned)}: "
                        f"{athena_link(query.region, result.query_execution_id)}")
    for row in rows:
        yield to_record(row)
