"""Athena runner shared by the tools that query S3 logs (ALB, CloudTrail): start, poll, stop, page, explain.

``run_query(sql, params, ...)`` starts the query in the configured workgroup with every value bound through
``ExecutionParameters`` (rendered by ``literal``; the SQL text holds only ``?``), polls ``GetQueryExecution`` with
backoff inside the caller's ``Deadline`` (the sleep is injectable), stops the query with ``StopQueryExecution`` when
time runs out, turns FAILED/CANCELLED into an ``AthenaError`` that says why and what to do, and pages
``GetQueryResults``. The answer carries rows, bytes scanned and the query execution id for ``athena_link``.

``csv_lines`` renders a table as properly quoted CSV lines (stdlib ``csv``), one line per row, so a body section
can be cut between rows by the renderer.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

from tools.common import aws
from tools.common.deadline import Deadline
from tools.common.errors import SourceError

SOURCE = "athena"
PAGE_SIZE = 1000
FIRST_POLL_SECONDS = 0.3
MAX_POLL_SECONDS = 2.0
BACKOFF = 1.6
_RETRYABLE_POLL_ERRORS = {"ThrottlingException", "TooManyRequestsException", "InternalServerException"}

Sleep = Callable[[float], None]


class AthenaError(SourceError):
    """A query that failed, was cancelled or ran out of time; carries its id (for the console link) and state."""

    def __init__(self, what: str, hint: str, query_execution_id: str | None, state: str, status: str = "error") -> None:
        super().__init__(SOURCE, what, hint, status)
        self.query_execution_id = query_execution_id
        self.state = state


@dataclass
class QueryResult:
    """Rows of a finished query (typed by the result metadata) and what it cost."""

    query_execution_id: str
    columns: list[str]
    rows: list[dict[str, Any]]
    bytes_scanned: int = 0
    complete: bool = True
    notes: list[str] = field(default_factory=list)


# --- parameters ------------------------------------------------------------------------------


def literal(value: object) -> str:
    """One execution parameter as the SQL literal Athena expects (strings single-quoted, quotes doubled)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("Athena parameters must be finite numbers")
        return repr(value)
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        return f"TIMESTAMP '{value}'"
    text = str(value)
    return "'" + text.replace("'", "''") + "'"


# --- state explanations ----------------------------------------------------------------------

_REASON_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("bytes scanned", "bytesscannedcutoff", "cutoff"),
     "the query would scan more than the workgroup's per-query limit; narrow the window or add a filter"),
    (("table_not_found", "does not exist", "entitynotfound", "schema_not_found"),
     "the Glue table or database is missing; deploy the stack (it creates them) or check the configured names"),
    (("access denied", "accessdenied", "not authorized", "permission"),
     "the tool's role cannot read the logs bucket, the Glue catalog or the results bucket; check the role the stack created"),
    (("hive_bad_data", "hive_cursor_error", "malformed", "regex"),
     "some log objects could not be read; narrow the window to skip them and check the bucket's objects"),
    (("timeout", "timed out", "exceeded the maximum"),
     "the query ran too long; narrow the window"),
    (("too many queued", "throttl", "rate exceeded"),
     "Athena is busy (too many queries); retry in a minute"),
)


def explain_reason(reason: str) -> str:
    """What to do about a FAILED/CANCELLED state change reason."""
    lower = reason.lower()
    for needles, hint in _REASON_HINTS:
        if any(needle in lower for needle in needles):
            return hint
    return "retry; if it fails again open the query in the Athena console to see the full error"


# --- the runner ------------------------------------------------------------------------------


def _client_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def start(sql: str, params: Sequence[object], *, database: str, workgroup: str, client: Any,
          output_location: str | None = None, catalog: str = "AwsDataCatalog", reuse_minutes: int | None = None) -> str:
    """Start the query; return its execution id. API errors become ``SourceError`` via ``aws.explain``."""
    from botocore.exceptions import BotoCoreError, ClientError

    request: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": database, "Catalog": catalog},
        "WorkGroup": workgroup,
    }
    if params and reuse_minutes:
        # AWS documents result reuse for identical query strings and does not say execution parameters are part of
        # the reuse key: a bound query could be answered with another window's rows. Reuse is for unbound SQL only.
        raise ValueError("result reuse is not used with execution parameters")
    if params:
        request["ExecutionParameters"] = [literal(value) for value in params]
    if output_location:
        request["ResultConfiguration"] = {"OutputLocation": output_location}
    if reuse_minutes:
        request["ResultReuseConfiguration"] = {"ResultReuseByAgeConfiguration": {"Enabled": True, "MaxAgeInMinutes": reuse_minutes}}
    try:
        return str(client.start_query_execution(**request)["QueryExecutionId"])
    except (ClientError, BotoCoreError) as exc:
        raise aws.explain(SOURCE, "StartQueryExecution", exc) from None


