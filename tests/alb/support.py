"""Test support for the ALB tool: line builders in the exact ELB format, snapshot writer, the incident fixture's
lines, and a fake clock for deadlines."""

from __future__ import annotations

import gzip
import json
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from tools.common.timewindow import UTC

LB = "app/shop-alb/50dc6c495c0c9188"
TG_API = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-api/73e2d6bc24d8a067"
TG_WEB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0a1b2c3d4e5f6071"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def line(
    when: datetime,
    path: str = "/",
    status: int = 200,
    *,
    kind: str = "https",
    method: str = "GET",
    lb: str = LB,
    client: str = "203.0.113.10:41234",
    target: str = "10.0.1.5:8080",
    tpt: float = 0.012,
    target_status: str | None = None,
    agent: str = "Mozilla/5.0 (X11; Linux x86_64)",
    tg: str = TG_API,
    error_reason: str = "-",
    classification: str = "-",
    classification_reason: str = "-",
    host: str = "shop.example.com",
    layout: str = "full",
    extra: str = "",
) -> str:
    """One ALB line. ``layout``: 'full' (with conn_trace_id), 'classification' (no conn_trace_id), 'old' (ends at
    error_reason); ``extra`` appends fields AWS may add later."""
    scheme, port = ("http", 80) if kind == "http" else ("https", 443)
    proto = "HTTP/2.0" if kind == "h2" else "HTTP/1.1"
    tls = ("-", "-") if kind == "http" else ("ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.2")
    reached = tpt >= 0
    tstatus = target_status if target_status is not None else (str(status) if reached and target != "-" else "-")
    times = "0.001 {:.3f} 0.000".format(tpt) if reached else "-1 -1 -1"
    fields = [
        kind, stamp(when), lb, client, target, *times.split(), str(status), tstatus, "312", "1043",
        f'"{method} {scheme}://{host}:{port}{path} {proto}"', json.dumps(agent), tls[0], tls[1], tg,
        '"Root=1-6740a1b2-0123456789abcdef01234567"', f'"{host}"',
        '"arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"' if kind != "http" else '"-"',
        "1", stamp(when - timedelta(milliseconds=15)), '"forward"', '"-"', f'"{error_reason}"',
    ]
    if layout in ("full", "classification"):
        fields += [f'"{target}"' if target != "-" else '"-"', f'"{tstatus}"', f'"{classification}"', f'"{classification_reason}"']
    if layout == "full":
        fields.append("TID_0123456789abcdef0123456789abcdef")
    text = " ".join(fields)
    return text + (" " + extra if extra else "")


def write_snapshot(root: Path, files: dict[str, list[str]], start: datetime = T0, hours: float = 2) -> Path:
    """A snapshot directory with a manifest and ``alb/`` files (names ending in .gz are gzip-compressed)."""
    (root / "alb").mkdir(parents=True, exist_ok=True)
    manifest = {"version": 1, "account": "123456789012", "region": "us-east-1", "start": stamp(start)[:19] + "Z",
                "end": stamp(start + timedelta(hours=hours))[:19] + "Z"}
    (root / "manifest.json").write_text(json.dumps(manifest))
    for name, lines in files.items():
        path = root / "alb" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return root


def incident_lines() -> list[str]:
    """Steady traffic 09:00-10:00; from 09:40 checkout fails with 502/503 and catalog slows down."""
    lines = []
    rng = random.Random(7)
    for second in range(0, 3600, 10):
        when = T0 + timedelta(seconds=second)
        failing = when >= T0 + timedelta(minutes=40)
        order = rng.randint(1000, 99999)
        lines.append(line(when, f"/api/orders/{order}", 200, kind="h2"))
        lines.append(line(when, f"/api/orders/{uuid.UUID(int=rng.getrandbits(128))}/items", 200))
        lines.append(line(when, f"/static/{rng.getrandbits(64):016x}.js", 200, kind="http", tg=TG_WEB, target="10.0.2.7:80"))
        if failing:
            lines.append(line(when, f"/api/checkout/{order}", 502, target="10.0.1.9:8080", tpt=0.004, target_status="502",
                              method="POST"))
            lines.append(line(when + timedelta(seconds=1), "/api/checkout", 503, target="-", tpt=-1, method="POST"))
            lines.append(line(when, "/api/catalog", 200, tpt=1.8))
        else:
            lines.append(line(when, f"/api/checkout/{order}", 200, target="10.0.1.9:8080", method="POST"))
            lines.append(line(when + timedelta(seconds=1), "/api/checkout", 200, method="POST"))
            lines.append(line(when, "/api/catalog", 200, tpt=0.05))
        if second % 600 == 0:
            lines.append(line(when, "/login", 401, target="-", tpt=-1, error_reason="AuthInvalidAWSALBAuthNonce", layout="old"))
            lines.append(line(when, "/x", 400, classification="Ambiguous", classification_reason="AmbiguousUri",
                              layout="classification"))
            lines.append(line(when, "/new", 200, extra='"shop.example.com" "/rewritten" "TRANSFORMED"'))
    return lines
