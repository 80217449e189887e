"""``python -m agent record``: capture a real account's window into a snapshot (``snapshot-format.md``).

Reads with the same APIs the tools use: FilterLogEvents of the configured log groups, the ALB access-log objects
in S3 for the days of the window, CloudTrail LookupEvents (with the configured look-back), ListMetrics +
GetMetricData of the configured namespaces (with an equal baseline before the window, as the metrics tool
compares), X-Ray GetTraceSummaries + BatchGetTraces, Security Hub and GuardDuty GetFindings. Output stays under
``--max-mb``: a source that would exceed it stops early and the manifest says so. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, TextIO

from agent.errors import INSTANT_FORMS, UsageError
from tools import sources

UTC_FMT = "%Y-%m-%dT%H:%M:%SZ"
_STATS = ("Average", "Sum", "Maximum", "SampleCount")
XRAY_CHUNK = timedelta(hours=6)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime(UTC_FMT) if value.tzinfo else value.strftime(UTC_FMT)
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)


class Budget:
    """Bytes written so far against the ``--max-mb`` bound."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0

    def room(self) -> int:
        return self.max_bytes - self.used

    def take(self, size: int) -> bool:
        if self.used + size > self.max_bytes:
            return False
        self.used += size
        return True


class Recorder:
    def __init__(self, out_dir: Path, start: datetime, end: datetime, region: str, config: Any, clients: Callable[[str], Any],
                 budget: Budget, progress: TextIO) -> None:
        self.out = out_dir
        self.start, self.end = start, end
        self.region = region
        self.config = config
        self.client = clients
        self.budget = budget
        self.progress = progress
        self.notes: dict[str, str] = {}
        self.said: dict[str, str] = {}
        self.sources: dict[str, dict[str, str]] = {}

    def say(self, source: str, text: str) -> None:
        self.said[source] = text
        print(f"[{source}] {text} ({self.budget.used / 1e6:.1f} of {self.budget.max_bytes / 1e6:.0f} MB)", file=self.progress, flush=True)

    def _write(self, relative: str, data: bytes) -> bool:
        if not self.budget.take(len(data)):
            return False
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return True

    def _json(self, relative: str, value: Any) -> bool:
        return self._write(relative, json.dumps(value, default=_json_default, separators=(",", ":")).encode())

    def _jsonl(self, relative: str, rows: Iterator[dict[str, Any]], source: str) -> int:
        lines: list[bytes] = []
        count = 0
        size = 0
        for row in rows:
            line = json.dumps(row, default=_json_default, separators=(",", ":")).encode() + b"\n"
            if size + len(line) > self.budget.room():
                self.notes[source] = "truncated at the size bound"
                break
            lines.append(line)
            size += len(line)
            count += 1
        if lines:
            self._write(relative, b"".join(lines))
        return count

    # --- sources ------------------------------------------------------------------------------

    def logs(self) -> None:
        cfg = self.config["logs"]
        groups = list(cfg["log_groups"])
        if not groups and not cfg["log_group_prefixes"]:
            self.notes["logs"] = "no log groups configured ([logs] log_groups / log_group_prefixes)"
            return
        client = self.client("logs")
        for prefix in cfg["log_group_prefixes"]:
            for page in client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
                groups += [g["logGroupName"] for g in page.get("logGroups", [])]
        start_ms, end_ms = int(self.start.timestamp() * 1000), int(self.end.timestamp() * 1000)
        for group in dict.fromkeys(groups):
            def events() -> Iterator[dict[str, Any]]:
                for page in client.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=start_ms, endTime=end_ms):
                    for event in page.get("events", []):
                        yield {"logGroupName": group, **event}
            name = re.sub(r"[^A-Za-z0-9._-]+", "_", group.strip("/")) or "group"
            count = self._jsonl(f"logs/{name}.jsonl", events(), "logs")
            self.say("logs", f"{group}: {count:,} events")

    def alb(self) -> None:
        cfg = self.config["alb"]
        if not cfg["log_bucket"]:
            self.notes["alb"] = "no alb.log_bucket configured"
            return
        s3 = self.client("s3")
        account = self.account()
        day = self.start.date()
        files = 0
        while day <= self.end.date():
            prefix = "/".join(p for p in (cfg["log_prefix"].strip("/"), "AWSLogs", account, "elasticloadbalancing", self.region,
                                           day.strftime("%Y/%m/%d")) if p) + "/"
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cfg["log_bucket"], Prefix=prefix):
                for item in page.get("Contents", []):
                    if not _alb_key_in_window(item["Key"], self.start, self.end):
                        continue
                    if item.get("Size", 0) > self.budget.room():
                        self.notes["alb"] = "truncated at the size bound"
                        self.say("alb", f"{files} files, stopped at the size bound")
                        return
                    body = s3.get_object(Bucket=cfg["log_bucket"], Key=item["Key"])["Body"].read()
                    if self._write("alb/" + item["Key"], body):
                        files += 1
            day += timedelta(days=1)
        self.say("alb", f"{files} access-log files")

    def cloudtrail(self) -> None:
        lookback = timedelta(minutes=int(self.config["cloudtrail"]["lookback_minutes"]))
        client = self.client("cloudtrail")
        records: list[dict[str, Any]] = []
        size = 0
        for page in client.get_paginator("lookup_events").paginate(StartTime=self.start - lookback, EndTime=self.end):
            for event in page.get("Events", []):
                try:
                    record = json.loads(event.get("CloudTrailEvent") or "{}")
                except json.JSONDecodeError:
                    continue
                size += len(event.get("CloudTrailEvent") or "")
                if size > self.budget.room():
                    self.notes["cloudtrail"] = "truncated at the size bound"
                    break
                records.append(record)
            if "cloudtrail" in self.notes:
                break
        self._json("cloudtrail/lookup-events.json", {"Records": records})
        self.say("cloudtrail", f"{len(records):,} events")

    def metrics(self) -> None:
        cfg = self.config["metrics"]
        client = self.client("cloudwatch")
        metrics: list[dict[str, Any]] = []
        for namespace in cfg["namespaces"]:
            for page in client.get_paginator("list_metrics").paginate(Namespace=namespace):
                metrics += page.get("Metrics", [])
                if len(metrics) >= cfg["max_metrics"]:
                    break
        metrics = metrics[: cfg["max_metrics"]]
        baseline_start = self.start - (self.end - self.start)
        per_call = 500 // len(_STATS)
        rows: list[dict[str, Any]] = []
        for offset in range(0, len(metrics), per_call):
            batch = metrics[offset: offset + per_call]
            queries = [{"Id": f"m{i}_{s.lower()}", "MetricStat": {"Metric": m, "Period": 60, "Stat": s}, "ReturnData": True}
                       for i, m in enumerate(batch) for s in _STATS]
            points: dict[int, dict[str, dict[str, Any]]] = {}
            for page in client.get_paginator("get_metric_data").paginate(MetricDataQueries=queries, StartTime=baseline_start, EndTime=self.end):
                for result in page.get("MetricDataResults", []):
                    index, stat = result["Id"][1:].split("_", 1)
                    stat_name = next(s for s in _STATS if s.lower() == stat)
                    series = points.setdefault(int(index), {})
                    for moment, value in zip(result.get("Timestamps", []), result.get("Values", [])):
                        key = _json_default(moment)
                        series.setdefault(key, {"Timestamp": key})[stat_name] = value
            for index, metric in enumerate(batch):
                rows.append({**metric, "Period": 60, "Datapoints": sorted(points.get(index, {}).values(), key=lambda p: p["Timestamp"])})
        count = self._jsonl("metrics/metrics.jsonl", iter(rows), "metrics")
        self.say("metrics", f"{count:,} series (with the baseline before the window)")

    def xray(self) -> None:
        client = self.client("xray")
        limit = int(self.config["xray"]["max_traces"])
        ids: list[str] = []
        cursor = self.start
        while cursor < self.end and len(ids) < limit:
            chunk_end = min(self.end, cursor + XRAY_CHUNK)
            for page in client.get_paginator("get_trace_summaries").paginate(StartTime=cursor, EndTime=chunk_end):
                ids += [t["Id"] for t in page.get("TraceSummaries", []) if t.get("Id")]
                if len(ids) >= limit:
                    break
            cursor = chunk_end
        ids = list(dict.fromkeys(ids))[:limit]
        written = 0
        for number, offset in enumerate(range(0, len(ids), 5)):
            traces = client.batch_get_traces(TraceIds=ids[offset: offset + 5]).get("Traces", [])
            if not self._json(f"xray/traces-{number:04d}.json", {"Traces": traces}):
                self.notes["xray"] = "truncated at the size bound"
                break
            written += len(traces)
        self.say("xray", f"{written:,} traces")

    def securityhub(self) -> None:
        client = self.client("securityhub")
        since = self.start - timedelta(days=7)
        filters = {"UpdatedAt": [{"Start": since.strftime(UTC_FMT), "End": self.end.strftime(UTC_FMT)}],
                   "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]}
        findings: list[dict[str, Any]] = []
        for page in client.get_paginator("get_findings").paginate(Filters=filters, PaginationConfig={"PageSize": 100, "MaxItems": 2000}):
            findings += page.get("Findings", [])
        self._json("securityhub/findings.json", {"Findings": findings})
        self.say("securityhub", f"{len(findings):,} active findings updated since {since:%Y-%m-%d}")

    def guardduty(self) -> None:
        client = self.client("guardduty")
        since_ms = int((self.start - timedelta(days=7)).timestamp() * 1000)
        findings: list[dict[str, Any]] = []
        for detector in client.list_detectors().get("DetectorIds", []):
            ids: list[str] = []
            criteria = {"Criterion": {"updatedAt": {"GreaterThanOrEqual": since_ms}}}
            for page in client.get_paginator("list_findings").paginate(DetectorId=detector, FindingCriteria=criteria):
                ids += page.get("FindingIds", [])
            for offset in range(0, len(ids), 50):
                findings += client.get_findings(DetectorId=detector, FindingIds=ids[offset: offset + 50]).get("Findings", [])
        self._json("guardduty/findings.json", {"Findings": findings})
        self.say("guardduty", f"{len(findings):,} findings")

    def _captured(self, name: str) -> dict[str, str]:
        """The manifest entry of a source whose step finished: ok, partial (cut at the size bound) or not
        configured (nothing to read, e.g. no ALB log bucket)."""
        note = self.notes.get(name, "")
        if note.startswith("no "):
            return {"status": "not_configured", "detail": note}
        if note:
            return {"status": "partial", "detail": f"{self.said.get(name, '')}; {note}".strip("; ")}
        return {"status": "ok", "detail": self.said.get(name, "")}

    _account: str | None = None

    def account(self) -> str:
        if self._account is None:
            self._account = str(self.client("sts").get_caller_identity()["Account"])
        return self._account

    def run(self) -> dict[str, Any]:
        steps: list[tuple[str, Callable[[], None] | None, bool]] = []
        for source in sources.registry():  # one step per feed, each a snapshot folder
            enabled = source.enabled_feeds(self.config)
            steps += [(feed.name, getattr(self, feed.name, None), feed in enabled) for feed in source.feeds]
        for name, step, enabled in steps:
            if not enabled:
                self.notes[name] = "disabled in the configuration"
                self.sources[name] = {"status": "not_configured", "detail": "disabled in the configuration"}
                continue
            if step is None:
                self.notes[name] = "not recorded: record has no reader for this source yet"
                self.sources[name] = {"status": "not_configured", "detail": "record has no reader for this source yet"}
                continue
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - one unreadable source must not lose the others
                from tools.common.aws_errors import describe

                what, hint = describe(exc, "", name)
                self.notes[name] = f"not recorded: {what}"
                self.sources[name] = {"status": "error", "detail": f"{what} — {hint}"}
                self.say(name, f"FAILED: {what} ({hint})")
                continue
            self.sources[name] = self._captured(name)
        try:
            account = self.account()
        except Exception:  # noqa: BLE001 - the snapshot is still usable without the account id
            account = "000000000000"
        manifest = {
            "version": 1, "account": account, "region": self.region,
            "start": self.start.strftime(UTC_FMT), "end": self.end.strftime(UTC_FMT),
            "description": f"recorded by ops-agent record from account {account} in {self.region}",
            "recorded": self.notes,
            "sources": self.sources,
        }
        (self.out / "manifest.json").write_text(json.dumps(manifest, indent=2))
        return manifest


def _alb_key_in_window(key: str, start: datetime, end: datetime) -> bool:
    """ELB names files ..._<YYYYMMDDTHHMMZ>_<ip>_<rand>.log.gz by the end of their 5-minute interval."""
    match = re.search(r"_(\d{8}T\d{4}Z)_", key)
    if not match:
        return True
    moment = datetime.strptime(match.group(1), "%Y%m%dT%H%MZ").replace(tzinfo=start.tzinfo)
    return start <= moment <= end + timedelta(minutes=5)


def run(args: argparse.Namespace, clients: Callable[[str], Any] | None = None, progress: TextIO | None = None) -> int:
    from tools.common import config as config_module
    from tools.common.errors import ConfigError
    from tools.common.timewindow import UTC, parse_instant

    now = datetime.now(UTC)
    try:
        start, end = parse_instant(args.start, now), parse_instant(args.end, now)
    except ValueError as exc:
        raise UsageError(f"--start/--end: {exc}; {INSTANT_FORMS}") from None
    if start >= end:
        raise UsageError("--start must be before --end")
    if end - start > timedelta(hours=24):
        raise UsageError("the window is longer than 24 hours; record a narrower window")
    if args.max_mb is not None and args.max_mb <= 0:
        raise UsageError("--max-mb must be positive")
    out = Path(args.out)
    if (out / "manifest.json").exists():
        raise UsageError(f"{out} already holds a snapshot; choose a new --out directory")
    try:
        config = config_module.load()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    region = args.region or config["project"]["region"] or os.environ.get("AWS_REGION") or "us-east-1"
    out.mkdir(parents=True, exist_ok=True)
    if clients is None:
        from tools.common.aws import client as cached

        def clients(service: str) -> Any:  # noqa: F811 - the default factory
            return cached(service, region)

    recorder = Recorder(out, start, end, region, config, clients, Budget(int((args.max_mb or 200) * 1e6)), progress or sys.stderr)
    manifest = recorder.run()
    print(f"snapshot written to {out} ({recorder.budget.used / 1e6:.1f} MB): {json.dumps(manifest['recorded']) if manifest['recorded'] else 'all sources recorded'}",
          file=progress or sys.stderr)
    captured = [name for name, entry in manifest["sources"].items() if entry["status"] in ("ok", "partial")]
    if not captured:
        failed = "; ".join(dict.fromkeys(entry["detail"] for entry in manifest["sources"].values()))
        print(f"error: no source could be recorded ({failed})", file=progress or sys.stderr)
        return NOTHING_READ
    return 0


NOTHING_READ = 3  # exit status when no data source could be read at all (interfaces.md)