def stop(query_execution_id: str, client: Any) -> bool:
    """Ask Athena to stop a query (best effort); True when the request was accepted."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client.stop_query_execution(QueryExecutionId=query_execution_id)
        return True
    except (ClientError, BotoCoreError):
        return False


def wait(query_execution_id: str, *, client: Any, deadline: Deadline, sleep: Sleep = time.sleep) -> dict[str, Any]:
    """Poll until the query ends; return its ``QueryExecution``. Stops it and raises when the deadline comes first."""
    from botocore.exceptions import BotoCoreError, ClientError

    delay = FIRST_POLL_SECONDS
    while True:
        try:
            execution = client.get_query_execution(QueryExecutionId=query_execution_id)["QueryExecution"]
        except ClientError as exc:
            if _client_code(exc) not in _RETRYABLE_POLL_ERRORS:
                raise aws.explain(SOURCE, "GetQueryExecution", exc) from None
            execution = None
        except BotoCoreError as exc:
            raise aws.explain(SOURCE, "GetQueryExecution", exc) from None
        if execution is not None:
            status = execution.get("Status", {})
            state = status.get("State", "")
            if state == "SUCCEEDED":
                return execution
            if state in ("FAILED", "CANCELLED"):
                reason = str(status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage") or "no reason given")
                verb = "failed" if state == "FAILED" else "was cancelled"
                raise AthenaError(f"the Athena query {verb}: {reason[:300]}", explain_reason(reason), query_execution_id, state)
        if deadline.remaining() <= 0:
            stopped = stop(query_execution_id, client)
            raise AthenaError(
                "the Athena query did not finish within the time budget" + (" and was stopped" if stopped else ""),
                "narrow the window or add a filter, then ask again",
                query_execution_id,
                "TIMEOUT",
                status="partial",
            )
        sleep(min(delay, deadline.remaining()))
        delay = min(MAX_POLL_SECONDS, delay * BACKOFF)


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "tinyint": int, "smallint": int, "integer": int, "int": int, "bigint": int,
    "double": float, "float": float, "real": float, "decimal": float,
    "boolean": lambda text: text.lower() == "true",
}


def _convert(kind: str, text: str | None) -> Any:
    if text is None:
        return None
    converter = _CONVERTERS.get(kind.lower())
    if converter is None:
        return text
    try:
        return converter(text)
    except ValueError:
        return None


def fetch(query_execution_id: str, *, client: Any, deadline: Deadline, max_rows: int = 20000,
          why_cut: list[str] | None = None) -> tuple[list[str], list[dict[str, Any]], bool]:
    """Page ``GetQueryResults``: (columns, typed rows, complete). Stops early at the deadline or ``max_rows``, or
    when a later page fails (the reason is appended to ``why_cut``)."""
    from botocore.exceptions import BotoCoreError, ClientError

    columns: list[str] = []
    kinds: list[str] = []
    rows: list[dict[str, Any]] = []
    token: str | None = None
    first = True
    while True:
        request: dict[str, Any] = {"QueryExecutionId": query_execution_id, "MaxResults": PAGE_SIZE}
        if token:
            request["NextToken"] = token
        try:
            page = client.get_query_results(**request)
        except (ClientError, BotoCoreError) as exc:
            if rows:
                if why_cut is not None:
                    error = aws.explain(SOURCE, "GetQueryResults", exc)
                    why_cut.append(f"{error.what} after {len(rows)} result row(s) — {error.hint}")
                return columns, rows, False
            raise aws.explain(SOURCE, "GetQueryResults", exc) from None
        result_set = page.get("ResultSet", {})
        if first:
            info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            columns = [str(c.get("Label") or c.get("Name")) for c in info]
            kinds = [str(c.get("Type", "varchar")) for c in info]
        for index, raw in enumerate(result_set.get("Rows", [])):
            values = [cell.get("VarCharValue") for cell in raw.get("Data", [])]
            if first and index == 0 and values == columns:
                continue  # the header row Athena puts first in a SELECT's results
            rows.append({name: _convert(kind, value) for name, kind, value in zip(columns, kinds, values)})
        first = False
        token = page.get("NextToken")
        if not token:
            return columns, rows, True
        if len(rows) >= max_rows or deadline.remaining() <= 0:
            return columns, rows, False


def run_query(
    sql: str,
    params: Sequence[object],
    *,
    database: str,
    workgroup: str,
    deadline: Deadline,
    client: Any = None,
    sleep: Sleep = time.sleep,
    output_location: str | None = None,
    max_rows: int = 20000,
    reuse_minutes: int | None = None,
) -> QueryResult:
    """Run one parameterised query to the end (or the deadline) and return its rows.

    Raises ``SourceError`` for API errors and ``AthenaError`` for FAILED, CANCELLED or out-of-time queries (then
    the query has been stopped; ``status`` is ``partial``). A result cut by the deadline while paging has
    ``complete = False``.
    """
    client = client or aws.client("athena")
    query_id = start(sql, params, database=database, workgroup=workgroup, client=client,
                     output_location=output_location, reuse_minutes=reuse_minutes)
    execution = wait(query_id, client=client, deadline=deadline, sleep=sleep)
    statistics = execution.get("Statistics", {})
    why_cut: list[str] = []
    columns, rows, complete = fetch(query_id, client=client, deadline=deadline, max_rows=max_rows, why_cut=why_cut)
    result = QueryResult(query_id, columns, rows, int(statistics.get("DataScannedInBytes", 0) or 0), complete)
    if not complete:
        result.notes.append(f"only the first {len(rows)} result rows were read: "
                            + ("; ".join(why_cut) if why_cut else "the time budget or the row limit was reached"))
    return result


# --- rendering -------------------------------------------------------------------------------


def csv_lines(header: Sequence[object], rows: Iterable[Sequence[object]]) -> list[str]:
    """A table as properly quoted CSV lines (header first); ``None`` becomes an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    lines = []
    for row in [header, *rows]:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(["" if cell is None else cell for cell in row])
        lines.append(buffer.getvalue().rstrip("\n"))
    return lines


def human_bytes(count: int) -> str:
    """Bytes scanned for a note: '3.2 MB'."""
    size = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
