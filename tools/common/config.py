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

from tools.common.errors import ConfigError

# project.name prefixes every resource name. The tightest limits it meets (infra.naming derives each name and
# tests/stack synthesizes and validates the longest name): the guardrail name (50 characters) and the Lambda /
# IAM role names (64) stay well inside 31; the results bucket prefix (37) is shortened by ``Names``. Hyphens
# only between letters or digits (the Bedrock agent name allows no "--" and no trailing "-").
PROJECT_NAME_MAX = 31
_NAME = {"type": "string", "minLength": 2, "maxLength": PROJECT_NAME_MAX, "pattern": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"}
_BUCKET = {"type": "string", "pattern": r"^$|^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"}
_PREFIX = {"type": "string", "pattern": r"^$|^[A-Za-z0-9!_.*'()/-]{1,512}$"}
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 512}}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "project": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": _NAME,
                "region": {"type": "string", "pattern": r"^[a-z]{2}(-gov)?-[a-z]+-\d$"},
                "account": {"type": "string", "pattern": r"^$|^\d{12}$"},
                "tags": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 256}},
            },
        },
        "agent": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "kind": {"enum": ["bedrock-agents", "tools-only"]},
                "foundation_model": {"type": "string", "minLength": 3, "maxLength": 2048},
                "idle_session_ttl_seconds": {"type": "integer", "minimum": 60, "maximum": 3600},
                "guardrail": {"type": "boolean"},
            },
        },
        "limits": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "max_window_hours": {"type": "number", "exclusiveMinimum": 0, "maximum": 744},
                "default_window_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
                "response_bytes": {"type": "integer", "minimum": 2000, "maximum": 20000},
                "turn_seconds": {"type": "integer", "minimum": 10, "maximum": 120},
                "tool_seconds": {"type": "integer", "minimum": 5, "maximum": 900},
            },
        },
        "logs": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "log_groups": _STRINGS,
                "log_group_prefixes": _STRINGS,
                "max_patterns": {"type": "integer", "minimum": 1, "maximum": 200},
            },
        },
        "athena": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "database": {"type": "string", "pattern": r"^[a-z0-9_]{1,255}$"},
                "workgroup": {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,128}$"},
                "results_bucket": _BUCKET,
                "bytes_scanned_cutoff": {"type": "integer", "minimum": 10485760},
                "results_expiry_days": {"type": "integer", "minimum": 1, "maximum": 3650},
            },
        },
        "alb": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "log_bucket": _BUCKET,
                "log_prefix": _PREFIX,
                "table": {"type": "string", "pattern": r"^[a-z0-9_]{1,255}$"},
                "retention_start": {"type": "string", "pattern": r"^\d{4}/\d{2}/\d{2}$"},
            },
        },
        "cloudtrail": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "mode": {"enum": ["lookup", "athena"]},
                "lookback_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
                "log_bucket": _BUCKET,
                "log_prefix": _PREFIX,
                "table": {"type": "string", "pattern": r"^[a-z0-9_]{1,255}$"},
                "retention_start": {"type": "string", "pattern": r"^\d{4}/\d{2}/\d{2}$"},
                "max_pages": {"type": "integer", "minimum": 1, "maximum": 200},
                # An organization trail writes under AWSLogs/<organization id>/<account>/CloudTrail/.
                "organization_id": {"type": "string", "pattern": r"^$|^o-[a-z0-9]{10,32}$"},
                # The trail's SSE-KMS key (the tools get kms:Decrypt on it through S3); empty for SSE-S3.
                "kms_key_arn": {"type": "string", "pattern": r"^$|^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]{1,64}$"},
            },
        },
        "metrics": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "namespaces": _STRINGS,
                "max_metrics": {"type": "integer", "minimum": 1, "maximum": 5000},
            },
        },
        "xray": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"enabled": {"type": "boolean"}, "max_traces": {"type": "integer", "minimum": 1, "maximum": 5000}},
        },
        "findings": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"securityhub": {"type": "boolean"}, "guardduty": {"type": "boolean"}},
        },
        "slack": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "workspace_id": {"type": "string", "pattern": r"^$|^[A-Z0-9]{9,15}$"},
                "channel_id": {"type": "string", "pattern": r"^$|^[A-Z0-9]{9,15}$"},
                # AWS Chatbot: connector names are 1..20 characters (`@aws connector add <name> ...`).
                "connector_name": {"type": "string", "pattern": r"^[a-z0-9-]{1,20}$"},
            },
        },
        "alarms": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"enabled": {"type": "boolean"}, "name_prefix": {"type": "string", "maxLength": 255}},
        },
        "alerts": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "log_groups": _STRINGS,
                "filter_pattern": {"type": "string", "maxLength": 1024},
                "learning_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
                "group_minutes": {"type": "integer", "minimum": 1, "maximum": 120},
                "rate_limit_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
                "min_events": {"type": "integer", "minimum": 1, "maximum": 1000},
                "triage_seconds": {"type": "integer", "minimum": 5, "maximum": 600},
            },
        },
        "knowledge": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "bedrock_knowledge_base_id": {"type": "string", "pattern": r"^$|^[0-9A-Za-z]{10}$"},
                "runbook_base_url": {"type": "string", "pattern": r"^$|^https://[^\\s]{1,400}$"},
            },
        },
        "lambda": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "packaging": {"enum": ["zip", "image"]},
                "image_uri": {"type": "string", "maxLength": 512},
                "memory_mb": {"type": "integer", "minimum": 128, "maximum": 10240},
                "timeout_seconds": {"type": "integer", "minimum": 10, "maximum": 900},
                # 0 = unreserved (the default). Reserving N per function needs an account concurrency quota of
                # at least 100 + 9 * N (Lambda keeps 100 unreserved; new accounts often have 10 or 50).
                "reserved_concurrency": {"type": "integer", "minimum": 0, "maximum": 1000},
                "log_retention_days": {"enum": [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]},
                "powertools_layer_arn": {"type": "string", "maxLength": 2048},
            },
        },
    },
}

