"""``triage --format md`` and ``triage --html FILE``: run the investigation, gather its changes and metric series,
print the markdown report and/or write the self-contained HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.errors import UsageError


def run_report(args: argparse.Namespace) -> int:
    from agent.reports import html_page, markdown
    from agent.reports.investigation import gather
    from agent.triage_command import investigation_outcome, resolve

    if getattr(args, "json", False):
        raise UsageError("--json and --format md/--html exclude each other; pick one")
    target = Path(args.html) if getattr(args, "html", None) else None
    if target is not None and not target.parent.is_dir():
        raise UsageError(f"--html: the folder {target.parent} does not exist")
    snapshot, window = resolve(args)
    question = getattr(args, "question", None) or (snapshot.manifest.question if snapshot else None)
    outcome, config = investigation_outcome(snapshot, window, question, getattr(args, "service", None))
    inv = gather(snapshot, window, outcome.result.data["report"], outcome.result, outcome.session, config)
    if getattr(args, "format", None) == "md":
        print(markdown.render(inv), end="")
    if target is not None:
        try:
            target.write_text(html_page.render(inv), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--html: cannot write {target} ({exc.strerror or exc})") from None
        print(f"wrote {target}")
    from agent.triage_command import exit_status

    return exit_status(outcome.result.data["report"])
