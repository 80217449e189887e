"""Digest the summary rows (already aggregated by the engine) into the tool's headline, CSV sections and evidence.

Python only reads the few hundred aggregate rows: it fills empty buckets, finds the 5xx onset, compares with the
baseline, decides what is notable and writes it. Paths and user agents are untrusted text and are always fenced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tools.alb.model import Answer, Filters
from tools.common.athena import csv_lines, human_bytes
from tools.common.coverage import new_without_baseline
from tools.common.evidence import Evidence, evidence_id, metric_link
from tools.common.result import ToolResult
from tools.common.safety import fence, safe
from tools.common.timewindow import UTC, Window, from_epoch, iso, parse_instant

Row = dict[str, Any]
MAX_TIMELINE_LINES = 30
MAX_EVIDENCE_PATHS = 5
DOMINANT_SHARE = 0.5  # a client IP or user agent is reported when it sent at least this share
MIN_DOMINANT_REQUESTS = 20


@dataclass
class Context:
    """What the digest needs besides the rows."""

    function: str
    window: Window
    filters: Filters
    bucket_seconds: int
    answer: Answer
    region: str = ""
    data_start: datetime | None = None  # where the data begins when it begins after the baseline's start

    @property
    def no_baseline(self) -> bool:
        return self.data_start is not None and self.data_start >= self.window.start


def load_balancer_metric_link(region: str, kind: str, attrs: dict[str, Any], window: Window) -> str | None:
    """Without an Athena query to link (snapshot mode), the console page that shows the same fact: the load
    balancer's error count (by who answered: the ELB when no target was reached, else the targets) or its
    target response time p95. None when the load balancer is not an ALB/NLB id (``app/<name>/<id>``)."""
    lb = str(attrs.get("load_balancer") or "")
    if not region or not lb.startswith(("app/", "net/")):
        return None
    if kind == "alb_latency":
        return metric_link(region, "AWS/ApplicationELB", "TargetResponseTime", {"LoadBalancer": lb}, window, "p95")
    cls = str(attrs.get("status_class") or "5xx")[0]
    who = "ELB" if not attrs.get("targets") else "Target"
    return metric_link(region, "AWS/ApplicationELB", f"HTTPCode_{who}_{cls}XX_Count", {"LoadBalancer": lb}, window, "Sum")


def _n(row: Row | None, key: str) -> int:
    value = row.get(key) if row else None
    return int(value) if value is not None else 0


def _ms(value: Any) -> str:
    return "" if value is None else f"{float(value):.0f}"


def _rate(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "-"


def _time(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return parse_instant(str(text), datetime.now(UTC))
    except ValueError:
        return None


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M:%SZ") if moment else "-"


def short_target_group(arn: str) -> str:
    """'arn:...:targetgroup/shop-api/73e2...' -> 'shop-api'."""
    return arn.split("targetgroup/", 1)[1].split("/", 1)[0] if "targetgroup/" in arn else arn


def _by_facet(rows: list[Row]) -> dict[str, list[Row]]:
    facets: dict[str, list[Row]] = {}
    for row in rows:
        facets.setdefault(str(row.get("facet")), []).append(row)
    return facets


# --- onset -------------------------------------------------------------------------------------


def timeline(rows: list[Row], window: Window, bucket_seconds: int) -> list[Row]:
    """One row per bucket of the window (empty buckets filled with zeros), in time order."""
    present = {int(r["bucket"]): r for r in rows if r.get("bucket") is not None}
    first = int(window.start.timestamp()) // bucket_seconds * bucket_seconds
    filled = []
    for start in range(first, int(window.end.timestamp()), bucket_seconds):
        filled.append(present.get(start) or {"bucket": start})
    return filled


def find_onset(buckets: list[Row], baseline_5xx: int, baseline_requests: int) -> Row | None:
    """The first bucket from which the 5xx rate stays clearly above the baseline's in most buckets, or None."""
    if not buckets:
        return None
    base_rate = baseline_5xx / baseline_requests if baseline_requests else 0.0
    per_bucket = baseline_5xx / len(buckets)
    total = sum(_n(b, "s5xx") for b in buckets)

    def hot(bucket: Row) -> bool:
        count, requests = _n(bucket, "s5xx"), _n(bucket, "requests")
        return count >= max(1.0, 3.0 * per_bucket) and count / max(1, requests) >= max(0.02, 3.0 * base_rate)

    elevated = [hot(b) for b in buckets]
    for index, is_hot in enumerate(elevated):
        rest = elevated[index:]
        tail = sum(_n(b, "s5xx") for b in buckets[index:])
        if is_hot and sum(rest) >= 0.5 * len(rest) and tail >= max(3, 0.5 * total):
            return buckets[index]
    return None


