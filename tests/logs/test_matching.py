"""Validation of match values and their escaping into Insights regex literals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.common.errors import InputError
from tools.logs.matching import escape_literal, escape_slashes, insights_regex, parse_match, severity


def unescaped_slashes(body: str) -> int:
    """Slashes that would end an Insights /.../ literal."""
    count, index = 0, 0
    while index < len(body):
        if body[index] == "\\":
            index += 2
            continue
        count += body[index] == "/"
        index += 1
    return count


@given(st.text(max_size=200))
def test_text_never_closes_the_regex_literal(text: str) -> None:
    body = insights_regex(parse_match(text)) if text.strip() else "(?i)"
    assert unescaped_slashes(body) == 0 and "\n" not in body


@given(st.text(max_size=200))
def test_escaped_literal_matches_itself(text: str) -> None:
    flat = text.replace("\n", " ").replace("\r", " ")
    assert re.fullmatch(escape_literal(text), flat)


@given(st.text(alphabet="ab/\\()*+.", max_size=60))
def test_regex_bodies_never_close_the_literal(pattern: str) -> None:
    assert unescaped_slashes(escape_slashes(pattern)) == 0


def test_match_kinds() -> None:
    assert parse_match("L-3f9a2c1d").kind == "pattern_id"
    assert parse_match("l-3F9A2C1D").value == "L-3f9a2c1d"
    regex = parse_match("/timed? ?out/")
    assert regex.kind == "regex" and regex.matches("Connect TIMED OUT")
    assert parse_match("OrderService").matches("at orderservice.java")


@pytest.mark.parametrize("value", ["/(a+)+/", "/(x*)*y/", "/(a|aa){2,}b/", "/(a)\\1/", "/(?P<x>a)(?P=x)/", "/[z/", "/" + "a" * 201 + "/", "//"])
def test_bad_regexes_are_refused(value: str) -> None:
    with pytest.raises(InputError) as error:
        parse_match(value)
    assert error.value.parameter == "match"


def test_severity_words() -> None:
    assert severity("FATAL out of memory") == "fatal"
    assert severity("WARN retry 3 failed") == "warn"
    assert severity("ERROR boom") == "error"
