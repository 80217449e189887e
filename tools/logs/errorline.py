"""Is this log line an error? Structured fields first, then the text.

A line's own fields are the best witness: a JSON or logfmt line whose level says ``INFO`` or whose HTTP status is
2xx/3xx is not an error, whatever words its keys contain (an access log's ``"errorMessage":"-"``, a message
"retrying after error" logged at INFO). Decided in order:

1. a **level** field (``level``, ``severity``, ``levelname``, ``log.level``, ``@l``, ``lvl``, … or a numeric
   syslog/bunyan/pino level): error, fatal, critical… -> error; info, debug, trace, notice… -> not an error;
   warn -> undecided (a warning may or may not be the symptom: the text decides);
2. an **HTTP status** field (``status``, ``statusCode``, ``status_code``, ``elb_status_code``, ``httpStatus``, …):
   5xx -> error; 1xx-3xx -> not an error; 4xx -> undecided;
3. an **error field with a value** (``error``, ``exception``, ``stack_trace``, ``errorMessage``, …): a real value
   -> error; a placeholder (``-``, empty, ``null``, ``none``, ``false``) says nothing;
4. otherwise the fixed error words of ``matching.ERROR_REGEX``, applied to a JSON line's **values** only (keys
   such as ``errorMessage`` are names, not events), or to a text line as a whole.

Only lines that contain an error word are parsed (the fast filter stays in front), so the cost falls on candidate
lines.

The Logs Insights path (AWS mode) cannot run this code, so the same tables are turned into two fixed regexes on a
JSON line's raw text (``INSIGHTS_NOT_ERROR``: a level key with a quiet level or a status key with a 1xx-3xx code;
``INSIGHTS_ERROR_LEVEL``: a level key with an error level) and the queries add ``filter @message not like
/NOT_ERROR/ or @message like /ERROR_LEVEL/`` after the error words. They agree with ``is_error_line`` on
JSON objects, with three documented differences (pinned by ``tests/logs/test_errorline.py``): the regexes see
level and status keys at any depth (``_flatten`` reads two levels), they do not skip lines longer than
``MAX_PARSE``, and a JSON line whose only error word is a key (``"errorMessage":"-"`` with no level or status)
still passes the Insights filter. The AWS backend therefore also judges the newest lines it fetches with
``is_error_line``, so a sample shown is never a success line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tools.logs.matching import ERROR_REGEX, escape_literal

_ERROR_WORDS = re.compile(ERROR_REGEX)
_LEVEL_KEYS = ("level", "levelname", "severity", "log_level", "loglevel", "lvl", "log.level", "@l", "level_name",
               "severity_text", "severitytext")
_STATUS_KEYS = ("status", "statuscode", "status_code", "http_status", "httpstatus", "elb_status_code",
                "response_code", "responsecode", "http.status_code", "http.response.status_code", "sc-status")
_ERROR_KEYS = ("error", "err", "exception", "exc_info", "stack_trace", "stacktrace", "stack", "errormessage",
               "error_message", "error.message", "exception.message", "fault")
_ERROR_LEVELS = {"error", "err", "fatal", "critical", "crit", "alert", "emerg", "emergency", "panic", "severe", "e", "f"}
_QUIET_LEVELS = {"info", "information", "informational", "debug", "trace", "notice", "verbose", "fine", "finer",
                 "finest", "config", "i", "d", "t", "v"}
_PLACEHOLDERS = {"", "-", "null", "none", "nil", "false", "0", "n/a", "na", "undefined", "[]", "{}"}
_LOGFMT_KEYS = ("level", "lvl", "severity")
_LOGFMT_LEVEL = re.compile(r"(?i)(?:^|\s)(?:" + "|".join(_LOGFMT_KEYS) + r")=\"?([A-Za-z]+)")
LOGFMT_HEAD = 400  # characters of a text line searched for a logfmt level
MAX_PARSE = 20000  # characters of a line parsed as JSON; longer lines are judged by their text


def _level(value: Any) -> bool | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = int(value)
        if number >= 10:  # bunyan/pino: 10 trace .. 30 info, 40 warn, 50 error, 60 fatal
            return True if number >= 50 else (None if number == 40 else False)
        return True if number <= 3 else (None if number == 4 else False)  # syslog: 0 emerg .. 3 err, 4 warning
    text = str(value).strip().lower()
    if text in _ERROR_LEVELS:
        return True
    if text in _QUIET_LEVELS:
        return False
    return None


def _status(value: Any) -> bool | None:
    if isinstance(value, bool):
        return None
    try:
        code = int(str(value).strip())
    except ValueError:
        return None
    if 500 <= code <= 599:
        return True
    if 100 <= code <= 399:
        return False
    return None


def _flatten(record: dict[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Lower-cased dotted keys of nested objects (two levels: ``{"log": {"level": ...}}`` -> ``log.level``)."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{str(key).lower()}"
        if isinstance(value, dict) and depth < 2:
            flat.update(_flatten(value, name + ".", depth + 1))
        flat.setdefault(name, value)
        if prefix:  # a nested field is also known by its own name (http.status -> status)
            flat.setdefault(str(key).lower(), value)
    return flat


def _values(record: Any) -> str:
    """The values of a JSON document as text (keys left out)."""
    if isinstance(record, dict):
        return " ".join(_values(v) for v in record.values())
    if isinstance(record, list):
        return " ".join(_values(v) for v in record)
    return "" if record is None else str(record)


def structured_verdict(fields: dict[str, Any]) -> bool | None:
    """Rules 1-3 on a line's fields: True (error), False (not an error) or None (undecided)."""
    for key in _LEVEL_KEYS:
        if key in fields:
            verdict = _level(fields[key])
            if verdict is not None:
                return verdict
    for key in _STATUS_KEYS:
        if key in fields:
            verdict = _status(fields[key])
            if verdict is not None:
                return verdict
    for key in _ERROR_KEYS:
        value = fields.get(key)
        if value is None or isinstance(value, bool) and not value:
            continue
        if isinstance(value, (dict, list)) and value or str(value).strip().lower() not in _PLACEHOLDERS:
            return True
    return None


