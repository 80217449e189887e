"""``triage --format md`` and ``triage --html FILE`` for every bundled scenario: the postmortem sections, the decisive
evidence with its link, the change timeline with clock times, what could not be checked, and a self-contained
page (no script, no external reference, a CSP that forbids fetching) with one inline SVG chart per changed
metric of the hypotheses, the onset and the changes marked on its time axis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agent.cli import main
from agent.scenarios.catalog import SCENARIOS
from tools.common.evidence import evidence_id

SECTIONS = ("## Summary", "## Timeline (UTC)", "## Onset and symptoms",
            "## Hypotheses and evidence", "## Changes ranked by relevance to the incident", "## Sources")
GAPS = "## What could not be checked"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_markdown_and_html_reports(name: str, bundled: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    truth = SCENARIOS[name].truth
    assert main(["triage", "--snapshot", str(bundled[name]), "--format", "md"]) == 0
    md = capsys.readouterr().out
    positions = [md.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    gaps_first = "- Every configured source was read." not in md  # gaps are said first, else after the summary
    assert (md.index(GAPS) < positions[0]) if gaps_first else (positions[0] < md.index(GAPS) < positions[1])
    assert md.startswith("# Incident investigation: ")
    if truth.get("change_event_id") and name != "security-incident":
        cause = evidence_id("cloudtrail", truth["change_event_id"])
        timeline = md.split("## Timeline (UTC)", 1)[1].split("## Onset", 1)[0]
        assert re.search(rf"\| \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ \| .+ \| \[{cause}\]\(https://", timeline)
        assert "## Mitigation" in md
    if truth.get("onset"):
        assert "**onset of the symptoms**" in md
    if truth.get("quiet"):  # a weak lead is not a cause: no "most likely cause", no rollback offered
        assert "Most likely cause" not in md.split("> ", 1)[0] and "## Mitigation" not in md

    page = tmp_path / f"{name}.html"
    assert main(["triage", "--snapshot", str(bundled[name]), "--html", str(page)]) == 0
    assert capsys.readouterr().out.strip().endswith(str(page))
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "default-src 'none'" in text
    assert not re.search(r"""(?:src|href)=["'](?!https://[a-z0-9-]+\.console\.aws\.amazon\.com/)""", text.replace('href="#', ""))
    svgs = re.findall(r"<svg.*?</svg>", text, flags=re.S)
    charts = re.findall(r'<div class="chart" data-evidence="(M-[0-9a-f]{8})">', text)
    assert len(svgs) == len(charts) + (1 if 'data-evidence="timeline"' in text else 0)
    for svg in svgs:
        ET.fromstring(svg)  # well-formed
    if truth.get("onset") and charts:
        assert "onset " in svgs[0]  # the onset is marked on the chart's time axis


def test_the_demo_page_charts_the_changed_metrics_with_the_change_marked(bundled: dict[str, Path], tmp_path: Path) -> None:
    page = tmp_path / "demo.html"
    assert main(["triage", "--snapshot", str(bundled["demo"]), "--html", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    first_chart = text.split('<div class="chart" data-evidence="M-', 1)[1].split("</svg>", 1)[0]
    assert "ModifyVpcEndpoint 09:38:12Z" in first_chart and "onset 09:4" in first_chart


def test_format_md_and_json_exclude_each_other(bundled: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "--snapshot", str(bundled["demo"]), "--format", "md", "--json"]) == 2
    assert capsys.readouterr().err.startswith("error:")


def test_html_to_an_unwritable_path_is_one_line(bundled: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["triage", "--snapshot", str(bundled["quiet"]), "--html", str(tmp_path / "missing" / "dir" / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1
