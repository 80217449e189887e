"""docker/ (cannot be built here: no engine): the files follow the Lambda base-image conventions and the
sample events are valid agent events for real catalogue functions. Plus .checkov.yaml's skip reasons."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools.catalogue import find

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"


def test_dockerfile_follows_the_lambda_base_image_conventions() -> None:
    text = (DOCKER / "Dockerfile").read_text()
    assert re.search(r"^FROM public\.ecr\.aws/lambda/python:3\.12\s*$", text, re.M)
    assert "requirements-lambda.txt" in text and "--target ${LAMBDA_TASK_ROOT}" in text
    assert re.search(r"^COPY tools/ \$\{LAMBDA_TASK_ROOT\}/tools/\s*$", text, re.M)
    cmd = re.search(r'^CMD \[ "([^"]+)" \]\s*$', text, re.M)
    assert cmd and re.fullmatch(r"tools\.[a-z]+\.handler\.lambda_handler", cmd.group(1))


def test_compose_runs_a_tool_behind_the_emulator_port() -> None:
    text = (DOCKER / "compose.yaml").read_text()
    assert '"9000:8080"' in text
    assert "dockerfile: docker/Dockerfile" in text and "context: .." in text
    assert "${TOOL_HANDLER:-tools.logs.handler.lambda_handler}" in text


@pytest.mark.parametrize("path", sorted((DOCKER / "events").glob("*.json")), ids=lambda p: p.name)
def test_sample_events_call_real_functions_with_valid_parameters(path: Path) -> None:
    import jsonschema

    event = json.loads(path.read_text())
    assert event["messageVersion"] == "1.0"
    fn = find(event["actionGroup"], event["function"])
    assert fn is not None
    params = {p["name"]: p["value"] for p in event["parameters"]}
    for p in event["parameters"]:
        assert p["type"] == fn.parameter(p["name"]).type
    jsonschema.validate(params, fn.input_schema())


def test_readme_curl_targets_the_emulator() -> None:
    text = (DOCKER / "README.md").read_text()
    assert 'curl -s -XPOST "http://localhost:9000/2015-03-31/functions/function/invocations"' in text
    for event in (DOCKER / "events").glob("*.json"):
        assert f"docker/events/{event.name}" in text


def test_every_checkov_skip_has_a_reason() -> None:
    lines = (ROOT / ".checkov.yaml").read_text().splitlines()
    start = lines.index("skip-check:")
    skips = [line for line in lines[start + 1:] if line.strip().startswith("- ")]
    assert skips
    for line in skips:
        assert re.fullmatch(r"  - CKV2?_AWS_\d+ +# \S.{20,}", line), line
