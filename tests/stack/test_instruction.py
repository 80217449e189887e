"""The agent instruction assembled from instructions/*.md: bounds and the rules it must carry."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.instruction import MAX_CHARS, MIN_CHARS, build_instruction
from tools.catalogue import FUNCTIONS


def test_length_within_bedrock_bounds() -> None:
    text = build_instruction()
    assert MIN_CHARS == 40 and MAX_CHARS == 4000
    assert MIN_CHARS <= len(text) <= MAX_CHARS


def test_carries_the_answer_rules() -> None:
    text = build_instruction()
    for needle in ("2,500 characters", "triage__investigate first", "⟦ ⟧", "Not checked", "language",
                   "reuse this conversation's window", "console link", "evidence ids"):
        assert needle in text, needle


def test_names_only_real_functions() -> None:
    text = build_instruction()
    qualified = {f.qualified_name for f in FUNCTIONS}
    import re
    mentioned = set(re.findall(r"\b[a-z]+__[a-z_]+\b", text))
    assert mentioned and mentioned <= qualified


def test_parts_are_joined_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "20-b.md").write_text("second part of the instruction text\n")
    (tmp_path / "10-a.md").write_text("first part of the instruction text\n")
    assert build_instruction(tmp_path) == "first part of the instruction text\n\nsecond part of the instruction text"


def test_out_of_bounds_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("too short")
    with pytest.raises(ValueError, match="40..4000"):
        build_instruction(tmp_path)
    (tmp_path / "a.md").write_text("x" * 4001)
    with pytest.raises(ValueError, match="4001 characters"):
        build_instruction(tmp_path)
