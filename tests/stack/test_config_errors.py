"""Configuration errors surface as one clear message: main.py exits 2 naming the key; stack checks too."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra import lambdas, slack
from infra.context import Context
from infra.naming import Names, Scope
from tools.common.config import load_file, validate
from tools.common.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _main(config: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSAGENT_")}
    env.update(OPSAGENT_CONFIG_FILE=str(config), CDKTF_OUTDIR=str(tmp_path / "out"),
               JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    return subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_bad_value_exits_2_with_the_key_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[agent]\nidle_session_ttl_seconds = 7200\n')
    proc = _main(config, tmp_path)
    assert proc.returncode == 2
    assert "agent.idle_session_ttl_seconds" in proc.stderr and "<= 3600" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_key_and_missing_file(tmp_path: Path) -> None:
    config = tmp_path / "typo.toml"
    config.write_text('[lambda]\nmemory = 512\n')
    proc = _main(config, tmp_path)
    assert proc.returncode == 2 and "unknown key under 'lambda'" in proc.stderr
    proc = _main(tmp_path / "missing.toml", tmp_path)
    assert proc.returncode == 2 and "configuration file not found" in proc.stderr


def _ctx(raw: dict) -> Context:
    return Context(None, validate(raw), Scope("aws", "us-east-1", "123456789012"), Names("ops-agent"))  # type: ignore[arg-type]


def test_image_packaging_needs_an_image_uri(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="lambda.image_uri"):
        lambdas.code_asset(_ctx({"lambda": {"packaging": "image"}}), tmp_path)


def test_slack_needs_workspace_and_channel() -> None:
    with pytest.raises(ConfigError, match="slack.workspace_id"):
        slack.build(_ctx({"slack": {"enabled": True}}), alias=None, topic_arn="arn:topic")


def test_config_env_is_bounded() -> None:
    raw = copy.deepcopy(load_file(ROOT / "ops-agent.toml").data)
    raw["logs"]["log_groups"] = [f"/ecs/service-{i:04d}" for i in range(300)]
    with pytest.raises(ConfigError, match="Lambda"):
        lambdas.config_env(_ctx(raw))
    assert len(lambdas.config_env(_ctx({}))) < lambdas.MAX_CONFIG_ENV_BYTES


def test_oversized_role_policy_is_a_config_error() -> None:
    from infra import policies
    from infra.iam import make_role

    raw = copy.deepcopy(load_file(ROOT / "ops-agent.toml").data)
    raw["logs"]["log_groups"] = [f"/ecs/a-rather-long-service-name-{i:04d}" for i in range(120)]
    ctx = _ctx(raw)
    doc = policies.tool_policy("logs", ctx.cfg, ctx.scope, "/aws/lambda/ops-agent-logs", "results", None)
    with pytest.raises(ConfigError, match="IAM allows"):
        make_role(ctx, "logs-fn", "ops-agent-logs-fn", policies.service_trust("lambda.amazonaws.com"), doc, "d")


def test_synth_without_node_says_so_in_one_line(tmp_path: Path) -> None:
    """cdktf runs on the jsii runtime (a node process): without Node.js, one line instead of a jsii traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSAGENT_")}
    env.update(PATH=str(tmp_path), CDKTF_OUTDIR=str(tmp_path / "out"), OPSAGENT_CONFIG_FILE=str(ROOT / "ops-agent.toml"))
    env.pop("JSII_NODE", None)
    proc = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and "Node.js" in proc.stderr
