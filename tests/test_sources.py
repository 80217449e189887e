"""The source registry: a toy source registered with one line appears in the catalogue, the configuration, the
fan-out (and runs in it over a snapshot), evidence ids, the report schema's source enum and the IAM policies."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agent.report_schema import SCHEMA_PATH, report_schema
from infra import policies
from infra.naming import Scope
from tests.toy_source.source import TOY
from tools import catalogue, sources
from tools.common import config
from tools.common.deadline import Deadline
from tools.common.evidence import evidence_id, id_pattern
from tools.common.snapshot import Snapshot
from tools.common.timewindow import Window
from tools.triage import fanout

SCOPE = Scope("aws", "eu-west-1", "123456789012")


@pytest.fixture
def toy_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "REGISTRY", sources.BUILT_IN.with_source(TOY))


def test_built_in_registry_matches_the_committed_report_schema() -> None:
    assert report_schema() == json.loads(SCHEMA_PATH.read_text()), "run: python -m agent.report_schema"
    assert [f.name for f in sources.registry().feeds()] == [
        "logs", "alb", "cloudtrail", "metrics", "xray", "securityhub", "guardduty"]


def test_toy_source_in_catalogue_and_configuration(toy_registered: None) -> None:
    assert catalogue.find("toy", "count_toys") is not None
    assert "toy" in catalogue.action_groups() and catalogue.descriptions()["toy"] == TOY.description
    assert config.validate({}).section("toy") == {"enabled": True, "kinds": ["broken"]}
    with pytest.raises(config.ConfigError, match="toy"):
        config.validate({"toy": {"colour": "red"}})


def test_toy_source_in_schema_enum_and_evidence_ids(toy_registered: None) -> None:
    enum = report_schema()["properties"]["hypotheses"]["items"]["properties"]["evidence"]["items"]["properties"]["source"]["enum"]
    assert enum[-1] == "toy"
    assert evidence_id("toy", "broken").startswith("T-")
    assert id_pattern().search("what about T-0123abcd?")  # the offline planner's follow-up ids


def test_toy_source_in_policies(toy_registered: None) -> None:
    cfg = config.validate({})
    own = policies.read_statements("toy", cfg, SCOPE, "results", None)
    assert [s["Sid"] for s in own] == ["ToyRead"]
    assert "ToyRead" in {s["Sid"] for s in policies.read_statements("triage", cfg, SCOPE, "results", None)}
    assert policies.read_statements("toy", config.validate({"toy": {"enabled": False}}), SCOPE, "results", None) == []


def test_toy_source_runs_in_the_fan_out(toy_registered: None, tmp_path: Path) -> None:
    start, end = datetime(2026, 11, 20, 9, tzinfo=timezone.utc), datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
    (tmp_path / "manifest.json").write_text(json.dumps({"version": 1, "start": "2026-11-20T09:00:00Z", "end": "2026-11-20T10:00:00Z"}))
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "events.jsonl").write_text('{"kind": "broken"}\n{"kind": "broken"}\n{"kind": "fine"}\n')
    snapshot = Snapshot.open(tmp_path)
    cfg = config.validate({})
    tasks = fanout.plan(cfg, None)
    assert [t.key for t in tasks][-1] == "toy"

    class Parent:
        window, now, config, input_text = Window(start, end), end, cfg, ""

    Parent.snapshot = snapshot  # type: ignore[attr-defined]
    outcome = fanout.fan_out(Parent(), [t for t in tasks if t.key == "toy"], Deadline(10))
    assert outcome.sources()["toy"]["status"] == "ok"
    assert [e.summary for e in outcome.evidence()] == ["2 broken toys"]
    assert fanout.plan(config.validate({"toy": {"enabled": False}}), None)[-1].key != "toy"


def test_athena_tables_follow_the_declarations(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not policies.alb_enabled(config.validate({}))
    assert policies.alb_enabled(config.validate({"alb": {"log_bucket": "elb-logs"}}))
    assert not policies.alb_enabled(config.validate({"alb": {"enabled": False, "log_bucket": "elb-logs"}}))
    assert not policies.cloudtrail_athena(config.validate({"cloudtrail": {"log_bucket": "trail-logs"}}))  # lookup mode
    assert policies.cloudtrail_athena(config.validate({"cloudtrail": {"mode": "athena", "log_bucket": "trail-logs"}}))
    assert not policies.reads_athena("toy", config.validate({}))  # not registered
    monkeypatch.setattr(sources, "REGISTRY", sources.BUILT_IN.with_source(replace(TOY, athena=lambda section: True)))
    assert policies.reads_athena("toy", config.validate({}))
    assert not policies.reads_athena("toy", config.validate({"toy": {"enabled": False}}))
