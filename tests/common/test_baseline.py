"""No baseline: data that starts at T cannot show anything as new or changed before T. Every source's tool says
``no baseline`` and no "NEW", "(0 before)" or "baseline 0" appears for such data; a window that starts before the
data is the same case."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.common.test_coverage_snapshot import SOURCES, _snapshot
from tests.logs.conftest import event, write_snapshot
from tools import catalogue
from tools.common.app import execute
from tools.common.coverage import Baseline, new_without_baseline
from tools.common.result import ToolResult
from tools.common.snapshot import Snapshot
from tools.common.timewindow import UTC, Window

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FULL = "2026-11-20T09:00:00Z/2026-11-20T11:00:00Z"
BEFORE_THE_DATA = "2026-11-20T08:00:00Z/2026-11-20T10:00:00Z"


def _run(root: Path, group: str, name: str, window: str) -> tuple[ToolResult, str]:
    function = catalogue.find(group, name)
    assert function is not None
    implementation = importlib.import_module(f"tools.{group}.handler").IMPLEMENTATIONS[name]
    outcome = execute(function, implementation, {"window": window}, snapshot=Snapshot.open(root), use_environment_snapshot=False)
    assert outcome.result is not None, outcome.body
    return outcome.result, outcome.body


def test_baseline_states() -> None:
    window = Window(T0, T0 + timedelta(hours=2))
    assert Baseline(window.baseline(), T0).missing and Baseline(window.baseline(), T0).covered is None
    short = Baseline(window.baseline(), T0 - timedelta(minutes=30))
    assert short.shortened and not short.missing and short.covered == Window(T0 - timedelta(minutes=30), T0)
    assert Baseline(window.baseline()).note() is None and Baseline(window.baseline()).attrs() == {"no_baseline": False}
    assert "no baseline: the data starts at 2026-11-20T09:00:00Z" in (Baseline(window.baseline(), T0).note() or "")


@pytest.mark.parametrize("first_minute, count, expected", [
    (40, 3000, True),   # a dense pattern that begins 40 min after the data: new in the data that exists
    (6, 13, False),     # a rare pattern first seen 6 min after the data began: it may simply not have happened yet
    (0, 500, False),    # present from the data's first minute: nothing says it began then
])
def test_new_without_baseline_needs_enough_quiet_data_before(first_minute: int, count: int, expected: bool) -> None:
    first = T0 + timedelta(minutes=first_minute)
    assert new_without_baseline(first, T0 + timedelta(hours=2), count, T0) is expected


@pytest.mark.parametrize("window", [FULL, BEFORE_THE_DATA], ids=["window-at-the-data-start", "window-before-the-data"])
@pytest.mark.parametrize("folder, relative, content, group, name", [s for s in SOURCES if s[0] not in ("securityhub", "guardduty")],
                         ids=[s[0] for s in SOURCES if s[0] not in ("securityhub", "guardduty")])
def test_every_source_says_no_baseline(tmp_path: Path, folder: str, relative: str, content: object, group: str, name: str,
                                       window: str) -> None:
    result, body = _run(_snapshot(tmp_path / "snap"), group, name, window)
    assert result.data["coverage"][folder]["no_baseline"] is True
    assert result.data["coverage"][folder]["baseline_from"] == "2026-11-20T09:00:00Z"
    assert "no baseline" in body
    for item in result.evidence:
        assert item.attrs.get("no_baseline") is True, item
        assert not item.summary.startswith("NEW ") or item.attrs.get("new"), item.summary
        assert "(0 before)" not in item.summary and "baseline 0" not in item.summary, item.summary


def test_logs_new_only_for_a_pattern_that_begins_well_after_the_data(tmp_path: Path) -> None:
    events = [event("/ecs/checkout", T0 + timedelta(minutes=m), f"ERROR PaymentClient retry for order {m} failed") for m in range(0, 120, 9)]
    events += [event("/ecs/checkout", T0 + timedelta(minutes=40, seconds=s * 3),
                     f"ERROR OrderRepository: DynamoDB connect timed out (request {s})") for s in range(800)]
    result, body = _run(write_snapshot(tmp_path / "snap", events), "logs", "find_error_patterns", FULL)
    by_template = {item.attrs["template"]: item for item in result.evidence}
    dynamo = next(item for t, item in by_template.items() if "DynamoDB" in t)
    retry = next(item for t, item in by_template.items() if "PaymentClient" in t)
    assert dynamo.attrs["new"] is True and dynamo.summary.startswith("NEW ") and "first at 09:40Z" in dynamo.summary
    assert retry.attrs["new"] is False and not retry.summary.startswith("NEW ")
    assert "no data before 09:00Z" in retry.summary
    assert retry.attrs["onset"] is None  # present since the data began: no known start
    assert body.index("no baseline") < body.index("Scanned")


def test_a_full_baseline_keeps_the_comparison(tmp_path: Path) -> None:
    events = [event("/ecs/checkout", T0 + timedelta(minutes=70, seconds=s), "ERROR DynamoDB connect timed out") for s in range(30)]
    result, body = _run(write_snapshot(tmp_path / "snap", events), "logs", "find_error_patterns", "2026-11-20T10:00:00Z/2026-11-20T11:00:00Z")
    assert "no baseline" not in body and "coverage" not in result.data or not result.data["coverage"].get("logs", {}).get("no_baseline")
    assert result.evidence[0].attrs["new"] is True and "(0 before)" in result.evidence[0].summary
