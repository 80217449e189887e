"""``python -m agent doctor``: read-only checks of a real account for every configured source.

Runs ``checks`` in order (credentials first: without them every other check is ``skipped``), prints a table of
ok / missing / denied / error / skipped with the fix for each (``--json``: ``{"ok": bool, "checks": [...]}``) and
exits 1 when something the configuration needs is missing, denied or failed, 0 otherwise, 2 on a bad
configuration. The IAM permissions it needs are in ``permissions.DOCTOR`` (``doctor --help``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any, Callable, TextIO

from agent.doctor import checks
from agent.doctor.checks import Check, Clients

PROBLEMS = (checks.MISSING, checks.DENIED, checks.ERROR)


def run_checks(cfg: Any, clients: Clients, region: str, now: datetime | None = None,
               sleep: Callable[[float], None] | None = None) -> list[Check]:
    """Every check for ``cfg`` (credentials first)."""
    import time

    pause = sleep or time.sleep
    who, account = checks.identity(clients)
    rows = [who]
    names = ["model", "logs", "metrics", "alb", "cloudtrail", "xray", "securityhub", "guardduty", "slack channel"]
    if account is None:
        return rows + [Check(name, checks.SKIPPED, "needs working credentials") for name in names]
    rows.append(checks.model(cfg, clients))
    rows += checks.logs(cfg, clients)
    rows += checks.metrics(cfg, clients)
    if checks.athena_needed(cfg):
        rows.append(checks.workgroup(cfg, clients))
    rows += checks.alb(cfg, clients, now, pause)
    rows += checks.cloudtrail(cfg, clients, region, now, pause)
    rows.append(checks.xray(cfg, clients))
    rows.append(checks.securityhub(cfg, clients))
    rows.append(checks.guardduty(cfg, clients))
    rows.append(checks.chatbot(cfg, clients))
    return rows


def render_table(rows: list[Check]) -> str:
    """One line per check: name, status, detail; the fix indented below each problem."""
    width = max(len(r.name) for r in rows)
    lines = []
    for r in rows:
        lines.append(f"{r.name.ljust(width)}  {r.status.ljust(7)}  {r.detail}")
        if r.status in PROBLEMS and r.fix:
            lines.append(f"{''.ljust(width)}  {'fix:'.ljust(7)}  {r.fix}")
    problems = sum(r.status in PROBLEMS for r in rows)
    lines.append(f"{problems} problem(s)" if problems else "everything configured is in place")
    return "\n".join(lines)


def exit_code(rows: list[Check]) -> int:
    return 1 if any(r.status in PROBLEMS for r in rows) else 0


def run(args: argparse.Namespace, clients: Clients | None = None, out: TextIO | None = None) -> int:
    from agent.cli import UsageError
    from tools.common import config as config_module
    from tools.common.errors import ConfigError

    out = out or sys.stdout
    try:
        cfg = config_module.load_file(args.config) if args.config else config_module.load()
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    region = args.region or cfg["project"]["region"]
    if clients is None:
        from tools.common import aws

        def clients(service: str) -> Any:  # noqa: F811 - the default factory
            return aws.client(service, region)

    rows = run_checks(cfg, clients, region)
    if args.json:
        out.write(json.dumps({"ok": exit_code(rows) == 0, "region": region, "checks": [r.to_json() for r in rows]},
                             indent=2) + "\n")
    else:
        out.write(render_table(rows) + "\n")
    return exit_code(rows)
