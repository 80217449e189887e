"""The function catalogue: the one source of truth for every agent function.

Each data source declares its functions in ``tools/<source>/source.py`` (registered in ``tools.sources``); the
catalogue adds triage's ``investigate`` and ``search_runbooks`` and serves them all: ``python -m agent functions --json``, the handlers'
parameter validation (``input_schema``), the CDKTF action groups' function schemas, and the Converse tool specs of
the local runtime. Lookups read the registry when called, so a newly registered source is seen everywhere.
"""

from __future__ import annotations

from typing import Any

from tools import sources
from tools.common.function import SAFE_NAME, WINDOW, Function, Parameter, ParamType

__all__ = ["Function", "Parameter", "ParamType", "FUNCTIONS", "ACTION_GROUPS", "ACTION_GROUP_DESCRIPTIONS",
           "functions", "action_groups", "descriptions", "functions_of", "find", "by_qualified_name", "catalogue_json"]

# Bedrock Agents limits (checked by tests/test_catalogue.py).
MAX_PARAMETERS_PER_FUNCTION = 5
MAX_FUNCTIONS_PER_AGENT = 11
MAX_FUNCTION_DESCRIPTION = 1200
MAX_PARAMETER_DESCRIPTION = 500
MAX_QUALIFIED_NAME = 64
NAME_PATTERN = r"^([0-9a-zA-Z][_-]?){1,100}$"
ALLOWED_TYPES = ("string", "number", "integer", "boolean", "array")

# --- triage: the functions that are not a data source's ------------------------------------------

INVESTIGATE = Function(
    "triage",
    "investigate",
    "Runs a full investigation of the window across every configured source in parallel (logs, ALB, "
    "CloudTrail, metrics, X-Ray, findings): finds the onset and returns ranked root-cause hypotheses with "
    "confidence and evidence ids and console links, plus which sources were empty or failed. Call it first "
    "for 'why is X failing / what happened'; then drill down with the other functions.",
    (
        WINDOW,
        Parameter(
            "question",
            "string",
            "The operator's question, verbatim.",
            constraints={"maxLength": 1000},
        ),
        Parameter(
            "service",
            "string",
            "Focus on this service, log group, load balancer or resource name, when the question names one.",
            constraints=SAFE_NAME,
            remember=True,
        ),
    ),
    example={"question": "why are checkout requests failing?"},
)

SEARCH_RUNBOOKS = Function(
    "triage",
    "search_runbooks",
    "Searches the team's runbooks and past investigations for an error, symptom, change or question "
    "(lexical ranking): each runbook with its title, owner, link and first checks; each past incident with "
    "its date, cause and id. Use it for 'how do we fix X', 'has this happened before', or to attach a "
    "runbook to a cause found by investigate.",
    (
        Parameter(
            "query",
            "string",
            "An error message or exception, a symptom, a CloudTrail event name or a question, e.g. "
            "'ProvisionedThroughputExceededException on orders'.",
            required=True,
            constraints={"maxLength": 500, "minLength": 2},
        ),
        Parameter(
            "service",
            "string",
            "Prefer runbooks and incidents of this service or AWS service, e.g. 'checkout' or 'dynamodb'.",
            constraints=SAFE_NAME,
        ),
    ),
    example={"query": "connect timed out"},
)

TRIAGE_FUNCTIONS: tuple[Function, ...] = (INVESTIGATE, SEARCH_RUNBOOKS)
TRIAGE_DESCRIPTION = "Full investigation across every source; runbooks and past incidents."


def functions() -> tuple[Function, ...]:
    """Every agent function: the registered sources' in registry order, then triage's."""
    return (*sources.registry().functions(), *TRIAGE_FUNCTIONS)


def action_groups() -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.action_group for f in functions()))


def descriptions() -> dict[str, str]:
    """The description of each action group."""
    return {s.name: s.description for s in sources.registry()} | {"triage": TRIAGE_DESCRIPTION}


FUNCTIONS: tuple[Function, ...] = functions()
"""The catalogue of the registered sources at import time (``functions()`` sees later registrations)."""
ACTION_GROUPS: tuple[str, ...] = action_groups()
ACTION_GROUP_DESCRIPTIONS: dict[str, str] = descriptions()


def functions_of(action_group: str) -> tuple[Function, ...]:
    return tuple(f for f in functions() if f.action_group == action_group)


def find(action_group: str, name: str) -> Function | None:
    return next((f for f in functions() if f.action_group == action_group and f.name == name), None)


def by_qualified_name(qualified: str) -> Function | None:
    return next((f for f in functions() if f.qualified_name == qualified), None)


def catalogue_json() -> list[dict[str, Any]]:
    return [f.to_entry() for f in functions()]
