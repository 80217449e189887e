"""The ALB summary query, written once as intent and rendered for Athena (Trino) or DuckDB.

One scan answers everything: every request of the window and of the equal baseline just before it is tagged with
its period (a join with a two-row VALUES table whose choice is made in WHERE, because Athena accepts ``?`` only in
WHERE clauses), then ``GROUPING SETS`` aggregate it per time bucket, load balancer, path template, target, target
group, error_reason, classification, client IP and user agent, plus per failing path its targets, target groups
and error reasons. Window functions keep only the top rows of each facet, so the result stays small however many
distinct paths there are.

Every value comes from ``params`` (bound as ``?``); the SQL text holds only our own constants: the table name
(validated configuration), the bucket width (one of ``BUCKET_SECONDS``) and literals below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tools.alb.model import Filters
from tools.common.patterns import UUID_ANY_CASE
from tools.common.timewindow import UTC, Window

BUCKET_SECONDS = {1: 60, 5: 300}
TOP = 8  # rows kept per facet and ranking
TOP_PER_PATH = 3  # targets / target groups / reasons kept per failing path
DELIVERY_LAG = timedelta(hours=1)  # ELB files land in the folder of their delivery day, minutes after the requests

FACETS_SIMPLE = ("load_balancer", "path", "target", "target_group", "error_reason", "classification", "client_ip", "user_agent")
FACETS_PER_PATH = ("path_target", "path_target_group", "path_error_reason")


@dataclass(frozen=True)
class Dialect:
    """The few engine-specific expressions; everything else is common SQL."""

    name: str
    percentile: str  # {x}, {p}; also {ps}: all of PERCENTILES, {i}: p's 1-based position in them
    epoch: str  # {t}: ISO 8601 text -> epoch seconds (NULL when unreadable)
    regex_like: str  # {s}, {re}
    template: str  # {x}: path -> ids collapsed, {case}: per-segment CASE over ``s``
    cut: bool = False  # drop rows that cannot reach a facet's top ranks before ranking (see ``_cut``)


ATHENA = Dialect(
    "athena",
    percentile="approx_percentile({x}, {p})",
    epoch="try(to_unixtime(from_iso8601_timestamp({t})))",
    regex_like="regexp_like({s}, '{re}')",
    template="array_join(transform(split({x}, '/'), s -> {case}), '/')",
)
DUCKDB = Dialect(
    "duckdb",
    # One exact quantile state per group for all of PERCENTILES (DuckDB binds identical aggregates once): the
    # states hold every value of their group, so this keeps memory to one copy per value instead of three.
    percentile="quantile_cont({x}, [{ps}])[{i}]",
    epoch="epoch(TRY_CAST({t} AS TIMESTAMPTZ))",
    regex_like="regexp_matches({s}, '{re}')",
    template="array_to_string(list_transform(string_split({x}, '/'), lambda s: {case}), '/')",
    cut=True,
)


@dataclass
class Query:
    """SQL text with ``?`` placeholders and the values bound to them, in order."""

    sql: str
    params: list[object] = field(default_factory=list)


# --- expressions ---------------------------------------------------------------------------------

_UUID = f"^{UUID_ANY_CASE}$"
# No '?' anywhere in the SQL text but the placeholders (\x3F is '?' for Java regex and RE2 alike).
PATH_OF_URL = r"^([A-Za-z][A-Za-z0-9+.-]*://[^/\x3F#]*){0,1}(/[^\x3F#]*)"


def _segment_case(d: Dialect) -> str:
    """An id-like path segment (number, prefixed number like 'ord-1234', UUID, hex id, long token) becomes '{id}'."""
    like = lambda pattern: d.regex_like.format(s="s", re=pattern)  # noqa: E731
    return (
        "CASE WHEN s = '' THEN s"
        f" WHEN {like('^[0-9]+$')} THEN '{{id}}'"
        f" WHEN {like('^[A-Za-z]{1,12}[-_.]{0,1}[0-9]{3,}$')} THEN '{{id}}'"
        f" WHEN {like(_UUID)} THEN '{{id}}'"
        f" WHEN length(s) >= 8 AND {like('^[0-9a-fA-F]+$')} AND {like('[0-9]')} THEN '{{id}}'"
        f" WHEN length(s) >= 16 AND {like('^[A-Za-z0-9_.~=+%-]+$')} AND {like('[0-9]')} THEN '{{id}}'"
        f" WHEN length(s) > 40 THEN '{{id}}'"
        " ELSE s END"
    )


def raw_path(column: str = "l.request_url") -> str:
    """The path of a request URL (no scheme, host or query string)."""
    return f"coalesce(nullif(regexp_extract({column}, '{PATH_OF_URL}', 2), ''), '/')"


def path_template(d: Dialect, column: str = "l.request_url") -> str:
    return d.template.format(x=f"substr({raw_path(column)}, 1, 300)", case=_segment_case(d))


def day_partitions(window: Window) -> list[str]:
    """The 'yyyy/MM/dd' partitions that can hold requests of ``window`` (delivery day may be the next one)."""
    day = window.start.astimezone(UTC).date()
    last = (window.end + DELIVERY_LAG).astimezone(UTC).date()
    days = []
    while day <= last:
        days.append(day.strftime("%Y/%m/%d"))
        day += timedelta(days=1)
    return days


def alb_time(moment: datetime) -> str:
    """A bound for comparisons with the log's ``time`` text (ISO 8601, microseconds, Z): sorts like time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bucket_seconds(window: Window, bucket_minutes: int | None) -> int:
    """1-minute buckets up to 90 minutes, 5-minute buckets for longer windows, unless asked."""
    if bucket_minutes in BUCKET_SECONDS:
        return BUCKET_SECONDS[bucket_minutes]  # type: ignore[index]
    return 60 if window.seconds <= 90 * 60 else 300


