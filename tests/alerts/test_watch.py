"""``python -m agent watch --snapshot DIR --json``: the snapshot's logs replayed through the alert handler."""

from __future__ import annotations

import json
from pathlib import Path

from agent.cli import main
from agent.watch import deliveries
from tools.alerts.subscription import decode
from tools.common.snapshot import Snapshot

from .support import MINUTE, STANDING, T0, TIMEOUT


def write_snapshot(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "manifest.json").write_text(json.dumps({
        "version": 1, "account": "123456789012", "region": "us-east-1",
        "start": "2026-11-20T09:00:00Z", "end": "2026-11-20T10:00:00Z", "description": "checkout on ECS"}))
    lines = []
    for minute in range(60):
        for n in range(3):
            lines.append({"logGroupName": "/ecs/checkout", "logStreamName": f"ecs/app/{n}", "timestamp": T0 + minute * MINUTE + n * 7000,
                          "message": f"2026-11-20 09:{minute:02d}:00 INFO c.e.checkout.Api - GET /api/cart 200 in {n + 5} ms"})
        lines.append({"logGroupName": "/ecs/payment", "logStreamName": "ecs/pay/1", "timestamp": T0 + minute * MINUTE + 30_000,
                      "message": STANDING.format(mm=minute, n=minute)})
        if minute >= 40:  # the incident: connect timeouts from 09:40
            for n in range(6):
                lines.append({"logGroupName": "/ecs/checkout", "logStreamName": f"ecs/app/{n % 3}",
                              "timestamp": T0 + minute * MINUTE + n * 9000, "message": TIMEOUT.format(mm=minute, ss=n * 9, n=n)})
    (root / "logs").mkdir()
    (root / "logs" / "events.jsonl").write_text("\n".join(json.dumps(line) for line in reversed(lines)) + "\n{broken\n")
    return root


def test_deliveries_are_error_lines_in_time_order_per_stream(tmp_path):
    snapshot = Snapshot.open(write_snapshot(tmp_path / "snap"))
    batches = [decode(event) for event in deliveries(snapshot, "123456789012")]
    stamps = [max(e.timestamp for e in d.events) for d in batches]
    assert stamps == sorted(stamps)
    assert all(len({d.log_stream}) == 1 and d.owner == "123456789012" for d in batches)
    messages = [e.message for d in batches for e in d.events]
    assert not any("INFO" in m for m in messages)  # the subscription filter passes error lines only
    assert len(messages) == 60 + 20 * 6


def test_watch_prints_one_json_object_per_notification(tmp_path, capsys):
    path = write_snapshot(tmp_path / "snap")
    assert main(["watch", "--snapshot", str(path), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    posted = json.loads(lines[0])
    assert set(posted) == {"time", "notification"}
    assert "2026-11-20T09:41:00Z" <= posted["time"] <= "2026-11-20T09:45:00Z"  # within five minutes of the onset
    notification = posted["notification"]
    assert notification["version"] == "1.0" and notification["source"] == "custom"
    assert notification["metadata"]["additionalContext"]["service"] == "checkout"
    assert "connect timed out" in notification["content"]["description"]
    assert "429" not in notification["content"]["description"]  # payment's standing error stays silent


def test_watch_without_a_snapshot_is_a_usage_error(tmp_path, capsys):
    assert main(["watch", "--snapshot", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["watch"]) == 2


def test_a_quiet_start_is_learned_as_quiet_so_the_first_error_burst_alerts(tmp_path, capsys):
    path = write_snapshot(tmp_path / "snap")
    events = path / "logs" / "events.jsonl"
    kept = [line for line in events.read_text().splitlines() if "/ecs/payment" not in line]
    events.write_text("\n".join(kept) + "\n")  # no standing error: the incident's lines are the first errors
    assert main(["watch", "--snapshot", str(path), "--json"]) == 0
    [line] = capsys.readouterr().out.strip().splitlines()
    assert json.loads(line)["time"] <= "2026-11-20T09:45:00Z"
