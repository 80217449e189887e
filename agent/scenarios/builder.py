"""Snapshot builder: write an incident snapshot directory exactly as ``docs/snapshot-format.md`` says.

``SnapshotBuilder`` collects telemetry in memory (log events, ALB requests, CloudTrail events, metric series,
X-Ray traces, Security Hub and GuardDuty findings) in the formats AWS itself uses, then ``write()`` lays it out:

* ``logs/<group>.jsonl`` - FilterLogEvents events plus ``logGroupName``;
* ``alb/AWSLogs/<acct>/elasticloadbalancing/<region>/YYYY/MM/DD/<acct>_elasticloadbalancing_<region>_app.<name>.<id>_<end>_<ip>_<rand>.log``
  - one file per load balancer node and 5-minute interval, every line with the 30 documented fields;
* ``cloudtrail/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<end>_<rand>.json`` -
  ``{"Records": [...]}`` per 5-minute delivery;
* ``metrics/<namespace>.jsonl``, ``xray/traces-NNNN.json`` (BatchGetTraces responses),
  ``securityhub/findings.json`` and ``guardduty/findings.json`` (GetFindings responses).

Everything random comes from one ``random.Random(seed)`` and no wall clock is read, so two builds with the same
inputs are byte-identical (gzip members are written with ``mtime=0`` and no file name).
"""

from __future__ import annotations

import gzip as gziplib
import hashlib
import io
import json
import random
import shutil
import string
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

UTC = timezone.utc
_ALNUM_UPPER = string.ascii_uppercase + string.digits
_STATS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")


# --- time helpers -------------------------------------------------------------------------------------------


def parse_time(value: str | datetime) -> datetime:
    """An aware UTC datetime from ISO 8601 text (``...Z`` accepted) or a datetime (naive means UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def iso_z(moment: datetime) -> str:
    """``2026-11-20T09:38:12Z`` (seconds precision, as CloudTrail and the manifest write it)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_micro(moment: datetime) -> str:
    """``2026-11-20T09:38:12.123456Z`` (as ELB writes its times)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_milli(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch_ms(moment: datetime) -> int:
    return int(round(moment.timestamp() * 1000))


def minutes(start: datetime, end: datetime, step: int = 60) -> Iterable[datetime]:
    """Period starts from ``start`` (inclusive) to ``end`` (exclusive), ``step`` seconds apart."""
    moment = start
    while moment < end:
        yield moment
        moment += timedelta(seconds=step)


def stable_id(prefix: str, text: str, length: int = 17, alphabet: str = _ALNUM_UPPER) -> str:
    """A deterministic id derived from ``text`` (same name -> same principal id / key id in every event)."""
    digest = hashlib.sha256(text.encode()).digest()
    chars = "".join(alphabet[b % len(alphabet)] for b in digest)
    while len(chars) < length:
        chars += chars
    return prefix + chars[:length]


# --- CloudTrail identities ----------------------------------------------------------------------------------


def iam_user_identity(account: str, user: str) -> dict[str, Any]:
    """``userIdentity`` of an IAM user calling with a long-term access key."""
    return {
        "type": "IAMUser",
        "principalId": stable_id("AIDA", account + user),
        "arn": f"arn:aws:iam::{account}:user/{user}",
        "accountId": account,
        "accessKeyId": stable_id("AKIA", "key" + account + user, 16),
        "userName": user,
    }


def assumed_role_identity(
    account: str,
    role: str,
    session: str,
    *,
    path: str = "/",
    created: datetime | None = None,
    mfa: bool = False,
    source_identity: str | None = None,
) -> dict[str, Any]:
    """``userIdentity`` of an assumed-role session (SSO permission sets live under ``/aws-reserved/sso.amazonaws.com/``)."""
    role_id = stable_id("AROA", account + role)
    attributes = {"creationDate": iso_z(created) if created else "2026-11-20T08:00:00Z", "mfaAuthenticated": str(mfa).lower()}
    context: dict[str, Any] = {
        "sessionIssuer": {
            "type": "Role",
            "principalId": role_id,
            "arn": f"arn:aws:iam::{account}:role{path}{role}",
            "accountId": account,
            "userName": role,
        },
        "webIdFederationData": {},
        "attributes": attributes,
    }
    if source_identity:
        context["sourceIdentity"] = source_identity
    return {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": stable_id("ASIA", "session" + account + role + session, 16),
        "sessionContext": context,
    }


def aws_service_identity(service: str) -> dict[str, Any]:
    """``userIdentity`` of an AWS service acting on the account's behalf (e.g. ``ecs-tasks.amazonaws.com``)."""
    return {"type": "AWSService", "invokedBy": service}


