"""The agent instruction: markdown parts in ``instructions/`` joined in file-name order.

Used by the Bedrock agent (``infra.agent``) and by the local runtime, so both behave alike.
Bedrock accepts 40..4000 characters; ``build_instruction`` refuses anything outside that range.
"""

from __future__ import annotations

from pathlib import Path

MIN_CHARS = 40
MAX_CHARS = 4000
INSTRUCTIONS_DIR = Path(__file__).resolve().parent.parent / "instructions"


def build_instruction(directory: Path | None = None) -> str:
    """Join the ``*.md`` parts (sorted by name) with blank lines; raise ValueError when out of bounds."""
    folder = directory or INSTRUCTIONS_DIR
    parts = [p.read_text(encoding="utf-8").strip() for p in sorted(folder.glob("*.md"))]
    text = "\n\n".join(part for part in parts if part)
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        raise ValueError(
            f"agent instruction is {len(text)} characters; Bedrock accepts {MIN_CHARS}..{MAX_CHARS} ({folder})"
        )
    return text
