"""``python -m agent demo`` (``make demo``): the bundled demo incident end to end, offline and in seconds.

The operator's question as typed in Slack, each tool call (through the real Lambda handlers) with parameters,
latency and size, the Slack-sized answer with evidence ids and console links, then follow-ups in the same
session: the raw lines of the top log pattern and what changed before the onset.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from typing import TextIO

from agent.errors import UsageError

DEFAULT_QUESTION = "why are checkout requests failing?"


def _rule(out: TextIO, title: str) -> None:
    print(f"\n{'=' * 8} {title} {'=' * max(4, 70 - len(title))}", file=out, flush=True)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    import os

    from agent.runtime.command import use_snapshot, demo_snapshot
    from agent.runtime.offline import OfflineAgent
    from agent.runtime.tools import ToolBox
    from tools.common.snapshot import Snapshot, SnapshotError

    out = out or sys.stdout
    started = time.monotonic()
    path = getattr(args, "snapshot", None) or str(demo_snapshot(out))
    use_snapshot(path)
    try:
        manifest = Snapshot.open(path).manifest
    except SnapshotError as exc:  # pragma: no cover - checked by use_snapshot
        raise UsageError(str(exc)) from None
    question = manifest.question or DEFAULT_QUESTION
    _rule(out, "The incident")
    print(f"Snapshot {path}: account {manifest.account}, {manifest.region}, {manifest.window}", file=out)
    if manifest.description:
        print(manifest.description.strip().split("\n")[0][:400], file=out)
    _rule(out, "Slack: the alert that fired before anyone asked")
    from agent.watch import render, replay

    alerts = replay(Snapshot.open(path))
    if alerts:
        print(f"(the snapshot's error lines replayed through the alert Lambda: {len(alerts)} notification(s); the first)\n",
              file=out)
        print(render(alerts[0]), file=out, flush=True)
    else:
        print("No alert would have fired: nothing new or sharply risen in the error lines.", file=out)
    agent = OfflineAgent(ToolBox(f"demo-{uuid.uuid4().hex[:8]}", out))

    def turn(title: str, text: str) -> str:
        _rule(out, title)
        print(f"@ops {text}", file=out)
        print("", file=out)
        answer, _ = agent.ask(text)
        print(f"\n--- answer in Slack ({len(answer)} characters) ---\n{answer}", file=out, flush=True)
        return answer

    turn("Slack: the question", question)
    top_log = agent.tools.session.get("opsagent_top_log")
    if top_log:
        turn("Follow-up in the same thread", f"show the raw lines for {top_log}")
    turn("Follow-up in the same thread", "what changed before that?")
    _rule(out, "Done")
    print(f"{len(agent.tools.calls)} tool calls in {time.monotonic() - started:.1f}s, no AWS calls "
          f"(OPSAGENT_SNAPSHOT={os.environ.get('OPSAGENT_SNAPSHOT')}).", file=out)
    return 0
