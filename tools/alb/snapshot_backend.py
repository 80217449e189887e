"""Snapshot backend: the summary query run locally by DuckDB over the snapshot's ALB log files, streaming.

DuckDB streams the files (plain or .gz) as one text column straight into the query of ``sql.py``, which runs
unchanged apart from the dialect: a derived table takes the Glue table's place. No line is materialised; DuckDB
works under ``memory_limit`` (spilling to a directory under the system temp). What still grows with the lines of
the window are the exact percentile states of the aggregation (every latency value, once per grouping set): past
the limit the query runs again on one thread, and beyond that the answer says to narrow the window.
Per line, the derived table first compares the line's second space-separated field (the ISO ``time``) with the
window and baseline bounds, then parses only the lines in range with the table's own regex (``schema.REGEX``,
anchored like RegexSerDe's whole-line match), in one ``regexp_extract`` where only the columns the query reads
capture. Files whose ELB key name dates them clearly outside the window are not opened.

A second, cheaper scan of the same files counts the lines read and those the regex rejects (``regexp_full_match``,
no captures). A file DuckDB cannot read (e.g. corrupt gzip) is found by reading the files one by one, then skipped
and named. A watcher thread interrupts DuckDB when the request's deadline runs out. File names and bounds are bound
as parameters, never written into the SQL.
"""

from __future__ import annotations

import gzip
import os
import re
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tools.alb import schema
from tools.alb.model import Answer, Filters
from tools.alb.sql import DELIVERY_LAG, DUCKDB, alb_time, summary_query
from tools.common import coverage
from tools.common.deadline import Deadline
from tools.common.errors import SourceError
from tools.common.snapshot import Snapshot
from tools.common.timewindow import UTC, Window

_CASTS = {"int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE"}
MEMORY_LIMIT = "512MB"  # DuckDB spills to TEMP_DIRECTORY beyond this (hash tables, sorts)
THREADS = 2
TEMP_DIRECTORY = os.path.join(tempfile.gettempdir(), "opsagent-duckdb")  # a Lambda's working directory is read-only
WATCH_SECONDS = 0.05  # how often the watcher looks at the deadline
FILE_INTERVAL = timedelta(minutes=5)  # ELB writes one file per node every 5 minutes, named after the interval's end
_ELB_KEY_TIME = re.compile(r"_(\d{8}T\d{4}Z)_[^_/]+_[^_/]+\.log(?:\.gz)?$")  # ..._20261120T0945Z_10.0.0.1_abcd1234.log.gz

_LINES = (
    "read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = chr(1), quote = '', escape = '', "
    "auto_detect = false, compression = 'auto', strict_mode = false, null_padding = true)"
)
_TIME_FIELD = "split_part(line, ' ', 2)"  # what the regex's ``time`` group captures on any line the regex accepts


def connect() -> Any:
    """A DuckDB connection with bounded memory and threads, spilling to the writable temp directory."""
    import duckdb

    return duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": THREADS, "temp_directory": TEMP_DIRECTORY,
                                  "preserve_insertion_order": False})


