"""Prompt injection and planted credentials in every attacker-reachable field of every source.

Every tool body keeps attacker text inside the data fence (escaped so it cannot close it), no credential
appears in any body or session attribute, and triage never turns attacker text into a title or the summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent.runtime.tools import function_event as bedrock_event
from tests.hardening import hostile
from tests.hardening.conftest import body_of, function_event, handler_of
from tools.catalogue import FUNCTIONS, Function

HOSTILE_WINDOW = "2026-11-20T09:00Z/2026-11-20T11:00Z"
FENCED = re.compile(r"⟦[^⟦⟧]*⟧")


def outside_fences(text: str) -> str:
    return "\n".join(FENCED.sub("", line) for line in text.splitlines())


@pytest.fixture(scope="module")
def responses(hostile_snapshot: Path) -> dict[str, dict]:
    """Every function called once on the hostile snapshot (module-scoped: the calls are the expensive part)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPSAGENT_SNAPSHOT", str(hostile_snapshot))
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.delenv("OPSAGENT_CONFIG", raising=False)
        return _call_all()


def _call_all() -> dict[str, dict]:
    """Each function with its catalogue example (``Function.example``: the hostile snapshot holds what those
    name, e.g. attacker text in lines matching search_logs' "rejected"), in the hostile snapshot's window."""
    results = {}
    for function in FUNCTIONS:
        assert function.example is not None, f"{function.qualified_name} declares no example (tests/test_catalogue.py)"
        arguments = dict(function.example)
        if function.parameter("window"):
            arguments["window"] = HOSTILE_WINDOW
        parameters = bedrock_event(function, arguments, {}, "", "hardening")["parameters"]
        results[function.qualified_name] = handler_of(function)(function_event(function, parameters), None)
    return results


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.qualified_name)
def test_no_credential_leaves_a_tool(function: Function, responses: dict[str, dict]) -> None:
    response = responses[function.qualified_name]
    dumped = json.dumps(response, ensure_ascii=False)
    for secret in hostile.secret_values():
        assert secret not in dumped, f"{secret!r} leaked by {function.qualified_name}"


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.qualified_name)
def test_injected_text_stays_inside_the_fence(function: Function, responses: dict[str, dict]) -> None:
    response = responses[function.qualified_name]
    body = body_of(response)
    assert response["response"]["functionResponse"].get("responseState") is None, body[:500]
    assert len(body.encode()) < 20000
    visible = outside_fences(body)
    for marker in hostile.INJECTION_MARKERS:
        assert marker not in visible, f"{marker!r} outside the fence in {function.qualified_name}"
    for line in body.splitlines():
        assert line.count("⟦") == line.count("⟧"), f"unbalanced fence in {function.qualified_name}: {line[:200]}"


# The drill-down functions whose source holds planted attacker text (triage summarises; what it quotes varies).
@pytest.mark.parametrize("name", ["logs__find_error_patterns", "logs__search_logs", "cloudtrail__list_changes",
                                  "xray__find_trace_faults", "findings__list_security_findings"])
def test_the_catalogue_examples_reach_the_attacker_text(name: str, responses: dict[str, dict]) -> None:
    """The fence tests above prove something only if the calls show attacker text: the catalogue's example
    arguments (e.g. search_logs' match, the findings' severity) must keep reaching it, fenced."""
    body = body_of(responses[name])
    fenced = "".join(FENCED.findall(body))
    assert any(marker in fenced for marker in hostile.INJECTION_MARKERS), body[:800]


def test_hostile_data_is_still_digested(responses: dict[str, dict]) -> None:
    """The attacks do not blind the tools: the real incident underneath is still reported."""
    logs = body_of(responses["logs__find_error_patterns"])
    assert "connect timed out" in logs
    changes = body_of(responses["cloudtrail__list_changes"])
    assert "ModifyVpcEndpoint" in changes
    traces = body_of(responses["xray__find_trace_faults"])
    assert "DynamoDB" in traces


def test_triage_never_turns_attacker_text_into_titles_or_summary(hostile_snapshot: Path) -> None:
    from agent.triage_command import investigate
    from tools.common.snapshot import Snapshot

    snapshot = Snapshot.open(hostile_snapshot)
    report = investigate(snapshot, snapshot.manifest.window, question="why are checkout requests failing since 09:40?")
    dumped = json.dumps(report, ensure_ascii=False)
    for secret in hostile.secret_values():
        assert secret not in dumped
    for hypothesis in report["hypotheses"]:
        for marker in hostile.INJECTION_MARKERS:
            assert marker not in hypothesis["title"]
    summary = outside_fences(report["summary"])
    for marker in hostile.INJECTION_MARKERS:
        assert marker not in summary
