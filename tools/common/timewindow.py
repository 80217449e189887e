"""Time windows: parse what an operator or a model writes into a bounded UTC window.

Accepted forms (all UTC unless a zone or offset is given):

* relative: ``last 30m``, ``past 2 hours``, ``2h``, ``90 minutes``, ``since 09:40``, ``from 09:40``
* absolute pairs: ``A/B``, ``A to B``, ``A until B``, ``A .. B``, ``between A and B``, ``A - B``
* a single point ``A``: from A until now
* points: ISO 8601 (``2026-11-20T09:40``, ``...Z``, ``...+02:00``), ``2026-11-20 09:40``, ``09:40[:SS]``
  (today, or yesterday when that is still ahead of now), epoch seconds or milliseconds, ``now``, ``2h ago``.

"Now" is the caller's clock: the real time in AWS, the manifest's ``end`` in snapshot mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tools.common.errors import InputError

UTC = timezone.utc
ACCEPTED = (
    "'last 30m', '2h', 'since 09:40', '09:40 to 10:10', '2026-11-20T09:40Z/2026-11-20T10:10Z', "
    "or epoch seconds/ms like '1795136400/1795140000'"
)

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]+)$")
_COMPOUND = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(z|utc|gmt|[+-]\d{2}:?\d{2})?$")
_EPOCH = re.compile(r"^\d{9,13}(\.\d+)?$")
_ZONE_WORD = re.compile(r"\s*(utc|gmt)$")
_MAX_TEXT = 120


@dataclass(frozen=True)
class Window:
    """A half-open UTC time window [start, end)."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def baseline(self) -> Window:
        """The equal-length window just before this one."""
        return Window(self.start - (self.end - self.start), self.start)

    def widen(self, before: timedelta = timedelta(0), after: timedelta = timedelta(0)) -> Window:
        return Window(self.start - before, self.end + after)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end

    def clip(self, other: Window) -> Window | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Window(start, end) if start < end else None

    def encode(self) -> str:
        return f"{iso(self.start)}/{iso(self.end)}"

    @classmethod
    def decode(cls, text: str) -> Window | None:
        """Read a window written by ``encode`` (e.g. from session attributes); None when unreadable."""
        try:
            start_text, end_text = text.split("/", 1)
            start, end = parse_instant(start_text, datetime.now(UTC)), parse_instant(end_text, datetime.now(UTC))
        except (ValueError, InputError):
            return None
        return cls(start, end) if start < end else None

    def __str__(self) -> str:
        return f"{iso(self.start)} to {iso(self.end)}"


def iso(moment: datetime) -> str:
    """Compact ISO 8601 UTC with a Z, seconds precision (milliseconds when present)."""
    moment = moment.astimezone(UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def from_epoch(value: float) -> datetime:
    """Epoch seconds or milliseconds (told apart by magnitude) to an aware UTC datetime."""
    seconds = value / 1000.0 if value > 1e11 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"epoch value {value} is out of range") from None


def parse_duration(text: str) -> timedelta:
    """``30m``, ``2 hours``, ``1h30m``, ``90 minutes`` -> timedelta; ValueError otherwise."""
    text = text.strip().lower()
    parts = _COMPOUND.findall(text)
    if not parts or _COMPOUND.sub("", text).strip():
        raise ValueError(f"not a duration: {text!r}")
    total = 0.0
    for number, unit in parts:
        if unit not in _UNITS:
            raise ValueError(f"unknown unit {unit!r}")
        total += float(number) * _UNITS[unit]
    if total <= 0 or total > 10 * 365 * 86400:
        raise ValueError("duration out of range")
    return timedelta(seconds=total)


