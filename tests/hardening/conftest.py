"""Fixtures of the hardening suites: the hostile snapshot and the handlers of every catalogue function."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.hardening import hostile
from tools.catalogue import Function


@pytest.fixture(scope="session")
def hostile_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile.build(tmp_path_factory.mktemp("hostile") / "snapshot")


def handler_of(function: Function) -> Callable[[Any, Any], dict]:
    module_name, attribute = function.handler.rsplit(".", 1)
    return getattr(importlib.import_module(module_name), attribute)


def function_event(function: Function, parameters: list[dict], session: Any = None) -> dict:
    return {
        "messageVersion": "1.0",
        "agent": {"name": "ops", "id": "AGENT", "alias": "ALIAS", "version": "1"},
        "inputText": "why are checkout requests failing since 09:40?",
        "sessionId": "hardening",
        "actionGroup": function.action_group,
        "function": function.name,
        "parameters": parameters,
        "sessionAttributes": {} if session is None else session,
        "promptSessionAttributes": {},
    }


def body_of(response: dict) -> str:
    return response["response"]["functionResponse"]["responseBody"]["TEXT"]["body"]
