"""The shareable reports say what could not be checked first, never an all-clear when blind, and exit 3 when
nothing could be read (as `triage --json` does)."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from agent.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))

from test_coverage_headline import no_credentials  # noqa: E402,F401  (the fixture)


def test_markdown_without_credentials_leads_with_what_could_not_be_checked_and_exits_3(no_credentials, capsys) -> None:
    assert main(["triage", "--format", "md"]) == 3
    text = capsys.readouterr().out
    assert text.index("## What could not be checked") < text.index("## Summary")
    assert "nothing abnormal" not in text.lower()
    assert "no data source could be read" in text
    assert "no AWS credentials" in text


def test_html_without_credentials_exits_3_and_says_it_is_no_all_clear(no_credentials, tmp_path, capsys) -> None:
    page = tmp_path / "report.html"
    assert main(["triage", "--html", str(page)]) == 3
    html = page.read_text()
    assert html.index("What could not be checked") < html.index("Summary")
    assert "nothing abnormal" not in html.lower()


def test_a_truncated_log_file_is_named_before_the_summary(bundled: dict[str, Path], tmp_path: Path, capsys) -> None:
    import shutil

    snapshot = tmp_path / "snap"
    shutil.copytree(bundled["demo"], snapshot)
    target = next(p for p in sorted((snapshot / "logs").iterdir()) if "checkout" in p.name)
    data = gzip.compress(target.read_bytes()) if target.suffix != ".gz" else target.read_bytes()
    cut = target.with_name(target.name + ".gz") if target.suffix != ".gz" else target
    target.unlink()
    cut.write_bytes(data[: len(data) // 2])
    assert main(["triage", "--snapshot", str(snapshot), "--format", "md"]) == 0
    text = capsys.readouterr().out
    gaps = text[text.index("## What could not be checked"): text.index("## Summary")]
    assert cut.name in gaps and "truncated" in gaps
