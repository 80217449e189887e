"""What a log line must match: the fixed error filter, and the model's ``match``/``contains`` values validated.

``parse_match`` reads search_logs' ``match``: plain text (case-insensitive), ``/regex/`` (compiled with a length
cap, refused when it looks catastrophic, applied to bounded text), or a pattern id ``L-xxxxxxxx``. The
``insights_*`` helpers turn validated values into the body of an Insights ``/.../`` regex literal: every
character that could end the literal is escaped, so the model never writes query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from tools.common.errors import InputError

# The fixed definition of an error-ish line, shared by the snapshot scan and the Insights queries.
ERROR_REGEX = (
    r"(?i)(error|exception|fatal|panic|critical|severe|traceback|timed out|timeout|failed|failure|"
    r"refused|denied|unavailable|throttl|unreachable)"
)
_ERROR = re.compile(ERROR_REGEX)
_FATAL = re.compile(r"(?i)\b(fatal|panic|critical|emerg)")
_WARN = re.compile(r"(?i)\bwarn(ing)?\b")

MAX_REGEX = 200
MATCH_TEXT_LIMIT = 4000  # characters of a message a regex is applied to (bounds the work of one match)
PATTERN_ID = re.compile(r"^L-[0-9a-f]{8}$")
# Nested quantifiers ("(a+)+", "(\w*)*"), repeated alternations ("(a|aa){2,}") and backreferences can
# backtrack exponentially.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}|](?:[^()\\]|\\.)*\)\s*[+*{]")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\\k<")
_ACCEPTED = "plain text, a regular expression written as /.../ (at most 200 characters), or a pattern id L-xxxxxxxx"


def is_error(message: str) -> bool:
    return _ERROR.search(message) is not None


def severity(message: str) -> str:
    """fatal, warn or error, from the words of a line."""
    if _FATAL.search(message):
        return "fatal"
    if _WARN.search(message) and not re.search(r"(?i)\berror\b|exception", message):
        return "warn"
    return "error"


@dataclass(frozen=True)
class Match:
    """A validated ``match`` value: ``kind`` is text, regex or pattern_id."""

    kind: Literal["text", "regex", "pattern_id"]
    value: str
    compiled: re.Pattern[str] | None = None

    def matches(self, message: str) -> bool:
        if self.kind == "text":
            return self.value.lower() in message.lower()
        if self.compiled is not None:
            return self.compiled.search(message[:MATCH_TEXT_LIMIT]) is not None
        return False

    def describe(self) -> str:
        return {"text": "text", "regex": "regex", "pattern_id": "pattern"}[self.kind] + f" {self.value}"


def validate_regex(pattern: str, parameter: str = "match") -> re.Pattern[str]:
    """Compile a user regex after the safety checks; InputError naming ``parameter`` otherwise."""
    if not pattern:
        raise InputError(parameter, "the regular expression between the slashes is empty", _ACCEPTED)
    if len(pattern) > MAX_REGEX:
        raise InputError(parameter, f"the regular expression is {len(pattern)} characters long", _ACCEPTED)
    if "\n" in pattern or "\r" in pattern:
        raise InputError(parameter, "the regular expression contains a line break", _ACCEPTED)
    if _NESTED_QUANTIFIER.search(pattern) or _BACKREFERENCE.search(pattern):
        raise InputError(
            parameter,
            "the regular expression has nested quantifiers or backreferences, which can run for ever",
            "a simpler expression such as /timed? ?out.*dynamodb/",
        )
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        raise InputError(parameter, f"is not a valid regular expression ({exc})", _ACCEPTED) from None


def parse_match(text: str) -> Match:
    value = text.strip()
    if PATTERN_ID.match(value):
        return Match("pattern_id", value)
    if re.match(r"^[lL]-[0-9a-fA-F]{8}$", value):
        return Match("pattern_id", "L-" + value[2:].lower())
    if len(value) >= 2 and value.startswith("/") and value.endswith("/"):
        body = value[1:-1]
        return Match("regex", body, validate_regex(body))
    if not value:
        raise InputError("match", "is empty", _ACCEPTED)
    return Match("text", value)


# --- Insights regex literals ------------------------------------------------------------------


def escape_slashes(pattern: str) -> str:
    """Escape every ``/`` that is not already part of an escape pair, so ``/.../`` cannot be closed early."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "\\":  # a lone trailing backslash would escape the closing slash
            out.append("\\\\")
        elif char == "/":
            out.append("\\/")
        elif char in "\n\r":
            out.append(" ")
        else:
            out.append(char)
        index += 1
    return "".join(out)


_SPECIAL = frozenset("\\.^$|?*+()[]{}/")


def escape_literal(text: str) -> str:
    """``text`` as a regex matching it literally, valid in Python and in Logs Insights (RE2): only regex
    metacharacters and ``/`` are escaped (RE2 rejects escaped letters or spaces); line breaks become spaces."""
    return "".join("\\" + ch if ch in _SPECIAL else (" " if ch in "\n\r" else ch) for ch in text)


def insights_text(text: str) -> str:
    """A case-insensitive Insights regex body matching ``text`` literally."""
    return "(?i)" + escape_literal(text)


def insights_regex(match: Match) -> str:
    """The Insights regex body of a validated text or regex match."""
    if match.kind == "text":
        return insights_text(match.value)
    return "(?i)" + escape_slashes(match.value)
