"""Configuration: one file (``ops-agent.toml``) for deploy and local runs, validated by a JSON Schema.

Local runs and ``main.py`` read the TOML file (``--config``, ``OPSAGENT_CONFIG_FILE`` or ``./ops-agent.toml``).
The deployed Lambdas receive the validated configuration as JSON in the ``OPSAGENT_CONFIG`` environment variable,
so they need no file. Validation uses fastjsonschema (the engine of Powertools' validation utility, shipped in
its Lambda layer); errors name the bad key and the expected form.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema

from tools import sources
from tools.common import config_schema as cs
from tools.common.errors import ConfigError
from tools.common.patterns import REGION

# project.name prefixes every resource name. The tightest limits it meets (infra.naming derives each name and
# tests/stack synthesizes and validates the longest name): the guardrail name (50 characters) and the Lambda /
# IAM role names (64) stay well inside 31; the results bucket prefix (37) is shortened by ``Names``. Hyphens
# only between letters or digits (the Bedrock agent name allows no "--" and no trailing "-").
PROJECT_NAME_MAX = 31
_NAME = {"type": "string", "minLength": 2, "maxLength": PROJECT_NAME_MAX, "pattern": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"}

CORE_SCHEMA: dict[str, Any] = {
    "project": cs.section({
        "name": cs.prop(_NAME, "ops-agent"),
        "region": cs.prop({"type": "string", "pattern": f"^{REGION}$"}, "us-east-1"),
        "account": cs.prop({"type": "string", "pattern": r"^$|^\d{12}$"}, ""),
        "tags": cs.prop({"type": "object", "additionalProperties": {"type": "string", "maxLength": 256}}, {}),
    }),
    "agent": cs.section({
        "kind": cs.prop({"enum": ["bedrock-agents", "tools-only"]}, "bedrock-agents"),
        "foundation_model": cs.prop({"type": "string", "minLength": 3, "maxLength": 2048},
                                    "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        "idle_session_ttl_seconds": cs.integer(60, 3600, 1800),
        "guardrail": cs.prop(cs.BOOLEAN, True),
    }),
    "limits": cs.section({
        "max_window_hours": cs.prop({"type": "number", "exclusiveMinimum": 0, "maximum": 744}, 24),
        "default_window_minutes": cs.integer(1, 1440, 60),
        "response_bytes": cs.integer(2000, 20000, 19000),
        "turn_seconds": cs.integer(10, 120, 110),
        "tool_seconds": cs.integer(5, 900, 40),
    }),
    "athena": cs.section({
        "database": cs.prop({"type": "string", "pattern": r"^[a-z0-9_]{1,255}$"}, "ops_agent"),
        "workgroup": cs.prop({"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,128}$"}, "ops-agent"),
        "results_bucket": cs.prop(cs.BUCKET, ""),
        "bytes_scanned_cutoff": cs.integer(10485760, None, 10 * 1024**3),
        "results_expiry_days": cs.integer(1, 3650, 7),
    }),
    "slack": cs.section({
        "enabled": cs.prop(cs.BOOLEAN, False),
        "workspace_id": cs.prop({"type": "string", "pattern": r"^$|^[A-Z0-9]{9,15}$"}, ""),
        "channel_id": cs.prop({"type": "string", "pattern": r"^$|^[A-Z0-9]{9,15}$"}, ""),
        # AWS Chatbot: connector names are 1..20 characters (`@aws connector add <name> ...`).
        "connector_name": cs.prop({"type": "string", "pattern": r"^[a-z0-9-]{1,20}$"}, "ops-agent"),
    }),
    "alarms": cs.section({
        "enabled": cs.prop(cs.BOOLEAN, False),
        "name_prefix": cs.prop({"type": "string", "maxLength": 255}, ""),
    }),
    # Proactive alerts (tools/alerts/thresholds.py explains each value). The filter pattern is CloudWatch Logs'
    # regex form of tools/logs/matching.ERROR_REGEX (filter patterns have no case-insensitive flag).
    "alerts": cs.section({
        "enabled": cs.prop(cs.BOOLEAN, False),
        "log_groups": cs.prop(cs.STRINGS, []),
        "filter_pattern": cs.prop({"type": "string", "maxLength": 1024}, (
            "%[Ee]rror|ERROR|[Ee]xception|EXCEPTION|[Ff]atal|FATAL|[Pp]anic|PANIC|[Cc]ritical|CRITICAL|"
            "[Ss]evere|SEVERE|[Tt]raceback|[Tt]imed out|[Tt]imeout|TIMEOUT|[Ff]ailed|FAILED|[Ff]ailure|"
            "[Rr]efused|[Dd]enied|DENIED|[Uu]navailable|[Tt]hrottl|[Uu]nreachable%")),
        "learning_minutes": cs.integer(0, 1440, 20),
        "group_minutes": cs.integer(1, 120, 10),
        "rate_limit_minutes": cs.integer(0, 1440, 30),
        "min_events": cs.integer(1, 1000, 3),
        "triage_seconds": cs.integer(5, 600, 40),
    }),
    "knowledge": cs.section({
        "bedrock_knowledge_base_id": cs.prop({"type": "string", "pattern": r"^$|^[0-9A-Za-z]{10}$"}, ""),
        "runbook_base_url": cs.prop({"type": "string", "pattern": r"^$|^https://[^\\s]{1,400}$"}, ""),
    }),
    "lambda": cs.section({
        "packaging": cs.prop({"enum": ["zip", "image"]}, "zip"),
        "image_uri": cs.prop({"type": "string", "maxLength": 512}, ""),
        "memory_mb": cs.integer(128, 10240, 512),
        "timeout_seconds": cs.integer(10, 900, 60),
        # 0 = unreserved (the default). Reserving N per function needs an account concurrency quota of
        # at least 100 + 9 * N (Lambda keeps 100 unreserved; new accounts often have 10 or 50).
        "reserved_concurrency": cs.integer(0, 1000, 0),
        "log_retention_days": cs.prop({"enum": [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                                                1827, 2192, 2557, 2922, 3288, 3653]}, 30),
        "powertools_layer_arn": cs.prop({"type": "string", "maxLength": 2048}, ""),
    }),
}
"""The sections that are not a data source's; each source's section comes from its declaration."""

_CORE_ORDER = ("project", "agent", "limits")


def build_schema(registry: Any = None) -> dict[str, Any]:
    """The whole configuration schema: the core sections and one section per registered source."""
    registry = registry or sources.registry()
    properties = {name: CORE_SCHEMA[name] for name in _CORE_ORDER}
    for source in registry:
        if source.name in CORE_SCHEMA:
            raise ValueError(f"source {source.name!r} would shadow the core configuration section of that name")
        properties[source.name] = source.config
    properties.update({name: schema for name, schema in CORE_SCHEMA.items() if name not in _CORE_ORDER})
    return {"type": "object", "additionalProperties": False, "properties": properties}


CONFIG_SCHEMA: dict[str, Any] = build_schema()
DEFAULTS: dict[str, Any] = cs.defaults(CONFIG_SCHEMA)
"""Derived from the schema's ``default`` values: read ``config[section][key]``, never ``.get(key, default)``."""



