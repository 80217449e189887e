"""``agent.kind = "tools-only"``: for accounts without Bedrock Agents Classic, the stack deploys the tool Lambdas
(AgentCore Gateway targets, docs/agentcore.md) and no agent, alias or Chatbot connector; it still validates."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tools.catalogue import ACTION_GROUPS
from tools.common.config import ConfigError, validate

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_stack import ROOT, _env, _find_mirror  # noqa: E402


def _tools_only_config(tmp_path: Path) -> Path:
    raw = tomllib.loads((ROOT / "ops-agent.toml").read_text())
    raw["agent"]["kind"] = "tools-only"
    raw["slack"]["enabled"] = False
    lines = []
    for section, values in raw.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {json.dumps(value)}" if not isinstance(value, dict) else
                     f"{key} = {{ {', '.join(f'{k} = {json.dumps(v)}' for k, v in value.items())} }}"
                     for key, value in values.items())
    path = tmp_path / "tools-only.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def tools_only(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("tools-only")
    config = _tools_only_config(tmp)
    out = tmp / "cdktf.out"
    proc = subprocess.run([sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**_env(), "OPSAGENT_CONFIG_FILE": str(config), "CDKTF_OUTDIR": str(out)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    stack_dir = next((out / "stacks").iterdir())
    return {"dir": stack_dir, "doc": json.loads((stack_dir / "cdk.tf.json").read_text())}


def test_tools_only_deploys_the_tool_lambdas_and_no_agent(tools_only):
    resources = tools_only["doc"]["resource"]
    assert not [kind for kind in resources if kind.startswith("aws_bedrockagent_")]
    assert "aws_chatbot_slack_channel_configuration" not in resources
    handlers = {fn["handler"] for fn in resources["aws_lambda_function"].values()}
    assert {f"tools.{group}.handler.lambda_handler" for group in ACTION_GROUPS} <= handlers
    outputs = tools_only["doc"]["output"]
    assert "agent_id" not in outputs and "slack_connector_command" not in outputs
    assert set(outputs["tool_function_arns"]["value"]) == set(ACTION_GROUPS)


def test_tools_only_stack_validates_offline(tools_only, tmp_path):
    terraform, mirror = shutil.which("terraform"), _find_mirror()
    if terraform is None or mirror is None:
        pytest.skip("terraform or its offline provider mirror is not on this machine")
    rc = tmp_path / "terraformrc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    env = {**_env(), "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
           "TF_DATA_DIR": str(tmp_path / "tfdata")}
    init = subprocess.run([terraform, "init", "-backend=false", "-input=false", "-no-color"], cwd=tools_only["dir"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stderr[-2000:]
    val = subprocess.run([terraform, "validate", "-json", "-no-color"], cwd=tools_only["dir"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert json.loads(val.stdout)["valid"], val.stdout[-3000:]


def test_tools_only_with_a_slack_connector_is_refused_with_a_clear_message():
    with pytest.raises(ConfigError, match="slack.enabled = false"):
        validate({"agent": {"kind": "tools-only"}, "slack": {"enabled": True}}, "ops-agent.toml")
    with pytest.raises(ConfigError, match="agent.kind|kind"):
        validate({"agent": {"kind": "agentcore-please"}}, "ops-agent.toml")