DEFAULTS: dict[str, Any] = {
    "project": {"name": "ops-agent", "region": "us-east-1", "account": "", "tags": {}},
    "agent": {
        "kind": "bedrock-agents",
        "foundation_model": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "idle_session_ttl_seconds": 1800,
        "guardrail": True,
    },
    "limits": {
        "max_window_hours": 24,
        "default_window_minutes": 60,
        "response_bytes": 19000,
        "turn_seconds": 110,
        "tool_seconds": 40,
    },
    "logs": {"enabled": True, "log_groups": [], "log_group_prefixes": [], "max_patterns": 15},
    "athena": {
        "database": "ops_agent",
        "workgroup": "ops-agent",
        "results_bucket": "",
        "bytes_scanned_cutoff": 10 * 1024**3,
        "results_expiry_days": 7,
    },
    "alb": {"enabled": True, "log_bucket": "", "log_prefix": "", "table": "alb_access_logs", "retention_start": "2025/01/01"},
    "cloudtrail": {
        "enabled": True,
        "mode": "lookup",
        "lookback_minutes": 60,
        "log_bucket": "",
        "log_prefix": "",
        "table": "cloudtrail_logs",
        "retention_start": "2025/01/01",
        "max_pages": 20,
        "organization_id": "",
        "kms_key_arn": "",
    },
    "metrics": {"enabled": True, "namespaces": ["AWS/ApplicationELB", "AWS/ECS", "AWS/DynamoDB", "AWS/Lambda", "AWS/RDS"], "max_metrics": 500},
    "xray": {"enabled": True, "max_traces": 1000},
    "findings": {"securityhub": True, "guardduty": True},
    "slack": {"enabled": False, "workspace_id": "", "channel_id": "", "connector_name": "ops-agent"},
    "alarms": {"enabled": False, "name_prefix": ""},
    # Proactive alerts (tools/alerts/thresholds.py explains each value). The filter pattern is CloudWatch Logs'
    # regex form of tools/logs/matching.ERROR_REGEX (filter patterns have no case-insensitive flag).
    "alerts": {
        "enabled": False,
        "log_groups": [],
        "filter_pattern": ("%[Ee]rror|ERROR|[Ee]xception|EXCEPTION|[Ff]atal|FATAL|[Pp]anic|PANIC|[Cc]ritical|CRITICAL|"
                           "[Ss]evere|SEVERE|[Tt]raceback|[Tt]imed out|[Tt]imeout|TIMEOUT|[Ff]ailed|FAILED|[Ff]ailure|"
                           "[Rr]efused|[Dd]enied|DENIED|[Uu]navailable|[Tt]hrottl|[Uu]nreachable%"),
        "learning_minutes": 20,
        "group_minutes": 10,
        "rate_limit_minutes": 30,
        "min_events": 3,
        "triage_seconds": 40,
    },
    "knowledge": {"bedrock_knowledge_base_id": "", "runbook_base_url": ""},
    "lambda": {
        "packaging": "zip",
        "image_uri": "",
        "memory_mb": 512,
        "timeout_seconds": 60,
        "reserved_concurrency": 0,
        "log_retention_days": 30,
        "powertools_layer_arn": "",
    },
}

_validate = fastjsonschema.compile(CONFIG_SCHEMA)


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
        parent = CONFIG_SCHEMA
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
        _validate(raw)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise ConfigError(_describe(exc, origin)) from None
    config = Config(_merge(DEFAULTS, raw), origin)
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
    return Config(copy.deepcopy(DEFAULTS))
