"""At most one post per alarm state change: Powertools' idempotency utility over the DynamoDB table named in
``OPSAGENT_IDEMPOTENCY_TABLE`` (created by ``infra/alarms.py``), keyed on the alarm and its state timestamp.

A duplicate delivery (EventBridge delivers at least once; a failed event redriven from the failure queue) gets
the first run's result instead of a second investigation and post. A run that raised leaves no record, so a
redrive of a failed event runs again. While a run is in progress a duplicate raises
``IdempotencyAlreadyInProgressError``, which the handler reports as ignored. Without the variable (local runs,
tests) ``run`` just calls the work.
"""

from __future__ import annotations

import os
from typing import Any, Callable

TABLE_ENV = "OPSAGENT_IDEMPOTENCY_TABLE"
REMEMBER_SECONDS = 24 * 3600  # a redrive or late duplicate within a day of the state change does not post again


def run(key: dict[str, str], work: Callable[[], dict[str, Any]], context: Any) -> dict[str, Any]:
    """``work()`` once per ``key`` (a JSON-able dict); later calls with the same key return its saved result."""
    table = os.environ.get(TABLE_ENV)
    if not table:
        return work()
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(expires_after_seconds=REMEMBER_SECONDS)
    if context is not None:
        config.register_lambda_context(context)

    @idempotent_function(data_keyword_argument="alarm_state", persistence_store=DynamoDBPersistenceLayer(table_name=table),
                         config=config)
    def post_once(alarm_state: dict[str, str]) -> dict[str, Any]:
        return work()

    return post_once(alarm_state=key)


def already_in_progress(exc: BaseException) -> bool:
    """True for Powertools' "another invocation is running this key" error."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    return isinstance(exc, IdempotencyAlreadyInProgressError)
