"""Time windows: every accepted form, snapshot 'now', session reuse, the cap and clear errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tools.common.errors import InputError
from tools.common.timewindow import Window, iso, parse_duration, parse_instant, parse_window

UTC = timezone.utc
NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 20) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("last 30m", at(10, 30), NOW),
        ("past 2 hours", at(9), NOW),
        ("2h", at(9), NOW),
        ("1h30m", at(9, 30), NOW),
        ("90 minutes", at(9, 30), NOW),
        ("since 09:40", at(9, 40), NOW),
        ("from 09:40Z", at(9, 40), NOW),
        ("09:40 to 10:10", at(9, 40), at(10, 10)),
        ("between 09:40 and 10:10", at(9, 40), at(10, 10)),
        ("2026-11-20T09:40Z/2026-11-20T10:10Z", at(9, 40), at(10, 10)),
        ("2026-11-20T09:40:00/2026-11-20T10:10:00", at(9, 40), at(10, 10)),
        ("2026-11-20T10:40+01:00 .. 2026-11-20T11:10+01:00", at(9, 40), at(10, 10)),
        ("2026-11-20 09:40 - 2026-11-20 10:10", at(9, 40), at(10, 10)),
        ("1795167600/1795169400", datetime.fromtimestamp(1795167600, UTC), datetime.fromtimestamp(1795169400, UTC)),
        ("1795167600000/1795169400000", datetime.fromtimestamp(1795167600, UTC), datetime.fromtimestamp(1795169400, UTC)),
        ("2026-11-20T09:40:00Z", at(9, 40), NOW),
        ("2h ago to now", at(9), NOW),
        ("10:40 +01:00 to 11:10 +01:00".replace(" +", "+"), at(9, 40), at(10, 10)),
    ],
)
def test_accepted_forms(text: str, start: datetime, end: datetime) -> None:
    window = parse_window(text, NOW)
    assert (window.start, window.end) == (start, end)


def test_clock_time_ahead_of_now_means_yesterday() -> None:
    window = parse_window("since 23:00", NOW)
    assert window.start == at(23, day=19)


def test_clock_range_across_midnight() -> None:
    now = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    window = parse_window("23:50 to 00:10", now)
    assert window.seconds == 20 * 60


def test_empty_window_reuses_session_default() -> None:
    stored = Window(at(9, 40), at(10, 10))
    assert parse_window(None, NOW, default=stored) == stored
    assert parse_window("  ", NOW, default=stored) == stored


def test_empty_window_without_session_is_the_last_default_minutes() -> None:
    assert parse_window(None, NOW, default_minutes=45) == Window(NOW - timedelta(minutes=45), NOW)


def test_window_over_cap_is_refused_with_the_cap_named() -> None:
    with pytest.raises(InputError) as err:
        parse_window("last 30h", NOW, max_hours=24)
    assert err.value.parameter == "window"
    assert "24 h cap" in str(err.value)


@pytest.mark.parametrize("text", ["yesterday-ish", "10:10 to 09:40Z/2026", "last 0m", "2026-13-40T00:00Z", "25:00", "x" * 200,
                                  "99999999999999999999", "last 99999999999999999999999h", "1e400"])
def test_unreadable_windows_name_the_parameter_and_accepted_forms(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_window(text, NOW)
    assert "window" in str(err.value)
    assert "Accepted" in str(err.value)


def test_reversed_window_is_refused() -> None:
    with pytest.raises(InputError, match="ends before it starts"):
        parse_window("2026-11-20T10:10Z/2026-11-20T09:40Z", NOW)


def test_window_encode_decode_round_trip() -> None:
    window = Window(at(9, 40), at(10, 10))
    assert Window.decode(window.encode()) == window
    assert Window.decode("garbage") is None
    assert Window.decode("2026-11-20T10:00Z/2026-11-20T09:00Z") is None


def test_baseline_is_the_equal_window_before() -> None:
    window = Window(at(9, 40), at(10, 10))
    assert window.baseline() == Window(at(9, 10), at(9, 40))


def test_instants_and_durations() -> None:
    assert parse_instant("now", NOW) == NOW
    assert parse_instant("30 minutes ago", NOW) == at(10, 30)
    assert parse_duration("2 hours") == timedelta(hours=2)
    assert iso(at(9, 40)) == "2026-11-20T09:40:00Z"
    with pytest.raises(ValueError):
        parse_duration("3 fortnights")
