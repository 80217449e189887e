"""JSON Schema building blocks of the configuration, with the defaults written once, next to each key.

Every property of a section carries its ``default``; ``defaults(schema)`` collects them, and validation fills
them in (``tools.common.config``), so call sites read ``config[section][key]`` and never repeat a default.
Source declarations (``tools/<source>/source.py``) build their own section with ``section()``.
"""

from __future__ import annotations

from typing import Any

BUCKET = {"type": "string", "pattern": r"^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"}
PREFIX = {"type": "string", "pattern": r"^$|^[A-Za-z0-9!_.*'()/-]{1,512}$"}
STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 512}}
TABLE = {"type": "string", "pattern": r"^[a-z0-9_]{1,255}$"}
DAY = {"type": "string", "pattern": r"^\d{4}/\d{2}/\d{2}$"}
BOOLEAN = {"type": "boolean"}


def prop(schema: dict[str, Any], default: Any) -> dict[str, Any]:
    """One key: its schema plus its default."""
    return {**schema, "default": default}


def integer(minimum: int, maximum: int | None, default: int) -> dict[str, Any]:
    """An integer key within ``minimum`` .. ``maximum`` (None: no upper bound), with its default."""
    bounds = {"minimum": minimum} if maximum is None else {"minimum": minimum, "maximum": maximum}
    return prop({"type": "integer", **bounds}, default)


def section(properties: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A configuration table: only the listed keys, each with a default."""
    missing = [name for name, schema in properties.items() if "default" not in schema and schema.get("type") != "object"]
    if missing:
        raise ValueError(f"configuration keys without a default: {missing}")
    return {"type": "object", "additionalProperties": False, "properties": properties}


def defaults(schema: dict[str, Any]) -> Any:
    """The defaults of a schema: an object's defaults per property (recursively), else its ``default``."""
    if "default" in schema:
        return schema["default"]
    if schema.get("type") == "object" and "properties" in schema:
        return {name: defaults(sub) for name, sub in schema["properties"].items()}
    raise ValueError(f"schema without a default: {schema}")
