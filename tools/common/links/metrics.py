"""CloudWatch metrics console links: one metric's graph over an absolute window, in the console's own form
``#metricsV2:graph=~(metrics~(~(~'AWS*2fApplicationELB~'HTTPCode_Target_5XX_Count~'LoadBalancer~'app*2f...))~view~'timeSeries~...)``
(tilde notation, ``links.jsurl``): a metric is ``[namespace, name, dimension, value, ...]``.
"""

from __future__ import annotations

from typing import Any

from tools.common.links import console, jsurl

GRAPH = "metricsV2:graph="


def metric_link(region: str, namespace: str, metric: str, dimensions: dict[str, str], start: str, end: str,
                stat: str = "Average", period: int | None = None) -> str:
    row: list[str] = [namespace, metric]
    for name, value in dimensions.items():
        row += [name, value]
    graph: dict[str, Any] = {"metrics": [row], "view": "timeSeries", "stacked": False, "region": region,
                             "stat": stat, "start": start, "end": end}
    if period:
        graph["period"] = period
    return console.url(region, "cloudwatch", GRAPH + jsurl.dumps(graph))


def decode_metric(link: str) -> dict[str, Any]:
    """``{"region", "namespace", "metric", "dimensions", "stat", "start", "end", "period"}`` of a ``metric_link``."""
    graph = jsurl.loads(console.state(link, "cloudwatch", GRAPH)[1])
    row = graph["metrics"][0]
    return {"region": graph["region"], "namespace": row[0], "metric": row[1],
            "dimensions": dict(zip(row[2::2], row[3::2])), "stat": graph["stat"], "start": graph["start"],
            "end": graph["end"], "period": graph.get("period")}
