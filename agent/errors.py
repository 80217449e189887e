"""The command line's error type: ``UsageError`` is bad input from the user, reported on one line with exit
status 2 by ``agent.cli.main``. Subcommand modules raise it without importing the CLI itself."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the user: reported on one line, exit status 2."""


# What --start/--end accept (``tools.common.timewindow.parse_instant``), said when a value is not one of them.
INSTANT_FORMS = "use ISO 8601 (2026-11-20T09:40:00Z), a UTC clock time (09:40), 'now', '2h ago' or epoch seconds"
