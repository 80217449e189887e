"""The DuckDB snapshot backend's bounds: memory and threads, streaming regex, file pruning, the ranking cut, deadline."""

from __future__ import annotations

import dataclasses
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.alb.support import T0, line, write_snapshot
from tools.alb import schema, snapshot_backend, sql
from tools.alb.model import Filters
from tools.common.deadline import Deadline
from tools.common.errors import SourceError
from tools.common.snapshot import Snapshot
from tools.common.timewindow import Window

WINDOW = Window(T0 + timedelta(minutes=30), T0 + timedelta(minutes=60))
ELB_FOLDER = "AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20"


def _elb_name(end: datetime) -> str:
    return f"{ELB_FOLDER}/123456789012_elasticloadbalancing_us-east-1_app.shop-alb.50dc6c495c0c9188_{end:%Y%m%dT%H%MZ}_10.0.0.1_ab12cd34.log.gz"


def test_connection_has_bounded_memory_threads_and_a_spill_directory() -> None:
    connection = snapshot_backend.connect()
    try:
        limit, threads, temp = connection.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')").fetchone()
    finally:
        connection.close()
    number, unit = re.match(r"([0-9.]+) ?([KMG]i?B)", limit).groups()  # type: ignore[union-attr]
    mib = float(number) * {"KiB": 1 / 1024, "KB": 1 / 1024, "MiB": 1, "MB": 1, "GiB": 1024, "GB": 1024}[unit]
    assert 0 < mib <= 600, limit
    assert int(threads) == snapshot_backend.THREADS == 2
    assert temp == snapshot_backend.TEMP_DIRECTORY and "opsagent-duckdb" in temp


def test_capturing_regex_matches_the_same_lines_and_captures_only_what_is_asked() -> None:
    assert snapshot_backend.capturing_regex(set(schema.COLUMN_NAMES)) == schema.full_match_regex()
    few = snapshot_backend.capturing_regex({"time", "user_agent"})
    text = line(T0, "/a b/c", 503, agent="agent/1.0 (x)", extra='"x" "y"')
    connection = duckdb.connect()
    try:
        names = ", ".join(f"'{name}'" for name in schema.COLUMN_NAMES)
        full, part = connection.execute(f"SELECT regexp_extract(?, ?, [{names}]), regexp_extract(?, ?, ['time', 'user_agent'])",
                                        [text, schema.full_match_regex(), text, few]).fetchone()
        assert part["time"] == full["time"] != "" and full["user_agent"] == part["user_agent"]
        assert part["user_agent"] == "agent/1.0 (x)"
        assert connection.execute("SELECT regexp_full_match('not an ALB line', ?)", [few]).fetchone() == (False,)
    finally:
        connection.close()


def test_only_the_columns_the_query_reads_are_parsed() -> None:
    query = sql.summary_query(sql.DUCKDB, "alb", WINDOW, Filters(), 60)
    columns = snapshot_backend.columns_read(query.sql)
    assert {"time", "elb", "request_url", "client_ip", "user_agent", "target_processing_time", "classification"} <= columns
    assert not {"ssl_cipher", "trace_id", "chosen_cert_arn", "received_bytes"} & columns


def test_files_named_outside_the_window_are_not_opened(tmp_path: Path) -> None:
    inside = [line(T0 + timedelta(minutes=40, seconds=s), "/api/x", 200) for s in range(0, 60, 10)]
    root = write_snapshot(tmp_path, {
        _elb_name(T0 + timedelta(minutes=45)): inside,  # named inside: read
        _elb_name(T0 - timedelta(hours=5)): inside,  # named long before the baseline: never opened
        _elb_name(T0 + timedelta(hours=4)): inside,  # named hours after the window and its delivery lag
        "any-name.log": inside,  # no ELB name: always read
    })
    answer = snapshot_backend.fetch(Snapshot.open(root), WINDOW, Filters(), 60)
    total = next(row for row in answer.rows if row["facet"] == "total")
    assert total["requests"] == 2 * len(inside) and answer.lines == 2 * len(inside)
    span = Window(WINDOW.baseline().start, WINDOW.end)
    assert snapshot_backend.may_hold(Path(_elb_name(T0 + timedelta(minutes=62))), span)  # delivered after the window's end
    assert snapshot_backend.file_time(Path("2026-11-20T0945Z.log")) is None


