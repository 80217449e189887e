"""Lambda entry of the ``alb`` action group (light imports only: boto3 and duckdb load inside the backends)."""

from __future__ import annotations

from tools.alb import service
from tools.common.app import make_lambda_handler

IMPLEMENTATIONS = {service.FUNCTION: service.summarize_alb_traffic}

lambda_handler = make_lambda_handler("alb", IMPLEMENTATIONS)