# --- the query -----------------------------------------------------------------------------------


STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx")
PERCENTILES = ("0.5", "0.95", "0.99")


def _measure_list(d: Dialect) -> list[tuple[str, str]]:
    """(expression, name) of every measure; ``current`` and ``baseline`` rows are told apart by ``period``."""
    cur, base = "period = 'current'", "period = 'baseline'"

    def count(*conditions: str) -> str:
        return f"sum(CASE WHEN {' AND '.join(conditions)} THEN 1 ELSE 0 END)"

    def pct(condition: str, p: str) -> str:
        return d.percentile.format(x=f"CASE WHEN {condition} AND tpt >= 0 THEN tpt * 1000 END", p=p,
                                   ps=", ".join(PERCENTILES), i=PERCENTILES.index(p) + 1)

    def cls(name: str) -> str:
        return f"status_class = '{name}'"

    return [
        (count(cur), "requests"),
        *((count(cur, cls(name)), f"s{name}") for name in STATUS_CLASSES),
        (count(cur, cls("5xx"), "target_status_code LIKE '5%'"), "target_5xx"),
        (count(cur, "tpt < 0"), "unreached"),
        # Who answered with the error: the load balancer itself (no target reached, target reset or timed out,
        # no registered target) or a WAF rule, rather than the application behind it.
        *((count(cur, f"elb_code = {code}", "target_status_code NOT LIKE '5%'"), f"elb_{code}") for code in (502, 503, 504)),
        (count(cur, "elb_code = 403", "actions LIKE '%waf%'"), "waf_403"),
        (count(cur, "tpt >= 0"), "timed"),
        (pct(cur, "0.5"), "p50_ms"),
        (pct(cur, "0.95"), "p95_ms"),
        (pct(cur, "0.99"), "p99_ms"),
        (count(base), "base_requests"),
        (count(base, cls("4xx")), "base_4xx"),
        (count(base, cls("5xx")), "base_5xx"),
        (pct(base, "0.95"), "base_p95_ms"),
        (f"min(CASE WHEN {cur} AND {cls('5xx')} THEN time END)", "first_5xx"),
        (f"max(CASE WHEN {cur} AND {cls('5xx')} THEN time END)", "last_5xx"),
    ]


def _measures(d: Dialect) -> str:
    return ",\n    ".join(f"{expression} AS {name}" for expression, name in _measure_list(d))


