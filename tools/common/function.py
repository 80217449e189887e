"""What a catalogue function is: ``Parameter`` and ``Function`` as Bedrock Agents declares them, and the
parameters several sources share (``WINDOW``, ``SAFE_NAME``). Source declarations (``tools/<source>/source.py``)
build their functions from these; ``tools.catalogue`` collects them.

Each function declares one ``example`` call: its arguments as JSON values, the way an MCP client or AgentCore
Gateway passes them (``{}`` when calling it without arguments is the example). Tests that call every function
(AgentCore Gateway, hostile data) take their arguments from it, so a new function is declared in one place;
``tests/test_catalogue.py`` fails for a function without one or with one its own input schema rejects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ParamType = Literal["string", "number", "integer", "boolean", "array"]


@dataclass(frozen=True)
class Parameter:
    """One function parameter as Bedrock declares it, plus validation constraints."""

    name: str
    type: ParamType
    description: str
    required: bool = False
    constraints: dict[str, Any] = field(default_factory=dict)
    remember: bool = False  # kept in sessionAttributes as the conversation's focus for follow-ups

    def json_schema(self) -> dict[str, Any]:
        return {"type": self.type, **self.constraints}


@dataclass(frozen=True)
class Function:
    """One agent function: an action group's function and the handler that serves it."""

    action_group: str
    name: str
    description: str
    parameters: tuple[Parameter, ...]
    # One call's arguments as JSON values, e.g. {"match": "rejected"}; None: not declared (a test fails).
    example: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def handler(self) -> str:
        return f"tools.{self.action_group}.handler.lambda_handler"

    @property
    def qualified_name(self) -> str:
        """The name Bedrock shows the model: ``actionGroup__function``."""
        return f"{self.action_group}__{self.name}"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def input_schema(self) -> dict[str, Any]:
        """JSON Schema of the parameters after casting (used to validate events and as tool spec)."""
        return {
            "type": "object",
            "properties": {p.name: {**p.json_schema(), "description": p.description} for p in self.parameters},
            "required": [p.name for p in self.parameters if p.required],
            "additionalProperties": False,
        }

    def to_entry(self) -> dict[str, Any]:
        """The catalogue entry of ``interfaces.md``."""
        return {
            "actionGroup": self.action_group,
            "function": self.name,
            "description": self.description,
            "parameters": {
                p.name: {"type": p.type, "required": p.required, "description": p.description}
                for p in self.parameters
            },
            "handler": self.handler,
        }


# --- parameters shared by several functions -------------------------------------------------

WINDOW = Parameter(
    "window",
    "string",
    "Time window, UTC unless a zone is given. Forms: 'last 30m', '2h' (ending now), 'since 09:40', "
    "'09:40 to 10:10', '2026-11-20T09:40Z/2026-11-20T10:10Z', epoch seconds or ms ('1795136400/1795140000'). "
    "Omit to reuse this conversation's incident window (first call: the last hour).",
    constraints={"maxLength": 120},
)

SAFE_NAME = {"maxLength": 256, "pattern": r"^[A-Za-z0-9_./#:@+=,\-* ]+$"}
