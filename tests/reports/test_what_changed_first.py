"""'What changed?' asked first in a new conversation, through the offline planner and the real handlers, on every
bundled incident: the change that caused it is listed first, with what its request changed and a rollback.

Asserted on the decisive event (its eventID's evidence id), not on keywords. For the security incident the first
malicious call is read-only (GetCallerIdentity, not a change): the first change listed must be one the
compromised principal made. Incidents without a causing change must not claim one explains them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from agent.runtime.offline import OfflineAgent
from agent.runtime.tools import ToolBox
from agent.scenarios.catalog import SCENARIOS
from tools.common.evidence import evidence_id

WITH_CAUSE = [n for n, s in SCENARIOS.items() if s.truth.get("change_event_id") and n != "security-incident"]


def _ask(path: Path, question: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list]:
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(path))
    agent = OfflineAgent(ToolBox("t", io.StringIO()))
    return agent.ask(question)


def _first_listed(answer: str) -> str:
    return next(line for line in answer.splitlines() if line.startswith(("Most relevant change", "No change here")))


@pytest.mark.parametrize("name", WITH_CAUSE)
def test_the_causing_change_is_listed_first(name: str, bundled: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    answer, calls = _ask(bundled[name], "What changed?", monkeypatch)
    assert [c.name for c in calls] == ["triage__investigate", "cloudtrail__list_changes"]
    cause = evidence_id("cloudtrail", SCENARIOS[name].truth["change_event_id"])
    first = _first_listed(answer)
    assert first.startswith("Most relevant change") and f"[{cause}]" in first, first
    assert "min into the window" not in answer
    details = answer.split("*Most relevant changes (most relevant first)*", 1)[1].splitlines()[1]
    assert details.startswith(f"[{cause}]") and "changed: ⟦{" in details


def test_the_security_incident_leads_with_the_compromised_principal(bundled: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    answer, _ = _ask(bundled["security-incident"], "What changed?", monkeypatch)
    first = _first_listed(answer)
    assert "by svc-reporting [IAMUser" in first and "touches" in first


@pytest.mark.parametrize("name", ["dynamodb-throttling", "db-connection-pool-exhausted"])
def test_no_change_is_claimed_when_none_explains_the_incident(name: str, bundled: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    answer, _ = _ask(bundled[name], "What changed?", monkeypatch)
    assert _first_listed(answer).startswith("No change here explains the incident well")
    assert "Mitigation if this is the cause" not in answer


@pytest.mark.parametrize("name,rollback", [
    ("demo", "--add-route-table-ids rtb-0c4f2a1e9b8d7c6a5"),
    ("iam-permission-removed", "aws iam attach-role-policy --role-name invoices-create-lambda-role"),
    ("bad-deploy", "--task-definition pricing:112"),
    ("kms-key-disabled", "aws kms enable-key --key-id 3f4e5d6c-7b8a-4990-a1b2-c3d4e5f60718"),
    ("security-group-rule-revoked", "tcp 5432 from sg-0app8080ccdd33ee"),
])
def test_the_answer_offers_the_rollback_the_cause_implies(name: str, rollback: str, bundled: dict[str, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    answer, _ = _ask(bundled[name], "What changed?", monkeypatch)
    mitigation = next(line for line in answer.splitlines() if line.startswith("Mitigation if this is the cause"))
    assert rollback in mitigation