@dataclass(frozen=True)
class _Compiled:
    registry: Any
    schema: dict[str, Any]
    defaults: dict[str, Any]
    validate: Any


_compiled: list[_Compiled] = []


def _current() -> _Compiled:
    """Schema, defaults and validator of the registry in force (recompiled only when a test replaces it)."""
    registry = sources.registry()
    if _compiled and _compiled[0].registry is registry:
        return _compiled[0]
    schema = CONFIG_SCHEMA if registry is sources.BUILT_IN else build_schema(registry)
    compiled = _Compiled(registry, schema, cs.defaults(schema), fastjsonschema.compile(schema))
    _compiled[:] = [compiled]
    return compiled


@dataclass(frozen=True)
class Config:
    """Validated configuration with defaults filled in; ``section(name)`` returns one table as a dict."""

    data: dict[str, Any]
    origin: str = "defaults"

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.data[name]

    def to_json(self) -> str:
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "tags":
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(exc: fastjsonschema.JsonSchemaValueException, origin: str) -> str:
    key = ".".join(str(p) for p in exc.path[1:]) or "(top level)"
    rule = exc.rule
    definition = exc.rule_definition
    if rule == "additionalProperties":
        parent = _current().schema
        for part in exc.path[1:]:
            parent = parent.get("properties", {}).get(part, {})
        known = ", ".join(sorted(parent.get("properties", {})))
        return f"{origin}: unknown key under '{key}'. Known keys: {known}."
    expected = {
        "type": f"a value of type {definition}",
        "enum": f"one of {definition}",
        "pattern": f"text matching {definition}",
        "minimum": f"a number >= {definition}",
        "maximum": f"a number <= {definition}",
        "exclusiveMinimum": f"a number > {definition}",
        "minLength": f"text of at least {definition} characters",
        "maxLength": f"text of at most {definition} characters",
    }.get(rule, f"a value satisfying {rule}={definition}")
    return f"{origin}: key '{key}' has {exc.value!r}; expected {expected}."


def validate(raw: Any, origin: str = "config") -> Config:
    """Validate a raw configuration mapping (from TOML or JSON) and fill in defaults."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: the configuration must be a table of sections, got {type(raw).__name__}.")
    try:
        _current().validate(raw)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise ConfigError(_describe(exc, origin)) from None
    config = Config(_merge(_current().defaults, raw), origin)
    if config["agent"]["kind"] == "tools-only" and config["slack"]["enabled"]:
        raise ConfigError(f"{origin}: [slack] enabled needs a Bedrock agent (AWS Chatbot's '@aws ask' connectors reach "
                          "Bedrock Agents only), but agent.kind is 'tools-only'; set slack.enabled = false "
                          "(docs/agentcore.md says how Slack reaches an AgentCore agent).")
    return config


def load_file(path: str | os.PathLike[str]) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: configuration file not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read the configuration file ({exc}).") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc}).") from None
    return validate(raw, str(p))


@lru_cache(maxsize=1)
def load() -> Config:
    """The configuration of this process: ``OPSAGENT_CONFIG`` JSON (Lambda), a file, or the defaults."""
    inline = os.environ.get("OPSAGENT_CONFIG")
    if inline:
        try:
            raw = json.loads(inline)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"OPSAGENT_CONFIG: not valid JSON ({exc}).") from None
        return validate(raw, "OPSAGENT_CONFIG")
    path = os.environ.get("OPSAGENT_CONFIG_FILE")
    if path:
        return load_file(path)
    if Path("ops-agent.toml").is_file():
        return load_file("ops-agent.toml")
    return Config(copy.deepcopy(_current().defaults))
