"""Times in an on-call question: "since 09:40", "since about 14:20", "between 10:00 and 10:30", "last 15 minutes",
"from 9:40am to 10:10", "2 hours ago", "yesterday same time" (a comparison window).

The question is cut into words; a small table of anchors (``since``, ``between … and``, ``last``, ``ago``, ...)
says which words hold a time and what the time means; each time of day or date is read by ``dateparser``
(relative to "now": the snapshot's end in snapshot mode), never by hand. A time that cannot be a time
("since 25:99") is reported as a problem instead of being replaced by a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tools.common.timewindow import UTC, Window, iso, parse_duration

# Filler between an anchor and its time ("since about 14:20", "from around 9:40").
_FILLER = frozenset({"about", "around", "approximately", "approx", "roughly", "~", "ca", "circa", "like", "maybe"})
# Words that end a time phrase.
_STOP = frozenset({"and", "to", "until", "till", "through", "what", "why", "who", "which", "in", "on", "for", "only",
                   "with", "where", "when", "is", "are", "was", "were", "the", "?", ",", ".", "!", "compared",
                   "vs", "versus", "than", "please", "show", "ago", "-", "–"})
# "Compare with yesterday": a window one day earlier, same clock times.
_COMPARISON = (("same", "time", "yesterday"), ("yesterday", "same", "time"), ("compare", "to", "yesterday"),
               ("compared", "to", "yesterday"), ("compare", "with", "yesterday"), ("vs", "yesterday"),
               ("than", "yesterday"), ("versus", "yesterday"), ("yesterday", "at", "this", "time"),
               ("this", "time", "yesterday"))
_WORDS_ONLY = re.compile(r"~|[\w:.+-]+|[?,!–]")
_CLOCK = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::(\d{2}))?(am|pm|z|utc)?$")
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "fifteen": 15,
                 "twenty": 20, "thirty": 30, "few": 3, "couple": 2, "half": 0.5}
_UNIT = re.compile(r"^(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)$")
_MAX_PHRASE_WORDS = 4
_CLOCK_RANGE = re.compile(r"(\d{1,2}[:.]\d{2}(?:\s*[ap]m)?)\s*[-–]\s*(\d{1,2}[:.]\d{2})")
# "23:50 to 00:10" crosses midnight; "10:30 to 10:00" is a mistake, not a 23.5-hour window.
_MIDNIGHT_GAP = timedelta(hours=12)


@dataclass(frozen=True)
class TimeAsk:
    """What a question says about time: a window (None: not said), a comparison with the day before, a problem."""

    window: Window | None = None
    comparison: bool = False
    problem: str | None = None
    phrase: str = ""


def _words(text: str) -> list[str]:
    spaced = _CLOCK_RANGE.sub(r"\1 - \2", text.lower())  # '10:00-10:30' -> '10:00 - 10:30'
    return _WORDS_ONLY.findall(spaced)


def _instant(words: list[str], now: datetime) -> tuple[datetime | None, str | None]:
    """One time from the words after an anchor: (moment, None), or (None, why not)."""
    import dateparser  # a few hundred ms to import: only when a question has a time in it

    phrase: list[str] = []
    for word in words:
        if word in _FILLER and not phrase:
            continue
        if word in _STOP or len(phrase) >= _MAX_PHRASE_WORDS:
            break
        phrase.append(word)
    text = " ".join(phrase).strip()
    if not text:
        return None, None
    clock = _CLOCK.match(phrase[0]) or _CLOCK.match(text.replace(" ", ""))
    if clock and (int(clock.group(1)) > 23 or int(clock.group(2)) > 59 or (clock.group(4) in ("am", "pm") and int(clock.group(1)) > 12)):
        return None, f"'{clock.group(0)}' is not a time of day (hours 0-23, minutes 0-59)"
    settings = {"RELATIVE_BASE": now.astimezone(UTC).replace(tzinfo=None), "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC",
                "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DATES_FROM": "past"}
    moment = dateparser.parse(text, languages=["en"], settings=settings)
    while moment is None and len(phrase) > 1:  # "09:40 checkout" -> "09:40"
        phrase.pop()
        moment = dateparser.parse(" ".join(phrase), languages=["en"], settings=settings)
    if moment is None:
        if re.search(r"\d", text):
            return None, f"'{text}' is not a time I can read"
        return None, None
    moment = moment.astimezone(UTC)
    if moment > now + timedelta(minutes=1):
        moment -= timedelta(days=1)  # a clock time still ahead of now means yesterday's
    return moment, None


def _duration(words: list[str]) -> timedelta | None:
    """'15 minutes', 'hour', 'half an hour', '2h', 'couple of hours' -> timedelta."""
    count: float = 1.0
    for word in words[:4]:
        if word in ("of", "the"):
            continue
        if word in _NUMBER_WORDS:
            count = _NUMBER_WORDS[word] if word != "half" else count * 0.5
            continue
        if re.fullmatch(r"\d+(\.\d+)?", word):
            count = float(word)
            continue
        if re.fullmatch(r"\d+(\.\d+)?[a-z]+", word):  # '2h', '15min'
            try:
                return parse_duration(word)
            except ValueError:
                return None
        if _UNIT.match(word):
            return parse_duration(f"{count:g}{word}")
        return None
    return None


def read_times(question: str, now: datetime) -> TimeAsk:
    """The window a question asks about (relative to ``now``), whether it compares with yesterday, or a problem."""
    words = _words(question)
    comparison = any(_contains(words, pattern) for pattern in _COMPARISON)
    for i, word in enumerate(words):
        after = words[i + 1:]
        if word == "between" or (word == "from" and any(w in ("to", "until", "till", "and", "-", "–") for w in after)):
            return _range(after, now, comparison)
        if word in ("since", "from", "after") and after:
            start, problem = _instant(after, now)
            if problem:
                return TimeAsk(problem=problem, comparison=comparison)
            if start is not None:
                return _checked(Window(start, now), comparison, f"{word} {iso(start)}", now)
        if word in ("last", "past", "previous") and after:
            span = _duration(after)
            if span is not None:
                return _checked(Window(now - span, now), comparison, f"last {span}", now)
        if word == "ago" and i > 0:
            start_words = words[max(0, i - 3):i]
            span = _duration(start_words[-2:]) or _duration(start_words)
            if span is not None:
                return _checked(Window(now - span, now), comparison, f"{span} ago", now)
    # a bare clock range "10:00-10:30" / "10:00 to 10:30"
    for i, word in enumerate(words):
        if _CLOCK.match(word) and i + 2 < len(words) and words[i + 1] in ("to", "-", "–", "until") and _CLOCK.match(words[i + 2]):
            return _range(words[i:], now, comparison)
    return TimeAsk(comparison=comparison)


def _range(words: list[str], now: datetime, comparison: bool) -> TimeAsk:
    start, problem = _instant(words, now)
    if problem or start is None:
        return TimeAsk(problem=problem or "I could not read the start of that range", comparison=comparison)
    rest = next((words[j + 1:] for j, w in enumerate(words) if w in ("and", "to", "until", "till", "-", "–")), [])
    end, problem = _instant(rest, now)
    if problem or end is None:
        return TimeAsk(problem=problem or "I could not read the end of that range", comparison=comparison)
    if end <= start and start - end >= _MIDNIGHT_GAP:
        if end + timedelta(days=1) <= now + timedelta(minutes=1):
            end += timedelta(days=1)
        else:
            start -= timedelta(days=1)
    return _checked(Window(start, end), comparison, f"{iso(start)} to {iso(end)}", now)


def _checked(window: Window, comparison: bool, phrase: str, now: datetime) -> TimeAsk:
    if window.start >= window.end:
        return TimeAsk(problem=f"that window ends before it starts ({window})", comparison=comparison)
    if window.start > now:
        return TimeAsk(problem=f"{iso(window.start)} is after now ({iso(now)})", comparison=comparison)
    return TimeAsk(window=window, comparison=comparison, phrase=phrase)


def _contains(words: list[str], pattern: tuple[str, ...]) -> bool:
    n = len(pattern)
    return any(tuple(words[i:i + n]) == pattern for i in range(len(words) - n + 1))


def yesterday(window: Window) -> Window:
    """The same clock times one day earlier."""
    return Window(window.start - timedelta(days=1), window.end - timedelta(days=1))