# --- helpers for per-path details ----------------------------------------------------------------


def _details(facets: dict[str, list[Row]], facet: str, key: str, elb: Any, path: Any) -> list[tuple[str, int]]:
    rows = [r for r in facets.get(facet, []) if r.get("elb") == elb and r.get("path") == path]
    rows.sort(key=lambda r: (-(_n(r, "s5xx") + _n(r, "s4xx")), str(r.get(key))))
    return [(str(r.get(key)), _n(r, "s5xx") + _n(r, "s4xx")) for r in rows]


ELB_CODES = (502, 503, 504)
_ELB_MEANING = {502: "target unreachable or reset the connection", 503: "no registered or healthy target",
                504: "target timed out"}


def error_origin(row: Row, cls: str, targets: list[tuple[str, int]]) -> tuple[str, str]:
    """Who answered with the errors — the load balancer (with what that code means), a WAF rule, or the targets —
    as an attrs value and a summary fragment; the origin is the diagnosis, "5xx" alone is not."""
    count = _n(row, f"s{cls}")
    if cls == "4xx":
        waf = _n(row, "waf_403")
        return ("waf", f", {waf} blocked by WAF (ELB 403)") if waf and waf >= count / 2 else ("", "")
    if cls != "5xx" or not count:
        return "", ""
    by_elb = {code: _n(row, f"elb_{code}") for code in ELB_CODES}
    generated = sum(by_elb.values())
    if generated >= count / 2:
        parts = [f"ELB {code} x{n} ({_ELB_MEANING[code]})" for code, n in sorted(by_elb.items(), key=lambda p: -p[1]) if n]
        unreached = "; target '-' (none reached)" if any(t == "-" for t, _ in targets) else ""
        return "load balancer", f", generated by the load balancer: {', '.join(parts)}{unreached}"
    target = _n(row, "target_5xx")
    return ("targets", f", {target} returned by the targets") if target else ("", "")


def _notable_errors(row: Row, cls: str) -> bool:
    """Enough errors, clearly more than before, and a real share of the path's requests (not noise on a busy path)."""
    count, base = _n(row, f"s{cls}"), _n(row, f"base_{cls}")
    rate = count / max(1, _n(row, "requests"))
    base_rate = base / max(1, _n(row, "base_requests"))
    return count >= 5 and count >= 2 * base + 3 and rate >= 0.01 and rate >= 2 * base_rate


def _notable_latency(row: Row) -> bool:
    p95, base = row.get("p95_ms"), row.get("base_p95_ms")
    if p95 is None or _n(row, "timed") < 5:
        return False
    if base is None:
        return float(p95) >= 1000
    return float(p95) >= 2 * float(base) and float(p95) - float(base) >= 100


# --- the digest ----------------------------------------------------------------------------------


