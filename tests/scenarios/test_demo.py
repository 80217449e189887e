"""The demo incident: deterministic, readable with zero skips, and carrying the facts others rely on."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from agent.scenarios.demo import DEMO_FACTS, build_demo

UTC = timezone.utc
ONSET = datetime.fromisoformat(DEMO_FACTS["onset"].replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, helpers: Any) -> dict[str, Any]:
    root = build_demo(tmp_path_factory.mktemp("demo") / "snap")
    data = helpers.read_everything(root)
    data["root"] = root
    return data


def alb_time(fields: list[str]) -> datetime:
    return datetime.fromisoformat(fields[1].replace("Z", "+00:00"))


def test_byte_identical_rebuild(demo: dict[str, Any], tmp_path: Path, helpers: Any) -> None:
    again = build_demo(tmp_path / "again")
    assert helpers.tree_bytes(again) == helpers.tree_bytes(demo["root"])


def test_manifest_and_volumes(demo: dict[str, Any]) -> None:
    manifest = demo["manifest"]
    assert (manifest.account, manifest.region) == ("123456789012", "us-east-1")
    assert manifest.question == "why are checkout requests failing since 09:40?"
    assert manifest.start.isoformat() == "2026-11-20T09:00:00+00:00" and manifest.end.isoformat() == "2026-11-20T11:00:00+00:00"
    stats = demo["stats"]
    assert stats.skipped_records == 0 and stats.skipped_files == 0, stats.reasons
    assert 10_000 <= len(demo["logs"]) <= 30_000
    assert 20_000 <= len(demo["alb"]) <= 40_000
    assert 200 <= len(demo["xray"]) <= 900
    assert len(demo["metrics"]) >= 60
    assert {e["logGroupName"] for e in demo["logs"]} == set(DEMO_FACTS["log_groups"])
    start_ms, end_ms = manifest.start.timestamp() * 1000, manifest.end.timestamp() * 1000
    assert all(start_ms <= e["timestamp"] < end_ms for e in demo["logs"])
    assert all(DEMO_FACTS["start"] <= r["eventTime"] < DEMO_FACTS["end"] for r in demo["cloudtrail"])
    assert all(manifest.start <= alb_time(line.split(" ", 2)) < manifest.end for line in demo["alb"])


def test_alb_lines_match_the_athena_regex(demo: dict[str, Any], check_alb: Callable[[list[str]], None]) -> None:
    check_alb(demo["alb"])


def test_checkout_5xx_only_after_onset(demo: dict[str, Any], helpers: Any) -> None:
    before = after = 0
    latencies = []
    for line in demo["alb"]:
        fields = helpers.alb_fields(line)
        if "/api/checkout " not in fields[12] and "/api/orders/" not in fields[12]:
            continue
        if fields[8].startswith("5"):
            if alb_time(fields) < ONSET:
                before += 1
            else:
                after += 1
                if fields[6] != "-1":
                    latencies.append(float(fields[6]))
        if fields[8] == "504":
            assert fields[6] == "-1" and fields[9] == "-" and fields[4] != "-" and fields[26] == '"-"'
    assert before == 0 and after > 1000
    assert 2.0 <= min(latencies) and max(latencies) <= 10.0
    checkout_tg = DEMO_FACTS["target_groups"]["checkout-tg"]
    assert any(checkout_tg in line and '"POST https://shop.example.com:443/api/checkout HTTP/' in line and " 500 500 " in line
               for line in demo["alb"])


def test_connect_timeouts_only_after_onset(demo: dict[str, Any]) -> None:
    hits = [e for e in demo["logs"] if "connect timed out" in e["message"]]
    assert len(hits) > 500
    assert all(e["logGroupName"] == "/ecs/checkout" for e in hits)
    assert min(e["timestamp"] for e in hits) >= ONSET.timestamp() * 1000
    assert any("\n\tat software.amazon.awssdk" in e["message"] and "Caused by:" in e["message"] for e in hits)
    assert DEMO_FACTS["error_message"] in "\n".join(e["message"] for e in hits)


def test_benign_error_before_and_after(demo: dict[str, Any]) -> None:
    times = [e["timestamp"] for e in demo["logs"] if DEMO_FACTS["benign_error"] in e["message"]]
    assert any(t < ONSET.timestamp() * 1000 for t in times) and any(t > ONSET.timestamp() * 1000 for t in times)


def test_change_event(demo: dict[str, Any], helpers: Any) -> None:
    records = demo["cloudtrail"]
    for record in records:
        missing = [k for k in helpers.CLOUDTRAIL_KEYS if k not in record]
        assert not missing, (record["eventName"], missing)
    change = [r for r in records if r["eventID"] == DEMO_FACTS["change_event_id"]]
    assert len(change) == 1
    event = change[0]
    assert event["eventName"] == "ModifyVpcEndpoint" and event["eventTime"] == DEMO_FACTS["change_time"]
    assert event["eventTime"] < DEMO_FACTS["onset"]
    assert event["requestParameters"] == {"ModifyVpcEndpointRequest": {
        "VpcEndpointId": DEMO_FACTS["vpc_endpoint_id"], "RemoveRouteTableId": {"tag": 1, "content": DEMO_FACTS["route_table_id"]}}}
    assert event["userIdentity"]["arn"] == DEMO_FACTS["change_actor_arn"]
    assert "/aws-reserved/sso.amazonaws.com/" in event["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"]
    assert event["sessionCredentialFromConsole"] == "true" and event["readOnly"] is False
    names = {r["eventName"] for r in records}
    assert {"UpdateService", "PutMetricAlarm", "AssumeRole", "Decrypt", "CreateLogStream"} <= names
    denied = [r for r in records if r.get("errorCode") == "AccessDenied"]
    assert denied and denied[0]["eventTime"] < DEMO_FACTS["change_time"]
    writes_before = [r for r in records if not r["readOnly"] and r["eventTime"] < DEMO_FACTS["change_time"]
                     and r["eventName"] != "ConsoleLogin"]
    assert len(writes_before) >= 3


def test_traces_root_cause_is_dynamodb(demo: dict[str, Any], helpers: Any) -> None:
    faults, healthy = [], []
    for doc in helpers.iter_segments(demo["xray"]):
        if doc.get("name") != "checkout":
            continue
        (faults if doc.get("fault") else healthy).append(doc)
    assert len(faults) >= 50 and len(healthy) >= 30
    for doc in faults:
        assert doc["start_time"] >= ONSET.timestamp() - 12
        sub = next(s for s in doc["subsegments"] if s["name"] == "DynamoDB")
        assert sub["fault"] and sub["namespace"] == "aws" and sub["aws"]["table_name"] == "orders"
        assert sub["aws"]["operation"] in ("PutItem", "GetItem")
        assert sub["cause"]["exceptions"][0]["type"] == DEMO_FACTS["exception"]
        assert doc["cause"]["exceptions"][0]["cause"] == sub["cause"]["exceptions"][0]["id"]
        assert doc["origin"] == "AWS::ECS::Container"


def _series(demo: dict[str, Any], namespace: str, name: str, **dims: str) -> dict[str, Any]:
    for series in demo["metrics"]:
        got = {d["Name"]: d["Value"] for d in series["Dimensions"]}
        if series["Namespace"] == namespace and series["MetricName"] == name and got == dims:
            return series
    raise AssertionError(f"no series {namespace} {name} {dims}")


def _split(series: dict[str, Any], stat: str) -> tuple[list[float], list[float]]:
    before = [p[stat] for p in series["Datapoints"] if p["Timestamp"] < DEMO_FACTS["onset"]]
    after = [p[stat] for p in series["Datapoints"] if p["Timestamp"] >= "2026-11-20T09:41:00Z"]
    return before, after


def test_metric_shifts(demo: dict[str, Any]) -> None:
    lb = DEMO_FACTS["load_balancer"]
    before, after = _split(_series(demo, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", LoadBalancer=lb), "Sum")
    assert sum(after) / max(1, len(after)) > 10 * (sum(before) / max(1, len(before)) + 0.1)
    before, after = _split(_series(demo, "AWS/ApplicationELB", "TargetResponseTime", LoadBalancer=lb), "Average")
    assert statistics.mean(after) > 3 * statistics.mean(before)
    before, after = _split(_series(demo, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", TableName="orders"), "Sum")
    assert statistics.mean(after) < 0.3 * statistics.mean(before)
    before, after = _split(_series(demo, "AWS/DynamoDB", "SuccessfulRequestLatency", TableName="orders", Operation="GetItem"), "SampleCount")
    assert before and not after
    before, after = _split(_series(demo, "AWS/ECS", "CPUUtilization", ClusterName="shop", ServiceName="checkout"), "Average")
    assert statistics.mean(after) < 0.6 * statistics.mean(before)
    before, after = _split(_series(demo, "AWS/ECS", "CPUUtilization", ClusterName="shop", ServiceName="payment"), "Average")
    assert abs(statistics.mean(after) - statistics.mean(before)) < 3


def test_unrelated_shift_far_from_onset(demo: dict[str, Any]) -> None:
    shift = DEMO_FACTS["unrelated_metric_shift"]
    series = [s for s in demo["metrics"] if s["Namespace"] == shift["namespace"] and s["MetricName"] == shift["metric"]]
    assert series
    inside = [p["Sum"] for p in series[0]["Datapoints"] if shift["start"] <= p["Timestamp"] < shift["end"]]
    outside = [p["Sum"] for p in series[0]["Datapoints"] if p["Timestamp"] >= "2026-11-20T09:30:00Z"]
    assert statistics.mean(inside) > 5 * statistics.mean(outside)


def test_findings(demo: dict[str, Any]) -> None:
    assert [f["Type"] for f in demo["guardduty"]] == [DEMO_FACTS["guardduty_type"]]
    assert demo["guardduty"][0]["Resource"]["InstanceDetails"]["InstanceId"] == DEMO_FACTS["bastion_instance"]
    products = {f["ProductArn"].rsplit("/", 1)[-1] for f in demo["securityhub"]}
    assert products == {"securityhub", "guardduty"}
    controls = {f.get("Compliance", {}).get("SecurityControlId") for f in demo["securityhub"]}
    assert {"S3.14", "EC2.13", "IAM.9"} <= controls
    for finding in demo["securityhub"]:
        assert finding["SchemaVersion"] == "2018-10-08" and finding["AwsAccountId"] == "123456789012"


def test_leaked_credentials_are_planted(demo: dict[str, Any]) -> None:
    password, key, secret = DEMO_FACTS["leaked_secrets"]
    assert any(password in line and "?username=" in line for line in demo["alb"])
    messages = "\n".join(e["message"] for e in demo["logs"])
    assert key in messages and secret in messages
    assert key.startswith("AKIA") and len(key) == 20


def test_facts_are_consistent(demo: dict[str, Any]) -> None:
    assert DEMO_FACTS["load_balancer"] == "app/shop-alb/50dc6c495c0c9188"
    assert set(DEMO_FACTS["target_groups"]) == {"checkout-tg", "catalog-tg", "payment-tg"}
    assert all(any(arn in line for line in demo["alb"][:3000]) for arn in DEMO_FACTS["target_groups"].values())
    assert json.loads(json.dumps(DEMO_FACTS)) == DEMO_FACTS