_FACET = """CASE WHEN grouping(bucket) = 0 THEN 'bucket'
      WHEN grouping(path) = 0 AND grouping(target) = 0 THEN 'path_target'
      WHEN grouping(path) = 0 AND grouping(target_group) = 0 THEN 'path_target_group'
      WHEN grouping(path) = 0 AND grouping(error_reason) = 0 THEN 'path_error_reason'
      WHEN grouping(path) = 0 THEN 'path'
      WHEN grouping(target) = 0 THEN 'target'
      WHEN grouping(target_group) = 0 THEN 'target_group'
      WHEN grouping(error_reason) = 0 THEN 'error_reason'
      WHEN grouping(classification) = 0 THEN 'classification'
      WHEN grouping(client_ip) = 0 THEN 'client_ip'
      WHEN grouping(user_agent) = 0 THEN 'user_agent'
      WHEN grouping(elb) = 0 THEN 'load_balancer'
      ELSE 'total' END"""

_GROUPING_SETS = (
    "(), (bucket), (elb), (elb, path), (elb, path, target), (elb, path, target_group), (elb, path, error_reason), "
    "(target), (target_group), (error_reason), (classification), (client_ip), (user_agent)"
)
KEYS = ("bucket", "elb", "path", "target", "target_group", "error_reason", "classification", "client_ip", "user_agent")
MEASURES = tuple(name for _, name in _measure_list(ATHENA))


def _in_list(values: list[object]) -> str:
    return "(" + ", ".join("?" for _ in values) + ")"


def _filters(filters: Filters, params: list[object]) -> str:
    clauses = []
    if filters.load_balancer:
        clauses.append("(l.elb = ? OR split_part(l.elb, '/', 2) = ?)")
        params.extend([filters.load_balancer, filters.load_balancer])
    if filters.path_prefix:
        clauses.append(f"starts_with({raw_path()}, ?)")
        params.append(filters.path_prefix)
    if filters.status_class:
        low = int(filters.status_class[0]) * 100
        clauses.append("l.elb_status_code >= ? AND l.elb_status_code < ?")
        params.extend([low, low + 100])
    return "".join(f"\n    AND {clause}" for clause in clauses)


def summary_query(d: Dialect, table: str, window: Window, filters: Filters, bucket: int) -> Query:
    """The one query behind ``summarize_alb_traffic`` over ``table`` for ``window`` and its baseline."""
    if bucket not in BUCKET_SECONDS.values():
        raise ValueError(f"bucket width {bucket!r} is not one of {sorted(BUCKET_SECONDS.values())}")
    baseline = window.baseline()
    span = Window(baseline.start, window.end)
    days = day_partitions(span)
    params: list[object] = [*days, alb_time(span.start), alb_time(span.end), alb_time(window.start), alb_time(window.start)]
    where_filters = _filters(filters, params)
    keys = ", ".join(KEYS)
    epoch = d.epoch.format(t="l.time")
    sql = f"""WITH requests AS (
  SELECT
    p.period,
    l.time,
    CASE WHEN p.period = 'current' THEN CAST(floor({epoch} / {bucket}) * {bucket} AS bigint) END AS bucket,
    CASE WHEN l.elb_status_code >= 500 THEN '5xx' WHEN l.elb_status_code >= 400 THEN '4xx'
         WHEN l.elb_status_code >= 300 THEN '3xx' WHEN l.elb_status_code >= 200 THEN '2xx' ELSE 'other' END AS status_class,
    l.elb,
    {path_template(d)} AS path,
    CASE WHEN coalesce(l.target_ip, '') = '' THEN '-'
         ELSE l.target_ip || ':' || coalesce(CAST(l.target_port AS varchar), '') END AS target,
    coalesce(nullif(l.target_group_arn, ''), '-') AS target_group,
    coalesce(nullif(l.error_reason, ''), '-') AS error_reason,
    coalesce(nullif(l.classification, ''), '-') AS classification,
    coalesce(nullif(l.client_ip, ''), '-') AS client_ip,
    coalesce(nullif(substr(l.user_agent, 1, 300), ''), '-') AS user_agent,
    coalesce(l.target_status_code, '-') AS target_status_code,
    l.elb_status_code AS elb_code,
    coalesce(l.actions_executed, '-') AS actions,
    coalesce(l.target_processing_time, -1) AS tpt
  FROM {table} l CROSS JOIN (VALUES ('baseline'), ('current')) AS p(period)
  WHERE l.day IN {_in_list(days)}
    AND l.time >= ? AND l.time < ?
    AND ((p.period = 'baseline' AND l.time < ?) OR (p.period = 'current' AND l.time >= ?)){where_filters}
), agg AS (
  SELECT
    {_FACET} AS facet,
    {keys},
    {_measures(d)}
  FROM requests
  GROUP BY GROUPING SETS ({_GROUPING_SETS})
), ranked AS (
  SELECT agg.*,
    {_rankings()}
  FROM agg{_cut() if d.cut else ""}
), failing AS (
  SELECT elb AS f_elb, path AS f_path FROM ranked WHERE facet = 'path' AND r_err <= ? AND s5xx + s4xx > 0
)
SELECT r.facet, {", ".join("r." + k for k in KEYS)}, {", ".join("r." + m for m in MEASURES)}
FROM ranked r LEFT JOIN failing f ON f.f_elb = r.elb AND f.f_path = r.path
WHERE r.facet IN ('total', 'bucket')
   OR (r.facet IN ({_quoted(FACETS_SIMPLE)}) AND least(r.r_err, r.r_4xx, r.r_lat, r.r_vol, r.r_base) <= ?)
   OR (r.facet IN ({_quoted(FACETS_PER_PATH)}) AND f.f_path IS NOT NULL AND r.r_err <= ? AND r.s5xx + r.s4xx > 0)
ORDER BY r.facet, r.bucket, r.r_err"""
    params.extend([TOP, TOP, TOP_PER_PATH])
    return Query(sql, params)


