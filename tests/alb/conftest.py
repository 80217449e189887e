"""Fixtures of the ALB tool's tests."""

from __future__ import annotations

import pytest

from tests.alb.support import incident_lines, write_snapshot
from tools.common.snapshot import Snapshot


@pytest.fixture(scope="session")
def incident(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """Steady traffic 09:00-10:00 with checkout failing from 09:40; .gz and plain files, S3 key layout, 2 bad lines."""
    lines = incident_lines()
    half = len(lines) // 2
    folder = "AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/20"
    root = write_snapshot(tmp_path_factory.mktemp("incident"), {
        f"{folder}/part1.log.gz": lines[:half] + ["not an ALB line", "http 2026 broken"],
        f"{folder}/part2.log": lines[half:],
    })
    return Snapshot.open(root)
