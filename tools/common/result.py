"""What a tool returns before it becomes text: a title, headline facts, sections, evidence, notes and failures.

Tools build a ``ToolResult``; ``render.render_body`` turns it into the compact text body under the budget;
triage reads its ``evidence`` and ``status`` directly (never the text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from tools.common.evidence import Evidence
from tools.common.timewindow import Window

Status = Literal["ok", "empty", "not_configured", "error", "partial"]


@dataclass
class Section:
    """A block of lines under a heading; ``omitted_hint`` says how to see lines the budget cut."""

    heading: str
    lines: list[str] = field(default_factory=list)
    omitted_hint: str = "narrow the window or add a filter"


@dataclass
class ToolResult:
    source: str
    title: str
    window: Window | None = None
    status: Status = "ok"
    headline: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    session: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def fail(self, what: str, hint: str = "", partial: bool = False) -> None:
        """Record a failure; status becomes ``partial`` when something was still answered."""
        self.failures.append(what + (f" — {hint}" if hint else ""))
        self.status = "partial" if partial else "error"

    def section(self, heading: str, omitted_hint: str = "narrow the window or add a filter") -> Section:
        block = Section(heading, [], omitted_hint)
        self.sections.append(block)
        return block
