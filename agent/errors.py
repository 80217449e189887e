"""The command line's error type: ``UsageError`` is bad input from the user, reported on one line with exit
status 2 by ``agent.cli.main``. Subcommand modules raise it without importing the CLI itself."""

from __future__ import annotations


class UsageError(Exception):
    """Bad input from the user: reported on one line, exit status 2."""
