"""The demo incident (agent/scenarios/demo.py): unrelated standing findings are reported, never as the cause."""

from __future__ import annotations

import pytest

from agent.scenarios import demo
from tests.findings.conftest import run
from tools.common.snapshot import Snapshot

FACTS = demo.DEMO_FACTS
WINDOW = f"{FACTS['start']}/{FACTS['end']}"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return Snapshot.open(demo.build_demo(tmp_path_factory.mktemp("demo") / "snapshot"))


def test_standing_findings_are_reported_as_standing(snapshot: Snapshot) -> None:
    outcome = run({"window": WINDOW, "include_standing": True, "min_severity": "LOW"}, snapshot=snapshot)
    result = outcome.result
    assert result is not None and result.status == "ok" and result.evidence
    assert all(e.attrs["standing"] is True and e.score == 0.0 for e in result.evidence)
    recon = [e for e in result.evidence if e.attrs["finding_type"] == FACTS["guardduty_type"]]
    assert len(recon) == 1 and recon[0].source == "guardduty"  # the Security Hub copy is folded into it
    assert FACTS["bastion_instance"] in recon[0].attrs["resources"]
    assert "None began in the window" in outcome.body
    assert "Began in the window" not in outcome.body
    assert "Standing: open before the window (not the incident's cause)" in outcome.body
    assert all(e.attrs["onset"] < FACTS["start"] for e in result.evidence)


def test_default_call_lists_nothing_new_and_says_how_to_see_standing_ones(snapshot: Snapshot) -> None:
    outcome = run({"window": WINDOW}, snapshot=snapshot)
    assert outcome.result is not None and not [e for e in outcome.result.evidence if not e.attrs["standing"]]
    assert "include_standing=true" in outcome.body
