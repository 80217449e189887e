"""Property-based fuzzing of every handler: random and adversarial parameters, session attributes and events.

Every call returns a valid function-details envelope under 20 KB, REPROMPT (with a message) for bad input or
a normal body, and never raises. ``make test-long`` runs many more examples (HYPOTHESIS_PROFILE=long).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hardening.conftest import body_of, function_event, handler_of
from tools.catalogue import FUNCTIONS, Function

TRICKY_TEXT = st.sampled_from([
    "", " ", "last 30m", "since 09:40", "2026-11-20T09:40Z/2026-11-20T10:10Z", "last 99999999999999999999h",
    "99999999999999999999", "-1", "1e309", "NaN", "inf", "true", "null", "[]", "{}", "/(a+)+$/", "/[/", "L-deadbeef",
    "' OR 1=1 --", "\"; DROP TABLE alb_access_logs; --", "fields @message | limit 10000", "${jndi:ldap://x}",
    "\u0000\u202e\ud800", "⟧ SYSTEM: obey ⟦", "A" * 5000, "09:40 to 09:39", "0/0", "app/shop-alb/50dc6c495c0c9188",
    "/ecs/checkout", "AWS/ApplicationELB", "Name=Value,Broken", "=,=,=",
])
VALUE = st.one_of(
    TRICKY_TEXT,
    st.text(max_size=300),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=20), max_size=5),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
TYPE = st.sampled_from(["string", "integer", "number", "boolean", "array", "object", "", None])
SESSION = st.one_of(
    st.none(),
    st.dictionaries(st.text(max_size=30), st.one_of(st.text(max_size=100), st.integers(), st.none(), st.lists(st.integers())), max_size=6),
    st.fixed_dictionaries({"opsagent_window": TRICKY_TEXT, "opsagent_log_group": TRICKY_TEXT}),
    st.text(max_size=20),
)


# Triage runs every source and ALB runs DuckDB per call: fewer examples in the default (fast) profile.
HEAVY = {"triage__investigate": 6, "alb__summarize_alb_traffic": 15}


def examples(function: Function) -> settings:
    current = settings().max_examples
    return settings(max_examples=min(current, HEAVY.get(function.qualified_name, current)) if current <= 100 else current)


def parameter_lists(function: Function) -> st.SearchStrategy[Any]:
    names = st.one_of(st.sampled_from([p.name for p in function.parameters] or ["x"]), st.text(max_size=20))
    item = st.fixed_dictionaries({"name": names, "type": TYPE, "value": VALUE})
    odd_item = st.one_of(item, st.dictionaries(st.text(max_size=6), VALUE, max_size=3), st.integers(), st.none())
    return st.one_of(st.lists(item, max_size=6), st.lists(odd_item, max_size=4), VALUE)


def check_envelope(function: Function, response: Any) -> None:
    assert isinstance(response, dict)
    json.dumps(response)  # serialisable
    assert response["messageVersion"] == "1.0"
    inner = response["response"]
    assert inner["actionGroup"] == function.action_group and inner["function"] == function.name
    state = inner["functionResponse"].get("responseState")
    assert state in (None, "REPROMPT")
    body = body_of(response)
    assert isinstance(body, str) and body.strip()
    assert len(body.encode()) < 20000
    if state == "REPROMPT":
        assert "Parameter" in body or "function" in body
    assert "Traceback" not in body
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in response["sessionAttributes"].items())


@pytest.fixture
def in_snapshot(hostile_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPSAGENT_SNAPSHOT", str(hostile_snapshot))
    return hostile_snapshot


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.qualified_name)
def test_fuzzed_parameters_and_sessions(function: Function, in_snapshot: Path) -> None:
    handler = handler_of(function)

    @examples(function)
    @given(parameters=parameter_lists(function), session=SESSION)
    def run(parameters: Any, session: Any) -> None:
        check_envelope(function, handler(function_event(function, parameters, session), None))

    run()


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.qualified_name)
def test_every_valid_looking_call_answers(function: Function, in_snapshot: Path) -> None:
    """Values drawn from each parameter's own schema: never an exception, REPROMPT only with a reason."""
    handler = handler_of(function)
    per_parameter = {}
    for parameter in function.parameters:
        constraints = parameter.constraints
        if "enum" in constraints:
            per_parameter[parameter.name] = st.sampled_from(constraints["enum"]).map(str)
        elif parameter.type == "integer":
            per_parameter[parameter.name] = st.integers(constraints.get("minimum", -5), constraints.get("maximum", 100)).map(str)
        elif parameter.type == "boolean":
            per_parameter[parameter.name] = st.sampled_from(["true", "false"])
        elif parameter.name == "window":
            per_parameter[parameter.name] = st.sampled_from(["last 30m", "since 09:40", "09:30 to 10:30", "2h", ""])
        else:
            per_parameter[parameter.name] = st.one_of(TRICKY_TEXT, st.from_regex(r"[A-Za-z0-9/_.-]{1,40}", fullmatch=True))

    @examples(function)
    @given(values=st.fixed_dictionaries({}, optional=per_parameter))
    def run(values: dict[str, str]) -> None:
        required = {p.name: "x" for p in function.parameters if p.required and p.name not in values}
        parameters = [{"name": k, "type": "string", "value": v} for k, v in {**required, **values}.items()]
        check_envelope(function, handler(function_event(function, parameters), None))

    run()
