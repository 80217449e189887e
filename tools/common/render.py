"""Render a ToolResult as the compact text body a model reads, always under the byte budget.

The body is plain text (never JSON inside JSON): a header with window and status, the data notice, headline
facts, then sections in order. When the budget runs out, each cut section ends with a line saying how many
lines were left out and how to ask for them.
"""

from __future__ import annotations

from tools.common.result import Section, ToolResult
from tools.common.safety import DATA_NOTICE, FENCE_CLOSE, FENCE_OPEN, neutralise

HARD_LIMIT_BYTES = 20000
_RESERVE = 160
_CUT_NOTICE = 120  # bytes kept for the line that says what was cut


def _own_line(line: str, limit: int = 1200) -> str:
    """A line a tool wrote (untrusted parts already fenced): one line, bounded, fences kept balanced."""
    line = line.replace("\r", "").replace("\n", "⏎")
    if len(line) > limit:
        line = line[:limit] + "…"
    missing = line.count(FENCE_OPEN) - line.count(FENCE_CLOSE)
    return line + FENCE_CLOSE * missing if missing > 0 else line


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut_notice(section: Section, index: int) -> str:
    """What was left out of ``section`` from its ``index``-th line on (0: its heading, so all of it)."""
    if index == 0:
        return f"[cut: section '{neutralise(section.heading, 80)}' ({len(section.lines)} lines) not shown; {section.omitted_hint}]"
    return f"[cut: {len(section.lines) - index + 1} more line(s) not shown; {section.omitted_hint}]"


def render_body(result: ToolResult, budget: int = 19000) -> str:
    budget = min(budget, HARD_LIMIT_BYTES - 200)
    head = [f"## {neutralise(result.title, 300)}"]
    meta = []
    if result.window is not None:
        meta.append(f"window: {result.window}")
    meta.append(f"status: {result.status}")
    head.append(" | ".join(meta))
    head.extend(f"FAILED: {neutralise(f, 600)}" for f in result.failures)
    head.extend(_own_line(line) for line in result.headline)
    tail = [f"note: {neutralise(n, 600)}" for n in result.notes]

    def any_fenced() -> bool:
        return any(FENCE_OPEN in line for s in result.sections for line in s.lines) or any(
            FENCE_OPEN in line for line in result.headline
        )

    if any_fenced():
        head.insert(1, DATA_NOTICE)
    fixed = _size("\n".join(head + tail)) + 2
    room = budget - fixed - _RESERVE
    # Local copies with lines normalised: rendering never changes the caller's result.
    sections = [Section(s.heading, [_own_line(line, 4000) for line in s.lines], s.omitted_hint)
                for s in result.sections if s.lines or s.heading]
    needs = [_size(f"### {s.heading}") + 1 + sum(_size(line) + 1 for line in s.lines) for s in sections]
    share = max(room, 0) // (2 * len(sections)) if sections else 0
    body: list[str] = list(head)
    for position, section in enumerate(sections):
        # Later sections keep a fair minimum share, so one long section cannot starve the others.
        reserved = sum(min(need, share) for need in needs[position + 1:])
        allowance = room - reserved
        # The heading first, then the lines; where the next one does not fit, a cut notice ends the section.
        for index, line in enumerate([f"### {neutralise(section.heading, 300)}", *section.lines]):
            cost = _size(line) + 1
            if cost > allowance - _CUT_NOTICE:
                body.append(_cut_notice(section, index))
                room -= _CUT_NOTICE
                break
            body.append(line)
            room -= cost
            allowance -= cost
    body.extend(tail)
    text = "\n".join(body)
    if _size(text) > budget:  # safety net: never exceed the budget
        cut = text.encode("utf-8")[: budget - 80].decode("utf-8", "ignore")
        text = cut.rsplit("\n", 1)[0] + "\n[cut: output exceeded the size budget; narrow the window or add a filter]"
    return text
