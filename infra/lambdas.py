"""Tool Lambdas: one per action group (plus the alarm Lambda), each with its own role, log group and limits.

Zip packaging: one deterministic archive of ``tools/**.py``, the pinned Powertools and drain3 with their
dependencies (``infra.packaging``) shipped as a Terraform asset next to cdk.tf.json;
``lambda.powertools_layer_arn`` swaps the bundled Powertools for a layer of your choice (drain3 stays bundled).
Image packaging: ``lambda.image_uri`` built from ``docker/Dockerfile``, the handler chosen by
``image_config.command``.

Concurrency is unreserved unless ``lambda.reserved_concurrency`` > 0 (an account needs a concurrency quota
of at least 100 + 9 x that value: Lambda keeps 100 unreserved). The alarm Lambda runs one triage turn
(``limits.turn_seconds``), so its timeout is that plus ``ALARM_TIMEOUT_MARGIN_SECONDS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra import policies
from infra.context import Context
from infra.iam import make_role_and_policy
from infra.packaging import BUNDLED_DISTRIBUTIONS, MINER_DISTRIBUTIONS, build_zip, dependency_files, write_zip
from infra.provider import aws
from tools.common.errors import ConfigError

RUNTIME = "python3.12"
# Time the alarm Lambda keeps after its triage turn to publish the answer and flush its logs.
ALARM_TIMEOUT_MARGIN_SECONDS = 20
MAX_CONFIG_ENV_BYTES = 3000  # Lambda allows 4 KB of environment in total
ALARM_HANDLER = "tools.alarm.handler.lambda_handler"
ZIP_NAME = "tools.zip"


def handler_of(group: str) -> str:
    return ALARM_HANDLER if group == "alarm" else f"tools.{group}.handler.lambda_handler"


def layers(ctx: Context) -> list[str] | None:
    """The configured Powertools layer, or None: the zip bundles the tested Powertools."""
    configured = ctx.cfg["lambda"]["powertools_layer_arn"]
    return [configured] if configured else None


def timeout_of(ctx: Context, group: str) -> int:
    """The configured timeout; the alarm and alert Lambdas get at least their triage deadline plus a margin."""
    configured = int(ctx.cfg["lambda"]["timeout_seconds"])
    if group == "alarm":
        return max(configured, int(ctx.cfg["limits"]["turn_seconds"]) + ALARM_TIMEOUT_MARGIN_SECONDS)
    if group == "alerts":  # its triage deadline plus the state writes and the publish
        return max(configured, int(ctx.cfg["alerts"]["triage_seconds"]) + ALARM_TIMEOUT_MARGIN_SECONDS)
    return configured


def config_env(ctx: Context) -> str:
    text = ctx.cfg.to_json()
    if len(text.encode("utf-8")) > MAX_CONFIG_ENV_BYTES:
        raise ConfigError(f"{ctx.cfg.origin}: the configuration is {len(text.encode())} bytes as JSON; the Lambda "
                          f"environment allows {MAX_CONFIG_ENV_BYTES}. Shorten log group or namespace lists.")
    return text


def code_asset(ctx: Context, build_dir: Path) -> tuple[str, str] | None:
    """(asset path relative to the stack directory, base64 SHA-256) for zip packaging; None for images.

    The zip is written under ``build_dir`` (inside the synth output) and copied by cdktf next to cdk.tf.json.
    """
    lam = ctx.cfg["lambda"]
    if lam["packaging"] == "image":
        if not lam["image_uri"]:
            raise ConfigError(f"{ctx.cfg.origin}: key 'lambda.image_uri' is empty; packaging = \"image\" needs the "
                              "ECR image URI built from docker/Dockerfile.")
        return None
    from cdktf import AssetType, TerraformAsset

    bundled = MINER_DISTRIBUTIONS if lam["powertools_layer_arn"] else BUNDLED_DISTRIBUTIONS
    package = build_zip(dependencies=dependency_files(bundled))
    zip_path = write_zip(package, build_dir / ZIP_NAME)
    asset = TerraformAsset(ctx.stack, "tools-code", path=str(zip_path), type=AssetType.FILE,
                           asset_hash=package.base64_sha256.replace("/", "_").replace("+", "-").rstrip("="))
    return asset.path, package.base64_sha256


def tool_function(ctx: Context, group: str, code: tuple[str, str] | None, key: Any, policy: policies.Document,
                  extra_env: dict[str, str] | None = None) -> Any:
    lg_mod = aws("cloudwatch_log_group")
    fn_mod = aws("lambda_function")
    lam = ctx.cfg["lambda"]
    name = ctx.names.function(group)
    log_group = lg_mod.CloudwatchLogGroup(ctx.stack, f"{group}-logs", name=ctx.names.function_log_group(group),
                                          retention_in_days=lam["log_retention_days"], kms_key_id=key.arn)
    role, role_policy = make_role_and_policy(ctx, f"{group}-fn", ctx.names.role(f"{group}-fn"),
                                             policies.service_trust("lambda.amazonaws.com"), policy,
                                             f"{ctx.names.project} {group} tool Lambda: read-only access to its source")
    ctx.shared[f"{group}-role-policy"] = role_policy
    env = {"OPSAGENT_CONFIG": config_env(ctx), "POWERTOOLS_SERVICE_NAME": name, **(extra_env or {})}
    common: dict[str, Any] = dict(
        function_name=name, role=role.arn, description=f"{ctx.names.project}: {group} tool",
        timeout=timeout_of(ctx, group), memory_size=lam["memory_mb"],
        reserved_concurrent_executions=lam["reserved_concurrency"] or None, architectures=["x86_64"],
        tracing_config=fn_mod.LambdaFunctionTracingConfig(mode="Active"),
        logging_config=fn_mod.LambdaFunctionLoggingConfig(log_format="JSON", log_group=log_group.name),
        environment=fn_mod.LambdaFunctionEnvironment(variables=env),
        depends_on=[log_group],
    )
    if code is None:
        return fn_mod.LambdaFunction(ctx.stack, f"{group}-fn", package_type="Image", image_uri=lam["image_uri"],
                                     image_config=fn_mod.LambdaFunctionImageConfig(command=[handler_of(group)]),
                                     **common)
    path, digest = code
    return fn_mod.LambdaFunction(ctx.stack, f"{group}-fn", package_type="Zip", runtime=RUNTIME,
                                 handler=handler_of(group), filename=path, source_code_hash=digest,
                                 layers=layers(ctx), **common)


def build_tools(ctx: Context, groups: tuple[str, ...], code: tuple[str, str] | None, key: Any,
                results_bucket: str, knowledge_bucket: Any = None) -> dict[str, Any]:
    """One Lambda per action group; triage also reads runbooks and saves investigations in the knowledge bucket."""
    functions = {}
    for group in groups:
        policy = policies.tool_policy(group, ctx.cfg, ctx.scope, ctx.names.function_log_group(group), results_bucket,
                                      key.arn)
        env: dict[str, str] = {}
        if group == "triage" and knowledge_bucket is not None:
            policy = policies.document(policy["Statement"] + policies.knowledge_statements(knowledge_bucket.arn, True)
                                       + [policies.statement("KnowledgeKey", policies.KMS_DATA_ACTIONS, key.arn)])
            env["OPSAGENT_KNOWLEDGE_BUCKET"] = knowledge_bucket.bucket
        functions[group] = tool_function(ctx, group, code, key, policy, extra_env=env)
    return functions
