"""Lambda entry of the ``findings`` action group (boto3 is imported only when a call needs it)."""

from __future__ import annotations

from tools.common.app import make_lambda_handler
from tools.findings.service import list_security_findings

IMPLEMENTATIONS = {"list_security_findings": list_security_findings}
lambda_handler = make_lambda_handler("findings", IMPLEMENTATIONS)
