"""Lambda entry of the ``metrics`` action group (light imports only: boto3 loads on first AWS call)."""

from __future__ import annotations

from tools.common.app import make_lambda_handler
from tools.metrics import service

IMPLEMENTATIONS = {
    "find_changed_metrics": service.find_changed_metrics,
    "get_metric": service.get_metric,
}

lambda_handler = make_lambda_handler("metrics", IMPLEMENTATIONS)
