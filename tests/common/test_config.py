"""Configuration: the example file is valid; errors name the bad key and the expected form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.common import config
from tools.common.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_example_config_is_valid_and_turns_every_option_on() -> None:
    loaded = config.load_file(ROOT / "ops-agent.toml")
    assert loaded["slack"]["enabled"] and loaded["alarms"]["enabled"] and loaded["agent"]["guardrail"]
    assert loaded["cloudtrail"]["mode"] == "athena"
    assert loaded["logs"]["log_groups"]


def test_defaults_fill_missing_keys() -> None:
    loaded = config.validate({"logs": {"log_groups": ["/ecs/a"]}})
    assert loaded["logs"]["log_groups"] == ["/ecs/a"]
    assert loaded["logs"]["max_patterns"] == config.DEFAULTS["logs"]["max_patterns"]
    assert loaded["limits"]["max_window_hours"] == 24


@pytest.mark.parametrize(
    "raw, fragments",
    [
        ({"limits": {"max_window_hours": "24"}}, ["limits.max_window_hours", "type number"]),
        ({"agent": {"idle_session_ttl_seconds": 7200}}, ["agent.idle_session_ttl_seconds", "<= 3600"]),
        ({"cloudtrail": {"mode": "sql"}}, ["cloudtrail.mode", "one of ['lookup', 'athena']"]),
        ({"logs": {"log_grups": []}}, ["unknown key under 'logs'", "log_groups"]),
        ({"nonsense": {}}, ["unknown key under '(top level)'", "project"]),
        ({"alb": {"log_bucket": "Bad_Bucket"}}, ["alb.log_bucket", "matching"]),
        ({"lambda": {"log_retention_days": 10}}, ["lambda.log_retention_days", "one of"]),
    ],
)
def test_errors_name_the_key_and_expected_form(raw: dict, fragments: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        config.validate(raw, "ops-agent.toml")
    for fragment in fragments:
        assert fragment in str(err.value)


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        config.load_file(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[logs\nx=1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load_file(broken)
    with pytest.raises(ConfigError, match="table of sections"):
        config.validate(["x"])


def test_environment_json_is_used_by_lambdas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({"logs": {"log_groups": ["/ecs/x"]}}))
    config.load.cache_clear()
    assert config.load()["logs"]["log_groups"] == ["/ecs/x"]
    monkeypatch.setenv("OPSAGENT_CONFIG", "{not json")
    config.load.cache_clear()
    with pytest.raises(ConfigError, match="OPSAGENT_CONFIG: not valid JSON"):
        config.load()


def test_config_round_trips_through_json() -> None:
    loaded = config.load_file(ROOT / "tests" / "full-config.toml")
    assert config.validate(json.loads(loaded.to_json())).data == loaded.data


@pytest.mark.parametrize("name", ["ab", "checkout-opsagent-prod1", "checkout-ops-agent-prod-euwest1"])
def test_project_names_the_stack_can_take(name: str) -> None:
    assert config.validate({"project": {"name": name}})["project"]["name"] == name


@pytest.mark.parametrize("name", ["a", "checkout-ops-agent-prod-euwest12", "ops--agent", "ops-agent-", "1ops",
                                  "Ops"])
def test_project_names_the_stack_cannot_take_are_refused(name: str) -> None:
    """31 characters at most (infra.naming keeps every AWS name limit for that); no '--' or trailing '-'
    (the Bedrock agent name pattern)."""
    with pytest.raises(ConfigError, match="project.name"):
        config.validate({"project": {"name": name}})


def test_connector_names_follow_chatbot_limits() -> None:
    assert config.validate({"slack": {"connector_name": "a" * 20}})["slack"]["connector_name"] == "a" * 20
    for bad in ("", "a" * 21):
        with pytest.raises(ConfigError, match="slack.connector_name"):
            config.validate({"slack": {"connector_name": bad}})


def test_reserved_concurrency_is_off_by_default() -> None:
    assert config.DEFAULTS["lambda"]["reserved_concurrency"] == 0
    assert config.validate({"lambda": {"reserved_concurrency": 0}})["lambda"]["reserved_concurrency"] == 0


def test_trail_organization_and_key_are_validated() -> None:
    ok = config.validate({"cloudtrail": {"organization_id": "o-a1b2c3d4e5",
                                         "kms_key_arn": "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abc-1"}})
    assert ok["cloudtrail"]["organization_id"] == "o-a1b2c3d4e5"
    for key, bad in (("organization_id", "a1b2c3d4e5"), ("kms_key_arn", "alias/trail")):
        with pytest.raises(ConfigError, match=f"cloudtrail.{key}"):
            config.validate({"cloudtrail": {key: bad}})
