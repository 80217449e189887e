"""Snapshot backend: the summary query run locally by DuckDB over the snapshot's ALB log files.

DuckDB streams the files (plain or .gz) as one text column, parses each line once with the table's own regex
(``schema.REGEX``, anchored like RegexSerDe's whole-line match) in one ``regexp_extract`` into a struct kept in a
temp table, and exposes the Glue table's columns (plus ``day`` derived from ``time``) as a derived table that takes
the Glue table's place in the query of ``sql.py``, which runs unchanged apart from the dialect. Lines the regex rejects are skipped and
counted. The file list is bound as a parameter, never written into the SQL.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from tools.alb import schema
from tools.alb.sql import DUCKDB, Answer, Filters, summary_query
from tools.common.errors import SourceError
from tools.common.evidence import athena_link
from tools.common.safety import safe
from tools.common.snapshot import Snapshot
from tools.common.timewindow import Window

_CASTS = {"int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE"}
PARSED = "alb_parsed"


_LINES = (
    "read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = chr(1), quote = '', escape = '', "
    "auto_detect = false, compression = 'auto', strict_mode = false, null_padding = true)"
)


def _parse_sql(create: bool = True) -> str:
    """Materialise each non-empty line of the files (bound as the parameter) parsed into struct ``r`` by the regex.

    Materialising once keeps the (costly) regex to one evaluation per line, whatever the queries reference.
    """
    names = ", ".join(f"'{name}'" for name in schema.COLUMN_NAMES)
    regex = schema.full_match_regex().replace("'", "''")
    head = f"CREATE TEMP TABLE {PARSED} AS" if create else f"INSERT INTO {PARSED}"
    return (f"{head} SELECT regexp_extract(line, '{regex}', [{names}]) AS r FROM {_LINES} "
            "WHERE line IS NOT NULL AND trim(line) <> ''")


def _ingest(connection: Any, paths: list[str]) -> list[str]:
    """Parse all files in one go (in parallel); if one is unreadable, file by file. Returns the files skipped."""
    import duckdb

    try:
        connection.execute(_parse_sql(), [paths])
        return []
    except duckdb.Error:
        connection.execute(f"DROP TABLE IF EXISTS {PARSED}")
    fields = ", ".join(f"{name} VARCHAR" for name in schema.COLUMN_NAMES)
    connection.execute(f"CREATE TEMP TABLE {PARSED} (r STRUCT({fields}))")
    skipped = []
    for path in paths:
        try:
            connection.execute(_parse_sql(create=False), [[path]])
        except duckdb.Error:
            skipped.append(path)
    return skipped


def _column(name: str, kind: str) -> str:
    value = f"nullif(r.{name}, '')"
    cast = _CASTS.get(kind)
    return f"TRY_CAST({value} AS {cast}) AS {name}" if cast else f"{value} AS {name}"


def table_sql() -> str:
    """A derived table with the Glue table's columns and ``day`` partition column (lines the regex rejects left out)."""
    columns = ", ".join(_column(name, kind) for name, kind in schema.COLUMNS)
    day = "substr(r.time, 1, 4) || '/' || substr(r.time, 6, 2) || '/' || substr(r.time, 9, 2) AS day"
    return f"(SELECT {columns}, {day} FROM {PARSED} WHERE r.time <> '')"


COUNT_SQL = f"SELECT count(*), sum(CASE WHEN r.time = '' THEN 1 ELSE 0 END) FROM {PARSED}"
"""Lines read and lines the regex rejected."""


def fetch(snapshot: Snapshot, window: Window, filters: Filters, bucket: int) -> Answer:
    """Run the summary query over the snapshot's ``alb/`` files."""
    files = snapshot.files("alb")
    link = athena_link(snapshot.region)
    if not files:
        return Answer([], link, lines=0)
    import duckdb

    paths = [str(path) for path in files]
    query = summary_query(DUCKDB, table_sql(), window, filters, bucket)
    try:
        # Spill to the writable temp directory (a Lambda's working directory is read-only).
        connection = duckdb.connect(config={"temp_directory": os.path.join(tempfile.gettempdir(), "opsagent-duckdb")})
        try:
            skipped = _ingest(connection, paths)
            cursor = connection.execute(query.sql, query.params)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, values)) for values in cursor.fetchall()]
            lines, malformed = connection.execute(COUNT_SQL).fetchone()
        finally:
            connection.close()
    except duckdb.Error as exc:
        raise SourceError("alb", f"the snapshot's ALB logs could not be read ({exc.__class__.__name__}: {str(exc)[:160]})",
                          "check the files under alb/ of the snapshot") from None
    answer = Answer(rows, link, lines=int(lines or 0), malformed=int(malformed or 0))
    if skipped:
        names = ", ".join(Path(p).relative_to(snapshot.root).as_posix() for p in skipped[:3])
        answer.notes.append(f"skipped {len(skipped)} unreadable file(s) (e.g. {safe(names, 300)})")
    return answer
