"""Masking of variable values in log messages: every value becomes ``<*>`` before templates are mined.

Always masked (one combined regular expression, longest and most specific shapes first): timestamps and dates,
UUIDs, ARNs, e-mail addresses, URLs, host names, IPs with ports, hexadecimal ids, clock times, long tokens
(base64, payloads), numbers with units (``12ms``, ``3.5MB``, ``0 bytes``, ``1024 bytes (1.0 KB)``, ``<1 sec``),
durations (``1h30m``, ``PT5M``, ``00:01``), JSON scalars (``"ms":12`` -> ``"ms":<*>``, ``"id":"u-7"`` -> ``"id":<*>``;
``"level":"ERROR"`` stays), and any other token
holding a digit (request ids, paths with ids, versions, sizes).

Two optional kinds form the *masking set* of a configuration (chosen by the leave-one-system-out bench,
``bench/logs_loso.py``, never per system):

- ``kv``: word values of ``key=value`` and ``key: value`` pairs (``user=root`` -> ``user=<*>``); values holding a
  digit are masked in every set, in place, so the key stays in the template.
- ``quoted``: quoted strings (``'C:\\Temp\\a.log'`` -> ``'<*>'``; JSON keys are kept).

Every character class and literal here treats all ASCII digits alike (no literal digit but the ``0`` of ``0x``):
``_MaskMemo`` in ``tools.logs.miner`` relies on it and checks it (``digit_blind``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from tools.common.patterns import ARN_IN_TEXT, UUID_ANY_CASE

WILDCARD = "<*>"

OPTIONAL_KINDS = ("kv", "quoted")

_UNITS = (
    "(?:[num\u00b5]s|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|"
    r"[KMGTP]i?B|B|bytes?|[kKMG]b|[kKMG]bps|bps|Hz|[kMG]Hz|%)"
)
_NUMBER = r"[<>~]?-?\d+(?:[.,]\d+)?"

# Ordered alternatives: the first that matches at a position wins (longer, more specific shapes first).
MASKS: tuple[tuple[str, str], ...] = (
    ("TS", r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T :.-]\d{1,2}[:.]\d{2}[:.]\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"),
    ("DATE", r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
             r"\s+\d{1,2}(?:,?\s+\d{4})?(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)?(?:\s+\d{4})?\b"),
    ("UUID", r"\b" + UUID_ANY_CASE + r"\b"),
    ("ARN", ARN_IN_TEXT),
    ("EMAIL", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    ("URL", r"\b[a-zA-Z][\w+.-]*://[^\s\"'<>]+"),
    ("PAREN", r"(?<=\s)\((?:[^()\s]*[\d.][^()\s]*)?\)(?=\s|$)"),  # a parenthesised value, or an empty one
    ("HOST", r"\(?\b(?:[A-Za-z0-9-]+\.)+(?:com|net|org|edu|gov|mil|int|io|info|biz|us|uk|de|fr|jp|cn|hk|ru|br|in|au|"
             r"kr|tw|nl|local|internal|localdomain|lan)\b(?![.\w])(?::\d{1,5})?\)?"),  # not java.net.Foo
    ("IP", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w.])"),
    ("HEX", r"\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"),
    ("CLOCK", r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"),
    # A number and its unit, also written apart, and the same amount in another unit in parentheses:
    # "0 bytes", "1024 bytes (1.0 KB)", "<1 sec", "12 ms".
    ("UNIT", _NUMBER + r"\s?" + _UNITS + r"(?![\w.])(?:\s\(" + _NUMBER + r"\s?" + _UNITS + r"\))?"),
    ("DURATION", r"\bP(?:\d+[YMWD])*T(?:\d+(?:\.\d+)?[HMS])+\b|\b(?:\d+(?:\.\d+)?(?:d|h|m|s|ms)){2,}\b"),
    ("LONG", r"[\w+/=-]{40,}"),  # payloads, base64, long tokens
    # Any other token holding a digit: request ids, block ids, host:port, versions, sizes, paths with ids.
    # The whole token: word characters and the punctuation found inside ids, paths, queries and versions.
    # A trailing "." or ":" ends a sentence or a "host: message" prefix, not the value.
    ("ID", r"(?<![\w<])<?[\w.:/@#$%+~{}!&?=|\\-]*\d(?:[\w.:/@#$%+~{}!&?=|\\<>-]*[\w/@#$%+~{}!&?=|\\<>-])?"),
)
# Every mask starts at a token boundary, in a token that holds a digit, @ . : ( < ~ or starts a date or an
# ISO duration: the leading look-around lets the engine skip plain words fast.
_MASK_START = (r"(?<!\w)(?=[^\s\"',;]*[\d@.:(]|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)|"
               r"[\w+/=-]{40})")
_MASK_RE = re.compile(_MASK_START + "(?:" + "|".join(f"(?:{pattern})" for _name, pattern in MASKS) + ")")

# JSON values: a number, literal, or one-word string holding a digit right after a quoted key and a colon (the
# key stays; a string of words such as a message is masked token by token like any text).
_JSON_VALUE = re.compile(r'(?<=":)(\s*)(?:"[^"\s\\]*\d[^"\s\\]*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])|true|false|null)')
# kv: the value of key=value (up to a separator) and of "key: value" (a lower-case key; one token)
_KV_EQUALS = re.compile(r"(?<=[\w\]]=" + "\x01" + r" )(?!<\*>)[^\s,;&=\"'()\[\]{}<>]+")
_KV_COLON = re.compile(r"(?<![\w.])([a-z][a-z_-]+: )(?!<\*>)([^\s,;\"'()\[\]{}<>]+)(?=[,;]?\s+[A-Za-z][\w-]*(?::\s|=)|[,;]?\s*$)")
# quoted: a string in single or double quotes that is not a JSON key; the quotes stay
_QUOTED = re.compile(r"(?<!\w)'[^'\n]+'(?!\w)|(?<![\w\\])\"(?!<\*>\")[^\"\n]+\"(?!\s*:)")
_RUNS = re.compile(r"<\*>(?:[\s:/._-]*<\*>)+")
# key=value is split after "=" with a mark: the miners see the key and the value as two tokens (so a value
# becomes <*> while the key stays, and "key=" with no value differs in length from "key=value"); templates
# are shown joined again (``join_marks``).
SPLIT_MARK = "\x01"
_KEY_VALUE = re.compile(r"(?<=[\w\]])=(?=[^\s=])")


def _quoted(match: re.Match[str]) -> str:
    text = match.group(0)
    return text[0] + WILDCARD + text[-1]


@lru_cache(maxsize=None)
def masker(kinds: frozenset[str] = frozenset()) -> "Masker":
    """The masker of a masking set (a subset of ``OPTIONAL_KINDS``), built once."""
    unknown = kinds - set(OPTIONAL_KINDS)
    if unknown:
        raise ValueError(f"unknown masking kinds {sorted(unknown)}; known: {', '.join(OPTIONAL_KINDS)}")
    return Masker(kinds)


class Masker:
    """``mask(message)`` for one masking set; see the module docstring."""

    def __init__(self, kinds: frozenset[str]) -> None:
        self.kinds = kinds
        self._kv = "kv" in kinds
        self._quoted = "quoted" in kinds

    def __call__(self, message: str) -> str:
        if SPLIT_MARK in message:
            message = message.replace(SPLIT_MARK, "")
        if "=" in message:
            message = _KEY_VALUE.sub("=" + SPLIT_MARK + " ", message)
        if '":' in message:
            message = _JSON_VALUE.sub(r"\1" + WILDCARD, message)
        if self._quoted and ("'" in message or '"' in message):
            message = _QUOTED.sub(_quoted, message)
        message = _MASK_RE.sub(WILDCARD, message)
        if self._kv:
            if "=" in message:
                message = _KV_EQUALS.sub(WILDCARD, message)
            if ": " in message:
                message = _KV_COLON.sub(r"\1" + WILDCARD, message)
        return _RUNS.sub(WILDCARD, message) if "<*>" in message else message


def join_marks(template: str) -> str:
    """A template as the user reads it: ``key=<*>``, not the miner's two tokens."""
    return template.replace(SPLIT_MARK + " ", "").replace(SPLIT_MARK, "") if SPLIT_MARK in template else template


def digit_blind() -> bool:
    """True while the expressions name no digit but in \\d, 0-9, counts {m,n} and the one "0[xX]"."""
    patterns = [pattern for _name, pattern in MASKS] + [_MASK_START]
    patterns += [p.pattern for p in (_JSON_VALUE, _KV_EQUALS, _KV_COLON, _QUOTED, _RUNS, _KEY_VALUE)]
    text = re.sub(r"\{\d+(?:,\d*)?\}|0-9|\\b0\[xX\]", "", "".join(patterns))
    return re.search(r"[0-9]", text) is None
