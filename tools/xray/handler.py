"""Lambda entry of the ``xray`` action group (boto3 is imported only when a call needs it)."""

from __future__ import annotations

from tools.common.app import make_lambda_handler
from tools.xray.service import find_trace_faults

IMPLEMENTATIONS = {"find_trace_faults": find_trace_faults}
lambda_handler = make_lambda_handler("xray", IMPLEMENTATIONS)