def capturing_regex(columns: set[str]) -> str:
    """``schema.full_match_regex()`` with only the groups of ``columns`` capturing (in ``COLUMN_NAMES`` order).

    The match itself is unchanged (a capturing group becomes ``(?:``); fewer captures make RE2 faster.
    """
    regex, out, group, in_class, i = schema.full_match_regex(), [], 0, False, 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            out.append(regex[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(" and regex[i + 1:i + 2] != "?":
            if schema.COLUMN_NAMES[group] not in columns:
                char = "(?:"
            group += 1
        out.append(char)
        i += 1
    if group != len(schema.COLUMN_NAMES):
        raise AssertionError(f"schema.REGEX has {group} groups for {len(schema.COLUMN_NAMES)} columns")
    return "".join(out)


def _column(name: str, kind: str) -> str:
    value = f"nullif(r.{name}, '')"
    cast = _CASTS.get(kind)
    return f"TRY_CAST({value} AS {cast}) AS {name}" if cast else f"{value} AS {name}"


def table_sql(columns: set[str]) -> str:
    """A derived table with the Glue table's ``columns`` (``time`` always) and the ``day`` partition column.

    Parameters, in order: the file list, then the lowest and the first excluded ``time`` (ISO text, as ``alb_time``).
    Only lines whose time field lies in that range are parsed; lines the regex rejects are left out.
    """
    names = [name for name in schema.COLUMN_NAMES if name in columns or name == "time"]
    regex = capturing_regex(set(names)).replace("'", "''")
    fields = ", ".join(f"'{name}'" for name in names)
    selected = ", ".join(_column(name, kind) for name, kind in schema.COLUMNS if name in names)
    day = "substr(r.time, 1, 4) || '/' || substr(r.time, 6, 2) || '/' || substr(r.time, 9, 2) AS day"
    # unnest([...]) keeps the regex to one evaluation per line: DuckDB would otherwise copy the expression into
    # every filter and column pushed down to it.
    return (f"(SELECT {selected}, {day} FROM (SELECT unnest([regexp_extract(line, '{regex}', [{fields}])]) AS r "
            f"FROM {_LINES} WHERE {_TIME_FIELD} >= ? AND {_TIME_FIELD} < ?) WHERE r.time <> '')")


COUNT_SQL = (f"SELECT count(*), count(*) FILTER (WHERE NOT regexp_full_match(line, '{schema.REGEX.replace(chr(39), chr(39) * 2)}') "
             f"OR {_TIME_FIELD} = '') FROM {_LINES} WHERE line IS NOT NULL AND NOT regexp_full_match(line, ' *')")
"""Lines read and lines the regex rejects (or that have no time): the file list is the parameter."""


def columns_read(sql: str) -> set[str]:
    """The table columns a query of ``sql.py`` reads (it names them ``l.<column>``)."""
    return {name for name in schema.COLUMN_NAMES if re.search(rf"\bl\.{name}\b", sql)}


def file_time(path: Path) -> datetime | None:
    """The end of the 5-minute interval an ELB key name gives (``..._20261120T0945Z_<ip>_<random>.log.gz``), or None."""
    match = _ELB_KEY_TIME.search(path.name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def may_hold(path: Path, span: Window) -> bool:
    """False only for a file whose ELB name dates it clearly outside ``span`` (its lines are from its interval,
    delivered up to ``DELIVERY_LAG`` late); files named otherwise are always read."""
    end = file_time(path)
    return end is None or (end + FILE_INTERVAL >= span.start and end - DELIVERY_LAG <= span.end)


@contextmanager
def interrupt_at(connection: Any, deadline: Deadline | None) -> Iterator[None]:
    """Interrupt the connection's running query (again and again) once ``deadline`` has run out."""
    if deadline is None:
        yield
        return
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(WATCH_SECONDS):
            if deadline.expired():
                connection.interrupt()

    watcher = threading.Thread(target=watch, name="alb-duckdb-deadline", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


def _readable(connection: Any, paths: list[str], deadline: Deadline | None) -> tuple[list[str], list[str]]:
    """Read the files one by one: (readable, unreadable)."""
    import duckdb

    good, bad = [], []
    for path in paths:
        if deadline is not None and deadline.expired():
            raise duckdb.InterruptException("ran out of time while looking for unreadable files")
        try:
            connection.execute(f"SELECT count(*) FROM {_LINES}", [[path]]).fetchall()
            good.append(path)
        except duckdb.InterruptException:
            raise
        except duckdb.Error:
            bad.append(path)
    return good, bad


def _summary(connection: Any, paths: list[str], span: Window, sql: str, params: list[object]) -> list[dict[str, object]]:
    """The query's rows; when its (exact percentile) aggregate states outgrow the memory limit, once more on one
    thread (one set of states instead of one per thread)."""
    import duckdb

    bound = [paths, alb_time(span.start), alb_time(span.end), *params]
    try:
        cursor = connection.execute(sql, bound)
    except duckdb.OutOfMemoryException:
        connection.execute("SET threads = 1")
        cursor = connection.execute(sql, bound)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]


def fetch(snapshot: Snapshot, window: Window, filters: Filters, bucket: int, deadline: Deadline | None = None) -> Answer:
    """Run the summary query over the snapshot's ``alb/`` files that may hold lines of the window or its baseline."""
    link = None  # no query ran in the account: evidence links open the load balancer's metrics (digest)
    span = Window(window.baseline().start, window.end)
    files = [path for path in snapshot.files("alb") if may_hold(path, span)]
    if not files:
        return Answer([], link, lines=0)
    import duckdb

    paths = [str(path) for path in files]
    columns = columns_read(summary_query(DUCKDB, "alb", window, filters, bucket).sql)
    table = table_sql(columns)
    query = summary_query(DUCKDB, table, window, filters, bucket)
    if query.sql.split(table, 1)[0].count("?"):
        raise AssertionError("the table's parameters must come first in the query")
    skipped: list[str] = []
    notes: list[str] = []
    lines: int | None = None
    malformed = 0
    try:
        connection = connect()
        try:
            with interrupt_at(connection, deadline):
                try:
                    rows = _summary(connection, paths, span, query.sql, query.params)
                except (duckdb.InterruptException, duckdb.OutOfMemoryException):
                    raise
                except duckdb.Error:
                    paths, skipped = _readable(connection, paths, deadline)
                    rows = _summary(connection, paths, span, query.sql, query.params) if paths else []
                try:
                    lines, malformed = connection.execute(COUNT_SQL, [paths]).fetchone() if paths else (0, 0)
                except duckdb.InterruptException:
                    notes.append("ran out of time before counting the lines read and the malformed ones")
        finally:
            connection.close()
    except duckdb.InterruptException:
        raise SourceError("alb", f"ran out of time reading the snapshot's ALB logs ({len(files)} file(s)); nothing was summarised",
                          "narrow the window or add a filter and ask again") from None
    except duckdb.OutOfMemoryException:
        raise SourceError("alb", f"the summary of the snapshot's ALB logs needs more than {MEMORY_LIMIT} of memory",
                          "narrow the window or add a filter and ask again") from None
    except duckdb.Error as exc:
        raise SourceError("alb", f"the snapshot's ALB logs could not be read ({exc.__class__.__name__}: {str(exc)[:160]})",
                          "check the files under alb/ of the snapshot") from None
    answer = Answer(rows, link, lines=None if lines is None else int(lines or 0), malformed=int(malformed or 0), notes=notes)
    for path in skipped:  # each named in the tool's coverage: the answer is partial, never silently ok
        coverage.unreadable_file(Path(path).relative_to(snapshot.root).as_posix(), _why_unreadable(path))
    if answer.malformed:
        # DuckDB reads a cut gzip up to the cut without an error; its last, partial line is then malformed. Only
        # in that case are the .gz files checked (read through once), so an intact snapshot costs nothing more.
        cut = [p for p in paths if p.endswith(".gz") and _gzip_problem(p)]
        for path in cut:
            coverage.unreadable_file(Path(path).relative_to(snapshot.root).as_posix(), str(_gzip_problem(path)))
        if answer.malformed > len(cut):
            coverage.skipped_record("alb", f"{answer.malformed - len(cut)} line(s) do not match the ALB access-log format")
    return answer


def _gzip_problem(path: str) -> str | None:
    """Why Python's gzip reader cannot read ``path`` to its end (in words), or None."""
    from tools.common.snapshot import unreadable_reason

    try:
        with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as handle:
            while handle.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        return unreadable_reason(exc)
    return None


def _why_unreadable(path: str) -> str:
    """Why DuckDB could not read a file, in words."""
    return _gzip_problem(path) or "DuckDB could not read it as text lines"
