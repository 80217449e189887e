"""The synthesized stack (ops-agent.toml turns every optional feature on), synthesized once per module.

Checks the Terraform JSON itself: terraform validate (offline provider mirror), action groups = catalogue,
IAM rules, Lambda settings, guardrail, Glue/Athena, Slack, alarm wiring, outputs, and checkov when installed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import policies, tables
from infra.agent import CREDENTIAL_ENTITIES, SECRET_REGEXES
from infra.instruction import build_instruction
from tools.catalogue import ACTION_GROUP_DESCRIPTIONS, ACTION_GROUPS, functions_of
from tools.common.config import load_file

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "full-config.toml"  # pinned: the committed example may change
MIRROR_ROOTS = ("/opt", "/usr/local/share", "/usr/share", "/root/.terraform.d", "/root/.local/share/terraform",
                str(Path.home() / ".terraform.d"), str(Path.home() / ".local/share/terraform"))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OPSAGENT_"))}
    env.update(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", PYTHONDONTWRITEBYTECODE="1")
    return env


def _synth(config: Path, out: Path) -> dict[str, Any]:
    env = {**_env(), "OPSAGENT_CONFIG_FILE": str(config), "CDKTF_OUTDIR": str(out)}
    proc = subprocess.run([sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stack_dir = out / "stacks" / load_file(config)["project"]["name"]
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    return {"dir": stack_dir, "doc": doc, "res": doc["resource"], "cfg": load_file(config)}


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _synth(CONFIG, tmp_path_factory.mktemp("cdktf") / "cdktf.out")


# The longest project name the schema accepts, an organization trail with a KMS-encrypted bucket, an opt-in
# reserved concurrency and a Powertools layer instead of the bundled Powertools: the other shape of a first deploy.
LONGEST_NAME = "checkout-ops-agent-prod-euwest1"
ORG_ID = "o-a1b2c3d4e5"
TRAIL_KEY = "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"
POWERTOOLS_LAYER = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:18"


@pytest.fixture(scope="module")
def synth_long(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("long")
    text = CONFIG.read_text()
    for old, new in (('name = "ops-agent"', f'name = "{LONGEST_NAME}"'),
                     ('organization_id = ""', f'organization_id = "{ORG_ID}"'),
                     ('kms_key_arn = ""', f'kms_key_arn = "{TRAIL_KEY}"'),
                     ("reserved_concurrency = 0", "reserved_concurrency = 2"),
                     ('powertools_layer_arn = ""', f'powertools_layer_arn = "{POWERTOOLS_LAYER}"')):
        assert old in text, old
        text = text.replace(old, new, 1)
    (base / "ops-agent.toml").write_text(text)
    return _synth(base / "ops-agent.toml", base / "cdktf.out")


def _ref(kind: str, name: str, attr: str) -> str:
    return "${" + f"{kind}.{name}.{attr}" + "}"


# --- terraform validate ------------------------------------------------------------------------------

def _find_mirror() -> Path | None:
    for root in MIRROR_ROOTS:
        base = Path(root)
        if not base.is_dir():
            continue
        for hit in base.glob("**/registry.terraform.io/hashicorp/aws/5.100.0/*/terraform-provider-aws_v5.100.0*"):
            return hit.parents[5]  # <root>/registry.terraform.io/hashicorp/aws/5.100.0/<os_arch>/<binary>
    return None


def test_the_longest_project_name_fits_every_aws_name_limit(synth_long: dict[str, Any]) -> None:
    from tools.common.config import PROJECT_NAME_MAX

    assert len(LONGEST_NAME) == PROJECT_NAME_MAX
    res = synth_long["res"]
    assert len(res["aws_s3_bucket"]["results"]["bucket_prefix"]) <= 37  # 63 - the provider's 26-character suffix
    assert len(res["aws_bedrock_guardrail"]["guardrail"]["name"]) <= 50
    assert all(len(r["name"]) <= 64 for r in res["aws_iam_role"].values())
    assert all(len(f["function_name"]) <= 64 for f in res["aws_lambda_function"].values())
    assert all(len(r["name"]) <= 64 for r in res["aws_cloudwatch_event_rule"].values())
    assert all(len(q["name"]) <= 80 for q in res["aws_sqs_queue"].values())


@pytest.mark.parametrize("which", ["synth", "synth_long"])
def test_terraform_validate_offline(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    synth = request.getfixturevalue(which)
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    mirror = _find_mirror()
    if mirror is None:
        pytest.skip(f"no offline mirror of hashicorp/aws 5.100.0 under {', '.join(MIRROR_ROOTS)}")
    rc = tmp_path / "terraformrc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    env = {**_env(), "TF_CLI_CONFIG_FILE": str(rc), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
           "TF_DATA_DIR": str(tmp_path / "tfdata")}
    init = subprocess.run([terraform, "init", "-backend=false", "-input=false", "-no-color"], cwd=synth["dir"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stdout[-2000:] + init.stderr[-2000:]
    val = subprocess.run([terraform, "validate", "-json", "-no-color"], cwd=synth["dir"], env=env,
                         capture_output=True, text=True, timeout=300)
    report = json.loads(val.stdout)
    assert report["valid"], json.dumps(report["diagnostics"], indent=1)[:3000]
    assert report["error_count"] == 0


# --- the agent and its action groups ------------------------------------------------------------------

def test_action_groups_match_the_catalogue_exactly(synth: dict[str, Any]) -> None:
    groups = synth["res"]["aws_bedrockagent_agent_action_group"]
    by_name = {g["action_group_name"]: g for g in groups.values()}
    assert sorted(by_name) == sorted(ACTION_GROUPS)
    for name, group in by_name.items():
        assert group["description"] == ACTION_GROUP_DESCRIPTIONS[name]
        assert group["agent_version"] == "DRAFT"
        assert group["agent_id"] == _ref("aws_bedrockagent_agent", "agent", "agent_id")
        assert group["action_group_executor"] == [{"lambda": _ref("aws_lambda_function", f"{name}-fn", "arn")}]
        functions = group["function_schema"][0]["member_functions"][0]["functions"]
        expected = [{
            "name": f.name, "description": f.description,
            "parameters": [{"map_block_key": p.name, "type": p.type, "required": p.required,
                            "description": p.description} for p in f.parameters],
        } for f in functions_of(name)]
        assert functions == expected


def test_action_groups_are_created_one_at_a_time(synth: dict[str, Any]) -> None:
    groups = synth["res"]["aws_bedrockagent_agent_action_group"]
    chained = [g for g in groups.values() if g.get("depends_on")]
    assert len(chained) == len(groups) - 1


def test_tool_lambdas_serve_their_catalogue_handlers(synth: dict[str, Any]) -> None:
    fns = synth["res"]["aws_lambda_function"]
    for group in ACTION_GROUPS:
        assert fns[f"{group}-fn"]["handler"] == functions_of(group)[0].handler
    assert fns["alarm-fn"]["handler"] == "tools.alarm.handler.lambda_handler"


def test_agent_settings(synth: dict[str, Any]) -> None:
    agent = synth["res"]["aws_bedrockagent_agent"]["agent"]
    cfg = synth["cfg"]
    assert agent["instruction"] == build_instruction()
    assert 40 <= len(agent["instruction"]) <= 4000
    assert agent["foundation_model"] == cfg["agent"]["foundation_model"]
    assert agent["idle_session_ttl_in_seconds"] == cfg["agent"]["idle_session_ttl_seconds"]
    assert agent["agent_resource_role_arn"] == _ref("aws_iam_role", "agent-role", "arn")
    assert agent["guardrail_configuration"] == [{
        "guardrail_identifier": _ref("aws_bedrock_guardrail", "guardrail", "guardrail_id"),
        "guardrail_version": _ref("aws_bedrock_guardrail_version", "guardrail-version", "version")}]
    # PrepareAgent (at create) checks the role's permissions: the agent waits for the inline policy itself.
    assert agent["depends_on"] == ["aws_iam_role_policy.agent-policy"]
    alias = synth["res"]["aws_bedrockagent_agent_alias"]["agent-alias"]
    assert alias["agent_id"] == _ref("aws_bedrockagent_agent", "agent", "agent_id")
    assert len(alias["depends_on"]) == 2 * len(ACTION_GROUPS)  # every action group and Lambda permission


def test_guardrail_filters(synth: dict[str, Any]) -> None:
    rail = synth["res"]["aws_bedrock_guardrail"]["guardrail"]
    filters = rail["content_policy_config"][0]["filters_config"]
    assert {"type": "PROMPT_ATTACK", "input_strength": "HIGH", "output_strength": "NONE"} in filters
    pii = rail["sensitive_information_policy_config"][0]["pii_entities_config"]
    assert sorted(e["type"] for e in pii) == sorted(CREDENTIAL_ENTITIES) == ["AWS_ACCESS_KEY", "AWS_SECRET_KEY",
                                                                              "PASSWORD"]
    regexes = rail["sensitive_information_policy_config"][0]["regexes_config"]
    assert [r["name"] for r in regexes] == [n for n, _, _ in SECRET_REGEXES]
    samples = {"bearer-token": "Authorization: Bearer abcdefghijk.lmnop",
               "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
               "private-key": "-----BEGIN RSA PRIVATE KEY-----"}
    for r in regexes:
        assert len(r["pattern"]) <= 500
        assert re.search(r["pattern"], samples[r["name"]]), r["name"]
    version = synth["res"]["aws_bedrock_guardrail_version"]["guardrail-version"]
    assert version["guardrail_arn"] == _ref("aws_bedrock_guardrail", "guardrail", "guardrail_arn")


# --- IAM ------------------------------------------------------------------------------------------------

def _identity_policies(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    docs = {f"role_policy.{k}": json.loads(v["policy"]) for k, v in res["aws_iam_role_policy"].items()}
    docs.update({f"policy.{k}": json.loads(v["policy"]) for k, v in res.get("aws_iam_policy", {}).items()})
    return docs


def test_every_identity_policy_follows_the_rules(synth: dict[str, Any]) -> None:
    docs = _identity_policies(synth["res"])
    assert len(docs) >= len(ACTION_GROUPS) + 3
    problems = {name: policies.violations(doc) for name, doc in docs.items()}
    assert {k: v for k, v in problems.items() if v} == {}


def test_each_role_has_exactly_one_inline_policy_and_nothing_attached(synth: dict[str, Any]) -> None:
    res = synth["res"]
    roles = res["aws_iam_role"]
    attached = res.get("aws_iam_role_policy_attachment", {})
    assert attached == {}
    owners = sorted(p["role"] for p in res["aws_iam_role_policy"].values())
    assert owners == sorted(_ref("aws_iam_role", name, "id") for name in roles)


def test_tool_roles_read_only_their_source(synth: dict[str, Any]) -> None:
    docs = _identity_policies(synth["res"])

    def actions(name: str) -> set[str]:
        return {a for st in docs[f"role_policy.{name}-fn-policy"]["Statement"] for a in policies._as_list(st["Action"])}

    base = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    assert actions("metrics") - base == {"cloudwatch:GetMetricData", "cloudwatch:ListMetrics"}
    assert actions("findings") - base == {"securityhub:GetFindings", "guardduty:ListDetectors",
                                          "guardduty:ListFindings", "guardduty:GetFindings"}
    assert {a.split(":")[0] for a in actions("logs") - base} == {"logs"}
    assert not any(a.startswith(("s3:", "athena:", "glue:")) for a in actions("xray"))
    union = set().union(*(actions(g) for g in ACTION_GROUPS if g != "triage"))
    knowledge = {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "kms:Decrypt", "kms:GenerateDataKey"}
    assert union <= actions("triage") <= union | knowledge  # plus runbooks and saved investigations
    idempotency = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert actions("alarm") - actions("triage") == {"sns:Publish", "sqs:SendMessage"} | idempotency
    assert union <= actions("alerts") <= union | knowledge | {
        "sns:Publish", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    for name, doc in docs.items():
        for st in doc["Statement"]:
            writes = {a for a in policies._as_list(st["Action"])
                      if a.split(":")[1].startswith(("Put", "Delete", "Create", "Update"))}
            allowed = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments",
                       "xray:PutTelemetryRecords", "s3:PutObject"}
            if name == "role_policy.alerts-fn-policy":  # the alert state, items of its own table only
                allowed |= {"dynamodb:PutItem", "dynamodb:UpdateItem"}
                if writes & {"dynamodb:PutItem", "dynamodb:UpdateItem"}:
                    assert st["Resource"] == "${aws_dynamodb_table.alert-state.arn}"
            if name == "role_policy.alarm-fn-policy":  # its idempotency records, items of its own table only
                allowed |= idempotency
                if writes & idempotency:
                    assert st["Resource"] == _ref("aws_dynamodb_table", "alarm-idempotency", "arn")
            assert writes <= allowed, (name, writes)
            if "s3:PutObject" in writes:  # Athena's results or saved investigations, never the user's log buckets
                assert all("aws_s3_bucket.results" in r or (r.startswith("${aws_s3_bucket.knowledge.arn}")
                                                            and r.endswith("/incidents/*"))
                           for r in policies._as_list(st["Resource"]))


def test_log_writes_are_scoped_to_the_functions_own_log_group(synth: dict[str, Any]) -> None:
    docs = _identity_policies(synth["res"])
    for group in (*ACTION_GROUPS, "alarm"):
        own = next(st for st in docs[f"role_policy.{group}-fn-policy"]["Statement"] if st["Sid"] == "OwnLogs")
        assert own["Resource"].endswith(f":log-group:/aws/lambda/ops-agent-{group}:*")


def test_agent_role_trust_and_permissions(synth: dict[str, Any]) -> None:
    role = synth["res"]["aws_iam_role"]["agent-role"]
    trust = json.loads(role["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "bedrock.amazonaws.com"}
    assert set(trust["Condition"]["StringEquals"]) == {"aws:SourceAccount"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"].startswith("arn:aws:bedrock:us-east-1:")
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":agent/*")
    doc = json.loads(synth["res"]["aws_iam_role_policy"]["agent-policy"]["policy"])
    invoke = next(s for s in doc["Statement"] if s["Sid"] == "InvokeModel")
    model = synth["cfg"]["agent"]["foundation_model"]
    assert any(r.endswith(f":inference-profile/{model}") for r in invoke["Resource"])
    # The profile routes to regions AWS may add: the model ARN has a region wildcard, not today's list.
    assert f"arn:aws:bedrock:*::foundation-model/{model.split('.', 1)[1]}" in invoke["Resource"]
    assert not any(r.startswith("arn:aws:bedrock:us-") and "foundation-model" in r for r in invoke["Resource"])
    guard = next(s for s in doc["Statement"] if s["Sid"] == "ApplyGuardrail")
    assert guard["Action"] == ["bedrock:ApplyGuardrail"]
    assert guard["Resource"] == _ref("aws_bedrock_guardrail", "guardrail", "guardrail_arn")


def test_lambda_permissions_are_scoped(synth: dict[str, Any]) -> None:
    perms = synth["res"]["aws_lambda_permission"]
    for group in ACTION_GROUPS:
        p = perms[f"{group}-invoke-by-agent"]
        assert p["principal"] == "bedrock.amazonaws.com"
        assert p["source_arn"] == _ref("aws_bedrockagent_agent", "agent", "agent_arn")
        assert p["source_account"] == _ref("data.aws_caller_identity", "caller", "account_id")
        assert p["function_name"] == _ref("aws_lambda_function", f"{group}-fn", "function_name")
    events = perms["alarm-invoke-by-events"]
    assert events["principal"] == "events.amazonaws.com"
    assert events["source_arn"] == _ref("aws_cloudwatch_event_rule", "alarm-rule", "arn")


# --- Lambdas --------------------------------------------------------------------------------------------

def test_lambda_settings(synth: dict[str, Any]) -> None:
    cfg = synth["cfg"]
    lam = cfg["lambda"]
    fns = synth["res"]["aws_lambda_function"]
    logs = synth["res"]["aws_cloudwatch_log_group"]
    assert sorted(fns) == sorted([f"{g}-fn" for g in ACTION_GROUPS] + ["alarm-fn", "alerts-fn"])
    assert lam["reserved_concurrency"] == 0
    for name, fn in fns.items():
        group = name[:-3]
        assert fn["runtime"] == "python3.12" and fn["package_type"] == "Zip"
        assert fn["memory_size"] == lam["memory_mb"]
        # Unreserved by default: reserving fails apply on accounts with a concurrency quota under 100 + 9 x N.
        assert "reserved_concurrent_executions" not in fn
        assert "layers" not in fn  # Powertools is bundled (test_code_package_bundles_the_pinned_powertools_and_drain3)
        assert fn["tracing_config"] == {"mode": "Active"}
        assert fn["logging_config"]["log_group"] == _ref("aws_cloudwatch_log_group", f"{group}-logs", "name")
        assert logs[f"{group}-logs"]["retention_in_days"] == lam["log_retention_days"]
        assert logs[f"{group}-logs"]["name"] == f"/aws/lambda/{fn['function_name']}"
        env = fn["environment"]["variables"]
        assert env["OPSAGENT_CONFIG"] == cfg.to_json()
        assert json.loads(env["OPSAGENT_CONFIG"]) == cfg.data
        assert env["POWERTOOLS_SERVICE_NAME"] == fn["function_name"]
        assert fn["role"] == _ref("aws_iam_role", f"{group}-fn-role", "arn")


def test_alarm_lambda_outlives_its_triage_turn(synth: dict[str, Any]) -> None:
    from infra.lambdas import ALARM_TIMEOUT_MARGIN_SECONDS

    fns, cfg = synth["res"]["aws_lambda_function"], synth["cfg"]
    turn = cfg["limits"]["turn_seconds"]
    assert fns["alarm-fn"]["timeout"] == max(cfg["lambda"]["timeout_seconds"], turn + ALARM_TIMEOUT_MARGIN_SECONDS)
    assert fns["alarm-fn"]["timeout"] >= turn + 10
    assert fns["alerts-fn"]["timeout"] >= cfg["alerts"]["triage_seconds"] + 10
    assert all(fn["timeout"] == cfg["lambda"]["timeout_seconds"] for name, fn in fns.items()
               if name not in ("alarm-fn", "alerts-fn"))


def test_reserved_concurrency_is_opt_in(synth_long: dict[str, Any]) -> None:
    fns = synth_long["res"]["aws_lambda_function"].values()
    assert {fn["reserved_concurrent_executions"] for fn in fns} == {2}


def test_code_package_bundles_the_pinned_powertools_and_drain3(synth: dict[str, Any]) -> None:
    """The zip holds the Powertools and the drain3 the tests ran (constraints.txt pins), as pure Python."""
    import zipfile

    from infra.packaging import BUNDLED_DISTRIBUTIONS, pinned_versions

    fn = synth["res"]["aws_lambda_function"]["logs-fn"]
    with zipfile.ZipFile(synth["dir"] / fn["filename"]) as archive:
        names = set(archive.namelist())
        version = archive.read("aws_lambda_powertools/shared/version.py").decode()
    assert f'VERSION = "{pinned_versions()["aws-lambda-powertools"]}"' in version
    for module in ("aws_lambda_powertools/event_handler/bedrock_agent_function.py", "fastjsonschema/__init__.py",
                   "jmespath/__init__.py", "typing_extensions.py", "aws_xray_sdk/core/__init__.py",
                   "wrapt/__init__.py", "drain3/drain.py", "jsonpickle/__init__.py", "cachetools/__init__.py",
                   "tools/common/app.py", "tools/alerts/detector.py"):
        assert module in names, module
    assert not [n for n in names if not n.endswith(".py")]  # no compiled extensions, no metadata
    assert len(BUNDLED_DISTRIBUTIONS) == 9


def test_a_powertools_layer_replaces_the_bundled_powertools_but_not_drain3(synth_long: dict[str, Any]) -> None:
    """With ``lambda.powertools_layer_arn`` the functions use the layer, and the zip still bundles the miner."""
    import zipfile

    fns = synth_long["res"]["aws_lambda_function"]
    assert {tuple(fn["layers"]) for fn in fns.values()} == {(POWERTOOLS_LAYER,)}
    fn = fns["alerts-fn"]
    with zipfile.ZipFile(synth_long["dir"] / fn["filename"]) as archive:
        names = set(archive.namelist())
    assert {"drain3/drain.py", "jsonpickle/__init__.py", "cachetools/__init__.py", "tools/alerts/detector.py"} <= names
    assert not [n for n in names if n.startswith(("aws_lambda_powertools/", "aws_xray_sdk/", "wrapt/"))]


def test_code_package_in_the_stack_folder_matches_its_hash(synth: dict[str, Any]) -> None:
    fns = synth["res"]["aws_lambda_function"].values()
    assert len({(f["filename"], f["source_code_hash"]) for f in fns}) == 1
    fn = next(iter(fns))
    assert not os.path.isabs(fn["filename"])  # relative to cdk.tf.json: the folder works on its own
    data = (synth["dir"] / fn["filename"]).read_bytes()
    assert fn["source_code_hash"] == base64.b64encode(hashlib.sha256(data).digest()).decode()


# --- Athena and Glue ------------------------------------------------------------------------------------

def test_athena_workgroup_and_results_bucket(synth: dict[str, Any]) -> None:
    res, cfg = synth["res"], synth["cfg"]
    wg = res["aws_athena_workgroup"]["workgroup"]["configuration"]
    assert wg["enforce_workgroup_configuration"] is True
    assert wg["bytes_scanned_cutoff_per_query"] == cfg["athena"]["bytes_scanned_cutoff"]
    enc = wg["result_configuration"]["encryption_configuration"]
    assert enc == {"encryption_option": "SSE_KMS", "kms_key_arn": _ref("aws_kms_key", "key", "arn")}
    assert res["aws_s3_bucket_versioning"]["results-versioning"]["versioning_configuration"]["status"] == "Enabled"
    rule = res["aws_s3_bucket_lifecycle_configuration"]["results-lifecycle"]["rule"][0]
    assert rule["expiration"] == [{"days": cfg["athena"]["results_expiry_days"]}]
    pab = res["aws_s3_bucket_public_access_block"]["results-public-access"]
    assert all(pab[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
                                         "restrict_public_buckets"))
    sse = res["aws_s3_bucket_server_side_encryption_configuration"]["results-encryption"]["rule"][0]
    assert sse["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    own = res["aws_s3_bucket_ownership_controls"]["results-ownership"]["rule"]
    assert own["object_ownership"] == "BucketOwnerEnforced"
    tls = json.loads(res["aws_s3_bucket_policy"]["results-tls-only"]["policy"])["Statement"][0]
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_glue_tables_with_day_projection(synth: dict[str, Any]) -> None:
    res, cfg = synth["res"], synth["cfg"]
    tabs = res["aws_glue_catalog_table"]
    alb, trail = tabs["alb-table"], tabs["cloudtrail-table"]
    assert alb["name"] == cfg["alb"]["table"] and trail["name"] == cfg["cloudtrail"]["table"]
    for table, section, service in ((alb, "alb", "elasticloadbalancing"), (trail, "cloudtrail", "CloudTrail")):
        params = table["parameters"]
        assert params["projection.enabled"] == "true"
        assert params["projection.day.type"] == "date"
        assert params["projection.day.format"] == "yyyy/MM/dd"
        assert params["projection.day.range"] == f"{cfg[section]['retention_start']},NOW"
        assert params["projection.day.interval"] == "1" and params["projection.day.interval.unit"] == "DAYS"
        template = params["storage.location.template"]
        # "$${day}" in the JSON is the literal ${day} Athena substitutes (Terraform un-escapes $$).
        assert template.endswith("/$${day}") and "${day}" not in template.replace("$${day}", "")
        account = "${data.aws_caller_identity.caller.account_id}"
        assert template.startswith(f"s3://{cfg[section]['log_bucket']}/") and account in template
        assert f"/AWSLogs/{account}/{service}/" in table["storage_descriptor"]["location"]
        assert table["table_type"] == "EXTERNAL_TABLE"
    # ALB: account and region fixed in the template; CloudTrail: region projected (workload region + us-east-1).
    assert alb["parameters"]["storage.location.template"].endswith("/elasticloadbalancing/us-east-1/$${day}")
    assert alb["partition_keys"] == [{"name": "day", "type": "string"}]
    assert trail["parameters"]["storage.location.template"].endswith("/CloudTrail/$${region}/$${day}")
    assert trail["parameters"]["projection.region.type"] == "enum"
    assert [k["name"] for k in trail["partition_keys"]] == ["region", "day"]

    from tools.alb import schema as alb_schema
    from tools.cloudtrail import schema as trail_schema

    sd = alb["storage_descriptor"]
    assert sd["ser_de_info"]["serialization_library"] == "org.apache.hadoop.hive.serde2.RegexSerDe"
    assert sd["ser_de_info"]["parameters"]["input.regex"] == alb_schema.REGEX == tables.ALB_REGEX
    assert [(c["name"], c["type"]) for c in sd["columns"]] == list(alb_schema.COLUMNS)
    assert re.compile(alb_schema.REGEX).groups == len(alb_schema.COLUMNS)
    sd = trail["storage_descriptor"]
    assert sd["ser_de_info"]["serialization_library"] == trail_schema.SERDE
    assert sd["input_format"] == "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
    assert [(c["name"], c["type"]) for c in sd["columns"]] == list(trail_schema.COLUMNS)


def test_terraform_literal_escapes_only_projection_placeholders() -> None:
    assert tables.terraform_literal("s3://b/AWSLogs/${TfToken[TOKEN.1]}/x/${region}/${day}") == \
        "s3://b/AWSLogs/${TfToken[TOKEN.1]}/x/$${region}/$${day}"
    assert tables.terraform_literal("a/$${day}") == "a/$${day}"


# --- Slack and alarms -----------------------------------------------------------------------------------

def test_slack_channel_can_only_invoke_this_agent_alias(synth: dict[str, Any]) -> None:
    res, cfg = synth["res"], synth["cfg"]
    channel = res["aws_chatbot_slack_channel_configuration"]["slack-channel"]
    assert channel["slack_team_id"] == cfg["slack"]["workspace_id"]
    assert channel["slack_channel_id"] == cfg["slack"]["channel_id"]
    assert channel["sns_topic_arns"] == [_ref("aws_sns_topic", "topic", "arn")]
    assert channel["guardrail_policy_arns"] == [_ref("aws_iam_policy", "chatbot-guardrail", "arn")]
    alias_arn = _ref("aws_bedrockagent_agent_alias", "agent-alias", "agent_alias_arn")
    for doc in (json.loads(res["aws_iam_policy"]["chatbot-guardrail"]["policy"]),
                json.loads(res["aws_iam_role_policy"]["chatbot-policy"]["policy"])):
        assert doc["Statement"] == [{"Sid": "InvokeOpsAgent", "Effect": "Allow", "Action": ["bedrock:InvokeAgent"],
                                     "Resource": alias_arn}]
    trust = json.loads(res["aws_iam_role"]["chatbot-role"]["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "chatbot.amazonaws.com"}
    assert res["aws_sns_topic"]["topic"]["kms_master_key_id"] == _ref("aws_kms_key", "key", "arn")


def test_alarm_rule_invokes_the_alarm_lambda(synth: dict[str, Any]) -> None:
    res, cfg = synth["res"], synth["cfg"]
    pattern = json.loads(res["aws_cloudwatch_event_rule"]["alarm-rule"]["event_pattern"])
    assert pattern["detail-type"] == ["CloudWatch Alarm State Change"]
    assert pattern["detail"]["state"] == {"value": ["ALARM"]}
    assert pattern["detail"]["alarmName"] == [{"prefix": cfg["alarms"]["name_prefix"]}]
    target = res["aws_cloudwatch_event_target"]["alarm-target"]
    assert target["arn"] == _ref("aws_lambda_function", "alarm-fn", "arn")
    doc = json.loads(res["aws_iam_role_policy"]["alarm-fn-policy"]["policy"])
    publish = next(s for s in doc["Statement"] if s["Sid"] == "PublishToTopic")
    assert publish["Resource"] == _ref("aws_sns_topic", "topic", "arn")
    env = res["aws_lambda_function"]["alarm-fn"]["environment"]["variables"]
    assert env["OPSAGENT_TOPIC_ARN"] == _ref("aws_sns_topic", "topic", "arn")


def test_failed_alarm_investigations_go_to_the_failure_queue_once(synth: dict[str, Any]) -> None:
    res = synth["res"]
    queue_arn = _ref("aws_sqs_queue", "alarm-failures", "arn")
    config = res["aws_lambda_function_event_invoke_config"]["alarm-invoke-config"]
    assert config["function_name"] == _ref("aws_lambda_function", "alarm-fn", "function_name")
    assert config["maximum_retry_attempts"] == 0  # a retry after a timeout could post twice
    assert config["destination_config"]["on_failure"]["destination"] == queue_arn
    assert config["depends_on"] == ["aws_iam_role_policy.alarm-fn-policy"]
    doc = json.loads(res["aws_iam_role_policy"]["alarm-fn-policy"]["policy"])
    assert next(s for s in doc["Statement"] if s["Sid"] == "FailureQueue")["Resource"] == queue_arn
    target = res["aws_cloudwatch_event_target"]["alarm-target"]
    assert target["dead_letter_config"] == {"arn": queue_arn}
    queue_policy = json.loads(res["aws_sqs_queue_policy"]["alarm-failures-policy"]["policy"])["Statement"][0]
    assert queue_policy["Principal"] == {"Service": "events.amazonaws.com"}
    assert queue_policy["Condition"] == {"ArnEquals": {"aws:SourceArn": _ref("aws_cloudwatch_event_rule",
                                                                             "alarm-rule", "arn")}}
    assert res["aws_sqs_queue"]["alarm-failures"]["sqs_managed_sse_enabled"] is True


def test_organization_trail_with_a_kms_key(synth_long: dict[str, Any]) -> None:
    res = synth_long["res"]
    table = res["aws_glue_catalog_table"]["cloudtrail-table"]
    account = "${data.aws_caller_identity.caller.account_id}"
    assert table["storage_descriptor"]["location"] == f"s3://my-cloudtrail-logs/AWSLogs/{ORG_ID}/{account}/CloudTrail/"
    assert table["parameters"]["storage.location.template"] == (
        f"s3://my-cloudtrail-logs/AWSLogs/{ORG_ID}/{account}/CloudTrail/$${{region}}/$${{day}}")
    for name in ("cloudtrail-fn-policy", "triage-fn-policy", "alarm-fn-policy"):
        doc = json.loads(res["aws_iam_role_policy"][name]["policy"])
        sts = {s["Sid"]: s for s in doc["Statement"]}
        assert sts["TrailLogKey"]["Resource"] == TRAIL_KEY and sts["TrailLogKey"]["Action"] == ["kms:Decrypt"]
        assert sts["TrailLogObjects"]["Resource"].endswith(f"/AWSLogs/{ORG_ID}/{account}/CloudTrail/*")


def test_outputs(synth: dict[str, Any]) -> None:
    out = synth["doc"]["output"]
    assert out["agent_id"]["value"] == _ref("aws_bedrockagent_agent", "agent", "agent_id")
    assert out["agent_alias_id"]["value"] == _ref("aws_bedrockagent_agent_alias", "agent-alias", "agent_alias_id")
    name = synth["cfg"]["slack"]["connector_name"]
    assert out["slack_connector_command"]["value"] == (
        f"@aws connector add {name} {_ref('aws_bedrockagent_agent', 'agent', 'agent_arn')} "
        f"{_ref('aws_bedrockagent_agent_alias', 'agent-alias', 'agent_alias_id')}")


def test_state_lives_outside_the_synth_output(synth: dict[str, Any]) -> None:
    path = synth["doc"]["terraform"]["backend"]["local"]["path"]
    assert not os.path.isabs(path) and path.startswith("../../../")


# --- checkov --------------------------------------------------------------------------------------------

def test_checkov_finds_no_failed_checks(synth: dict[str, Any]) -> None:
    checkov = ROOT / ".venv-checkov" / "bin" / "checkov"
    if not checkov.exists():
        pytest.skip("checkov is not installed: run make checkov")
    proc = subprocess.run([str(checkov), "--config-file", str(ROOT / ".checkov.yaml"), "-o", "json",
                           "-f", str(synth["dir"] / "cdk.tf.json")], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=600)
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    summary = [r["summary"] for r in reports]
    failed = [c["check_id"] + " " + c["resource"] for r in reports for c in r["results"]["failed_checks"]]
    assert failed == [], failed
    assert sum(s["passed"] for s in summary) > 100


# --- proactive alerts and knowledge -------------------------------------------------------------------

def test_alert_state_table_has_ttl_encryption_and_recovery(synth: dict[str, Any]) -> None:
    from tools.alerts.dynamo_state import TTL_ATTRIBUTE

    table = synth["res"]["aws_dynamodb_table"]["alert-state"]
    assert table["hash_key"] == "pk" and table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["ttl"] == {"attribute_name": TTL_ATTRIBUTE, "enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": "${aws_kms_key.key.arn}"}
    assert table["point_in_time_recovery"] == {"enabled": True}


def test_each_watched_log_group_streams_to_the_alert_lambda(synth: dict[str, Any]) -> None:
    res, cfg = synth["res"], synth["cfg"]
    groups = cfg["alerts"]["log_groups"] or cfg["logs"]["log_groups"]
    filters = res["aws_cloudwatch_log_subscription_filter"]
    assert sorted(f["log_group_name"] for f in filters.values()) == sorted(groups)
    permissions = {p["source_arn"]: p for k, p in res["aws_lambda_permission"].items() if k.startswith("alerts-invoke-by-logs")}
    for index, sub in enumerate(filters.values()):
        assert sub["destination_arn"] == "${aws_lambda_function.alerts-fn.arn}"
        assert sub["filter_pattern"] == cfg["alerts"]["filter_pattern"]
        permission = res["aws_lambda_permission"][sub["depends_on"][0].split(".")[1]]
        assert permission["principal"] == "logs.amazonaws.com"
        assert permission["source_arn"].endswith(f":log-group:{sub['log_group_name']}:*")  # this group only
    assert len(permissions) == len(groups)
    env = res["aws_lambda_function"]["alerts-fn"]["environment"]["variables"]
    assert env["OPSAGENT_ALERT_TABLE"] == "${aws_dynamodb_table.alert-state.name}"
    assert env["OPSAGENT_TOPIC_ARN"] == "${aws_sns_topic.topic.arn}"
    assert res["aws_lambda_function"]["alerts-fn"]["handler"] == "tools.alerts.handler.lambda_handler"


def test_runbooks_are_uploaded_to_the_private_knowledge_bucket(synth: dict[str, Any]) -> None:
    from tools.knowledge.runbooks import repository_folder

    res = synth["res"]
    objects = {o["key"]: o for o in res["aws_s3_object"].values()}
    expected = {f"runbooks/{p.name}" for p in repository_folder().glob("*.md")}
    assert set(objects) == expected
    for key, obj in objects.items():
        assert obj["bucket"] == "${aws_s3_bucket.knowledge.id}"
        assert obj["content"] == (repository_folder() / key.split("/", 1)[1]).read_text(encoding="utf-8")
    assert res["aws_s3_bucket_public_access_block"]["knowledge-public-access"]["restrict_public_buckets"] is True
    env = res["aws_lambda_function"]["triage-fn"]["environment"]["variables"]
    assert env["OPSAGENT_KNOWLEDGE_BUCKET"] == "${aws_s3_bucket.knowledge.bucket}"


def test_a_configured_bedrock_knowledge_base_is_associated_before_the_alias(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.mktemp("kb")
    text = CONFIG.read_text().replace('bedrock_knowledge_base_id = ""', 'bedrock_knowledge_base_id = "ABCDEFGHIJ"', 1)
    assert "ABCDEFGHIJ" in text
    (base / "ops-agent.toml").write_text(text)
    res = _synth(base / "ops-agent.toml", base / "cdktf.out")["res"]
    assoc = res["aws_bedrockagent_agent_knowledge_base_association"]["knowledge-base"]
    assert assoc["knowledge_base_id"] == "ABCDEFGHIJ" and assoc["knowledge_base_state"] == "ENABLED"
    assert "aws_bedrockagent_agent_knowledge_base_association.knowledge-base" in res["aws_bedrockagent_agent_alias"]["agent-alias"]["depends_on"]
    doc = json.loads(res["aws_iam_role_policy"]["agent-policy"]["policy"])
    retrieve = next(s for s in doc["Statement"] if s["Sid"] == "RetrieveKnowledge")
    assert retrieve["Action"] == ["bedrock:Retrieve"] and retrieve["Resource"].endswith(":knowledge-base/ABCDEFGHIJ")


def test_a_duplicate_alarm_delivery_finds_its_idempotency_record(synth: dict[str, Any]) -> None:
    res = synth["res"]
    table = res["aws_dynamodb_table"]["alarm-idempotency"]
    assert table["hash_key"] == "id" and table["attribute"] == [{"name": "id", "type": "S"}]
    assert table["ttl"] == {"attribute_name": "expiration", "enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": _ref("aws_kms_key", "key", "arn")}
    env = res["aws_lambda_function"]["alarm-fn"]["environment"]["variables"]
    assert env["OPSAGENT_IDEMPOTENCY_TABLE"] == _ref("aws_dynamodb_table", "alarm-idempotency", "name")
    doc = json.loads(res["aws_iam_role_policy"]["alarm-fn-policy"]["policy"])
    records = next(s for s in doc["Statement"] if s["Sid"] == "IdempotencyRecords")
    assert records["Resource"] == _ref("aws_dynamodb_table", "alarm-idempotency", "arn")
    assert records["Action"] == ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
