"""On the bundled demo incident, find_error_patterns puts the DynamoDB connect timeouts first, marked NEW."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.logs.conftest import call

from agent.scenarios import demo  # noqa: E402 - an import error must fail, not skip


@pytest.fixture(scope="module")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(demo.build_demo(tmp_path_factory.mktemp("demo") / "snapshot"))


@pytest.fixture(scope="module")
def patterns(demo_snapshot: Path) -> Any:
    return call("find_error_patterns", demo_snapshot, window="since 09:40")


def test_dynamodb_connect_timeout_ranks_first_and_is_new(patterns: Any) -> None:
    outcome = patterns
    evidence = outcome.result.evidence
    top = evidence[0]
    assert top.attrs["new"] is True and top.attrs["baseline_count"] == 0
    assert "connect timed out" in top.attrs["template"]
    assert "dynamodb.us-east-1.amazonaws.com" in top.attrs["resources"]
    assert top.attrs["onset"].startswith("2026-11-20T09:40")
    # The same failure logged with its exception (stack trace) comes right after the connect-timeout patterns
    # (the miner keeps "Failed to load order" and "Failed to persist order" apart), NEW as well.
    exception = next(e for e in evidence if "SdkClientException" in e.attrs["keywords"])
    above = evidence[:evidence.index(exception)]
    assert above and all("connect timed out" in e.attrs["template"] and e.attrs["new"] for e in above)
    assert exception.attrs["new"] is True
    assert "connect timed out" in exception.attrs["template"]
    assert outcome.body.index(top.id) < outcome.body.index(exception.id)


def test_demo_search_by_the_top_pattern_id(demo_snapshot: Path, patterns: Any) -> None:
    top = patterns.result.evidence[0]
    search = call("search_logs", demo_snapshot, window="since 09:40", match=top.id, limit=3)
    assert f"3 of {top.attrs['count']} lines of {top.id}" in search.body
    assert search.body.count("connect timed out") >= 3
