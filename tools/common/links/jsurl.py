"""The tilde notation the CloudWatch console keeps its state in (``#metricsV2:graph=~(...)``, Logs Insights'
``queryDetail=~(...)``, X-Ray's ``traces/query?~(...)``): JSURL, JSON rewritten to be URL-safe and short.

Every value starts with ``~``: ``~'text`` (a string), ``~12.5``, ``~true``/``~false``/``~null``, ``~(~v~v)`` (an
array; ``~(~)`` when empty), ``~(key~v~key~v)`` (an object). In strings and keys every character but letters,
digits, ``_ - .`` is written ``*hh`` (``**hhhh`` above U+00FF), and ``$`` is ``!``. So ``/`` is ``*2f``, ``:`` is
``*3a`` and the metric namespace ``AWS/ApplicationELB`` is ``'AWS*2fApplicationELB``, as the console writes it.
``dumps`` and ``loads`` are inverse: ``loads(dumps(v)) == v`` for JSON values (numbers as int or float) whose
object keys are not empty.
"""

from __future__ import annotations

import re
from typing import Any

_SAFE = re.compile(r"[A-Za-z0-9_.\-]")
_LITERALS = {"true": True, "false": False, "null": None}


class JsurlError(ValueError):
    """The text is not valid tilde notation; the message says where."""


def _escape(text: str) -> str:
    out = []
    for ch in text:
        if _SAFE.fullmatch(ch):
            out.append(ch)
        elif ch == "$":
            out.append("!")
        elif ord(ch) < 0x100:
            out.append(f"*{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"**{ord(ch):04x}")
        else:  # outside the BMP: the console (JavaScript) writes UTF-16 surrogate pairs
            code = ord(ch) - 0x10000
            out.append(f"**{0xD800 + (code >> 10):04x}**{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)


def dumps(value: Any) -> str:
    """``value`` (dict, list/tuple, str, int, float, bool, None) in tilde notation."""
    if value is None or value is True or value is False:
        return "~" + {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            return "~null"
        return "~" + (str(value) if isinstance(value, int) else repr(value)).replace("+", "")
    if isinstance(value, str):
        return "~'" + _escape(value)
    if isinstance(value, (list, tuple)):
        return "~(" + ("".join(dumps(v) for v in value) or "~") + ")"
    if isinstance(value, dict):
        if "" in value:  # "~(~..." would read back as an array
            raise ValueError("tilde notation has no empty keys")
        return "~(" + "~".join(_escape(str(k)) + dumps(v) for k, v in value.items()) + ")"
    raise TypeError(f"cannot write {type(value).__name__} in tilde notation")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.i = text, 0

    def fail(self, what: str) -> JsurlError:
        return JsurlError(f"{what} at character {self.i} of {self.text[:80]!r}")

    def eat(self, expected: str) -> None:
        if self.text[self.i:self.i + 1] != expected:
            raise self.fail(f"expected {expected!r}")
        self.i += 1

    def string(self) -> str:
        text, out = self.text, []
        while self.i < len(text) and text[self.i] not in "~)":
            ch = text[self.i]
            if ch == "*":
                width = 4 if text[self.i + 1:self.i + 2] == "*" else 2
                start = self.i + (2 if width == 4 else 1)
                digits = text[start:start + width]
                if len(digits) != width or not re.fullmatch(r"[0-9a-fA-F]+", digits):
                    raise self.fail("bad escape")
                out.append(chr(int(digits, 16)))
                self.i = start + width
            elif ch == "!":
                out.append("$")
                self.i += 1
            else:
                out.append(ch)
                self.i += 1
        joined = "".join(out)
        return joined.encode("utf-16", "surrogatepass").decode("utf-16") if any(
            0xD800 <= ord(c) <= 0xDFFF for c in joined) else joined

    def value(self) -> Any:
        self.eat("~")
        ch = self.text[self.i:self.i + 1]
        if ch == "(":
            self.i += 1
            if self.text[self.i:self.i + 1] == "~":  # an array
                items: list[Any] = []
                if self.text[self.i:self.i + 2] == "~)":
                    self.i += 1
                else:
                    while self.text[self.i:self.i + 1] == "~":
                        items.append(self.value())
                self.eat(")")
                return items
            obj: dict[str, Any] = {}
            if self.text[self.i:self.i + 1] != ")":
                while True:
                    key = self.string()
                    obj[key] = self.value()
                    if self.text[self.i:self.i + 1] != "~":
                        break
                    self.i += 1
            self.eat(")")
            return obj
        if ch == "'":
            self.i += 1
            return self.string()
        start = self.i
        while self.i < len(self.text) and self.text[self.i] not in "~)":
            self.i += 1
        word = self.text[start:self.i]
        if word in _LITERALS:
            return _LITERALS[word]
        try:
            number = float(word)
        except ValueError:
            raise self.fail(f"unknown value {word[:20]!r}") from None
        return int(number) if re.fullmatch(r"-?\d+", word) else number


def loads(text: str) -> Any:
    """The value ``text`` (tilde notation) holds; ``JsurlError`` when it is not well formed."""
    reader = _Reader(text)
    value = reader.value()
    if reader.i != len(text):
        raise reader.fail("trailing text")
    return value
