"""The CloudWatch metrics source declares itself: functions, evidence prefix ``M``, snapshot folder
``metrics/``, the ``[metrics]`` configuration, its IAM needs and its triage call."""

from __future__ import annotations

from tools.common import config_schema as cs
from tools.common.function import SAFE_NAME, WINDOW, Function, Parameter
from tools.common.source import Feed, Grants, Section, SourceSpec, Statement, TriageTask

FUNCTIONS: tuple[Function, ...] = (
    Function(
        "metrics",
        "find_changed_metrics",
        "Scans the CloudWatch metrics of the configured namespaces (or one named), compares the window with an "
        "equal baseline just before it, detects change points and level shifts, and returns the metrics that "
        "changed most and closest to the onset, with before/after statistics, change time, unit and a console "
        "link; says how many were scanned and dropped as unchanged.",
        (
            WINDOW,
            Parameter(
                "namespace",
                "string",
                "Full namespace, e.g. 'AWS/ApplicationELB', 'AWS/ECS', 'AWS/DynamoDB'; default: configured ones.",
                constraints={"maxLength": 255, "pattern": r"^[A-Za-z0-9_./#:\- ]+$"},
            ),
            Parameter(
                "resource",
                "string",
                "Only metrics with a dimension value containing this, e.g. a load balancer, service or table.",
                constraints=SAFE_NAME,
                remember=True,
            ),
            Parameter(
                "max_results",
                "integer",
                "How many changed metrics to return, 1 to 25 (default 10).",
                constraints={"minimum": 1, "maximum": 25},
            ),
        ),
    ),
    Function(
        "metrics",
        "get_metric",
        "Returns one CloudWatch metric series in the window as a compact table (downsampled) with min, max, "
        "mean and percentiles, for drill-down after find_changed_metrics.",
        (
            Parameter(
                "namespace",
                "string",
                "Full namespace, e.g. 'AWS/ApplicationELB'.",
                required=True,
                constraints={"maxLength": 255, "pattern": r"^[A-Za-z0-9_./#:\- ]+$"},
            ),
            Parameter(
                "metric_name",
                "string",
                "Metric name, e.g. 'HTTPCode_Target_5XX_Count'.",
                required=True,
                constraints={"maxLength": 255, "pattern": r"^[A-Za-z0-9_./#:\- ]+$"},
            ),
            Parameter(
                "dimensions",
                "string",
                "Dimensions as Name=Value pairs separated by commas, e.g. 'LoadBalancer=app/shop/50dc6c495c0c9188'.",
                constraints={"maxLength": 1024},
            ),
            Parameter(
                "statistic",
                "string",
                "Statistic (default: Average, or Sum for counts).",
                constraints={"enum": ["Average", "Sum", "Minimum", "Maximum", "SampleCount", "p50", "p90", "p95", "p99"]},
            ),
            WINDOW,
        ),
    ),
)

DEFAULT_NAMESPACES = ["AWS/ApplicationELB", "AWS/ECS", "AWS/DynamoDB", "AWS/Lambda", "AWS/RDS"]


def _iam(section: Section, grants: Grants) -> list[Statement]:
    return [grants.statement("MetricsRead", ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "*")]


SOURCE = SourceSpec(
    name="metrics",
    label="CloudWatch metrics",
    description="CloudWatch metrics: what changed, and one series.",
    functions=FUNCTIONS,
    feeds=(Feed("metrics", "CloudWatch metrics", "M", (".jsonl",)),),
    config=cs.section({
        "enabled": cs.prop(cs.BOOLEAN, True),
        "namespaces": cs.prop(cs.STRINGS, DEFAULT_NAMESPACES),
        "max_metrics": cs.prop({"type": "integer", "minimum": 1, "maximum": 5000}, 500),
    }),
    iam=_iam,
    # Every changed metric the scan allows: triage correlates them with the other sources itself.
    triage=TriageTask("find_changed_metrics", lambda focus: {"max_results": 25}),
)