class Digest:
    """Builds the ToolResult from the answer rows."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.facets = _by_facet(ctx.answer.rows)
        self.total = (self.facets.get("total") or [{}])[0]
        lbs = self.facets.get("load_balancer", [])
        self.lb = ctx.filters.load_balancer or (str(lbs[0]["elb"]) if len(lbs) == 1 else None)
        self.result = ToolResult("alb", f"{ctx.function}: ALB traffic of {safe(self.lb or 'all load balancers', 120)}", ctx.window)
        self.onset: datetime | None = None

    def evidence(self, kind: str, parts: tuple[object, ...], summary: str, moment: datetime | None, score: float,
                 **attrs: Any) -> Evidence:
        link = self.ctx.answer.link or load_balancer_metric_link(self.ctx.region, kind, attrs, self.ctx.window)
        item = Evidence(evidence_id("alb", kind, *parts), "alb", kind, summary, moment, link, score,
                        {"resources": [r for r in attrs.pop("resources", []) if r], "onset": iso(moment) if moment else None, **attrs})
        self.result.evidence.append(item)
        return item

    def build(self) -> ToolResult:
        answer, result = self.ctx.answer, self.result
        if not _n(self.total, "requests") and not _n(self.total, "base_requests"):
            result.status = "empty"
            what = "no ALB requests matched in the window or the baseline"
            if answer.lines == 0:
                what = "no ALB access-log lines were found"
            result.headline.append(what.capitalize() + "; check the window, the load balancer name and the filters.")
            self.notes()
            return result
        self.headline()
        self.paths()
        self.latency()
        self.targets()
        self.reasons()
        self.clients()
        self.load_balancers()
        self.notes()
        if not answer.complete:
            result.fail("the Athena results were not read to the end: " + ("; ".join(answer.notes) or "time ran out"),
                        "the counts are lower bounds; narrow the window and ask again", partial=True)
        return result

    # --- headline and timeline ---------------------------------------------------------------

    def headline(self) -> None:
        t, ctx = self.total, self.ctx
        requests, s5, b5 = _n(t, "requests"), _n(t, "s5xx"), _n(t, "base_5xx")
        base_requests = _n(t, "base_requests")
        if ctx.no_baseline:
            self.result.headline.append(
                f"Requests {requests}; 5xx {s5} = {_rate(s5, requests)}; 4xx {_n(t, 's4xx')}; target p95 "
                f"{_ms(t.get('p95_ms')) or '-'} ms; never reached a target: {_n(t, 'unreached')} (no baseline: no data "
                f"before {iso(ctx.data_start)})."  # type: ignore[arg-type]
            )
        else:
            self.result.headline.append(
                f"Requests {requests} (baseline {base_requests}); 5xx {s5} = {_rate(s5, requests)} (baseline {b5} = "
                f"{_rate(b5, base_requests)}); 4xx {_n(t, 's4xx')} (baseline {_n(t, 'base_4xx')}); target p95 "
                f"{_ms(t.get('p95_ms')) or '-'} ms (baseline {_ms(t.get('base_p95_ms')) or '-'} ms); never reached a target: {_n(t, 'unreached')}."
            )
        buckets = timeline(self.facets.get("bucket", []), ctx.window, ctx.bucket_seconds)
        onset = find_onset(buckets, b5, base_requests) if s5 > 2 * b5 else None
        if onset is not None:
            start = from_epoch(float(onset["bucket"]))
            first = _time(onset.get("first_5xx"))
            elb_made = s5 - _n(t, "target_5xx")
            # Paths are untrusted text and headlines are not fenced: name them in the sections only.
            top = sorted((_n(r, "s5xx") for r in self.facets.get("path", [])), reverse=True)[:2]
            where = f"{_rate(sum(top), s5)} of them on the top {len(top)} path(s) of 'Top failing paths'"
            self.result.headline.append(
                f"5xx onset ~{start.strftime('%H:%M')}Z (first 5xx of that bucket at {_clock(first)}), {where}; "
                f"{elb_made} of {s5} 5xx were generated by the load balancer (no target response), {_n(t, 'target_5xx')} by targets."
            )
            self.onset = start
        else:
            if s5 > 2 * b5:
                self.result.headline.append(f"5xx rose ({s5} now vs {b5} before) without a sustained onset.")
            elif s5 and ctx.no_baseline:
                self.result.headline.append(f"{s5} 5xx without a sustained onset in the window (no baseline to compare with).")
            elif s5:
                self.result.headline.append(f"5xx at about the baseline level (no onset): {s5} now vs {b5} before.")
            else:
                self.result.headline.append("No 5xx in the window.")
        self.timeline_section(buckets, onset)

    def timeline_section(self, buckets: list[Row], onset: Row | None) -> None:
        minutes = self.ctx.bucket_seconds // 60
        section = self.result.section(f"Status classes per {minutes}-min bucket (UTC, ELB status)")
        shown = buckets
        if len(buckets) > MAX_TIMELINE_LINES:
            index = buckets.index(onset) if onset is not None else len(buckets) - MAX_TIMELINE_LINES
            start = max(0, min(index - 5, len(buckets) - MAX_TIMELINE_LINES))
            shown = buckets[start:start + MAX_TIMELINE_LINES]
            section.lines.append("5xx per bucket, whole window: " + " ".join(str(_n(b, "s5xx")) for b in buckets))
        rows = [
            [from_epoch(float(b["bucket"])).strftime("%H:%M"), _n(b, "requests"), _n(b, "s2xx"), _n(b, "s3xx"),
             _n(b, "s4xx"), _n(b, "s5xx"), _ms(b.get("p95_ms"))]
            for b in shown
        ]
        section.lines.extend(csv_lines(["bucket", "requests", "2xx", "3xx", "4xx", "5xx", "p95_ms"], rows))

    # --- paths -------------------------------------------------------------------------------

    def paths(self) -> None:
        failing = [r for r in self.facets.get("path", []) if _n(r, "s5xx") + _n(r, "s4xx") > 0]
        failing.sort(key=lambda r: (-_n(r, "s5xx"), -_n(r, "s4xx"), str(r.get("path"))))
        if not failing:
            return
        section = self.result.section("Top failing paths (ids collapsed) vs baseline")
        header = ["evidence", "load_balancer", "path", "requests", "5xx", "5xx_rate", "baseline_5xx", "4xx", "baseline_4xx",
                  "first_5xx", "targets", "target_groups", "error_reasons"]
        rows = []
        for row in failing:
            elb, path = row.get("elb"), str(row.get("path"))
            targets = _details(self.facets, "path_target", "target", elb, path)
            groups = _details(self.facets, "path_target_group", "target_group", elb, path)
            reasons = [(r, n) for r, n in _details(self.facets, "path_error_reason", "error_reason", elb, path) if r != "-"]
            ev_id = ""
            cls = "5xx" if _notable_errors(row, "5xx") else "4xx" if _notable_errors(row, "4xx") else None
            if cls and sum(1 for e in self.result.evidence if e.kind == "alb_errors") < MAX_EVIDENCE_PATHS:
                ev_id = self.path_evidence(row, cls, targets, groups, reasons).id
            rows.append([
                ev_id, safe(elb, 120), fence(path, 200), _n(row, "requests"), _n(row, "s5xx"),
                _rate(_n(row, "s5xx"), _n(row, "requests")), _n(row, "base_5xx"), _n(row, "s4xx"), _n(row, "base_4xx"),
                _clock(_time(row.get("first_5xx"))),
                " ".join(f"{safe(t, 60)}({n})" for t, n in targets),
                " ".join(f"{safe(short_target_group(g), 60)}({n})" for g, n in groups),
                " ".join(f"{safe(r, 60)}({n})" for r, n in reasons),
            ])
        section.lines.extend(csv_lines(header, rows))

    def path_evidence(self, row: Row, cls: str, targets: list[tuple[str, int]], groups: list[tuple[str, int]],
                      reasons: list[tuple[str, int]]) -> Evidence:
        elb, path = str(row.get("elb")), str(row.get("path"))
        count, base, requests = _n(row, f"s{cls}"), _n(row, f"base_{cls}"), _n(row, "requests")
        first = _time(row.get("first_5xx")) if cls == "5xx" else None
        start = self.ctx.data_start
        is_new = base == 0 and (start is None or new_without_baseline(first, self.ctx.window.end, count, start,
                                                                       self.ctx.bucket_seconds))
        new = "NEW " if is_new else ""
        before = (f"no data before {iso(start)[11:16]}Z" if self.ctx.no_baseline and start is not None else f"baseline {base}")
        origin, origin_text = error_origin(row, cls, targets)
        summary = (f"{new}{cls} on {fence(path, 200)} ({safe(elb, 120)}): {count} of {requests} requests "
                   f"({_rate(count, requests)}){origin_text}, {before}" + (f"; first at {iso(first)}" if first else ""))
        extra = {"new": is_new} | ({"no_baseline": self.ctx.no_baseline, "baseline_from": iso(start)} if start is not None else {})
        total = max(1, _n(self.total, f"s{cls}"))
        return self.evidence(
            "alb_errors", (elb, path, cls), summary, first or self.onset, round(min(1.0, count / total), 3),
            resources=[elb, *[g for g, _ in groups if g != "-"]],
            load_balancer=elb, path=path, status_class=cls, count=count, baseline_count=base,
            share=round(count / requests, 4) if requests else None,
            p95_ms=row.get("p95_ms"), baseline_p95_ms=row.get("base_p95_ms"),
            targets=[t for t, _ in targets], target_groups=[g for g, _ in groups], error_reasons=[r for r, _ in reasons],
            origin=origin, elb_codes={str(c): _n(row, f"elb_{c}") for c in ELB_CODES if _n(row, f"elb_{c}")},
            target_5xx=_n(row, "target_5xx"), waf_blocked=_n(row, "waf_403"),
            **extra,
        )

    def latency(self) -> None:
        rows = [r for r in self.facets.get("path", []) if r.get("p95_ms") is not None or _n(r, "unreached")]
        # Paths with enough timed requests first (a single slow request is no percentile), slowest p95 first.
        rows.sort(key=lambda r: (_n(r, "timed") < 5, -(float(r["p95_ms"]) if r.get("p95_ms") is not None else -1.0),
                                 str(r.get("path"))))
        if not rows:
            return
        section = self.result.section("Latency per path: target_processing_time in ms (-1 = never reached a target, left out)")
        header = ["evidence", "load_balancer", "path", "requests", "p50_ms", "p95_ms", "p99_ms", "baseline_p95_ms", "never_reached"]
        lines = []
        for row in rows[:12]:
            ev_id = ""
            if _notable_latency(row):
                elb, path = str(row.get("elb")), str(row.get("path"))
                summary = (f"Slower {fence(path, 200)} ({safe(elb, 120)}): target p95 {_ms(row.get('p95_ms'))} ms vs "
                           f"{_ms(row.get('base_p95_ms')) or '-'} ms before")
                ev_id = self.evidence(
                    "alb_latency", (elb, path), summary, self.onset, 0.5, resources=[elb],
                    load_balancer=elb, path=path, status_class=None, count=_n(row, "requests"),
                    baseline_count=_n(row, "base_requests"), share=None, p95_ms=row.get("p95_ms"),
                    baseline_p95_ms=row.get("base_p95_ms"), targets=[], target_groups=[], error_reasons=[],
                ).id
            lines.append([ev_id, safe(row.get("elb"), 120), fence(row.get("path"), 200), _n(row, "requests"),
                          _ms(row.get("p50_ms")), _ms(row.get("p95_ms")), _ms(row.get("p99_ms")),
                          _ms(row.get("base_p95_ms")), _n(row, "unreached")])
        section.lines.extend(csv_lines(header, lines))

    # --- targets, reasons, clients -------------------------------------------------------------

    def targets(self) -> None:
        total_5xx = _n(self.total, "s5xx")
        for facet, title, name in (("target", "Errors per target (- = none reached)", lambda v: safe(v, 80)),
                                   ("target_group", "Errors per target group", lambda v: safe(short_target_group(v), 80))):
            rows = [r for r in self.facets.get(facet, []) if _n(r, "s5xx") + _n(r, "s4xx") > 0]
            if not rows:
                continue
            rows.sort(key=lambda r: (-_n(r, "s5xx"), -_n(r, "s4xx"), str(r.get(facet))))
            section = self.result.section(title)
            section.lines.extend(csv_lines(
                [facet, "requests", "5xx", "share_of_all_5xx", "5xx_rate", "4xx", "baseline_requests", "baseline_5xx"],
                [[name(str(r.get(facet))), _n(r, "requests"), _n(r, "s5xx"), _rate(_n(r, "s5xx"), total_5xx),
                  _rate(_n(r, "s5xx"), _n(r, "requests")), _n(r, "s4xx"), _n(r, "base_requests"), _n(r, "base_5xx")]
                 for r in rows[:10]],
            ))

    def reasons(self) -> None:
        rows = []
        for facet in ("error_reason", "classification"):
            for r in self.facets.get(facet, []):
                value = str(r.get(facet))
                if value != "-" and (_n(r, "requests") or _n(r, "base_requests")):
                    rows.append([facet, safe(value, 80), _n(r, "requests"), _n(r, "s5xx"), _n(r, "s4xx"), _n(r, "base_requests")])
        if rows:
            rows.sort(key=lambda r: (-int(r[2]), str(r[1])))
            self.result.section("ALB error_reason and classification counts").lines.extend(
                csv_lines(["field", "value", "requests", "5xx", "4xx", "baseline_requests"], rows))

    def clients(self) -> None:
        """Client IPs or user agents that newly dominate the traffic, or on which the errors concentrate."""
        requests, base_requests = _n(self.total, "requests"), _n(self.total, "base_requests")
        errors = _n(self.total, "s5xx") + _n(self.total, "s4xx")
        rows = []
        for facet, show in (("client_ip", lambda v: safe(v, 60)), ("user_agent", lambda v: fence(v, 160))):
            for r in self.facets.get(facet, []):
                share = _n(r, "requests") / requests if requests else 0.0
                base_share = _n(r, "base_requests") / base_requests if base_requests else 0.0
                error_share = (_n(r, "s5xx") + _n(r, "s4xx")) / errors if errors >= MIN_DOMINANT_REQUESTS else 0.0
                traffic = requests >= MIN_DOMINANT_REQUESTS and share >= DOMINANT_SHARE and share >= base_share + 0.2
                failing = error_share >= DOMINANT_SHARE and error_share >= share + 0.2
                if traffic or failing:
                    rows.append([facet, show(str(r.get(facet))), _n(r, "requests"), f"{100 * share:.0f}%",
                                 f"{100 * base_share:.0f}%", _n(r, "s5xx"), _n(r, "s4xx"), f"{100 * error_share:.0f}%"])
        if rows:
            self.result.section("Client concentration (a client IP or user agent dominates traffic or errors)").lines.extend(
                csv_lines(["field", "value", "requests", "share", "baseline_share", "5xx", "4xx", "share_of_errors"], rows))

    def load_balancers(self) -> None:
        rows = self.facets.get("load_balancer", [])
        if len(rows) < 2:
            return
        rows.sort(key=lambda r: (-_n(r, "s5xx"), -_n(r, "requests"), str(r.get("elb"))))
        self.result.section("Per load balancer").lines.extend(csv_lines(
            ["load_balancer", "requests", "5xx", "4xx", "baseline_requests", "baseline_5xx"],
            [[safe(r.get("elb"), 120), _n(r, "requests"), _n(r, "s5xx"), _n(r, "s4xx"), _n(r, "base_requests"),
              _n(r, "base_5xx")] for r in rows]))

    def notes(self) -> None:
        answer, notes = self.ctx.answer, self.result.notes
        notes.append(f"baseline = the equal window just before ({self.ctx.window.baseline()}); paths have ids collapsed "
                     "({id}); query strings are never shown")
        if answer.query_execution_id:
            scanned = human_bytes(answer.bytes_scanned or 0)
            notes.append(f"Athena query {answer.query_execution_id} scanned {scanned}: {answer.link}")
        if answer.lines is not None:
            notes.append(f"read {answer.lines} log line(s) from the snapshot (no Athena query ran in the account; the "
                         "evidence links open the load balancer's CloudWatch metrics)")
        if answer.malformed:
            notes.append(f"skipped {answer.malformed} malformed line(s) that do not match the ALB log format")
        notes.extend(answer.notes)


def summarize(function: str, answer: Answer, window: Window, filters: Filters, bucket_seconds: int,
              region: str = "", data_start: datetime | None = None) -> ToolResult:
    """The ToolResult of one summary (``region`` for console links when no Athena query ran; ``data_start``: where
    the data begins, when inside the baseline)."""
    return Digest(Context(function, window, filters, bucket_seconds, answer, region, data_start)).build()

