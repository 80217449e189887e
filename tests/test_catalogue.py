"""The function catalogue respects Bedrock Agents' limits and matches the CLI's JSON output."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys

import pytest

from tools import catalogue
from tools.catalogue import FUNCTIONS


def test_function_count_within_agent_limit() -> None:
    assert 1 <= len(FUNCTIONS) <= catalogue.MAX_FUNCTIONS_PER_AGENT


def test_every_source_and_triage_has_a_function() -> None:
    groups = {f.action_group for f in FUNCTIONS}
    assert {"logs", "alb", "cloudtrail", "metrics", "xray", "findings", "triage"} <= groups


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.qualified_name)
def test_function_respects_bedrock_limits(function: catalogue.Function) -> None:
    pattern = re.compile(catalogue.NAME_PATTERN)
    assert pattern.match(function.name), function.name
    assert pattern.match(function.action_group), function.action_group
    assert len(function.qualified_name) < catalogue.MAX_QUALIFIED_NAME
    assert 0 < len(function.description) <= catalogue.MAX_FUNCTION_DESCRIPTION
    assert len(function.parameters) <= catalogue.MAX_PARAMETERS_PER_FUNCTION
    names = [p.name for p in function.parameters]
    assert len(names) == len(set(names))
    for parameter in function.parameters:
        assert pattern.match(parameter.name), parameter.name
        assert parameter.type in catalogue.ALLOWED_TYPES
        assert 0 < len(parameter.description) <= catalogue.MAX_PARAMETER_DESCRIPTION


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.qualified_name)
def test_every_function_declares_an_example_call_its_schema_accepts(function: catalogue.Function) -> None:
    """The one example per function that the AgentCore and hostile-data tests call (``Function.example``)."""
    import jsonschema

    assert function.example is not None, (
        f"{function.qualified_name} declares no example: add example={{...}} to its Function in "
        f"tools/{function.action_group}/source.py (or tools/catalogue.py)")
    assert json.loads(json.dumps(function.example)) == function.example  # JSON values only
    unknown = set(function.example) - {p.name for p in function.parameters}
    assert not unknown, f"{function.qualified_name}: example names no parameter {sorted(unknown)}"
    jsonschema.validate(function.example, function.input_schema())  # every required one, each value valid


def test_qualified_names_are_unique() -> None:
    names = [f.qualified_name for f in FUNCTIONS]
    assert len(names) == len(set(names))


def test_input_schema_lists_required_parameters() -> None:
    search = catalogue.find("logs", "search_logs")
    assert search is not None
    schema = search.input_schema()
    assert schema["required"] == ["match"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["limit"]["maximum"] == 50


def test_cli_prints_the_catalogue_as_json() -> None:
    out = subprocess.run([sys.executable, "-m", "agent", "functions", "--json"], capture_output=True, text=True, check=True)
    entries = json.loads(out.stdout)
    assert len(entries) == len(FUNCTIONS)
    for entry in entries:  # each entry names a handler that serves it
        module, _, attribute = entry["handler"].rpartition(".")
        handler = importlib.import_module(module)
        assert callable(getattr(handler, attribute)) and entry["function"] in handler.IMPLEMENTATIONS
    first = entries[0]
    assert set(first) == {"actionGroup", "function", "description", "parameters", "handler"}
    assert all(e["handler"] == f"tools.{e['actionGroup']}.handler.lambda_handler" for e in entries)
    assert set(first["parameters"]["window"]) == {"type", "required", "description"}


def test_cli_bad_input_exits_2() -> None:
    out = subprocess.run([sys.executable, "-m", "agent", "no-such-command"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip()
