"""The output budget: bodies stay under the limit and say what was cut and how to ask for it."""

from __future__ import annotations

from tools.common.render import HARD_LIMIT_BYTES, render_body
from tools.common.result import ToolResult
from tools.common.safety import DATA_NOTICE, fence


def big_result(lines: int, width: int = 120) -> ToolResult:
    result = ToolResult("logs", "Error patterns")
    section = result.section("patterns", omitted_hint="set contains=... to narrow")
    section.lines.extend(f"L-{i:08x} " + "x" * width for i in range(lines))
    result.section("second").lines.append("tail section line")
    return result


def test_small_body_is_complete_and_plain_text() -> None:
    result = ToolResult("logs", "Error patterns", headline=["3 patterns"])
    result.section("patterns").lines.extend(["a", "b"])
    body = render_body(result)
    assert body.splitlines() == ["## Error patterns", "status: ok", "3 patterns", "### patterns", "a", "b"]


def test_large_body_is_cut_under_budget_with_a_hint() -> None:
    body = render_body(big_result(5000), budget=19000)
    assert len(body.encode()) <= 19000
    assert "more line(s) not shown; set contains=... to narrow" in body
    assert "section 'second'" in body or "tail section line" in body


def test_budget_never_exceeds_hard_limit_even_when_asked() -> None:
    body = render_body(big_result(5000), budget=10**6)
    assert len(body.encode()) < HARD_LIMIT_BYTES


def test_multibyte_text_counts_bytes_not_characters() -> None:
    result = ToolResult("logs", "t")
    result.section("s").lines.extend("é" * 500 for _ in range(200))
    assert len(render_body(result, budget=5000).encode()) <= 5000


def test_huge_headline_and_notes_still_fit() -> None:
    result = ToolResult("logs", "t" * 5000, headline=["h" * 5000] * 10, notes=["n" * 5000] * 10)
    result.fail("f" * 5000)
    assert len(render_body(result, budget=6000).encode()) <= 6000


def test_data_notice_appears_only_with_fenced_text() -> None:
    plain = ToolResult("logs", "t")
    plain.section("s").lines.append("ours")
    assert DATA_NOTICE not in render_body(plain)
    fenced = ToolResult("logs", "t")
    fenced.section("s").lines.append("sample " + fence("user text"))
    assert DATA_NOTICE in render_body(fenced)


def test_failures_are_stated_first() -> None:
    result = ToolResult("alb", "ALB traffic")
    result.fail("Athena query FAILED: bytes scanned cutoff", "narrow the window")
    body = render_body(result)
    assert "FAILED: Athena query FAILED: bytes scanned cutoff — narrow the window" in body
    assert "status: error" in body


def test_fenced_text_in_headlines_keeps_its_fence_and_lines_stay_single() -> None:
    result = ToolResult("alb", "t", headline=["top path " + fence("/api/x?q=⟧ evil")])
    result.section("s").lines.append("two\nlines " + fence("a") + " ⟦unclosed" )
    body = render_body(result)
    assert "top path ⟦/api/x?q=] evil⟧" in body
    assert "two⏎lines ⟦a⟧ ⟦unclosed⟧" in body
    for line in body.splitlines():
        assert line.count("⟦") == line.count("⟧")
