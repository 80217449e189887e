"""AWS backend of the logs tools: CloudWatch Logs Insights does the aggregation server-side.

Every query is fixed text plus values validated in ``matching`` (regex bodies with their slashes escaped) and
integers; the model never writes query text. ``Insights.run`` starts several queries, polls them with backoff
inside the request's deadline (sleeping through an injectable function), stops the ones still running when time
is up and returns what they had as partial, and turns Failed/Cancelled/Timeout statuses and AWS errors into
``SourceError`` messages. ``data_starts`` reads when each log group's data begins (DescribeLogGroups: creation
and retention), so a young group is said to have no baseline.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from tools.common import aws, coverage
from tools.common.deadline import Deadline
from tools.common.errors import SourceError
from tools.common.timewindow import Window, parse_instant, to_utc
from tools.logs.digest import bucket_seconds, from_millis, merge_by_template
from tools.logs.groups import GroupSelection
from tools.logs.errorline import INSIGHTS_ERROR_LEVEL, INSIGHTS_NOT_ERROR, is_error_line
from tools.logs.matching import ERROR_REGEX, Match, escape_slashes, insights_regex, insights_text
from tools.logs.miner import normalise_template, template_regex
from tools.logs.model import LogLine, PatternScan, PatternStats

SOURCE = "CloudWatch Logs"
MAX_GROUPS = 50
PATTERN_LIMIT = 100
RECENT_LIMIT = 1000
FIRST_POLL_SECONDS = 0.5
MAX_POLL_SECONDS = 4.0
sleep: Callable[[float], None] = time.sleep  # replaced in tests

# The error words, then the structured verdict of ``errorline`` (a JSON line whose level says info or whose
# status is 1xx-3xx is not an error, unless a level says error): fixed regexes derived from errorline's tables.
_ERRORS = (f"filter @message like /{ERROR_REGEX}/ | filter @message not like /{escape_slashes(INSIGHTS_NOT_ERROR)}/"
           f" or @message like /{escape_slashes(INSIGHTS_ERROR_LEVEL)}/")


@dataclass
class Query:
    name: str
    text: str
    window: Window
    limit: int = 10000


@dataclass
class QueryOutcome:
    """One query's rows (``{field: value}``), final status, and statistics."""

    rows: list[dict[str, str]] = field(default_factory=list)
    status: str = "Scheduled"
    statistics: dict[str, float] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        return self.status != "Complete"


