"""Tokens and cost per investigation: the size of every tool body, the model input of an investigation, the
Athena bytes the SQL's partition pruning implies, and a cost model at stated list prices, next to the figure of
the Failure Analysis Assistant sample (FA2: ~90k input tokens and two 50 GB Athena scans, ~$0.95 per run).

Tokens are an ESTIMATE: bytes / 4 (no tokenizer offline; Claude's tokenizer gives roughly 3.5-4.5 bytes per
token on English and JSON-ish text). Bodies: every catalogue function on the demo incident (in-process) and the
bodies ``bench/scale.py`` saved for the large snapshot (``.cache/bench/bodies-large.json``; run it first).
Run: ``python bench/tokens_cost.py``.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

UTC = timezone.utc
BYTES_PER_TOKEN = 4
BODIES_LARGE = ROOT / ".cache" / "bench" / "bodies-large.json"
SUMMARY = ROOT / ".cache" / "bench" / "cost-summary.json"

# --- public list prices (us-east-1, on-demand), as published on the AWS pricing pages in 2025 --------------
PRICES_SOURCE = ("aws.amazon.com/bedrock/pricing, /athena/pricing, /cloudwatch/pricing, /lambda/pricing, "
                 "/xray/pricing (us-east-1 on-demand list prices as published in 2025; check before quoting)")
SONNET_INPUT_PER_1K = 0.003       # Claude Sonnet 4 / 4.5, $3 per million input tokens
SONNET_OUTPUT_PER_1K = 0.015      # $15 per million output tokens
ATHENA_PER_TB = 5.0               # $5 per TB scanned, 10 MB minimum per query
ATHENA_MIN_BYTES = 10 * 10**6
INSIGHTS_PER_GB = 0.005           # CloudWatch Logs Insights, $0.005 per GB scanned
LAMBDA_PER_GB_S = 0.0000166667    # x86, $ per GB-second
LAMBDA_PER_REQUEST = 0.20 / 10**6
GET_METRIC_DATA_PER_METRIC = 0.01 / 1000
XRAY_PER_TRACE = 0.50 / 10**6     # traces retrieved or scanned

# --- FA2 (Failure Analysis Assistant sample) as its own cost estimate states it ---------------------------
HAIKU_INPUT_PER_1K = 0.001        # Claude Haiku 4.5, $1 / $5 per million tokens
HAIKU_OUTPUT_PER_1K = 0.005


def model_prices(model_id: str) -> tuple[str, float, float]:
    """(name, $ per 1k input, $ per 1k output) of the configured model; Sonnet prices when unknown (conservative)."""
    if "haiku-4-5" in model_id:
        return "Claude Haiku 4.5", HAIKU_INPUT_PER_1K, HAIKU_OUTPUT_PER_1K
    return ("Claude Sonnet" if "sonnet" in model_id else f"{model_id} (priced as Sonnet)"), SONNET_INPUT_PER_1K, SONNET_OUTPUT_PER_1K


def configured_model() -> str:
    from tools.common import config

    return str(config.load_file(ROOT / "ops-agent.toml")["agent"]["foundation_model"])


MODEL_ID = configured_model()
MODEL_NAME, BEDROCK_INPUT_PER_1K, BEDROCK_OUTPUT_PER_1K = model_prices(MODEL_ID)
CACHE_WRITE, CACHE_READ = 1.25, 0.10  # Bedrock prompt caching: multipliers of the input price

FA2_INPUT_TOKENS = 90_000
FA2_SCANS_GB = (50, 50)
FA2_PER_RUN = 0.95

# --- workload assumptions (stated in the output) ----------------------------------------------------------
DAYS_RETAINED = 30
TABLE_GB_PER_30_DAYS = 50.0       # each of the ALB and CloudTrail tables, like FA2's example
APP_LOG_GB_PER_DAY = 50.0 / 30    # the configured application log groups together
TEMPLATE_TOKENS = 2_000           # Bedrock Agents' own orchestration prompt per model call (not measurable offline)
ANSWER_TOKENS = 700               # a Slack answer of <= 2,500 characters plus reasoning, per final call
CALL_TOKENS = 80                  # one tool-call turn written by the model
METRICS_PER_SCAN = 500            # metrics.max_metrics: GetMetricData metrics requested (window + baseline)
XRAY_TRACES = 1000                # xray.max_traces
LAMBDA_GB = 1.0                   # lambda.memory_mb = 1024
LAMBDA_SECONDS = 40.0             # triage Lambda (tool_seconds); each source runs inside it, in parallel


def tokens(size: int) -> int:
    return -(-size // BYTES_PER_TOKEN)


def _run_tools(snapshot_dir: Path) -> dict[str, str]:
    """Every catalogue function once on the snapshot (in-process): label -> body."""
    from tools import catalogue
    from tools.common import config as config_module
    from tools.common.app import execute
    from tools.common.deadline import Deadline
    from tools.common.snapshot import Snapshot

    snapshot = Snapshot.open(snapshot_dir)
    config = config_module.load()
    window = snapshot.manifest.window.encode()
    bodies: dict[str, str] = {}
    pattern_id = None

    def call(group: str, name: str, params: dict[str, Any]) -> Any:
        function = catalogue.find(group, name)
        implementation = importlib.import_module(f"tools.{group}.handler").IMPLEMENTATIONS[name]
        outcome = execute(function, implementation, params, deadline=Deadline(120.0), config=config, snapshot=snapshot,
                          use_environment_snapshot=False)
        bodies[f"{group}__{name}"] = outcome.body
        return outcome

    outcome = call("logs", "find_error_patterns", {"window": window})
    if outcome.result is not None:
        pattern_id = next((e.id for e in outcome.result.evidence if e.id.startswith("L-")), None)
    call("logs", "search_logs", {"window": window, "match": pattern_id or "timed out"})
    call("alb", "summarize_alb_traffic", {"window": window})
    call("cloudtrail", "list_changes", {"window": window})
    call("metrics", "find_changed_metrics", {"window": window})
    call("metrics", "get_metric", {"window": window, "namespace": "AWS/ApplicationELB", "metric_name": "HTTPCode_Target_5XX_Count",
                                   "dimensions": "LoadBalancer=app/shop-alb/50dc6c495c0c9188"})
    call("xray", "find_trace_faults", {"window": window})
    call("findings", "list_security_findings", {"window": window})
    call("triage", "investigate", {"window": window, "question": snapshot.manifest.question or ""})
    return bodies


def body_table(demo: dict[str, str], large: dict[str, str]) -> None:
    print("| function | demo bytes | demo tokens (est.) | large bytes | large tokens (est.) |")
    print("|---|---:|---:|---:|---:|")
    large_names = {"logs__find_error_patterns": "find_error_patterns", "alb__summarize_alb_traffic": "summarize_alb_traffic",
                   "cloudtrail__list_changes": "list_changes", "metrics__find_changed_metrics": "find_changed_metrics",
                   "xray__find_trace_faults": "find_trace_faults", "triage__investigate": "triage (default budget)"}
    for name, body in demo.items():
        size = len(body.encode())
        other = large.get(large_names.get(name, ""))
        large_cells = f"{len(other.encode()):,} | {tokens(len(other.encode())):,}" if other is not None else "- | -"
        print(f"| {name} | {size:,} | {tokens(size):,} | {large_cells} |")
    if "triage (unlimited budget)" in large:
        size = len(large["triage (unlimited budget)"].encode())
        print(f"| triage__investigate (large, unlimited budget) | | | {size:,} | {tokens(size):,} |")


def prompt_sizes() -> tuple[int, int]:
    """(instruction bytes, function-schema bytes) the model reads on every call."""
    from infra.instruction import build_instruction
    from tools import catalogue

    instruction = len(build_instruction().encode())
    schemas = len(json.dumps(catalogue.catalogue_json(), separators=(",", ":")).encode())
    return instruction, schemas


def athena_partitions() -> tuple[list[int], list[int]]:
    """Day partitions read, for each 1-hour window ending on the hour over a day: (ALB, CloudTrail)."""
    from tools.alb import sql
    from tools.alb.model import Filters
    from tools.cloudtrail.athena_backend import build_sql
    from tools.cloudtrail.model import ChangeQuery
    from tools.common import config as config_module
    from tools.common.timewindow import Window

    day = re.compile(r"^\d{4}/\d{2}/\d{2}$")
    lookback = timedelta(minutes=int(config_module.load()["cloudtrail"]["lookback_minutes"]))
    alb, trail = [], []
    for hour in range(24):
        end = datetime(2026, 11, 20, hour, tzinfo=UTC) + timedelta(hours=1)
        window = Window(end - timedelta(hours=1), end)
        query = sql.summary_query(sql.ATHENA, "alb_access_logs", window, Filters(), 60)
        alb.append(len({p for p in query.params if isinstance(p, str) and day.match(p)}))
        _text, params = build_sql(ChangeQuery(window, lookback, region="us-east-1"), "cloudtrail_logs")
        trail.append(len({p for p in params if isinstance(p, str) and day.match(p)}))
    return alb, trail


def main() -> int:
    from agent.scenarios.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        demo = _run_tools(build_demo(Path(tmp) / "demo", gzip=True))
    large = json.loads(BODIES_LARGE.read_text()) if BODIES_LARGE.is_file() else {}
    print("Tool bodies (what the model reads back from each call; the body cap is limits.response_bytes = 19,000). "
          "Tokens are estimated as bytes/4." + ("" if large else " Large-snapshot bodies missing: run bench/scale.py first."))
    print()
    body_table(demo, large)

    instruction, schemas = prompt_sizes()
    triage_demo = len(demo["triage__investigate"].encode())
    triage_large = max((len(large[k].encode()) for k in ("triage (default budget)", "triage (unlimited budget)") if k in large),
                       default=triage_demo)
    triage_bytes = max(triage_demo, triage_large)
    drill = len(demo["logs__find_error_patterns"].encode())
    static = TEMPLATE_TOKENS + tokens(instruction) + tokens(schemas)
    question = 30
    call1 = static + question
    call2 = call1 + CALL_TOKENS + tokens(triage_bytes)
    call3 = call2 + CALL_TOKENS + tokens(drill)
    minimal_in, minimal_out = call1 + call2, CALL_TOKENS + ANSWER_TOKENS
    drill_in, drill_out = call1 + call2 + call3, 2 * CALL_TOKENS + ANSWER_TOKENS
    print()
    print(f"Model input per investigation (estimated tokens). Static per call: Bedrock Agents orchestration template "
          f"~{TEMPLATE_TOKENS:,} (assumed) + instruction {tokens(instruction):,} ({instruction:,} B) + function schemas "
          f"{tokens(schemas):,} ({schemas:,} B) = {static:,}. Triage body: {tokens(triage_bytes):,} (largest seen, {triage_bytes:,} B).")
    print()
    print("| flow | model calls | input tokens (est.) | output tokens (est.) |")
    print("|---|---:|---:|---:|")
    print(f"| question -> triage -> answer | 2 | {minimal_in:,} | {minimal_out:,} |")
    print(f"| question -> triage -> find_error_patterns -> answer | 3 | {drill_in:,} | {drill_out:,} |")
    print(f"| FA2 sample (its own estimate) | 1 | {FA2_INPUT_TOKENS:,} | - |")

    alb_parts, trail_parts = athena_partitions()
    day_gb = TABLE_GB_PER_30_DAYS / DAYS_RETAINED
    print()
    print(f"Athena partition pruning for a 1-hour window over {DAYS_RETAINED} days of logs ({TABLE_GB_PER_30_DAYS:.0f} GB per "
          f"table per {DAYS_RETAINED} days = {day_gb:.2f} GB/day, FA2's example volume), counted from the day values bound "
          "in each query's `day IN (...)` predicate, over the 24 windows ending on each hour of a day:")
    print()
    print("| query | partitions (typical) | partitions (worst) | windows with 2 days | GB scanned typical / worst | $ typical / worst |")
    print("|---|---:|---:|---:|---:|---:|")

    def athena_cost(gb: float) -> float:
        return max(gb * 1e9, ATHENA_MIN_BYTES) / 1e12 * ATHENA_PER_TB

    rows = {}
    for label, parts in (("ALB summary (window + baseline + 1 h delivery lag)", alb_parts),
                         ("CloudTrail changes (lookback + window)", trail_parts)):
        typical = sorted(parts)[len(parts) // 2]
        worst = max(parts)
        rows[label] = (typical * day_gb, worst * day_gb)
        print(f"| {label} | {typical} of {DAYS_RETAINED} | {worst} of {DAYS_RETAINED} | {sum(1 for p in parts if p > 1)}/24 | "
              f"{typical * day_gb:.2f} / {worst * day_gb:.2f} | {athena_cost(typical * day_gb):.4f} / {athena_cost(worst * day_gb):.4f} |")
    fa2_gb = sum(FA2_SCANS_GB)
    print(f"| FA2 sample: two full scans | {DAYS_RETAINED} of {DAYS_RETAINED} | | | {fa2_gb:.0f} | {athena_cost(fa2_gb):.2f} |")

    athena_typ = sum(athena_cost(t) for t, _ in rows.values())
    athena_worst = sum(athena_cost(w) for _, w in rows.values())
    # find_error_patterns runs 4 Insights queries over 1 hour each: patterns (window), patterns (baseline),
    # error trend (window), newest error lines (window) - tools/logs/aws_backend.py scan_patterns.
    insights = APP_LOG_GB_PER_DAY / 24 * 4 * INSIGHTS_PER_GB
    metrics = METRICS_PER_SCAN * GET_METRIC_DATA_PER_METRIC
    xray = XRAY_TRACES * XRAY_PER_TRACE
    lam = LAMBDA_SECONDS * LAMBDA_GB * LAMBDA_PER_GB_S + LAMBDA_PER_REQUEST

    def bedrock(inp: int, out: int) -> float:
        return inp / 1000 * BEDROCK_INPUT_PER_1K + out / 1000 * BEDROCK_OUTPUT_PER_1K

    print()
    print(f"Cost per investigation with the configured model `{MODEL_ID}` (list prices: {MODEL_NAME} ${BEDROCK_INPUT_PER_1K}/1k input, "
          f"${BEDROCK_OUTPUT_PER_1K}/1k output tokens; Athena ${ATHENA_PER_TB:.0f}/TB, 10 MB minimum per query; Logs Insights "
          f"${INSIGHTS_PER_GB}/GB scanned; Lambda ${LAMBDA_PER_GB_S}/GB-s + $0.20/M requests; GetMetricData $0.01/1k metrics; "
          f"X-Ray $0.50/M traces retrieved. Source: {PRICES_SOURCE}):")
    print()
    print("| item | triage -> answer | + one drill-down | worst case (2 partitions each, drill-down) | FA2 sample |")
    print("|---|---:|---:|---:|---:|")
    b_min, b_drill = bedrock(minimal_in, minimal_out), bedrock(drill_in, drill_out)
    items = [
        (f"Bedrock model ({MODEL_NAME})", b_min, b_drill, b_drill),
        ("Athena (ALB + CloudTrail)", athena_typ, athena_typ, athena_worst),
        (f"Logs Insights (4 queries, {APP_LOG_GB_PER_DAY:.2f} GB/day of app logs)", insights, 2 * insights, 2 * insights),
        (f"GetMetricData ({METRICS_PER_SCAN} metrics)", metrics, metrics, metrics),
        (f"X-Ray ({XRAY_TRACES} traces)", xray, xray, xray),
        (f"Lambda ({LAMBDA_GB:.0f} GB x {LAMBDA_SECONDS:.0f} s)", lam, 2 * lam, 2 * lam),
    ]
    for label, a, b, c in items:
        print(f"| {label} | {a:.4f} | {b:.4f} | {c:.4f} | |")
    totals = [sum(i[k] for i in items) for k in (1, 2, 3)]
    print(f"| **total ($)** | **{totals[0]:.3f}** | **{totals[1]:.3f}** | **{totals[2]:.3f}** | **{FA2_PER_RUN:.2f}** |")
    print()
    data_side = totals[0] - b_min
    largest = max((large.get(k, "") for k in ("triage (default budget)", "triage (unlimited budget)")), key=len) or demo["triage__investigate"]
    if len(demo["triage__investigate"]) > len(largest):
        largest = demo["triage__investigate"]
    no_links = "\n".join(line for line in largest.splitlines() if not line.lstrip().startswith("link: "))
    link_share = 1 - len(no_links.encode()) / max(1, len(largest.encode()))

    def minimal(static_tokens: int, body_tokens: int, inp: float, out: float, cache: bool) -> float:
        dynamic1 = question
        dynamic2 = question + CALL_TOKENS + body_tokens
        if cache:
            cost_in = static_tokens * (CACHE_WRITE + CACHE_READ) + dynamic1 + dynamic2
        else:
            cost_in = 2 * static_tokens + dynamic1 + dynamic2
        return cost_in / 1000 * inp + minimal_out / 1000 * out

    body_now, body_short = tokens(len(largest.encode())), tokens(len(no_links.encode()))
    static_half = TEMPLATE_TOKENS + tokens(instruction) + tokens(schemas) // 2
    sonnet, haiku = (SONNET_INPUT_PER_1K, SONNET_OUTPUT_PER_1K), (HAIKU_INPUT_PER_1K, HAIKU_OUTPUT_PER_1K)
    scenarios = [
        ("Claude Sonnet ($3/$15 per M), as measured", static, body_now, sonnet, False),
        (f"triage body without its per-evidence `link:` lines ({link_share:.0%} of its bytes; the answer section keeps the top hypothesis' links)",
         static, body_short, sonnet, False),
        ("+ prompt caching of the static prefix (write 1.25x, read 0.1x)", static, body_short, sonnet, True),
        ("+ function descriptions halved", static_half, body_short, sonnet, True),
        ("Claude Haiku 4.5 ($1/$5 per M), as measured", static, body_now, haiku, False),
        ("Haiku 4.5 + no duplicate links + caching", static, body_short, haiku, True),
    ]
    print(f"What would bring the minimal flow (question -> triage -> answer) under $0.05. Data side fixed at "
          f"${data_side:.4f} (Athena, Insights, GetMetricData, X-Ray, Lambda above):")
    print()
    print("| scenario | model $ | total $ | under $0.05 |")
    print("|---|---:|---:|---|")
    for label, static_tokens, body_tokens, (inp, out), cache in scenarios:
        model = minimal(static_tokens, body_tokens, inp, out, cache)
        total = model + data_side
        print(f"| {label} | {model:.4f} | {total:.3f} | {'yes' if total < 0.05 else 'no'} |")
    print()
    print(f"Aims: triage body < 6k tokens: {'met' if tokens(triage_bytes) < 6000 else 'MISSED'} "
          f"({tokens(triage_bytes):,} est.); < $0.05 per investigation: "
          f"{'met' if totals[0] < 0.05 else 'MISSED'} for triage -> answer (${totals[0]:.3f}), "
          f"{'met' if totals[1] < 0.05 else 'MISSED'} with one drill-down (${totals[1]:.3f}). "
          f"Share of the model in the typical total: {b_min / totals[0]:.0%}.")
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps({"triage_tokens": tokens(triage_bytes), "triage_bytes": triage_bytes,
                                   "input_minimal": minimal_in, "input_drill": drill_in, "bedrock_minimal": b_min,
                                   "total_minimal": totals[0], "total_drill": totals[1], "total_worst": totals[2],
                                   "fa2": FA2_PER_RUN}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