def _alternation(words: list[str]) -> str:
    return "(?:" + "|".join(escape_literal(w) for w in sorted(words, key=lambda w: (-len(w), w))) + ")"


def _numbers(verdict: bool) -> str:
    """The unquoted JSON numbers whose ``_level`` verdict is ``verdict`` (0-99 listed, 100 and above are
    bunyan/pino levels beyond fatal, negative ones syslog's below emerg: both errors)."""
    listed = [str(n) for n in range(100) if _level(n) is verdict]
    if verdict:  # tests/logs/test_errorline.py checks that _level says so beyond 99 and below 0
        listed += ["[1-9][0-9]{2,}", "-[0-9]+"]
    return "(?:" + "|".join(listed) + r")(?:\.[0-9]*)?"


def _success_codes() -> str:
    """The hundreds of HTTP status codes ``_status`` calls not an error (1xx-3xx), as a three-digit regex."""
    hundreds = [h for h in range(1, 10) if all(_status(h * 100 + n) is False for n in range(100))]
    return f"[{''.join(str(h) for h in hundreds)}][0-9]{{2}}"


_JSON_LINE = r"^\s*\{.*"  # a JSON object: the key may sit anywhere in it, also on a later line
_END = r"\s*(?:[,}\]]|$)"  # an unquoted number ends at a separator (so 200.5 or 2000 are not 200)
_LEVEL_KEY = rf'"{_alternation(list(_LEVEL_KEYS))}"\s*:\s*'
_STATUS_KEY = rf'"{_alternation(list(_STATUS_KEYS))}"\s*:\s*'
_QUIET_JSON = rf'{_LEVEL_KEY}(?:"\s*{_alternation(sorted(_QUIET_LEVELS))}\s*"|{_numbers(False)}{_END})'
_SUCCESS_JSON = rf'{_STATUS_KEY}(?:"\s*{_success_codes()}\s*"|{_success_codes()}{_END})'
_ERROR_JSON = rf'{_LEVEL_KEY}(?:"\s*{_alternation(sorted(_ERROR_LEVELS))}\s*"|{_numbers(True)}{_END})'
# logfmt (``_LOGFMT_LEVEL`` in a text line's head): level=info on a line that does not start with {
_QUIET_LOGFMT = (rf'^(?:\s*[^\s{{].{{0,{LOGFMT_HEAD - 2}}}\s|\s*){_alternation(list(_LOGFMT_KEYS))}='
                 rf'"?{_alternation(sorted(_QUIET_LEVELS))}(?:[^a-z]|$)')
# Fixed regex bodies for Logs Insights (RE2, also valid in Python), derived from the tables above.
INSIGHTS_NOT_ERROR = rf"(?is){_JSON_LINE}(?:{_QUIET_JSON}|{_SUCCESS_JSON})|{_QUIET_LOGFMT}"
INSIGHTS_ERROR_LEVEL = rf"(?is){_JSON_LINE}{_ERROR_JSON}"


def is_error_line(message: str) -> bool:
    """Whether ``message`` is an error line (see the module docstring for the order of the rules)."""
    text = message.lstrip()
    if text.startswith("{") and len(text) <= MAX_PARSE:
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            record = None
        if isinstance(record, dict):
            verdict = structured_verdict(_flatten(record))
            if verdict is not None:
                return verdict
            return _ERROR_WORDS.search(_values(record)) is not None
    level = _LOGFMT_LEVEL.search(message[:LOGFMT_HEAD])
    if level is not None:
        verdict = _level(level.group(1))
        if verdict is not None:
            return verdict
    return _ERROR_WORDS.search(message) is not None
