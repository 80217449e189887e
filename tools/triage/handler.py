"""Lambda entry of the ``triage`` action group (triage__investigate, triage__search_runbooks)."""

from __future__ import annotations

from tools.common.app import make_lambda_handler
from tools.knowledge.service import search_runbooks
from tools.triage.service import investigate

IMPLEMENTATIONS = {"investigate": investigate, "search_runbooks": search_runbooks}
lambda_handler = make_lambda_handler("triage", IMPLEMENTATIONS)
