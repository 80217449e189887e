"""Snapshot readers: manifest validation, gzip and nesting, malformed lines and files skipped and counted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tools.common.snapshot import ReadStats, Snapshot, SnapshotError

MANIFEST = {"version": 1, "account": "123456789012", "region": "eu-west-1",
            "start": "2026-11-20T09:00:00Z", "end": "2026-11-20T11:00:00Z", "description": "shop"}


def make(tmp_path: Path, manifest: dict | str | None = MANIFEST) -> Path:
    root = tmp_path / "snap"
    root.mkdir()
    if manifest is not None:
        (root / "manifest.json").write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    return root


def event(group: str, ts: int, message: str) -> str:
    return json.dumps({"logGroupName": group, "logStreamName": "s", "timestamp": ts, "message": message})


def test_manifest_is_read(tmp_path: Path) -> None:
    snap = Snapshot.open(make(tmp_path))
    assert snap.region == "eu-west-1"
    assert snap.manifest.window.seconds == 7200
    assert snap.manifest.question is None


@pytest.mark.parametrize(
    "manifest, fragment",
    [
        (None, "no manifest.json"),
        ("{oops", "not readable JSON"),
        ("[]", "must be a JSON object"),
        ({**MANIFEST, "start": "yesterday"}, "'start' is 'yesterday'"),
        ({**MANIFEST, "end": None}, "'end' must be an ISO 8601"),
        ({**MANIFEST, "start": "2026-11-20T12:00:00Z"}, "'start' must be before 'end'"),
        ({**MANIFEST, "version": 2}, "knows version 1"),
    ],
)
def test_bad_manifests_say_what_to_fix(tmp_path: Path, manifest: object, fragment: str) -> None:
    with pytest.raises(SnapshotError, match=fragment.replace("(", r"\(").replace("[", r"\[")):
        Snapshot.open(make(tmp_path, manifest))  # type: ignore[arg-type]


def test_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not a directory"):
        Snapshot.open(tmp_path / "nope")


def test_logs_plain_gzip_nested_in_name_order_with_malformed_lines_counted(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "logs" / "b").mkdir(parents=True)
    (root / "logs" / "a.jsonl").write_text(
        event("/ecs/a", 1, "first") + "\n{not json\n[1,2]\n" + json.dumps({"logGroupName": "/x", "message": "no ts"}) + "\n\n"
    )
    with gzip.open(root / "logs" / "b" / "c.jsonl.gz", "wt") as handle:
        handle.write(event("/ecs/b", 2, "second") + "\n")
    (root / "logs" / "b" / "d.jsonl.gz").write_bytes(b"this is not gzip")
    (root / "logs" / "ignored.txt").write_text("not a log file")
    stats = ReadStats()
    messages = [e["message"] for e in Snapshot.open(root).log_events(stats)]
    assert messages == ["first", "second"]
    assert stats.records == 2
    assert stats.skipped_records == 3
    assert stats.skipped_files == 1
    note = stats.describe()
    assert note is not None and "skipped 3 malformed record(s) and 1 unreadable file(s)" in note


def test_missing_folder_means_not_configured(tmp_path: Path) -> None:
    snap = Snapshot.open(make(tmp_path))
    assert not snap.has("xray")
    assert list(snap.xray_traces(ReadStats())) == []


def test_list_documents_and_bad_files(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "cloudtrail").mkdir()
    (root / "cloudtrail" / "1.json").write_text(json.dumps({"Records": [
        {"eventTime": "2026-11-20T09:38:12Z", "eventName": "ModifyVpcEndpoint"}, "junk", {"eventName": "NoTime"}]}))
    (root / "cloudtrail" / "2.json").write_text(json.dumps({"NotRecords": []}))
    (root / "cloudtrail" / "3.json").write_text("{truncated")
    stats = ReadStats()
    records = list(Snapshot.open(root).cloudtrail_records(stats))
    assert [r["eventName"] for r in records] == ["ModifyVpcEndpoint"]
    assert stats.skipped_records == 2 and stats.skipped_files == 2


def test_alb_files_accept_extensionless_and_gz(tmp_path: Path) -> None:
    root = make(tmp_path)
    alb = root / "alb" / "AWSLogs" / "123456789012"
    alb.mkdir(parents=True)
    (alb / "x.log").write_text("line\n")
    (alb / "y.log.gz").write_bytes(gzip.compress(b"line\n"))
    (alb / "z").write_text("line\n")
    files = Snapshot.open(root).files("alb")
    assert [f.name for f in files] == ["x.log", "y.log.gz", "z"]
    stats = ReadStats()
    assert len(list(Snapshot.open(root).lines("alb", stats))) == 3
