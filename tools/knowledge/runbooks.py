"""Runbooks: markdown files with a front matter block (title, services, symptoms, owner), read from the repository's
``runbooks/`` folder offline or from the knowledge bucket's ``runbooks/`` prefix in AWS.

Front matter is the small subset of YAML the runbooks use, parsed here without a YAML library::

    ---
    title: DynamoDB throttling
    services: [dynamodb, lambda]
    symptoms: [ProvisionedThroughputExceededException, ThrottlingException]
    owner: data-platform
    ---

A file without it, or without a title, is skipped and counted (never fatal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("title",)
MAX_RUNBOOK_BYTES = 200_000  # a runbook is a page, not a data dump
_LIST = re.compile(r"^\[(.*)\]$")


@dataclass
class Runbook:
    name: str  # file name without .md
    title: str
    services: list[str] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)
    owner: str = ""
    body: str = ""
    link: str = ""


class RunbookError(ValueError):
    """A runbook file that cannot be used; the message names the file and the problem."""


def _value(text: str) -> str | list[str]:
    text = text.strip()
    match = _LIST.match(text)
    if match:
        return [item.strip().strip("'\"") for item in match.group(1).split(",") if item.strip()]
    return text.strip("'\"")


def parse(name: str, text: str) -> Runbook:
    """One runbook from its markdown text; ``RunbookError`` when the front matter is missing or incomplete."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise RunbookError(f"{name}: no front matter (the file must start with a '---' line)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise RunbookError(f"{name}: the front matter is not closed by a '---' line") from None
    meta: dict[str, str | list[str]] = {}
    for line in lines[1:end]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise RunbookError(f"{name}: front matter line {line.strip()[:60]!r} is not 'key: value'")
        meta[key.strip().lower()] = _value(value)
    for key in REQUIRED:
        if not meta.get(key) or not isinstance(meta[key], str):
            raise RunbookError(f"{name}: front matter lacks '{key}'")

    def listed(key: str) -> list[str]:
        value = meta.get(key, [])
        return [value] if isinstance(value, str) and value else list(value) if isinstance(value, list) else []

    return Runbook(name, str(meta["title"]), listed("services"), listed("symptoms"), str(meta.get("owner", "")),
                   "\n".join(lines[end + 1:]).strip())


def repository_folder() -> Path:
    """The ``runbooks/`` folder next to ``tools/`` (the repository, or the image's task root)."""
    return Path(__file__).resolve().parents[2] / "runbooks"


def load_folder(folder: Path) -> tuple[list[Runbook], list[str]]:
    """Every ``*.md`` runbook of ``folder`` (sorted), and the problems of the files skipped."""
    runbooks: list[Runbook] = []
    problems: list[str] = []
    if not folder.is_dir():
        return runbooks, [f"{folder}: no runbook folder"]
    for path in sorted(folder.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            if path.stat().st_size > MAX_RUNBOOK_BYTES:
                raise RunbookError(f"{path.name}: larger than {MAX_RUNBOOK_BYTES} bytes")
            runbooks.append(parse(path.stem, path.read_text(encoding="utf-8")))
        except (RunbookError, OSError, UnicodeDecodeError) as exc:
            problems.append(str(exc) if isinstance(exc, RunbookError) else f"{path.name}: unreadable ({exc.__class__.__name__})")
    return runbooks, problems


def first_steps(runbook: Runbook, limit: int = 3) -> list[str]:
    """The first numbered steps of the runbook's first section (what to check first)."""
    steps = []
    for line in runbook.body.splitlines():
        match = re.match(r"^\d+\.\s+(.*)", line.strip())
        if match:
            steps.append(match.group(1))
            if len(steps) >= limit:
                break
    return steps
