"""Parameter casting and JSON Schema validation: bad input names the parameter and the accepted form."""

from __future__ import annotations

import pytest

from tools import catalogue
from tools.common.errors import InputError
from tools.common.params import parse_parameters

SEARCH = catalogue.find("logs", "search_logs")
CHANGES = catalogue.find("cloudtrail", "list_changes")
ALB = catalogue.find("alb", "summarize_alb_traffic")


def p(name: str, value: object, kind: str = "string") -> dict:
    return {"name": name, "type": kind, "value": value}


def test_casts_declared_types_regardless_of_event_type() -> None:
    values = parse_parameters(SEARCH, [p("match", "timeout"), p("limit", "25", "string")])
    assert values == {"match": "timeout", "limit": 25}
    assert parse_parameters(CHANGES, [p("include_read_only", "yes", "boolean")]) == {"include_read_only": True}
    assert parse_parameters(CHANGES, [p("include_read_only", "FALSE", "boolean")]) == {"include_read_only": False}
    assert parse_parameters(SEARCH, [p("match", "x"), p("limit", "7.0", "integer")])["limit"] == 7


def test_empty_optional_values_count_as_absent() -> None:
    assert parse_parameters(SEARCH, [p("match", "x"), p("window", ""), p("log_group", "  ")]) == {"match": "x"}


def test_missing_required_parameter() -> None:
    with pytest.raises(InputError) as err:
        parse_parameters(SEARCH, [p("limit", "5")])
    assert err.value.parameter == "match"
    assert "required" in str(err.value)


@pytest.mark.parametrize(
    "params, name, fragment",
    [
        ([p("match", "x"), p("limit", "many")], "limit", "whole number from 1 to 50"),
        ([p("match", "x"), p("limit", "0")], "limit", "whole number from 1 to 50"),
        ([p("match", "x"), p("limit", True)], "limit", "whole number"),
        ([p("status_class", "6xx")], "status_class", "one of 2xx, 3xx, 4xx, 5xx"),
        ([p("bucket_minutes", "3")], "bucket_minutes", "one of 1, 5"),
        ([p("path_prefix", "no-slash")], "path_prefix", "path_prefix"),
        ([p("load_balancer", "x'; DROP TABLE t;--")], "load_balancer", "load_balancer"),
    ],
)
def test_invalid_values_reprompt_with_accepted_form(params: list, name: str, fragment: str) -> None:
    function = SEARCH if params[0]["name"] == "match" else ALB
    with pytest.raises(InputError) as err:
        parse_parameters(function, params)
    assert err.value.parameter == name
    assert fragment in str(err.value)


def test_unknown_parameter_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as err:
        parse_parameters(SEARCH, [p("match", "x"), p("start", "09:40")])
    assert err.value.parameter == "start"
    assert "match, window, log_group, limit" in str(err.value)


def test_repeated_parameter_is_refused() -> None:
    with pytest.raises(InputError, match="more than once"):
        parse_parameters(SEARCH, [p("match", "x"), p("match", "y")])


@pytest.mark.parametrize("raw", ["not a list", 42, [1, 2], [{"value": "x"}]])
def test_malformed_parameter_lists(raw: object) -> None:
    with pytest.raises(InputError) as err:
        parse_parameters(SEARCH, raw)
    assert err.value.parameter == "parameters"


def test_boolean_garbage_and_huge_values() -> None:
    with pytest.raises(InputError, match="true or false"):
        parse_parameters(CHANGES, [p("include_read_only", "maybe")])
    with pytest.raises(InputError, match="characters long"):
        parse_parameters(SEARCH, [p("match", "x" * 5000)])
    with pytest.raises(InputError, match="match"):
        parse_parameters(SEARCH, [p("match", "x" * 301)])
