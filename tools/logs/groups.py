"""Which log groups a call may read: the configured groups and prefixes (AWS) or the snapshot's groups.

The model may name one group or a prefix of configured groups; anything outside the allowed set is refused with
an ``InputError`` that names the parameter and lists what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tools.common.errors import InputError

MAX_LISTED = 12


@dataclass(frozen=True)
class GroupSelection:
    """Exact group names to read, prefixes still to expand (AWS), and the name the model gave (if any)."""

    names: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    named: str | None = None

    def admits(self, group: str) -> bool:
        return group in self.names or any(group.startswith(p) for p in self.prefixes)


def _listing(groups: Iterable[str], prefixes: Iterable[str] = ()) -> str:
    items = sorted(set(groups)) + [f"{p}*" for p in sorted(set(prefixes))]
    shown = ", ".join(items[:MAX_LISTED]) or "(none)"
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def refuse(name: str, groups: Iterable[str], prefixes: Iterable[str] = ()) -> InputError:
    return InputError(
        "log_group",
        f"{name!r} is not an allowed log group",
        "one of these groups (or a prefix of them): " + _listing(groups, prefixes),
    )


def configured(logs_config: Mapping[str, Any], named: str | None) -> GroupSelection:
    """AWS mode: the configured groups and prefixes, narrowed to ``named`` when given."""
    groups = tuple(str(g) for g in logs_config["log_groups"])
    prefixes = tuple(str(p) for p in logs_config["log_group_prefixes"])
    if not named:
        return GroupSelection(groups, prefixes)
    if named in groups or any(named.startswith(p) for p in prefixes):
        return GroupSelection((named,), (), named)
    narrowed = tuple(g for g in groups if g.startswith(named))
    narrowed_prefixes = tuple(p for p in prefixes if p.startswith(named))
    if narrowed or narrowed_prefixes:
        return GroupSelection(narrowed, narrowed_prefixes, named)
    raise refuse(named, groups, prefixes)


def in_snapshot(named: str | None) -> GroupSelection:
    """Snapshot mode: every group is allowed; ``named`` selects a group or a prefix (checked after the scan)."""
    if not named:
        return GroupSelection((), ("",))
    return GroupSelection((named,), (named,), named)


def check_seen(selection: GroupSelection, seen: set[str]) -> None:
    """Snapshot mode, after the scan: a named group that matched no group of the snapshot is refused."""
    if selection.named and not any(selection.admits(g) for g in seen):
        raise refuse(selection.named, seen)
