"""Every scenario builds quickly, reads back with zero skips, is noisy in several sources and matches its truth."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from agent.cli import main
from agent.scenarios.catalog import SCENARIOS, Scenario

OTHERS = [name for name in SCENARIOS if name != "demo"]
REQUIRED = {"demo", "iam-permission-removed", "security-group-rule-revoked", "bad-deploy", "dynamodb-throttling",
            "db-connection-pool-exhausted", "secret-rotated", "kms-key-disabled", "security-incident", "quiet"}


def test_registry_shape() -> None:
    assert REQUIRED <= set(SCENARIOS)
    for name, scenario in SCENARIOS.items():
        assert isinstance(scenario, Scenario) and scenario.name == name and scenario.description
        truth = scenario.truth
        assert {"kind", "cause_keywords", "cause_source", "onset", "quiet"} <= set(truth)
        assert all(k == k.lower() and k for k in truth["cause_keywords"])
        assert truth["cause_source"] in {"cloudtrail", "logs", "metrics", "guardduty", "none"}
        if truth["quiet"]:
            assert truth["onset"] is None and truth["cause_keywords"] == []
        else:
            assert truth["cause_keywords"] and datetime.fromisoformat(truth["onset"].replace("Z", "+00:00"))


@pytest.mark.parametrize("name", OTHERS)
def test_scenario(name: str, tmp_path: Path, helpers: Any) -> None:
    scenario = SCENARIOS[name]
    began = time.process_time()
    root = scenario.build(tmp_path / name)
    assert time.process_time() - began < 10, "a scenario must build in seconds"
    data = helpers.read_everything(root)
    stats = data["stats"]
    assert stats.skipped_records == 0 and stats.skipped_files == 0, stats.reasons
    manifest = data["manifest"]
    truth = scenario.truth
    window = tuple(t.isoformat().replace("+00:00", "Z") for t in (manifest.start, manifest.end))
    start_ms, end_ms = manifest.start.timestamp() * 1000, manifest.end.timestamp() * 1000
    assert all(start_ms <= e["timestamp"] < end_ms + 60_000 for e in data["logs"])
    # noise in several sources
    assert len(data["logs"]) > 1000 and len(data["metrics"]) >= 40 and len(data["xray"]) >= 40
    assert len(data["securityhub"]) >= 3 and data["guardduty"]
    for line in data["alb"][::7]:
        assert helpers.ALB_REGEX.match(line), line
        assert len(helpers.alb_fields(line)) == 30
    for record in data["cloudtrail"]:
        assert not [k for k in helpers.CLOUDTRAIL_KEYS if k not in record], record["eventName"]
        assert window[0] <= record["eventTime"] < window[1], record["eventTime"]
    text = helpers.all_text(root)
    for keyword in truth["cause_keywords"]:
        assert keyword in text, keyword
    if truth["quiet"]:
        fives = sum(1 for line in data["alb"] if helpers.alb_fields(line)[8].startswith("5"))
        assert fives <= 0.01 * len(data["alb"])
        return
    onset = truth["onset"]
    assert manifest.start.isoformat().replace("+00:00", "Z") < onset < manifest.end.isoformat().replace("+00:00", "Z")
    # benign, non-read-only changes before the onset make the ranking non-trivial
    changes_before = [r for r in data["cloudtrail"] if not r["readOnly"] and r["eventTime"] < onset
                      and r["eventID"] != truth.get("change_event_id")]
    assert len(changes_before) >= 3
    if "change_event_id" in truth:
        cause = [r for r in data["cloudtrail"] if r["eventID"] == truth["change_event_id"]]
        assert len(cause) == 1 and cause[0]["eventTime"] <= onset
    # symptoms start at the onset: traced faults only after it
    onset_epoch = datetime.fromisoformat(onset.replace("Z", "+00:00")).timestamp()
    faults = [doc for doc in helpers.iter_segments(data["xray"]) if doc.get("fault") or doc.get("throttle")]
    if truth["cause_source"] != "guardduty":
        assert faults and min(doc["end_time"] for doc in faults) >= onset_epoch - 1
        assert not any(doc.get("fault") for doc in helpers.iter_segments(data["xray"]) if doc["end_time"] < onset_epoch - 1)


def test_small_scenario_is_deterministic_and_gzips(tmp_path: Path, helpers: Any) -> None:
    scenario = SCENARIOS["security-incident"]
    a = helpers.tree_bytes(scenario.build(tmp_path / "a", gzip=True))
    b = helpers.tree_bytes(scenario.build(tmp_path / "b", gzip=True))
    assert a == b and all(name.endswith(".gz") for name in a if name != "manifest.json")
    data = helpers.read_everything(tmp_path / "a")
    assert data["stats"].skipped_records == 0 and data["stats"].skipped_files == 0 and data["cloudtrail"]


def test_command_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["make-snapshot", "--scenario", "list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(SCENARIOS)


def test_command_unknown_scenario(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["make-snapshot", "--scenario", "nope", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown scenario 'nope'" in err
    assert not (tmp_path / "x").exists()


def test_command_refuses_foreign_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    assert main(["make-snapshot", "--scenario", "quiet", "--out", str(tmp_path)]) == 2
    assert (tmp_path / "mine.txt").read_text() == "keep"


def test_command_default_out_dir_and_gzip(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["make-snapshot", "--scenario", "security-incident", "--gzip"]) == 0
    root = tmp_path / ".cache" / "snapshots" / "security-incident"
    assert (root / "manifest.json").exists()
    assert capsys.readouterr().out.strip() == str(Path(".cache") / "snapshots" / "security-incident")
    assert list((root / "cloudtrail").rglob("*.json.gz"))