def test_lines_outside_the_window_are_counted_but_not_summarised(tmp_path: Path) -> None:
    lines = [line(T0 + timedelta(minutes=m), "/api/x", 500) for m in range(0, 120, 5)] + ["garbage", "https 2026-11-20T09:40:00Z x"]
    answer = snapshot_backend.fetch(Snapshot.open(write_snapshot(tmp_path, {"a.log.gz": lines})), WINDOW, Filters(), 60)
    total = next(row for row in answer.rows if row["facet"] == "total")
    assert (total["requests"], total["base_requests"]) == (6, 6)
    assert answer.lines == len(lines) and answer.malformed == 2


def _rows(snapshot: Snapshot, dialect: sql.Dialect) -> list[tuple[object, ...]]:
    query = sql.summary_query(dialect, snapshot_backend.table_sql(set(schema.COLUMN_NAMES)), WINDOW, Filters(), 60)
    paths = [str(p) for p in snapshot.files("alb")]
    span = Window(WINDOW.baseline().start, WINDOW.end)
    connection = snapshot_backend.connect()
    try:
        return [tuple(row.values()) for row in snapshot_backend._summary(connection, paths, span, query.sql, query.params)]
    finally:
        connection.close()


def test_ranking_cut_changes_nothing_but_the_work(tmp_path: Path) -> None:
    """Many clients, agents and paths with ties everywhere: the DuckDB cut before ranking keeps the same rows."""
    rng = random.Random(11)
    lines = []
    for i in range(4000):
        when = T0 + timedelta(seconds=rng.randrange(0, 3600))
        lines.append(line(when, f"/p{rng.randrange(40)}/x", rng.choice([200, 200, 200, 404, 500, 503]),
                          client=f"198.51.{rng.randrange(4)}.{rng.randrange(60)}:1000", agent=f"agent/{rng.randrange(300)}",
                          tpt=rng.choice([-1, 0.01, 0.2, 1.5]), target=f"10.0.0.{rng.randrange(20)}:80"))
    snapshot = Snapshot.open(write_snapshot(tmp_path, {"a.log": lines}))
    assert sql.DUCKDB.cut and "c_err" in sql.summary_query(sql.DUCKDB, "t", WINDOW, Filters(), 60).sql
    assert "c_err" not in sql.summary_query(sql.ATHENA, "t", WINDOW, Filters(), 60).sql
    cut, full = _rows(snapshot, sql.DUCKDB), _rows(snapshot, dataclasses.replace(sql.DUCKDB, cut=False))
    assert len({row[0] for row in cut}) >= 10 and len(cut) == len(full)

    def stable(rows: list[tuple[object, ...]]) -> list[str]:
        # Rows of a per-path facet that tie at rank TOP_PER_PATH (the tie-break is the path) may be either one, with
        # or without the cut: compare which paths they cover.
        return sorted(repr(row[:3] if row[0] in sql.FACETS_PER_PATH else row) for row in rows)

    assert stable(cut) == stable(full)


def test_deadline_interrupts_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher interrupts a running query once the deadline has run out; the answer says time ran out."""
    root = write_snapshot(tmp_path, {"a.log": [line(T0 + timedelta(minutes=40), "/api/x", 200)]})
    ticks = iter([0.0])
    deadline = Deadline(5, clock=lambda: next(ticks, 100.0))  # runs out right after it is made

    def endless(connection: object, *_args: object) -> list[dict[str, object]]:
        connection.execute("SELECT sum(i * i) FROM range(100000000000) t(i)").fetchall()  # type: ignore[attr-defined]
        raise AssertionError("the query should have been interrupted")

    monkeypatch.setattr(snapshot_backend, "_summary", endless)
    with pytest.raises(SourceError) as raised:
        snapshot_backend.fetch(Snapshot.open(root), WINDOW, Filters(), 60, deadline)
    assert "ran out of time" in raised.value.what and "narrow the window" in raised.value.hint


def test_deadline_with_time_left_answers_in_full(tmp_path: Path) -> None:
    root = write_snapshot(tmp_path, {"a.log": [line(T0 + timedelta(minutes=40), "/api/x", 200)]})
    answer = snapshot_backend.fetch(Snapshot.open(root), WINDOW, Filters(), 60, Deadline(60))
    assert answer.lines == 1 and answer.complete and not answer.notes


def test_running_out_of_memory_is_said(incident: Snapshot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_backend, "MEMORY_LIMIT", "1MB")
    with pytest.raises(SourceError) as raised:
        snapshot_backend.fetch(incident, WINDOW, Filters(), 60)
    assert "needs more than 1MB of memory" in raised.value.what and "narrow the window" in raised.value.hint
