"""Session continuity: what a tool resolved (window, focus) is kept in Bedrock ``sessionAttributes``
so that a follow-up in the same Slack thread needs no restating."""

from __future__ import annotations

from typing import Any

from tools.common.safety import safe
from tools.common.timewindow import Window

WINDOW_KEY = "opsagent_window"
FOCUS_KEYS = {
    "log_group": "opsagent_log_group",
    "load_balancer": "opsagent_load_balancer",
    "service": "opsagent_service",
    "resource": "opsagent_resource",
}
MAX_VALUE = 512
MAX_KEYS = 50


def clean_attributes(raw: Any) -> dict[str, str]:
    """Session attributes as a bounded str->str map; odd values are dropped, not fatal."""
    if not isinstance(raw, dict):
        return {}
    cleaned: dict[str, str] = {}
    for key, value in list(raw.items())[:MAX_KEYS]:
        if isinstance(key, str) and isinstance(value, (str, int, float, bool)) and len(key) <= 100:
            cleaned[key] = str(value)[:MAX_VALUE]
    return cleaned


def stored_window(attributes: dict[str, str]) -> Window | None:
    text = attributes.get(WINDOW_KEY)
    return Window.decode(text) if text else None


def focus(attributes: dict[str, str], name: str) -> str | None:
    key = FOCUS_KEYS.get(name)
    value = attributes.get(key) if key else None
    return value or None


def updated(attributes: dict[str, str], window: Window | None, values: dict[str, Any]) -> dict[str, str]:
    """The attributes after a call: the resolved window and any focus values (redacted, bounded)."""
    result = dict(attributes)
    if window is not None:
        result[WINDOW_KEY] = window.encode()
    for name, value in values.items():
        key = FOCUS_KEYS.get(name, name if name.startswith("opsagent_") else None)
        if key and value not in (None, ""):
            result[key] = safe(value, MAX_VALUE)
    return result
