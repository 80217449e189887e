"""The offline planner takes its function names from the source registry: a topic intent calls its source's
triage function, a drill-down its source's drill-down, and a source that is not registered is not called."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agent.runtime.intents import INTENTS
from agent.runtime.offline import OfflineAgent, routes
from tests.runtime.test_planner_table import NOW, RecordingToolBox
from tools import catalogue, sources
from tools.common.source import TriageTask
from tools.sources import BUILT_IN, Registry


def test_built_in_routes_call_catalogue_functions() -> None:
    found = routes()
    assert found == {
        "raw_lines": "logs__search_logs", "changes": "cloudtrail__list_changes", "errors": "logs__find_error_patterns",
        "traffic": "alb__summarize_alb_traffic", "metrics": "metrics__find_changed_metrics",
        "traces": "xray__find_trace_faults", "security": "findings__list_security_findings",
        "triage": "triage__investigate",
    }
    assert all(catalogue.by_qualified_name(name) is not None for name in found.values())
    assert {i.name for i in INTENTS if i.source} | {"triage"} == set(found)


def test_a_source_declaring_another_function_is_routed_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    xray = BUILT_IN.get("xray")
    assert xray is not None
    renamed = replace(xray, triage=TriageTask("find_trace_root_causes"))
    monkeypatch.setattr(sources, "REGISTRY", Registry(tuple(renamed if s.name == "xray" else s for s in BUILT_IN)))
    assert routes()["traces"] == "xray__find_trace_root_causes"
    tools = RecordingToolBox()
    OfflineAgent(tools, now=NOW).ask("any traces with faults since 10:00?")
    assert [call.name for call in tools.calls] == ["xray__find_trace_root_causes"]


def test_an_unregistered_source_is_never_called(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "REGISTRY", Registry(tuple(s for s in BUILT_IN if s.name != "xray")))
    assert "traces" not in routes()
    tools = RecordingToolBox()
    answer = OfflineAgent(tools, now=NOW).ask("any traces with faults since 10:00?")
    assert tools.calls == [] and "No data source here answers that" in answer[0]