def _rows(results: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    return [{cell.get("field", ""): cell.get("value", "") for cell in row} for row in results]


class Insights:
    """Runs Logs Insights queries over a fixed list of log groups within a deadline."""

    def __init__(self, client: Any, groups: list[str], deadline: Deadline, pause: Callable[[float], None] | None = None) -> None:
        self.client = client
        self.groups = groups
        self.deadline = deadline
        self.pause = pause

    def _sleep(self, seconds: float) -> None:
        (self.pause or sleep)(seconds)

    def _start(self, query: Query) -> str:
        try:
            response = self.client.start_query(
                logGroupNames=self.groups,
                startTime=int(query.window.start.timestamp()),
                endTime=int(query.window.end.timestamp()),
                queryString=query.text,
                limit=query.limit,
            )
        except Exception as exc:  # noqa: BLE001 - every AWS failure becomes an answer
            raise _explain("StartQuery", exc, self.groups) from None
        return str(response["queryId"])

    def _stop(self, query_id: str) -> None:
        try:
            self.client.stop_query(queryId=query_id)
        except Exception:  # noqa: BLE001 - the query may have finished meanwhile
            pass

    def run(self, queries: list[Query]) -> list[QueryOutcome]:
        started: list[str] = []
        try:
            for query in queries:
                started.append(self._start(query))
        except SourceError:
            for query_id in started:
                self._stop(query_id)
            raise
        outcomes = [QueryOutcome() for _ in queries]
        pending = set(range(len(queries)))
        interval = FIRST_POLL_SECONDS
        while pending:
            for index in sorted(pending):
                try:
                    response = self.client.get_query_results(queryId=started[index])
                except Exception as exc:  # noqa: BLE001
                    for query_id in (started[i] for i in pending):
                        self._stop(query_id)
                    raise _explain("GetQueryResults", exc, self.groups) from None
                outcome = outcomes[index]
                outcome.status = str(response.get("status", "Unknown"))
                outcome.rows = _rows(response.get("results", []))
                outcome.statistics = dict(response.get("statistics", {}) or {})
                if outcome.status == "Complete":
                    pending.discard(index)
                elif outcome.status in ("Failed", "Cancelled", "Timeout", "Unknown"):
                    for query_id in (started[i] for i in pending if i != index):
                        self._stop(query_id)
                    raise SourceError(
                        SOURCE,
                        f"the Logs Insights query '{queries[index].name}' ended with status {outcome.status}",
                        "retry, or narrow the window or the log groups",
                    )
            if not pending:
                break
            if self.deadline.remaining() <= interval:
                for index in pending:
                    self._stop(started[index])
                break
            self._sleep(interval)
            interval = min(interval * 1.5, MAX_POLL_SECONDS)
        return outcomes


def _explain(operation: str, exc: BaseException, groups: list[str]) -> SourceError:
    error = aws.explain(SOURCE, operation, exc)
    if "ResourceNotFoundException" in error.what:
        return SourceError(
            SOURCE,
            error.what,
            "a configured log group does not exist in this account and region ("
            + ", ".join(groups[:5]) + "); fix [logs] log_groups in the configuration",
        )
    return error


@dataclass
class ResolvedGroups:
    """The exact group names to query, and the DescribeLogGroups entries met while expanding prefixes."""

    names: list[str]
    described: dict[str, dict[str, Any]] = field(default_factory=dict)


def resolve_groups(selection: GroupSelection, client: Any) -> ResolvedGroups:
    """The exact group names to query: the selection's names plus prefixes expanded by DescribeLogGroups."""
    names = list(dict.fromkeys(selection.names))
    described: dict[str, dict[str, Any]] = {}
    for prefix in selection.prefixes:
        token: str | None = None
        while len(names) < MAX_GROUPS:
            kwargs: dict[str, Any] = {"logGroupNamePrefix": prefix, "limit": 50}
            if token:
                kwargs["nextToken"] = token
            try:
                response = client.describe_log_groups(**kwargs)
            except Exception as exc:  # noqa: BLE001
                raise _explain("DescribeLogGroups", exc, [prefix]) from None
            for group in response.get("logGroups", []):
                if group.get("logGroupName"):
                    names.append(group["logGroupName"])
                    described[group["logGroupName"]] = group
            token = response.get("nextToken")
            if not token:
                break
    unique = list(dict.fromkeys(names))
    if len(unique) > MAX_GROUPS:
        coverage.not_read("logs", f"{len(unique) - MAX_GROUPS} log group(s) matching the prefixes beyond the first {MAX_GROUPS}")
    return ResolvedGroups(unique[:MAX_GROUPS], described)


def group_data_start(group: dict[str, Any], now: datetime) -> datetime | None:
    """Where a log group's data begins: its creation, or ``now`` minus its retention when that is later (older
    events are deleted). None when DescribeLogGroups said neither."""
    starts = []
    if isinstance(group.get("creationTime"), (int, float)):
        starts.append(from_millis(group["creationTime"]))
    if isinstance(group.get("retentionInDays"), int) and group["retentionInDays"] > 0:
        starts.append(now - timedelta(days=group["retentionInDays"]))
    return max(starts) if starts else None


def data_starts(client: Any, resolved: ResolvedGroups, now: datetime) -> tuple[dict[str, datetime], str | None]:
    """Where each queried group's data begins (``group_data_start``), and why it could not be read, if so.

    Groups met while expanding prefixes are already described; exact names are described by
    ``logGroupIdentifiers`` (up to 50 per call, so one call: ``MAX_GROUPS`` is 50)."""
    entries = {name: resolved.described[name] for name in resolved.names if name in resolved.described}
    unknown = [name for name in resolved.names if name not in entries]
    problem = None
    for first in range(0, len(unknown), MAX_GROUPS):
        try:
            response = client.describe_log_groups(logGroupIdentifiers=unknown[first:first + MAX_GROUPS])
        except Exception as exc:  # noqa: BLE001 - the age of the groups is a refinement: say it, go on
            problem = aws.explain(SOURCE, "DescribeLogGroups", exc).what
            break
        entries.update({g["logGroupName"]: g for g in response.get("logGroups", []) if g.get("logGroupName") in unknown})
    starts = {name: start for name, start in ((n, group_data_start(g, now)) for n, g in entries.items()) if start is not None}
    return starts, problem


def _filters(contains: str | None) -> str:
    return _ERRORS + (f" | filter @message like /{insights_text(contains)}/" if contains else "")


def patterns_query(contains: str | None) -> str:
    return f"fields @timestamp, @message | {_filters(contains)} | pattern @message | sort @sampleCount desc | limit {PATTERN_LIMIT}"


def trend_query(contains: str | None, seconds: int) -> str:
    return f"{_filters(contains)} | stats count(*) as n by bin({int(seconds)}s)"


def recent_query(contains: str | None) -> str:
    return f"fields @timestamp, @log, @logStream, @message | {_filters(contains)} | sort @timestamp desc | limit {RECENT_LIMIT}"


def search_query(body: str, limit: int) -> str:
    return f"fields @timestamp, @log, @logStream, @message | filter @message like /{body}/ | sort @timestamp desc | limit {int(limit)}"


def _time(stamp: str) -> datetime | None:
    """An Insights result time (``2026-11-20 10:20:00.000``, UTC)."""
    try:
        return to_utc(parse_instant(stamp.replace(" ", "T"), from_millis(0))) if stamp else None
    except ValueError:
        return None


def _line(row: dict[str, str]) -> LogLine | None:
    moment = _time(row.get("@timestamp", ""))
    if moment is None:
        return None
    group = row.get("@log", "")
    group = group.split(":", 1)[1] if re.match(r"^\d{12}:", group) else group
    return LogLine(moment, group, row.get("@logStream", ""), row.get("@message", ""))


def _pattern_stats(rows: list[dict[str, str]], trend_length: int) -> list[PatternStats]:
    patterns = []
    for row in rows:
        template = normalise_template(row.get("@pattern", ""))
        if not template:
            continue
        stats = PatternStats(template, [0] * trend_length)
        stats.severity_label = row.get("@severityLabel") or None
        try:
            stats.count = int(float(row.get("@sampleCount", "0")))
        except ValueError:
            stats.count = 0
        patterns.append(stats)
    return merge_by_template(patterns, 2)


def scan_patterns(client: Any, groups: list[str], window: Window, contains: str | None, deadline: Deadline) -> PatternScan:
    """Patterns of the window and its baseline (``pattern``), the error trend (``stats``) and the newest lines."""
    seconds = bucket_seconds(window)
    buckets = max(1, int(-(-window.seconds // seconds)))
    queries = [
        Query("patterns", patterns_query(contains), window),
        Query("baseline patterns", patterns_query(contains), window.baseline()),
        Query("error trend", trend_query(contains, seconds), window),
        Query("newest error lines", recent_query(contains), window),
    ]
    current, baseline, trend, recent = Insights(client, groups, deadline).run(queries)
    scan = PatternScan(window, seconds, _pattern_stats(current.rows, buckets), groups=set(groups), trend=[0] * buckets)
    before = {p.id: p.count for p in _pattern_stats(baseline.rows, buckets)}
    for stats in scan.patterns:
        stats.baseline_count = before.get(stats.id, 0)
    scan.baseline_error_lines = sum(before.values())
    for row in trend.rows:
        moment = _time(row.get(f"bin({seconds}s)", ""))
        index = scan.bucket(moment) if moment is not None else None
        if index is not None:
            scan.trend[index] += _int(row.get("n"))
    scan.error_lines = sum(_int(row.get("n")) for row in trend.rows) or sum(p.count for p in scan.patterns)
    scan.scanned = int(float(trend.statistics.get("recordsScanned", 0) or 0))
    _place_recent(scan, [line for line in map(_line, recent.rows) if line is not None])
    if len(recent.rows) >= RECENT_LIMIT:
        scan.notes.append(f"first/last seen and trends per pattern come from the newest {RECENT_LIMIT} error lines")
    unfinished = [q.name for q, o in zip(queries, (current, baseline, trend, recent)) if o.partial]
    if unfinished:
        scan.partial = "Logs Insights did not finish in time (" + ", ".join(unfinished) + "); results are partial"
    return scan


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def _place_recent(scan: PatternScan, lines: list[LogLine]) -> None:
    """Attribute the newest error lines to patterns (most specific template first) for samples and trends.

    Each line is judged again by ``errorline.is_error_line`` (what the Insights filter cannot see: an error word
    that is only a JSON key), so no sample is a success line; a pattern whose every newest line is judged not
    an error is dropped and said so."""
    matchers = sorted(
        ((re.compile(template_regex(p.template), re.S), p) for p in scan.patterns),
        key=lambda pair: -len(pair[1].template.replace("<*>", "")),
    )
    rejected: dict[str, int] = {}
    for line in sorted(lines, key=lambda item: item.timestamp):
        for regex, stats in matchers:
            if regex.match(line.message.strip()):
                if not is_error_line(line.message):
                    rejected[stats.id] = rejected.get(stats.id, 0) + 1
                    break
                counted = stats.count
                stats.add(line, scan.window, scan.bucket_seconds, 2)
                stats.count = counted  # the server-side count stays authoritative
                break
    dropped = [p for p in scan.patterns if p.id in rejected and p.first_seen is None]
    if dropped:
        scan.patterns = [p for p in scan.patterns if p not in dropped]
        scan.error_lines = max(0, scan.error_lines - sum(p.count for p in dropped))
        scan.notes.append(
            f"{len(dropped)} pattern(s) left out ({sum(p.count for p in dropped)} lines): their newest lines are not "
            "error lines by their own fields (e.g. an error word only in a JSON key); the trend still counts them")


def search(client: Any, groups: list[str], window: Window, match: Match, limit: int, deadline: Deadline) -> tuple[list[LogLine], str | None, str | None]:
    """Lines matching a text, regex or pattern id: (lines, partial reason, template when an id was given)."""
    template = None
    if match.kind == "pattern_id":
        outcome = Insights(client, groups, deadline).run([Query("patterns", patterns_query(None), window)])[0]
        found = [p for p in _pattern_stats(outcome.rows, 1) if p.id == match.value]
        if not found:
            return [], ("Logs Insights did not finish in time" if outcome.partial else None), None
        template = found[0].template
        body = "(?s)" + escape_slashes(template_regex(template))
    else:
        body = insights_regex(match)
    outcome = Insights(client, groups, deadline).run([Query("search", search_query(body, limit), window, limit)])[0]
    lines = [line for line in map(_line, outcome.rows) if line is not None][:limit]
    return lines, ("Logs Insights did not finish in time; these are the lines found so far" if outcome.partial else None), template