# --- ALB ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadBalancer:
    """An Application Load Balancer: ``resource`` is ``app/<name>/<id>``; ``nodes`` are its node IPs."""

    name: str
    lb_id: str
    domain: str
    nodes: tuple[str, ...]
    cert_arn: str

    @property
    def resource(self) -> str:
        return f"app/{self.name}/{self.lb_id}"


def _q(value: str | None) -> str:
    """A quoted ALB field: ``"-"`` when empty; embedded quotes escaped as ELB does (``\\"``)."""
    if value is None or value == "":
        return '"-"'
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _secs(value: float | None) -> str:
    return "-1" if value is None or value < 0 else f"{value:.3f}"


# --- the builder ------------------------------------------------------------------------------------------------


class SnapshotBuilder:
    """Collects one account/region/window of telemetry and writes it as a snapshot directory."""

    def __init__(
        self,
        root: str | Path,
        account: str,
        region: str,
        start: str | datetime,
        end: str | datetime,
        description: str,
        question: str | None = None,
        *,
        seed: int = 0,
    ) -> None:
        self.root = Path(root)
        self.account = account
        self.region = region
        self.start = parse_time(start)
        self.end = parse_time(end)
        if self.start >= self.end:
            raise ValueError("start must be before end")
        self.description = description
        self.question = question
        self.rng = random.Random(seed)
        self.logs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.alb_lines: dict[tuple[str, str, datetime], list[tuple[datetime, str]]] = defaultdict(list)
        self.load_balancers: dict[str, LoadBalancer] = {}
        self.trail: list[dict[str, Any]] = []
        self.metrics: list[dict[str, Any]] = []
        self.traces: list[dict[str, Any]] = []
        self.securityhub: list[dict[str, Any]] = []
        self.guardduty: list[dict[str, Any]] = []

    # -- ids -----------------------------------------------------------------------------------------------

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hex(self, length: int) -> str:
        return f"{self.rng.getrandbits(length * 4):0{length}x}"

    def chars(self, length: int, alphabet: str = _ALNUM_UPPER) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def trace_id(self, moment: datetime) -> str:
        """An X-Ray trace id ``1-<epoch hex>-<24 hex>`` (also what ALB writes as ``Root=``)."""
        return f"1-{int(moment.timestamp()):08x}-{self.hex(24)}"

    def segment_id(self) -> str:
        return self.hex(16)

    def between(self, start: datetime, end: datetime) -> datetime:
        """A random instant in [start, end) with microsecond precision."""
        span = (end - start).total_seconds()
        return start + timedelta(microseconds=int(self.rng.random() * span * 1_000_000))

    # -- logs ----------------------------------------------------------------------------------------------

    def add_log_event(
        self,
        group: str,
        stream: str,
        when: datetime,
        message: str,
        *,
        ingestion_delay_ms: int | None = None,
    ) -> dict[str, Any]:
        """One CloudWatch Logs event (``message`` is the raw line, multi-line allowed)."""
        stamp = epoch_ms(when)
        delay = ingestion_delay_ms if ingestion_delay_ms is not None else self.rng.randint(150, 1800)
        event = {
            "logGroupName": group,
            "logStreamName": stream,
            "timestamp": stamp,
            "message": message,
            "ingestionTime": stamp + delay,
            "eventId": None,
        }
        self.logs[group].append(event)
        return event

    # -- ALB -----------------------------------------------------------------------------------------------

    def add_load_balancer(self, name: str, lb_id: str, domain: str, nodes: Sequence[str] | None = None,
                          cert_id: str | None = None) -> LoadBalancer:
        nodes = tuple(nodes or (f"10.0.{i}.{self.rng.randint(10, 250)}" for i in range(2)))
        cert = f"arn:aws:acm:{self.region}:{self.account}:certificate/{cert_id or self.uuid()}"
        lb = LoadBalancer(name, lb_id, domain, nodes, cert)
        self.load_balancers[lb.resource] = lb
        return lb

    def target_group_arn(self, name: str, tg_id: str | None = None) -> str:
        tg_id = tg_id or stable_id("", self.account + name, 16, "0123456789abcdef")
        return f"arn:aws:elasticloadbalancing:{self.region}:{self.account}:targetgroup/{name}/{tg_id}"

    def add_alb_request(
        self,
        lb: LoadBalancer,
        when: datetime,
        *,
        method: str = "GET",
        path: str = "/",
        elb_status: int = 200,
        target_status: int | None | str = "same",
        target: str | None = "10.0.1.10:8080",
        target_group_arn: str | None = None,
        client: str | None = None,
        request_processing_time: float | None = 0.0,
        target_processing_time: float | None = 0.01,
        response_processing_time: float | None = 0.0,
        received_bytes: int | None = None,
        sent_bytes: int | None = None,
        user_agent: str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        request_type: str = "h2",
        protocol: str | None = None,
        host: str | None = None,
        trace_id: str | None = None,
        actions: str = "forward",
        redirect_url: str | None = None,
        error_reason: str | None = None,
        matched_rule_priority: str | int = 1,
        classification: str | None = None,
        classification_reason: str | None = None,
        conn_trace_id: str | None = None,
    ) -> str:
        """One ALB access-log line (``when`` is the response time); returns the trace id written.

        ``target_status="same"`` copies ``elb_status``; ``None`` writes ``-`` (no response from a target).
        Processing times of ``None`` or negative are written ``-1`` (request never reached / no answer).
        """
        if target_status == "same":
            target_status = elb_status
        https = request_type in ("https", "h2", "wss")
        scheme_port = "https" if https else "http"
        port = 443 if https else 80
        host = host or lb.domain
        version = protocol or ("HTTP/2.0" if request_type == "h2" else "HTTP/1.1")
        client = client or f"{self.rng.choice(_CLIENT_PREFIXES)}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}:{self.rng.randint(1024, 65535)}"
        trace = trace_id or self.trace_id(when)
        total = sum(max(0.0, v or 0.0) for v in (request_processing_time, target_processing_time, response_processing_time))
        created = when - timedelta(seconds=total) - timedelta(microseconds=self.rng.randint(100, 3000))
        received = received_bytes if received_bytes is not None else self.rng.randint(180, 900) + (400 if method in ("POST", "PUT") else 0)
        sent = sent_bytes if sent_bytes is not None else self.rng.randint(250, 4000)
        target_field = target or "-"
        tstatus = "-" if target_status is None else str(target_status)
        fields = [
            request_type,
            iso_micro(when),
            lb.resource,
            client,
            target_field,
            _secs(request_processing_time),
            _secs(target_processing_time),
            _secs(response_processing_time),
            str(elb_status),
            tstatus,
            str(received),
            str(sent),
            _q(f"{method} {scheme_port}://{host}:{port}{path} {version}"),
            _q(user_agent),
            "TLS_AES_128_GCM_SHA256" if https else "-",
            "TLSv1.3" if https else "-",
            target_group_arn or "-",
            _q(f"Root={trace}"),
            _q(host if https else None),
            _q(lb.cert_arn if https else None),
            str(matched_rule_priority),
            iso_micro(created),
            _q(actions),
            _q(redirect_url),
            _q(error_reason),
            _q(target if target else None),
            _q(tstatus if target_status is not None and target else None),
            _q(classification),
            _q(classification_reason),
            conn_trace_id or f"TID_{self.hex(32)}",
        ]
        node = lb.nodes[int(hashlib.md5(client.split(':')[0].encode()).hexdigest(), 16) % len(lb.nodes)]
        bucket = when.replace(second=0, microsecond=0)
        bucket = bucket - timedelta(minutes=bucket.minute % 5) + timedelta(minutes=5)
        self.alb_lines[(lb.resource, node, bucket)].append((when, " ".join(fields)))
        return trace

    # -- CloudTrail ----------------------------------------------------------------------------------------

    def add_cloudtrail_event(
        self,
        when: datetime,
        event_source: str,
        event_name: str,
        identity: Mapping[str, Any],
        request_parameters: Mapping[str, Any] | None = None,
        response_elements: Mapping[str, Any] | None = None,
        *,
        source_ip: str | None = None,
        user_agent: str = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#unknown",
        error_code: str | None = None,
        error_message: str | None = None,
        read_only: bool | None = None,
        resources: list[dict[str, Any]] | None = None,
        event_type: str = "AwsApiCall",
        management: bool = True,
        additional_event_data: Mapping[str, Any] | None = None,
        region: str | None = None,
        console: bool = False,
        api_version: str | None = None,
        event_id: str | None = None,
        event_version: str = "1.09",
        tls: bool = True,
    ) -> dict[str, Any]:
        """One CloudTrail record, keys in the order CloudTrail writes them; returns the record (``eventID`` inside)."""
        region = region or self.region
        service_host = event_source.replace(".amazonaws.com", "")
        if read_only is None:
            read_only = event_name.startswith(("Get", "List", "Describe", "Lookup", "Head", "Decrypt", "GenerateDataKey", "AssumeRole", "BatchGet", "Check", "Search"))
        record: dict[str, Any] = {
            "eventVersion": event_version,
            "userIdentity": dict(identity),
            "eventTime": iso_z(when),
            "eventSource": event_source,
            "eventName": event_name,
            "awsRegion": region,
            "sourceIPAddress": source_ip or identity.get("invokedBy") or "203.0.113.10",
            "userAgent": user_agent,
        }
        if error_code:
            record["errorCode"] = error_code
            record["errorMessage"] = error_message or ""
        record["requestParameters"] = dict(request_parameters) if request_parameters is not None else None
        record["responseElements"] = dict(response_elements) if response_elements is not None else None
        if additional_event_data:
            record["additionalEventData"] = dict(additional_event_data)
        if event_type != "AwsConsoleSignIn":
            record["requestID"] = self.uuid()
        record["eventID"] = event_id or self.uuid()
        record["readOnly"] = read_only
        if resources:
            record["resources"] = resources
        record["eventType"] = event_type
        if api_version:
            record["apiVersion"] = api_version
        record["managementEvent"] = management
        record["recipientAccountId"] = self.account
        record["eventCategory"] = "Management" if management else "Data"
        if console:
            record["sessionCredentialFromConsole"] = "true"
        if tls and identity.get("type") != "AWSService":
            host = _endpoint_host(service_host, region)
            record["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": host}
        self.trail.append(record)
        return record

    # -- metrics -------------------------------------------------------------------------------------------

    def add_metric(
        self,
        namespace: str,
        name: str,
        dimensions: Mapping[str, str],
        value: Callable[[datetime], float | None],
        *,
        unit: str = "None",
        kind: str = "gauge",
        period: int = 60,
        samples: Callable[[datetime], int] | int = 1,
        spread: float = 0.2,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> dict[str, Any]:
        """A metric series from a function of time (evaluated at each period start; ``None`` = no datapoint).

        ``kind="count"``: the value is the period's Sum (SampleCount = Sum, Average/Minimum/Maximum = 1);
        ``kind="gauge"``: the value is the Average over ``samples`` samples, Minimum/Maximum spread around it.
        """
        points = []
        for moment in minutes(start or self.start, end or self.end, period):
            raw = value(moment)
            if raw is None:
                continue
            n = samples(moment) if callable(samples) else samples
            n = max(1, int(n))
            if kind == "count":
                total = float(round(max(0.0, raw)))
                points.append({"Timestamp": iso_z(moment), "SampleCount": total if total else 1.0, "Sum": total,
                               "Average": 1.0 if total else 0.0, "Minimum": 1.0 if total else 0.0,
                               "Maximum": 1.0 if total else 0.0, "Unit": unit})
            else:
                avg = max(0.0, float(raw))
                lo = avg * (1 - spread * self.rng.random()) if n > 1 else avg
                hi = avg * (1 + spread * (1 + 2 * self.rng.random())) if n > 1 else avg
                points.append({"Timestamp": iso_z(moment), "SampleCount": float(n), "Sum": round(avg * n, 6),
                               "Average": round(avg, 6), "Minimum": round(lo, 6), "Maximum": round(hi, 6), "Unit": unit})
        series = {
            "Namespace": namespace,
            "MetricName": name,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
            "Period": period,
            "Datapoints": points,
        }
        self.metrics.append(series)
        return series

    # -- X-Ray ---------------------------------------------------------------------------------------------

    def add_trace(self, segments: Sequence[Mapping[str, Any]]) -> str:
        """One trace from segment documents (dicts; each needs ``trace_id``, ``id``, ``start_time``, ``end_time``)."""
        if not segments:
            raise ValueError("a trace needs at least one segment")
        trace_id = segments[0]["trace_id"]
        start = min(s["start_time"] for s in segments)
        end = max(s["end_time"] for s in segments)
        self.traces.append({
            "Id": trace_id,
            "Duration": round(end - start, 3),
            "LimitExceeded": False,
            "Segments": [{"Id": s["id"], "Document": json.dumps(s, separators=(",", ":"))} for s in segments],
        })
        return trace_id

    # -- findings ------------------------------------------------------------------------------------------

    def add_securityhub_finding(self, finding: Mapping[str, Any]) -> None:
        self.securityhub.append(dict(finding))

    def add_guardduty_finding(self, finding: Mapping[str, Any]) -> None:
        self.guardduty.append(dict(finding))

    # -- output --------------------------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": 1,
            "account": self.account,
            "region": self.region,
            "start": iso_z(self.start),
            "end": iso_z(self.end),
            "description": self.description,
        }
        if self.question:
            data["question"] = self.question
        return data

    def write(self, gzip: bool = False) -> Path:
        """Write the snapshot (replacing ``root`` if it is an earlier snapshot) and return its path."""
        root = self.root
        if root.exists():
            if not (root / "manifest.json").exists() and any(root.iterdir()):
                raise FileExistsError(f"{root} exists and is not a snapshot; refusing to overwrite it")
            shutil.rmtree(root)
        root.mkdir(parents=True)
        (root / "manifest.json").write_text(json.dumps(self.manifest(), indent=2) + "\n", encoding="utf-8")
        writer = _Writer(root, gzip)
        self._write_logs(writer)
        self._write_alb(writer)
        self._write_cloudtrail(writer)
        self._write_metrics(writer)
        self._write_xray(writer)
        if self.securityhub:
            writer.json("securityhub/findings.json", {"Findings": self.securityhub})
        if self.guardduty:
            writer.json("guardduty/findings.json", {"Findings": self.guardduty})
        return root

    def _write_logs(self, writer: _Writer) -> None:
        for group in sorted(self.logs):
            events = sorted(self.logs[group], key=lambda e: (e["timestamp"], e["logStreamName"], e["message"]))
            lines = []
            for index, event in enumerate(events):
                event["eventId"] = f"{event['timestamp']:021d}{index:035d}"
                lines.append(json.dumps(event, separators=(",", ":"), ensure_ascii=False))
            name = group.strip("/").replace("/", "__") or "root"
            writer.text(f"logs/{name}.jsonl", "\n".join(lines) + "\n")

    def _write_alb(self, writer: _Writer) -> None:
        for (resource, node, end), lines in sorted(self.alb_lines.items()):
            lb = self.load_balancers[resource]
            day = end.strftime("%Y/%m/%d")
            rand = stable_id("", f"{resource}{node}{end.isoformat()}", 8, string.ascii_lowercase + string.digits)
            name = (f"{self.account}_elasticloadbalancing_{self.region}_app.{lb.name}.{lb.lb_id}_"
                    f"{end.strftime('%Y%m%dT%H%MZ')}_{node}_{rand}.log")
            path = f"alb/AWSLogs/{self.account}/elasticloadbalancing/{self.region}/{day}/{name}"
            writer.text(path, "\n".join(line for _, line in sorted(lines)) + "\n")

    def _write_cloudtrail(self, writer: _Writer) -> None:
        batches: dict[tuple[str, datetime], list[dict[str, Any]]] = defaultdict(list)
        for record in self.trail:
            when = parse_time(record["eventTime"])
            delivered = when.replace(second=0) - timedelta(minutes=when.minute % 5) + timedelta(minutes=5)
            batches[(record["awsRegion"], delivered)].append(record)
        for (region, delivered), records in sorted(batches.items()):
            records.sort(key=lambda r: (r["eventTime"], r["eventID"]))
            rand = stable_id("", f"{region}{delivered.isoformat()}", 16, string.ascii_letters + string.digits)
            name = f"{self.account}_CloudTrail_{region}_{delivered.strftime('%Y%m%dT%H%MZ')}_{rand}.json"
            path = f"cloudtrail/AWSLogs/{self.account}/CloudTrail/{region}/{delivered.strftime('%Y/%m/%d')}/{name}"
            writer.json(path, {"Records": records})

    def _write_metrics(self, writer: _Writer) -> None:
        by_namespace: dict[str, list[str]] = defaultdict(list)
        for series in self.metrics:
            by_namespace[series["Namespace"]].append(json.dumps(series, separators=(",", ":")))
        for namespace in sorted(by_namespace):
            name = namespace.replace("/", "_")
            writer.text(f"metrics/{name}.jsonl", "\n".join(by_namespace[namespace]) + "\n")

    def _write_xray(self, writer: _Writer) -> None:
        traces = sorted(self.traces, key=lambda t: t["Id"])
        per_file = 100
        for index in range(0, len(traces), per_file):
            writer.json(f"xray/traces-{index // per_file + 1:04d}.json", {"Traces": traces[index:index + per_file]})


def _endpoint_host(service: str, region: str) -> str:
    """The host name a client sends (``tlsDetails.clientProvidedHostHeader``) for a service endpoint."""
    if service == "signin":
        return "signin.aws.amazon.com"
    if service == "iam":
        return "iam.amazonaws.com"
    return f"{service}.{region}.amazonaws.com"


_CLIENT_PREFIXES = ("73.162", "98.207", "24.4", "71.59", "108.28", "172.58", "86.12", "92.40", "189.6", "49.36",
                    "203.0", "81.2", "67.169", "99.88", "151.101", "185.220", "45.33", "66.249")


class _Writer:
    """Writes text files under the snapshot root, optionally gzip-compressed with a fixed header (mtime 0)."""

    def __init__(self, root: Path, gzip: bool) -> None:
        self.root = root
        self.gzip = gzip

    def text(self, relative: str, content: str) -> Path:
        path = self.root / (relative + (".gz" if self.gzip else ""))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8")
        if self.gzip:
            buffer = io.BytesIO()
            with gziplib.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as handle:
                handle.write(data)
            data = buffer.getvalue()
        path.write_bytes(data)
        return path

    def json(self, relative: str, document: Any) -> Path:
        return self.text(relative, json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n")
