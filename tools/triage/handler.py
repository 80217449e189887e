"""Lambda entry of the ``triage`` action group (triage__investigate)."""

from __future__ import annotations

from tools.common.app import make_lambda_handler
from tools.triage.service import investigate

IMPLEMENTATIONS = {"investigate": investigate}
lambda_handler = make_lambda_handler("triage", IMPLEMENTATIONS)
