"""AWS backend: the summary query run by Athena over the Glue table of the ALB access logs.

The table (``config['alb']['table']`` in ``config['athena']['database']``, created by the stack from
``tools.alb.schema``) is partitioned by delivery ``day`` with partition projection; the query constrains ``day`` to
the window's days and ``time`` to the window, and binds every value as an execution parameter. Athena's result
reuse is not asked for: it keys on the query text, and nothing documents that bound parameters are part of the key.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tools.alb.model import Answer, Filters
from tools.alb.sql import ATHENA, summary_query
from tools.common import athena
from tools.common.evidence import athena_link
from tools.common.timewindow import Window

if TYPE_CHECKING:
    from tools.common.app import ToolRequest

sleep: athena.Sleep = time.sleep  # replaced in tests so polling never waits


def table_name(database: str, table: str) -> str:
    """The quoted table reference (names come from the validated configuration: [a-z0-9_])."""
    return f'"{database}"."{table}"'


def fetch(request: ToolRequest, window: Window, filters: Filters, bucket: int) -> Answer:
    """Run the summary query in Athena and return its rows with the query id and bytes scanned."""
    settings, alb = request.config["athena"], request.config["alb"]
    query = summary_query(ATHENA, table_name(settings["database"], alb["table"]), window, filters, bucket)
    bucket_name = settings["results_bucket"]
    result = athena.run_query(
        query.sql,
        query.params,
        database=settings["database"],
        workgroup=settings["workgroup"],
        deadline=request.deadline,
        sleep=sleep,
        output_location=f"s3://{bucket_name}/alb/" if bucket_name else None,
    )
    return Answer(
        result.rows,
        athena_link(request.region, result.query_execution_id),
        complete=result.complete,
        query_execution_id=result.query_execution_id,
        bytes_scanned=result.bytes_scanned,
        notes=list(result.notes),
    )
