"""Lambda entry of the ``logs`` action group: find_error_patterns and search_logs (light imports only)."""

from __future__ import annotations

from tools.common.app import Implementation, make_lambda_handler
from tools.logs import service

IMPLEMENTATIONS: dict[str, Implementation] = {
    "find_error_patterns": service.find_error_patterns,
    "search_logs": service.search_logs,
}

lambda_handler = make_lambda_handler("logs", IMPLEMENTATIONS)