# The rankings of ``ranked``: name -> expressions ordered DESC (NULLS LAST), then the tie-break.
_LATENCY = "CASE WHEN timed >= 5 THEN p95_ms END"
_RANKINGS: dict[str, tuple[str, ...]] = {
    "err": ("s5xx", "s4xx", "requests"),
    "4xx": ("s4xx", "requests"),
    "lat": (_LATENCY,),
    "vol": ("requests",),
    "base": ("base_requests",),
}


def _rankings() -> str:
    def order(expressions: tuple[str, ...]) -> str:
        return ", ".join(f"{e} DESC" + (" NULLS LAST" if e == _LATENCY else "") for e in expressions)

    partition = {"err": f"facet, {_path_partition()}"}
    return ",\n    ".join(f"row_number() OVER (PARTITION BY {partition.get(name, 'facet')} ORDER BY {order(expressions)}, "
                           f"{_tiebreak()}) AS r_{name}" for name, expressions in _RANKINGS.items())


def _cut() -> str:
    """DuckDB: of FACETS_SIMPLE keep only the rows among the first TOP of some ranking, before the windows rank them.

    Each ranking's order (``ranked`` below, tie-break included) is written as one ascending key; a row whose key
    is above the TOP-th smallest of its facet has TOP rows ahead of it and is never kept by ``r_* <= TOP``, and
    every row ahead of a kept row is kept too, so the ranks up to TOP, hence the result, are unchanged. The
    windows then sort a few dozen rows per facet instead of one per client IP or user agent.
    """
    def ascending(expressions: tuple[str, ...]) -> str:  # DESC NULLS LAST, then the tie-break, as one key
        fields = [f"'n{i}': {e} IS NULL, 'v{i}': coalesce(-({e}), 0)" for i, e in enumerate(expressions)]
        return "{" + ", ".join([*fields, f"'t': {_tiebreak()}"]) + "}"

    keys = {name: ascending(expressions) for name, expressions in _RANKINGS.items()}
    cuts = ",\n      ".join(f"list_max(min({key}, {TOP})) AS c_{name}" for name, key in keys.items())
    keep = "\n     OR ".join(f"{key} <= c.c_{name}" for name, key in keys.items())
    return f""" LEFT JOIN (
    SELECT facet AS c_facet,
      {cuts}
    FROM agg WHERE facet IN ({_quoted(FACETS_SIMPLE)}) GROUP BY facet
  ) c ON c.c_facet = agg.facet
  WHERE c.c_facet IS NULL
     OR {keep}"""


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _path_partition() -> str:
    return f"CASE WHEN facet IN ({_quoted(FACETS_PER_PATH)}) THEN elb || ' ' || path END"


def _tiebreak() -> str:
    return "coalesce(path, target, target_group, error_reason, classification, client_ip, user_agent, elb, '')"


