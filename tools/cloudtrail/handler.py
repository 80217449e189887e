"""Lambda entry of the ``cloudtrail`` action group: list_changes (light imports only; boto3 loads on first AWS call)."""

from __future__ import annotations

from tools.cloudtrail import service
from tools.common.app import Implementation, make_lambda_handler

IMPLEMENTATIONS: dict[str, Implementation] = {"list_changes": service.list_changes}

lambda_handler = make_lambda_handler("cloudtrail", IMPLEMENTATIONS)
