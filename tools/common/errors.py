"""Error types that the tool contract turns into answers: bad input becomes REPROMPT, a failing source a normal body."""

from __future__ import annotations


class InputError(ValueError):
    """A parameter the caller (usually the model) can fix: answered with REPROMPT.

    The message names the parameter and the accepted form, so the model can retry correctly.
    """

    def __init__(self, parameter: str, problem: str, accepted: str = "") -> None:
        self.parameter = parameter
        self.problem = problem
        self.accepted = accepted
        text = f"Parameter '{parameter}': {problem}."
        if accepted:
            text += f" Accepted: {accepted}."
        super().__init__(text)


class SourceError(RuntimeError):
    """A data source that could not be read (throttled, denied, timed out, malformed).

    Tools catch it and answer normally, saying what failed and what the user can do.
    """

    def __init__(self, source: str, what: str, hint: str = "", status: str = "error") -> None:
        self.source = source
        self.what = what
        self.hint = hint
        self.status = status
        super().__init__(f"{source}: {what}" + (f" ({hint})" if hint else ""))


class ConfigError(ValueError):
    """The configuration file or its values are invalid; the message names the key and the expected form."""
