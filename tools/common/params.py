"""Parameters: cast the Bedrock event's ``parameters[{name,type,value}]`` to the catalogue's types and validate
them with the function's JSON Schema (fastjsonschema). Every problem becomes an ``InputError`` that names the
parameter and the accepted form, which the handler answers with REPROMPT."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

import fastjsonschema

from tools.common.function import Function, Parameter
from tools.common.errors import InputError

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
_INTEGER = re.compile(r"^[+-]?\d{1,18}(\.0+)?$")
MAX_RAW_VALUE = 4000


def accepted_form(parameter: Parameter) -> str:
    """How to write a valid value of ``parameter``, for REPROMPT messages."""
    c = parameter.constraints
    if "enum" in c:
        return "one of " + ", ".join(str(v) for v in c["enum"])
    if parameter.type == "integer":
        low, high = c.get("minimum"), c.get("maximum")
        return f"a whole number from {low} to {high}" if low is not None and high is not None else "a whole number"
    if parameter.type == "number":
        return "a number"
    if parameter.type == "boolean":
        return "true or false"
    if parameter.type == "array":
        return "a JSON array of strings"
    return parameter.description


def _cast(parameter: Parameter, value: Any) -> Any:
    """One value to the declared type; InputError when it cannot be read as that type."""
    kind = parameter.type
    if isinstance(value, str) and len(value) > MAX_RAW_VALUE:
        raise InputError(parameter.name, f"is {len(value)} characters long", accepted_form(parameter))
    if kind == "string":
        if isinstance(value, (dict, list)):
            raise InputError(parameter.name, "must be text, not a structure", accepted_form(parameter))
        return str(value).strip()
    if kind == "integer":
        if isinstance(value, bool):
            raise InputError(parameter.name, f"{value!r} is not a whole number", accepted_form(parameter))
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
            return int(value)
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return int(float(value.strip())) if "." in value else int(value.strip())
        raise InputError(parameter.name, f"{str(value)[:40]!r} is not a whole number", accepted_form(parameter))
    if kind == "number":
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            raise InputError(parameter.name, f"{str(value)[:40]!r} is not a finite number", accepted_form(parameter))
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InputError(parameter.name, f"{str(value)[:40]!r} is not true or false", accepted_form(parameter))
    if kind == "array":
        if isinstance(value, list):
            return value
        text = str(value).strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in text.split(",") if part.strip()]
    raise InputError(parameter.name, f"has unsupported type {kind}")


_VALIDATORS: dict[str, Callable[[Any], Any]] = {}


def _validator(function: Function) -> Callable[[Any], Any]:
    """The compiled JSON Schema validator of a function (compiled once per container)."""
    key = function.qualified_name
    if key not in _VALIDATORS:
        _VALIDATORS[key] = fastjsonschema.compile(function.input_schema())
    return _VALIDATORS[key]


def parse_parameters(function: Function, raw: Any) -> dict[str, Any]:
    """Cast and validate the event's parameter list for ``function``.

    Empty strings for optional parameters count as absent (models often send them). Unknown and repeated
    parameters, missing required ones and values outside the schema raise InputError.
    """
    if raw is None:
        raw = []
    if isinstance(raw, dict):  # tolerate {name: value} from hand-written events
        raw = [{"name": k, "value": v} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise InputError("parameters", "must be a list of {name, type, value} objects")
    known = ", ".join(p.name for p in function.parameters) or "(none)"
    values: dict[str, Any] = {}
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise InputError("parameters", "every entry needs a 'name' and a 'value'", f"parameters of {function.name}: {known}")
        name = item["name"]
        parameter = function.parameter(name)
        if parameter is None:
            raise InputError(name[:60], f"is not a parameter of {function.name}", f"parameters: {known}")
        if name in values:
            raise InputError(name, "is given more than once", "each parameter once")
        value = item.get("value")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        values[name] = _cast(parameter, value)
    for parameter in function.parameters:
        if parameter.required and parameter.name not in values:
            raise InputError(parameter.name, "is required", accepted_form(parameter))
    try:
        _validator(function)(values)
    except fastjsonschema.JsonSchemaValueException as exc:
        name = exc.path[1] if len(exc.path) > 1 else "parameters"
        parameter = function.parameter(str(name))
        detail = exc.message.replace("data." + str(name), "value").replace("data", "value")
        raise InputError(str(name), detail, accepted_form(parameter) if parameter else f"parameters: {known}") from None
    return values
