"""The command line: ``python -m agent <command>`` (see ``docs/interfaces.md``).

Every command exits 0 on success; on bad input it prints one line on stderr and exits 2. Subcommands import
their modules lazily so ``functions`` and ``digest-logs`` start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from agent.errors import UsageError
from tools.common.limits import SLACK_LIMIT


def _functions(args: argparse.Namespace) -> int:
    from tools.catalogue import catalogue_json

    if args.format == "agentcore":
        from tools.common.agentcore import tool_definitions

        print(json.dumps(tool_definitions(), indent=2))
        return 0
    entries = catalogue_json()
    if args.json or args.format == "json":
        print(json.dumps(entries, indent=2))
    else:
        for entry in entries:
            params = ", ".join(
                f"{name}{'' if spec['required'] else '?'}: {spec['type']}" for name, spec in entry["parameters"].items()
            )
            print(f"{entry['actionGroup']}__{entry['function']}({params})")
    return 0


def _triage(args: argparse.Namespace) -> int:
    from agent.triage_command import run

    return run(args)


def _digest_logs(args: argparse.Namespace) -> int:
    from agent.digest_logs import run

    return run(args)


def _demo(args: argparse.Namespace) -> int:
    from agent.demo import run

    return run(args)


def _make_snapshot(args: argparse.Namespace) -> int:
    from agent.scenarios.command import run

    return run(args)


def _ask(args: argparse.Namespace) -> int:
    from agent.runtime.command import run_ask

    return run_ask(args)


def _chat(args: argparse.Namespace) -> int:
    from agent.runtime.command import run_chat

    return run_chat(args)


def _mcp(args: argparse.Namespace) -> int:
    import os

    from tools.common.snapshot import Snapshot, SnapshotError

    if args.snapshot:
        try:
            Snapshot.open(args.snapshot)
        except SnapshotError as exc:
            raise UsageError(str(exc)) from None
        os.environ["OPSAGENT_SNAPSHOT"] = str(args.snapshot)
    try:
        from agent.mcp_server import run
    except ImportError as exc:
        raise UsageError(f"the MCP SDK is not installed ({exc}); run 'make venv' or pip install -r requirements.txt") from None
    return run()


def _doctor(args: argparse.Namespace) -> int:
    from agent.doctor import run

    return run(args)


def _record(args: argparse.Namespace) -> int:
    from agent.record import run

    return run(args)


def _watch(args: argparse.Namespace) -> int:
    from agent.watch import run

    return run(args)


def _add_runtime_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--snapshot", help="snapshot directory (default: the bundled demo incident)")
    parser.add_argument("--model", help="bedrock:<model-id> for a Bedrock Converse tool-use loop")
    parser.add_argument("--agent-id", help="a deployed agent's id (InvokeAgent mode)")
    parser.add_argument("--alias-id", help="the deployed agent's alias id (InvokeAgent mode)")
    parser.add_argument("--region", help="AWS region for the Bedrock modes")
    parser.add_argument("--session-id", help="reuse a session (InvokeAgent mode)")
    parser.add_argument("--json", action="store_true", help="one JSON object per turn: the answer and its tool calls")
    parser.add_argument("--trace", action="store_true", help="also show each tool call's full body")
    parser.add_argument("--full", action="store_true", help=f"do not cut answers to Slack's {SLACK_LIMIT:,} characters")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m agent", description="AIOps assistant for AWS workloads.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("functions", help="print the function catalogue")
    p.add_argument("--json", action="store_true", help="as a JSON array")
    p.add_argument("--format", choices=("text", "json", "agentcore"), default="text",
                   help="agentcore: the AgentCore Gateway targets' tool schemas (one target per action group)")
    p.set_defaults(run=_functions)

    p = commands.add_parser("triage", help="investigate a window and print a ranked triage report")
    p.add_argument("--snapshot", help="snapshot directory (default: OPSAGENT_SNAPSHOT, else AWS)")
    p.add_argument("--start", help="window start (ISO 8601; default: the manifest's)")
    p.add_argument("--end", help="window end (ISO 8601; default: the manifest's)")
    p.add_argument("--question", help="the operator's question")
    p.add_argument("--service", help="focus on a service, log group or load balancer")
    p.add_argument("--json", action="store_true", help="print the report as JSON (triage-report.schema.json)")
    p.add_argument("--format", choices=("text", "json", "md"), help="md: a postmortem-ready markdown investigation")
    p.add_argument("--html", metavar="FILE", help="also write the investigation as one self-contained HTML page")
    p.set_defaults(run=_triage)

    p = commands.add_parser("digest-logs", help="mine templates from a plain-text log file (one message per line)")
    p.add_argument("path", help="the file (.gz accepted)")
    p.add_argument("--json", action="store_true", help="print templates and assignments as JSON")
    p.set_defaults(run=_digest_logs)

    p = commands.add_parser("demo", help="the bundled incident end to end, offline")
    p.add_argument("--snapshot", help="use this snapshot instead of generating the demo incident")
    p.set_defaults(run=_demo)

    p = commands.add_parser("make-snapshot", help="write a scenario snapshot (the demo incident or a test scenario)")
    p.add_argument("--scenario", default="demo", help="scenario name (default: demo); 'list' lists them")
    p.add_argument("--out", help="output directory")
    p.add_argument("--gzip", action="store_true", help="gzip the data files")
    p.set_defaults(run=_make_snapshot)

    p = commands.add_parser("ask", help="ask one question, as in Slack")
    p.add_argument("question")
    _add_runtime_options(p)
    p.set_defaults(run=_ask)

    p = commands.add_parser("chat", help="an interactive session, like the Bedrock console test pane")
    _add_runtime_options(p)
    p.set_defaults(run=_chat)

    p = commands.add_parser("mcp", help="serve the catalogue's functions as an MCP server on stdio")
    p.add_argument("--snapshot", help="snapshot directory (default: OPSAGENT_SNAPSHOT, else AWS)")
    p.set_defaults(run=_mcp)

    p = commands.add_parser("watch", help="replay a snapshot's logs through the proactive alerts")
    p.add_argument("--snapshot", help="snapshot directory (default: OPSAGENT_SNAPSHOT)")
    p.add_argument("--json", action="store_true", help="one JSON object per notification")
    p.set_defaults(run=_watch)

    from agent.doctor.permissions import DOCTOR, RECORD, help_text

    p = commands.add_parser("doctor", help="check a real account's set-up for every configured source (read-only)",
                            epilog=help_text(DOCTOR), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", help="configuration file (default: OPSAGENT_CONFIG_FILE or ./ops-agent.toml)")
    p.add_argument("--region", help="AWS region (default: project.region)")
    p.add_argument("--json", action="store_true", help='print {"ok": bool, "region": ..., "checks": [...]}')
    p.set_defaults(run=_doctor)

    p = commands.add_parser("record", help="capture a real account's window into a snapshot",
                            epilog=help_text(RECORD), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--start", required=True)
    p.add_argument("--end", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--region")
    p.add_argument("--max-mb", type=int, default=200, help="size bound of the snapshot (default 200 MB)")
    p.set_defaults(run=_record)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse prints its own one-line usage error
        return 2 if exc.code not in (0, None) else 0
    runner: Callable[[argparse.Namespace], int] = args.run
    try:
        return runner(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
