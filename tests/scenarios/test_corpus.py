"""The incident corpus: every kind renders a valid snapshot holding its decisive facts; builds are deterministic."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from agent.scenarios.corpus import ALL, CONTROLS, KINDS, build_case, iter_cases
from agent.scenarios.corpus.generate import case_seed

SMALL = 0.08   # traffic scale for tests: every kind's shape, a fraction of the requests


def test_registry_breadth() -> None:
    categories = {spec.category for spec in KINDS.values()}
    assert len(KINDS) >= 30 and len(CONTROLS) >= 5
    assert {"compute", "data store", "networking", "dns and edge", "identity", "keys and secrets", "configuration",
            "capacity", "external dependency", "workload surge", "poison input", "security"} <= categories
    platforms = {p for spec in KINDS.values() for p in spec.platforms}
    assert {"ecs", "eks", "ec2", "lambda"} <= platforms
    assert all(spec.source and spec.source != "-" for spec in KINDS.values())
    pairs = list(iter_cases(5, 2))
    assert len(pairs) == 5 * len(KINDS) + 2 * len(CONTROLS)


def test_seed_is_stable_and_distinct() -> None:
    assert case_seed("cpu-saturation", 0) == case_seed("cpu-saturation", 0)
    assert len({case_seed(k, v) for k in KINDS for v in range(5)}) == 5 * len(KINDS)


def test_deterministic_per_seed(tmp_path: Path, helpers: Any) -> None:
    a = build_case("secret-rotated", 1, tmp_path / "a", traffic=SMALL)
    b = build_case("secret-rotated", 1, tmp_path / "b", traffic=SMALL)
    c = build_case("secret-rotated", 1, tmp_path / "c", traffic=SMALL, seed=7)
    assert helpers.tree_bytes(a.path) == helpers.tree_bytes(b.path)
    assert a.truth == b.truth
    assert helpers.tree_bytes(a.path) != helpers.tree_bytes(c.path)


def test_unknown_kind_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown corpus kind 'nope'"):
        build_case("nope", 0, tmp_path / "x")


def _series_keys(metrics: list[dict[str, Any]]) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return {(s["Namespace"], s["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in s["Dimensions"]))) for s in metrics}


@pytest.mark.parametrize("kind", list(ALL))
def test_kind_renders_a_valid_snapshot_with_its_decisive_facts(kind: str, tmp_path: Path, helpers: Any) -> None:
    case = build_case(kind, 0, tmp_path / kind, traffic=SMALL)
    data = helpers.read_everything(case.path)
    stats = data["stats"]
    assert stats.skipped_records == 0 and stats.skipped_files == 0, stats.reasons
    manifest = data["manifest"]
    assert manifest.question and manifest.description
    for line in data["alb"][::5]:
        assert helpers.ALB_REGEX.match(line), line
    start, end = (t.isoformat().replace("+00:00", "Z") for t in (manifest.start, manifest.end))
    for record in data["cloudtrail"]:
        assert not [k for k in helpers.CLOUDTRAIL_KEYS if k not in record], record["eventName"]
        assert start <= record["eventTime"] < end, (record["eventName"], record["eventTime"])
    truth = case.truth
    assert truth.kind == kind and truth.category
    assert not set(truth.missing_sources) & {"logs", "cloudtrail", "metrics"}
    if truth.control:
        assert truth.onset is None and not (truth.events or truth.metrics or truth.exceptions or truth.hosts or truth.findings)
        return
    assert start < truth.onset < end
    assert truth.events or truth.metrics or truth.exceptions or truth.hosts or truth.findings
    by_id = {r["eventID"]: r for r in data["cloudtrail"]}
    for event_id, name in zip(truth.events, truth.event_names):
        assert by_id[event_id]["eventName"] == name
        if truth.category != "security":   # a change precedes its symptoms; an attack starts at the onset
            assert by_id[event_id]["eventTime"] <= truth.onset and not by_id[event_id]["readOnly"], name
    present = _series_keys(data["metrics"])
    for fact in truth.metrics:
        assert (fact.namespace, fact.metric, fact.dimensions) in present, fact
    onset_epoch = datetime.fromisoformat(truth.onset.replace("Z", "+00:00")).timestamp()
    early = [doc for doc in helpers.iter_segments(data["xray"])
             if doc["name"] == truth.service and doc.get("fault") and doc["end_time"] < onset_epoch - 1]
    assert not early, "the failing service's faults start at the onset"
    text = helpers.all_text(case.path)
    for needle in truth.exceptions + truth.hosts:
        assert needle.lower() in text, needle
    if truth.findings:
        types = {f.get("Type") for f in data["guardduty"]}
        assert set(truth.findings) <= types


def test_change_kinds_write_the_change_before_the_onset(tmp_path: Path, helpers: Any) -> None:
    case = build_case("deploy-bad-code", 2, tmp_path / "d", traffic=SMALL)
    data = helpers.read_everything(case.path)
    change = next(r for r in data["cloudtrail"] if r["eventID"] == case.truth.events[0])
    assert change["eventName"] == "UpdateService" and change["eventTime"] <= case.truth.onset
    assert change["requestParameters"]["taskDefinition"]
    # the ECS scheduler's own reactions are there too, attributed to the service principal
    reactions = [r for r in data["cloudtrail"] if r["eventName"] == "RegisterTargets"]
    assert reactions and all(r["userIdentity"]["type"] == "AWSService" for r in reactions)


def test_variants_differ_in_topology_and_formats(tmp_path: Path) -> None:
    descriptions = {build_case("dependency-errors", v, tmp_path / str(v), traffic=0.05).truth.description for v in range(4)}
    assert len(descriptions) >= 3


def test_leaked_key_without_finding_has_only_cloudtrail_evidence(tmp_path: Path, helpers: Any) -> None:
    case = build_case("leaked-key-no-finding", 3, tmp_path / "k", traffic=0.05)
    data = helpers.read_everything(case.path)
    attacker = [r for r in data["cloudtrail"] if r["eventID"] in case.truth.events]
    names = {r["eventName"] for r in attacker}
    assert {"GetCallerIdentity", "ListBuckets"} <= names
    assert names & {"CreateAccessKey", "CreateUser", "StopLogging", "DeleteTrail"}
    assert len({r["sourceIPAddress"] for r in attacker}) == 1
    assert not any(f.get("Type", "").startswith(("UnauthorizedAccess", "Discovery:IAMUser", "Persistence", "Stealth"))
                   for f in data["guardduty"])


def test_console_herring_is_a_person_through_sso(tmp_path: Path, helpers: Any) -> None:
    from agent.scenarios.corpus.context import Ctx
    from agent.scenarios.corpus.herrings import add_herrings
    from agent.scenarios.corpus.topology import make_workload, random_topology
    import random

    topo = random_topology(random.Random(5))
    w = make_workload(str(tmp_path / "h"), topo, start_hour=9, window_minutes=30, description="d", question="q", seed=5)
    ctx = Ctx(w, topo, w.start.replace(minute=20))
    assert add_herrings(ctx, ["console_edit"]) == ["console_edit"]
    record = w.b.trail[-1]
    assert record["userAgent"] == "AWS Internal" and record["sessionCredentialFromConsole"] == "true"
    assert "/aws-reserved/sso.amazonaws.com/" in record["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
    assert datetime.fromisoformat(record["eventTime"].replace("Z", "+00:00")) < ctx.onset
    json.dumps(record)


def test_command_lists_builds_and_refuses_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.scenarios.corpus.__main__ import main

    assert main(["list"]) == 0
    assert "leaked-key-no-finding" in capsys.readouterr().out
    assert main(["build", "nope", "0", str(tmp_path / "x")]) == 2
    assert "unknown corpus kind 'nope'" in capsys.readouterr().err
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "keep.txt").write_text("mine")
    assert main(["build", "rds-failover", "0", str(tmp_path / "foreign")]) == 2
    assert (tmp_path / "foreign" / "keep.txt").read_text() == "mine"
    assert main(["build", "rds-failover", "1", str(tmp_path / "case"), "--traffic", "0.05"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["truth"]["kind"] == "rds-failover" and printed["truth"]["event_names"]
    assert (tmp_path / "case" / "manifest.json").is_file()
