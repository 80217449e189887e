"""Per-invocation logging around a Lambda handler: Powertools' ``inject_lambda_context(clear_state=True)``, so
each invocation on a warm container starts without the keys the previous one appended, and carries the
request id, function name and cold-start flag. Local callers (tests, scripts) pass no Lambda context: their
calls go to the handler directly."""

from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools import Logger

Handler = Callable[[Any, Any], Any]
_LAMBDA_CONTEXT_FIELDS = ("function_name", "memory_limit_in_mb", "invoked_function_arn", "aws_request_id")


def is_lambda_context(context: Any) -> bool:
    return context is not None and all(hasattr(context, name) for name in _LAMBDA_CONTEXT_FIELDS)


def with_clean_log_state(logger: Logger, handler: Handler) -> Handler:
    """``handler`` with the Lambda context injected into ``logger`` and its state cleared per invocation."""
    logged = logger.inject_lambda_context(clear_state=True)(handler)

    def invoke(event: Any, context: Any) -> Any:
        return logged(event, context) if is_lambda_context(context) else handler(event, context)

    return invoke
