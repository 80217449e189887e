"""Keep the decisive text of a line when it has to be shortened: the exception class and its message.

An error line cut at a fixed length loses what an engineer acts on ("java.lan…", "password authentication
fai…"). ``exception_in`` finds the exception (a class name ending in Exception/Error/Fault/Timeout, a runtime's
``errorType``/``errorMessage``, or a well-known failure phrase) and ``shorten`` cuts the line around it: the
beginning (what and where) and the exception with its message, joined by an ellipsis. ``⟦ ⟧`` fences stay
balanced, so fenced untrusted text never leaks out of its fence when the middle of it is cut.
"""

from __future__ import annotations

import re

FENCE_OPEN, FENCE_CLOSE = "⟦", "⟧"
ELLIPSIS = "…"
_CLASS = re.compile(r"(?:[A-Za-z_][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error|Fault|Timeout|Exceeded|Denied|Refused)\b")
_MESSAGE_END = re.compile(r"[\n⟧]|; nested exception is|\bCaused by\b|\s+at\s+[\w$.]+\(")
_RUNTIME = re.compile(r'"?errorType"?\s*[:=]\s*"?([\w.]+)"?.{0,40}?"?errorMessage"?\s*[:=]\s*"?([^"\n⟧]{0,200})', re.S)
_PHRASE = re.compile(
    r"(password authentication failed[^\n⟧]{0,120}|no space left on device[^\n⟧]{0,80}|too many connections[^\n⟧]{0,80}|"
    r"out of memory[^\n⟧]{0,80}|connection refused[^\n⟧]{0,80}|access denied[^\n⟧]{0,120}|"
    r"not authorized to perform[^\n⟧]{0,160}|name or service not known[^\n⟧]{0,80}|certificate[^\n⟧]{0,40}expired[^\n⟧]{0,60}|"
    r"timed? ?out[^\n⟧]{0,80})",
    re.I,
)
MESSAGE_CHARS = 160


def decisive_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the decisive part of an error line: the last exception class of a chain with its message,
    a runtime's errorType and errorMessage, or a known failure phrase; None when the line names none."""
    runtime = _RUNTIME.search(text)
    if runtime:
        return runtime.start(1), runtime.end(2)
    classes = list(_CLASS.finditer(text))
    if classes:
        last = classes[-1]  # the most specific: "... nested exception is java.sql.SQLException: ..."
        end = last.end()
        if text[end:end + 1] == ":":
            stop = _MESSAGE_END.search(text, end + 1, min(len(text), end + 1 + MESSAGE_CHARS))
            end = stop.start() if stop else min(len(text), end + 1 + MESSAGE_CHARS)
        return last.start(), end
    phrase = _PHRASE.search(text)
    return (phrase.start(1), phrase.end(1)) if phrase else None


def exception_in(text: str) -> str | None:
    """The decisive part of an error line (see ``decisive_span``)."""
    span = decisive_span(text)
    if span is None:
        return None
    found = text[span[0]:span[1]].strip()
    runtime = _RUNTIME.search(text)
    if runtime and span == (runtime.start(1), runtime.end(2)):
        return f"{runtime.group(1)}: {runtime.group(2).strip()}".rstrip(": ")
    return found


def _balanced(text: str) -> str:
    """Close a fence left open, open one left closed, so fenced text stays fenced."""
    opened = text.count(FENCE_OPEN) - text.count(FENCE_CLOSE)
    if opened > 0:
        return text + FENCE_CLOSE * opened
    if opened < 0:
        return FENCE_OPEN * -opened + text
    return text


def _fence_state(text: str) -> bool:
    """True when ``text`` ends inside an open fence."""
    return text.rfind(FENCE_OPEN) > text.rfind(FENCE_CLOSE)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, keeping its exception and message when it has one."""
    if len(text) <= limit:
        return text
    span = decisive_span(text)
    if span is None or span[1] <= limit - 2:
        return _balanced(text[: limit - 2] + ELLIPSIS)
    start, end = span
    keep = min(end - start, max(limit // 2, limit - 60))
    head = text[: max(0, limit - keep - 4)]
    tail = text[start: start + keep]
    inside = _fence_state(head)
    joined = head + (FENCE_CLOSE if inside else "") + ELLIPSIS + (FENCE_OPEN if inside else "") + tail
    if start + keep < len(text.rstrip(FENCE_CLOSE)):
        joined += ELLIPSIS
    return _balanced(joined)
