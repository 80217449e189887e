"""The CloudWatch metrics source declares itself: functions, evidence prefix ``M``, snapshot folder
``metrics/``, the ``[metrics]`` configuration, its IAM needs and its triage call."""

from __future__ import annotations

from tools.common import config_schema as cs
from tools.common.function import SAFE_NAME, WINDOW, Function, Parameter
from tools.common.source import Feed, Grants, Section, Statement, TriageTask, one_feed_source

_CLOUDWATCH_NAME = {"maxLength": 255, "pattern": r"^[A-Za-z0-9_./#:\- ]+$"}  # namespaces and metric names


def _required_name(name: str, example: str) -> Parameter:
    return Parameter(name, "string", example, required=True, constraints=_CLOUDWATCH_NAME)


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
                constraints=_CLOUDWATCH_NAME,
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
        example={"max_results": 25},
    ),
    Function(
        "metrics",
        "get_metric",
        "Returns one CloudWatch metric series in the window as a compact table (downsampled) with min, max, "
        "mean and percentiles, for drill-down after find_changed_metrics.",
        (
            _required_name("namespace", "Full namespace, e.g. 'AWS/ApplicationELB'."),
            _required_name("metric_name", "Metric name, e.g. 'HTTPCode_Target_5XX_Count'."),
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
        example={"namespace": "AWS/ApplicationELB", "metric_name": "TargetResponseTime",
                 "dimensions": "LoadBalancer=app/shop-alb/50dc6c495c0c9188"},
    ),
)

DEFAULT_NAMESPACES = ["AWS/ApplicationELB", "AWS/ECS", "AWS/DynamoDB", "AWS/Lambda", "AWS/RDS"]


def _iam(section: Section, grants: Grants) -> list[Statement]:
    return [grants.statement("MetricsRead", ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "*")]


SOURCE = one_feed_source(
    Feed("metrics", "CloudWatch metrics", "M", (".jsonl",)), "CloudWatch metrics: what changed, and one series.",
    FUNCTIONS, {"namespaces": cs.prop(cs.STRINGS, DEFAULT_NAMESPACES), "max_metrics": cs.integer(1, 5000, 500)},
    # Every changed metric the scan allows: triage correlates them with the other sources itself.
    iam=_iam, triage=TriageTask("find_changed_metrics", lambda focus: {"max_results": 25}))
