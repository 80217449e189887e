"""Every bundled scenario built once per test session into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from agent.scenarios.catalog import SCENARIOS

    root = tmp_path_factory.mktemp("bundled")
    return {name: scenario.build(root / name) for name, scenario in SCENARIOS.items()}