def _parse_offset(text: str | None) -> timezone:
    if not text or text.lower() in ("z", "utc", "gmt"):
        return UTC
    sign = 1 if text[0] == "+" else -1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        raise ValueError(f"bad offset {text}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_instant(text: str, now: datetime) -> datetime:
    """One point in time; raises ValueError with a short reason when unreadable."""
    raw = text.strip()
    lower = raw.lower()
    if not raw:
        raise ValueError("empty time")
    if lower == "now":
        return now
    if lower.endswith(" ago"):
        return now - parse_duration(lower[:-4])
    if _EPOCH.match(raw):
        return from_epoch(float(raw))
    clock = _CLOCK.match(lower)
    if clock:
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"not a time of day: {raw!r}")
        zone = _parse_offset(clock.group(4))
        local_now = now.astimezone(zone)
        moment = local_now.replace(hour=hour, minute=minute, second=second, microsecond=0)
        if moment > local_now:
            moment -= timedelta(days=1)
        return moment.astimezone(UTC)
    cleaned = _ZONE_WORD.sub("Z", raw)
    cleaned = cleaned[:-1] + "+00:00" if cleaned.endswith(("Z", "z")) else cleaned
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"not a time: {raw!r}") from None
    return to_utc(moment)


def _split_pair(text: str) -> tuple[str, str] | None:
    lower = text.lower()
    between = re.match(r"^between\s+(.+?)\s+and\s+(.+)$", lower)
    if between:
        return text[between.start(1):between.end(1)], text[between.start(2):between.end(2)]
    for separator in (" to ", " until ", " till ", "..", " - ", " – "):
        index = lower.find(separator)
        if index > 0:
            return text[:index], text[index + len(separator):]
    if "/" in text:
        left, right = text.split("/", 1)
        return left, right
    return None


def parse_window(
    text: str | None,
    now: datetime,
    *,
    max_hours: float = 24,
    default: Window | None = None,
    default_minutes: int = 60,
    parameter: str = "window",
) -> Window:
    """Parse a window expression; empty text gives ``default`` (a session's window) or the last N minutes.

    Raises InputError naming ``parameter`` and the accepted forms when unreadable, reversed, or too long.
    """
    now = to_utc(now)
    if text is None or not str(text).strip():
        return default if default is not None else Window(now - timedelta(minutes=default_minutes), now)
    text = str(text).strip()
    if len(text) > _MAX_TEXT:
        raise InputError(parameter, f"is {len(text)} characters long (at most {_MAX_TEXT})", ACCEPTED)
    lower = text.lower()
    try:
        relative = re.match(r"^(?:last|past|previous|the last)\s+(.+)$", lower)
        since = re.match(r"^(?:since|from|after)\s+(.+)$", lower)
        if relative:
            window = Window(now - parse_duration(relative.group(1)), now)
        elif since:
            window = Window(parse_instant(text[since.start(1):], now), now)
        elif _DURATION.match(lower) or (_COMPOUND.match(lower) and not _COMPOUND.sub("", lower).strip()):
            window = Window(now - parse_duration(lower), now)
        else:
            pair = _split_pair(text)
            if pair:
                start = parse_instant(pair[0], now)
                end = parse_instant(pair[1], now)
                if _CLOCK.match(pair[1].strip().lower()) and _CLOCK.match(pair[0].strip().lower()) and end < start:
                    end += timedelta(days=1)  # "23:50 to 00:10" crosses midnight
                window = Window(start, end)
            else:
                window = Window(parse_instant(text, now), now)
    except (ValueError, OverflowError) as exc:
        raise InputError(parameter, f"cannot read {text!r} ({exc})", ACCEPTED) from None
    if window.start >= window.end:
        raise InputError(parameter, f"{text!r} ends before it starts (resolved to {window}; now is {iso(now)})", ACCEPTED)
    if window.seconds > max_hours * 3600:
        raise InputError(
            parameter,
            f"{text!r} spans {window.seconds / 3600:.1f} h, more than the {max_hours:g} h cap",
            f"a window of at most {max_hours:g} hours, e.g. 'last 2h' or a narrower range",
        )
    return window
