"""Corpus kinds caused by a change someone made: a deploy, a permission, a network rule, a record, a key, a config.

Each ``setup(ctx) -> Facts`` writes the change as CloudTrail records it (request parameters and response shaped
as the service returns them), the reactions AWS services make on their own, and the symptoms the change causes
in the failing service's own language and log format. The decisive fact is the change's ``eventID``.
"""

from __future__ import annotations

import json
from datetime import timedelta

from agent.scenarios.corpus.context import Ctx, Facts, install_failure, outcome_for
from agent.scenarios.workload import Outcome
from agent.scenarios.corpus.errors import ACCESS_DENIED, CONNECT_TIMEOUT, DB_AUTH_FAILED, DNS_FAILURE, ErrorSpec

NULL_DEREF = ErrorSpec(
    java=("java.lang.NullPointerException", 'Cannot invoke "com.{pkg}.model.{model}.getAmount()" because "{field}" is null'),
    python=("AttributeError", "'NoneType' object has no attribute 'get'"),
    node=("TypeError", "Cannot read properties of undefined (reading '{field}')"),
    go=("panic: runtime error: invalid memory address or nil pointer dereference", "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x{pc}]"),
)


def ecs_reactions(ctx: Ctx, when, service_name: str, tg_arn: str, tasks: int) -> None:
    """What the ECS scheduler does on its own after a deploy: register the new tasks, deregister the old ones."""
    b = ctx.w.b
    ecs = ctx.service_actor("ecs.amazonaws.com")
    for i in range(tasks):
        ip = f"10.{ctx.rng.randint(0, 3)}.{ctx.rng.randint(10, 60)}.{ctx.rng.randint(5, 250)}"
        b.add_cloudtrail_event(when + timedelta(seconds=40 + 15 * i), "elasticloadbalancing.amazonaws.com", "RegisterTargets", ecs,
                               {"targetGroupArn": tg_arn, "targets": [{"id": ip, "port": 8080}]}, None,
                               source_ip="ecs.amazonaws.com", user_agent="ecs.amazonaws.com", read_only=False)
        b.add_cloudtrail_event(when + timedelta(seconds=100 + 15 * i), "elasticloadbalancing.amazonaws.com", "DeregisterTargets", ecs,
                               {"targetGroupArn": tg_arn, "targets": [{"id": f"10.{ctx.rng.randint(0, 3)}.{ctx.rng.randint(10, 60)}.{ctx.rng.randint(5, 250)}", "port": 8080}]},
                               None, source_ip="ecs.amazonaws.com", user_agent="ecs.amazonaws.com", read_only=False)


def update_service(ctx: Ctx, when, service_name: str, facts: Facts | None, *, revision: int | None = None,
                   desired: int | None = None, actor=None) -> str:
    revision = revision or ctx.rng.randint(20, 400)
    cluster = ctx.topo.cluster
    arn = f"arn:aws:ecs:{ctx.region}:{ctx.account}:task-definition/{service_name}:{revision}"
    params = {"cluster": cluster, "service": service_name, "forceNewDeployment": False}
    if desired is None:
        params["taskDefinition"] = f"{service_name}:{revision}"
    else:
        params["desiredCount"] = desired
    response = {"service": {"serviceArn": f"arn:aws:ecs:{ctx.region}:{ctx.account}:service/{cluster}/{service_name}",
                            "serviceName": service_name, "clusterArn": f"arn:aws:ecs:{ctx.region}:{ctx.account}:cluster/{cluster}",
                            "taskDefinition": arn, "desiredCount": desired if desired is not None else 3, "status": "ACTIVE",
                            "launchType": "FARGATE"}}
    return ctx.change(when, "ecs.amazonaws.com", "UpdateService", params, response, actor=actor or ctx.actor(ctx.rng.choice(("ci", "terraform", "cli"))),
                      facts=facts)


# --- compute ---------------------------------------------------------------------------------------------------


def deploy_bad_code(ctx: Ctx) -> Facts:
    facts = Facts()
    deploy = ctx.jitter(1.0, 4.0)
    update_service(ctx, deploy, ctx.victim.name, facts)
    ecs_reactions(ctx, deploy, ctx.victim.name, ctx.w.tg_arn(ctx.victim) if ctx.w.lb else "", ctx.victim.tasks)
    share = ctx.rng.uniform(0.3, 0.8)

    def fail(route, when):
        err = ctx.error(NULL_DEREF, f"Unhandled exception processing {route.method} {route.path}", pkg=ctx.org, model="Quote",
                        field=ctx.rng.choice(("price", "discount", "currency", "region")), pc=ctx.w.b.hex(6))
        return outcome_for(ctx, 500, ctx.rng.uniform(0.01, 0.08), err)
    install_failure(ctx, fail, share=share)
    return facts


def lambda_bad_code(ctx: Ctx) -> Facts:
    facts = Facts()
    fn = ctx.victim.name
    when = ctx.jitter(0.5, 3.0)
    sha = ctx.w.b.hex(43)
    ctx.change(when, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2",
               {"functionName": fn, "s3Bucket": f"{ctx.org}-lambda-artifacts", "s3Key": f"{fn}/{ctx.w.b.hex(12)}.zip", "publish": True},
               {"functionName": fn, "functionArn": f"arn:aws:lambda:{ctx.region}:{ctx.account}:function:{fn}",
                "runtime": "python3.12" if ctx.language == "python" else "nodejs20.x", "codeSha256": sha + "=",
                "version": str(ctx.rng.randint(5, 90)), "lastUpdateStatus": "InProgress"},
               actor=ctx.actor(ctx.rng.choice(("ci", "cli"))), facts=facts)
    spec = ErrorSpec(java=("", ""), go=("", ""),
                     python=("Runtime.ImportModuleError", "Unable to import module 'app': No module named '{module}'"),
                     node=("Runtime.ImportModuleError", "Error: Cannot find module '{module}'\nRequire stack:\n- /var/task/index.js\n- /var/runtime/index.mjs"))

    def fail(route, when):
        module = "pydantic_settings" if ctx.language == "python" else "@aws-sdk/client-eventbridge"
        exc, message = spec.for_language(ctx.language)
        text = message.format(module=module)
        if ctx.language == "python":
            return Outcome(502, ctx.rng.uniform(0.2, 0.9), [("RAW", "", f"[ERROR] {exc}: {text}\nTraceback (most recent call last):")])
        body = json.dumps({"errorType": exc, "errorMessage": text, "stack": [f"{exc}: {text.splitlines()[0]}",
                                                                            "    at _loadUserApp (file:///var/runtime/index.mjs:1087:17)"]})
        return Outcome(502, ctx.rng.uniform(0.2, 0.9), [("ERROR", "", "Uncaught Exception \t" + body)])
    install_failure(ctx, fail)
    return facts


# --- identity, keys and secrets ----------------------------------------------------------------------------


def _task_role(ctx: Ctx) -> str:
    return f"{ctx.victim.name}-{'lambda' if ctx.platform == 'lambda' else 'task'}-role"


def iam_policy_detached(ctx: Ctx) -> Facts:
    facts = Facts()
    role = _task_role(ctx)
    table = ctx.topo.theme["table"] + ctx.rng.choice(("", "-prod", "-v2"))
    ctx.use_dep("ddb", "dynamodb", table, "PutItem")
    when = ctx.jitter(0.5, 3.0)
    style = ctx.rng.choice(("detach", "delete-inline", "put-narrow"))
    if style == "detach":
        ctx.change(when, "iam.amazonaws.com", "DetachRolePolicy",
                   {"roleName": role, "policyArn": f"arn:aws:iam::{ctx.account}:policy/{table}-write"}, None, region="us-east-1", facts=facts)
    elif style == "delete-inline":
        ctx.change(when, "iam.amazonaws.com", "DeleteRolePolicy", {"roleName": role, "policyName": "dynamodb-access"}, None,
                   region="us-east-1", facts=facts)
    else:
        doc = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],'
               f'"Resource":"arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{table}"}}]}}')
        ctx.change(when, "iam.amazonaws.com", "PutRolePolicy", {"roleName": role, "policyName": "dynamodb-access", "policyDocument": doc},
                   None, region="us-east-1", facts=facts)
    role_arn = f"arn:aws:sts::{ctx.account}:assumed-role/{role}/{ctx.w.b.hex(16)}"

    def fail(route, when):
        err = ctx.error(ACCESS_DENIED, f"Failed to save record to {table}", svc="dynamodb", sdk_exc="DynamoDbException",
                        svc_title="DynamoDb", role_arn=role_arn, action="dynamodb:PutItem", operation="PutItem",
                        resource_arn=f"arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{table}")
        return outcome_for(ctx, 500 if ctx.platform != "lambda" else 502, ctx.rng.uniform(0.02, 0.1), err, dep="ddb")
    install_failure(ctx, fail)
    return facts


def secret_rotated(ctx: Ctx) -> Facts:
    facts = Facts()
    db = f"{ctx.topo.theme['db']}-{ctx.rng.choice(('prod', 'primary', 'main'))}"
    host = f"{db}.{ctx.w.b.chars(12).lower()}.{ctx.region}.rds.amazonaws.com"
    ip = f"10.{ctx.rng.randint(0, 3)}.{ctx.rng.randint(100, 200)}.{ctx.rng.randint(5, 250)}"
    ctx.use_dep("db", "rds", f"{host}:5432/{ctx.topo.theme['db']}", "postgresql")
    secret = f"prod/{ctx.victim.name}/db-credentials"
    secret_arn = f"arn:aws:secretsmanager:{ctx.region}:{ctx.account}:secret:{secret}-{ctx.w.b.chars(6)}"
    when = ctx.jitter(0.3, 2.5)
    if ctx.rng.random() < 0.5:
        ctx.change(when, "secretsmanager.amazonaws.com", "RotateSecret", {"secretId": secret, "rotateImmediately": True},
                   {"aRN": secret_arn, "name": secret, "versionId": ctx.w.b.uuid()}, facts=facts)
    else:
        ctx.change(when, "secretsmanager.amazonaws.com", "PutSecretValue", {"secretId": secret, "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                   {"aRN": secret_arn, "name": secret, "versionId": ctx.w.b.uuid(), "versionStages": ["AWSCURRENT"]}, facts=facts)
    user = ctx.victim.name.replace("-", "_") + "_app"

    def fail(route, when):
        err = ctx.error(DB_AUTH_FAILED, "Could not open a database connection", user=user, host=host, ip=ip, db=ctx.topo.theme["db"])
        return outcome_for(ctx, 500, ctx.rng.uniform(0.02, 0.2), err, dep="db")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.5, 1.0))
    ctx.post.append(lambda: ctx.w.series("AWS/RDS", "DatabaseConnections", {"DBInstanceIdentifier": db}, 40, 6, ctx.onset))
    return facts


def kms_key_disabled(ctx: Ctx) -> Facts:
    facts = Facts()
    key_id = ctx.w.b.uuid()
    bucket = f"{ctx.org}-{ctx.topo.theme['bucket']}-{ctx.rng.choice(('prod', 'eu', 'data'))}"
    ctx.use_dep("s3", "s3", bucket, "GetObject")
    when = ctx.jitter(0.5, 3.0)
    if ctx.rng.random() < 0.6:
        ctx.change(when, "kms.amazonaws.com", "DisableKey", {"keyId": key_id}, None, facts=facts,
                   resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": f"arn:aws:kms:{ctx.region}:{ctx.account}:key/{key_id}"}])
        code, text = "DisabledException", f"arn:aws:kms:{ctx.region}:{ctx.account}:key/{key_id} is disabled."
    else:
        ctx.change(when, "kms.amazonaws.com", "ScheduleKeyDeletion", {"keyId": key_id, "pendingWindowInDays": 7},
                   {"keyId": f"arn:aws:kms:{ctx.region}:{ctx.account}:key/{key_id}", "deletionDate": "Dec 1, 2026, 12:00:00 AM",
                    "keyState": "PendingDeletion", "pendingWindowInDays": 7}, facts=facts,
                   resources=[{"accountId": ctx.account, "type": "AWS::KMS::Key", "ARN": f"arn:aws:kms:{ctx.region}:{ctx.account}:key/{key_id}"}])
        code, text = "KMSInvalidStateException", f"arn:aws:kms:{ctx.region}:{ctx.account}:key/{key_id} is pending deletion."
    spec = ErrorSpec(java=("software.amazon.awssdk.services.s3.model.S3Exception", f"{text} (Service: S3, Status Code: 403, Request ID: {{rid}})"),
                     python=("botocore.exceptions.ClientError", f"An error occurred ({code}) when calling the GetObject operation: {text}"),
                     node=(code, text), go=("operation error S3: GetObject", f"https response error StatusCode: 403, api error {code}: {text}"))

    def fail(route, when):
        err = ctx.error(spec, f"Failed to read object from s3://{bucket}", rid=ctx.w.b.chars(16))
        return outcome_for(ctx, 500 if ctx.platform != "lambda" else 502, ctx.rng.uniform(0.03, 0.2), err, dep="s3")
    install_failure(ctx, fail)
    return facts


# --- networking and DNS --------------------------------------------------------------------------------------


def sg_ingress_revoked(ctx: Ctx) -> Facts:
    facts = Facts()
    db = f"{ctx.topo.theme['db']}-{ctx.rng.choice(('prod', 'primary', 'cluster'))}"
    port = ctx.rng.choice((5432, 3306, 6379))
    host = (f"{db}.{ctx.w.b.chars(12).lower()}.{ctx.region}.rds.amazonaws.com" if port != 6379
            else f"{db}.{ctx.w.b.chars(6).lower()}.ng.0001.{ctx.region[:2]}{ctx.region.split('-')[1][0]}{ctx.region[-1]}.cache.amazonaws.com")
    ip = f"10.{ctx.rng.randint(0, 3)}.{ctx.rng.randint(100, 200)}.{ctx.rng.randint(5, 250)}"
    ctx.use_dep("db", "rds" if port != 6379 else "remote", f"{host}:{port}/{ctx.topo.theme['db']}" if port != 6379 else host,
                "postgresql" if port == 5432 else "mysql")
    sg_db, sg_app = f"sg-0{ctx.w.b.hex(16)}", f"sg-0{ctx.w.b.hex(16)}"
    when = ctx.jitter(0.3, 2.0)
    perms = {"items": [{"ipProtocol": "tcp", "fromPort": port, "toPort": port, "groups": {"items": [{"groupId": sg_app}]},
                        "ipRanges": {}, "ipv6Ranges": {}, "prefixListIds": {}}]}
    if ctx.rng.random() < 0.7:
        ctx.change(when, "ec2.amazonaws.com", "RevokeSecurityGroupIngress", {"groupId": sg_db, "ipPermissions": perms},
                   {"requestId": ctx.w.b.uuid(), "_return": True}, facts=facts)
    else:
        ctx.change(when, "ec2.amazonaws.com", "ModifySecurityGroupRules",
                   {"ModifySecurityGroupRulesRequest": {"GroupId": sg_db, "SecurityGroupRule": {"SecurityGroupRuleId": f"sgr-0{ctx.w.b.hex(16)}",
                    "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "CidrIpv4": "10.99.0.0/16"}}}},
                   {"ModifySecurityGroupRulesResponse": {"return": True}}, facts=facts)

    def fail(route, when):
        err = ctx.error(CONNECT_TIMEOUT, "Database connection failed", host=host, ip=ip, port=str(port))
        latency = ctx.rng.uniform(5.0, 12.0)
        return outcome_for(ctx, 504 if latency > 10 else 500, min(latency, 10.0), err, dep="db", elb_only=latency > 10 and ctx.platform != "lambda")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.7, 1.0))
    return facts


def dns_record_changed(ctx: Ctx) -> Facts:
    facts = Facts()
    zone = f"internal.{ctx.org}.com"
    other = ctx.topo.others[0].name if ctx.topo.others else "inventory"
    host = f"{other}.{zone}"
    ctx.use_dep("peer", "remote", f"http://{host}/v1/lookup")
    when = ctx.jitter(0.3, 3.0)
    action = ctx.rng.choice(("DELETE", "UPSERT"))
    record = {"name": host + ".", "type": "CNAME", "tTL": 60,
              "resourceRecords": [{"value": f"internal-{other}-{ctx.w.b.hex(8)}.{ctx.region}.elb.amazonaws.com"}]}
    zone_id = "Z0" + ctx.w.b.chars(19)
    ctx.change(when, "route53.amazonaws.com", "ChangeResourceRecordSets",
               {"hostedZoneId": zone_id, "changeBatch": {"changes": [{"action": action, "resourceRecordSet": record}]}},
               {"changeInfo": {"id": "/change/C" + ctx.w.b.chars(20), "status": "PENDING", "submittedAt": "-"}},
               region="us-east-1", facts=facts,
               resources=[{"accountId": ctx.account, "type": "AWS::Route53::HostedZone", "ARN": f"arn:aws:route53:::hostedzone/{zone_id}"}])

    def fail(route, when):
        err = ctx.error(DNS_FAILURE, f"Call to {other} failed", host=host)
        return outcome_for(ctx, ctx.server_error, ctx.rng.uniform(0.005, 0.05), err, dep="peer")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.6, 1.0))
    return facts


# --- configuration and feature flags -------------------------------------------------------------------------


def ssm_parameter_changed(ctx: Ctx) -> Facts:
    facts = Facts()
    name = f"/{ctx.org}/{ctx.victim.name}/{ctx.rng.choice(('upstream-timeout-ms', 'max-batch-size', 'pricing-engine', 'feature/new-cart-flow'))}"
    when = ctx.jitter(0.2, 2.0)
    ctx.change(when, "ssm.amazonaws.com", "PutParameter",
               {"name": name, "type": "String", "overwrite": True, "tier": "Standard"},
               {"version": ctx.rng.randint(2, 60), "tier": "Standard"}, facts=facts)
    effect = ctx.rng.choice(("latency", "errors"))
    spec = ErrorSpec(java=("java.lang.IllegalStateException", "Invalid configuration value for {param}: expected a positive integer"),
                     python=("ValueError", "invalid literal for int() with base 10: 'true' (parameter {param})"),
                     node=("RangeError", "Invalid configuration {param}: value out of range"),
                     go=("config: invalid value", "parameter {param}: strconv.Atoi: parsing \"true\": invalid syntax"))

    def fail(route, when):
        if effect == "latency":
            return Outcome(200, route.latency * ctx.rng.uniform(8, 25), [])
        err = ctx.error(spec, "Request failed after configuration reload", param=name)
        return outcome_for(ctx, 500 if ctx.platform != "lambda" else 502, ctx.rng.uniform(0.01, 0.05), err)
    install_failure(ctx, fail, share=ctx.rng.uniform(0.5, 1.0))
    return facts


def dynamodb_capacity_lowered(ctx: Ctx) -> Facts:
    facts = Facts()
    table = ctx.topo.theme["table"] + ctx.rng.choice(("", "-prod", "-table"))
    ctx.use_dep("ddb", "dynamodb", table, "PutItem")
    when = ctx.jitter(0.5, 4.0)
    wcu = ctx.rng.choice((5, 10, 25))
    if ctx.rng.random() < 0.5:
        params = {"tableName": table, "billingMode": "PROVISIONED", "provisionedThroughput": {"readCapacityUnits": 50, "writeCapacityUnits": wcu}}
    else:
        params = {"tableName": table, "provisionedThroughput": {"readCapacityUnits": 100, "writeCapacityUnits": wcu}}
    ctx.change(when, "dynamodb.amazonaws.com", "UpdateTable", params,
               {"tableDescription": {"tableName": table, "tableStatus": "UPDATING",
                                     "tableArn": f"arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{table}"}}, facts=facts,
               resources=[{"accountId": ctx.account, "type": "AWS::DynamoDB::Table", "ARN": f"arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{table}"}])
    spec = ErrorSpec(java=("software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException",
                           "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API. (Service: DynamoDb, Status Code: 400)"),
                     python=("botocore.errorfactory.ProvisionedThroughputExceededException",
                             "An error occurred (ProvisionedThroughputExceededException) when calling the PutItem operation (reached max retries: 9): The level of configured provisioned throughput for the table was exceeded."),
                     node=("ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded."),
                     go=("operation error DynamoDB: PutItem", "exceeded maximum number of attempts, 3, https response error StatusCode: 400, api error ProvisionedThroughputExceededException"))

    def fail(route, when):
        err = ctx.error(spec, f"Write to {table} failed")
        return outcome_for(ctx, 503 if ctx.platform != "lambda" else 502, ctx.rng.uniform(0.3, 1.5), err, dep="ddb", throttle=True)
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.7))
    dims = {"TableName": table}
    ctx.post.append(lambda: ctx.w.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", dims, 40, wcu, ctx.onset, kind="count"))
    ctx.post.append(lambda: ctx.w.series("AWS/DynamoDB", "WriteThrottleEvents", dims, 0, 120, ctx.onset, kind="count"))
    return facts


def s3_bucket_policy_deny(ctx: Ctx) -> Facts:
    facts = Facts()
    bucket = f"{ctx.org}-{ctx.topo.theme['bucket']}-{ctx.rng.choice(('prod', 'store', 'data'))}"
    ctx.use_dep("s3", "s3", bucket, "GetObject")
    when = ctx.jitter(0.3, 3.0)
    policy = ('{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideVpce","Effect":"Deny","Principal":"*","Action":"s3:*",'
              f'"Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"],'
              f'"Condition":{{"StringNotEquals":{{"aws:SourceVpce":"vpce-0{ctx.w.b.hex(16)}"}}}}}}]}}')
    ctx.change(when, "s3.amazonaws.com", "PutBucketPolicy",
               {"bucketName": bucket, "Host": f"{bucket}.s3.{ctx.region}.amazonaws.com", "bucketPolicy": policy, "policy": ""}, None,
               facts=facts, resources=[{"accountId": ctx.account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}])
    spec = ErrorSpec(java=("software.amazon.awssdk.services.s3.model.S3Exception", "Access Denied (Service: S3, Status Code: 403, Request ID: {rid})"),
                     python=("botocore.exceptions.ClientError", "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"),
                     node=("AccessDenied", "Access Denied"),
                     go=("operation error S3: GetObject", "https response error StatusCode: 403, RequestID: {rid}, api error AccessDenied: Access Denied"))

    def fail(route, when):
        err = ctx.error(spec, f"Could not read s3://{bucket}/{ctx.topo.theme['bucket']}/{ctx.w.b.hex(8)}.json", rid=ctx.w.b.chars(16))
        return outcome_for(ctx, ctx.server_error, ctx.rng.uniform(0.02, 0.15), err, dep="s3")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.5, 1.0))
    return facts


def rds_failover(ctx: Ctx) -> Facts:
    facts = Facts()
    cluster = f"{ctx.topo.theme['db']}-{ctx.rng.choice(('aurora', 'cluster', 'prod'))}"
    host = f"{cluster}.cluster-{ctx.w.b.chars(12).lower()}.{ctx.region}.rds.amazonaws.com"
    ctx.use_dep("db", "rds", f"{host}:5432/{ctx.topo.theme['db']}", "postgresql")
    when = ctx.jitter(0.1, 0.8)
    style = ctx.rng.choice(("fis", "person", "reboot"))
    if style == "reboot":
        ctx.change(when, "rds.amazonaws.com", "RebootDBInstance", {"dBInstanceIdentifier": f"{cluster}-instance-1", "forceFailover": True},
                   {"dBInstanceIdentifier": f"{cluster}-instance-1", "dBInstanceStatus": "rebooting"}, facts=facts)
    else:
        actor = None
        if style == "fis":
            from agent.scenarios.builder import assumed_role_identity
            from agent.scenarios.corpus.context import Actor
            actor = Actor("fis", assumed_role_identity(ctx.account, "fis-experiment-role", f"FIS-{ctx.w.b.hex(12)}"),
                          "fis.amazonaws.com", "fis.amazonaws.com")
        ctx.change(when, "rds.amazonaws.com", "FailoverDBCluster", {"dBClusterIdentifier": cluster},
                   {"dBClusterIdentifier": cluster, "status": "failing-over", "engine": "aurora-postgresql"}, facts=facts, actor=actor)
    spec = ErrorSpec(java=("org.postgresql.util.PSQLException", "An I/O error occurred while sending to the backend."),
                     python=("psycopg2.OperationalError", "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally"),
                     node=("Error", "Connection terminated unexpectedly"),
                     go=("driver: bad connection", "read tcp 10.0.2.14:53122->{host}:5432: read: connection reset by peer"))
    until = ctx.onset + timedelta(seconds=ctx.rng.randint(40, 120))

    def fail(route, when):
        err = ctx.error(spec, "Database call failed", host=host)
        return outcome_for(ctx, 500, ctx.rng.uniform(0.5, 3.0), err, dep="db")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.6, 1.0), until=until)
    return facts


def appconfig_flag_deployed(ctx: Ctx) -> Facts:
    facts = Facts()
    app_id, env_id, profile_id = (ctx.w.b.chars(7).lower() for _ in range(3))
    when = ctx.jitter(0.2, 2.0)
    ctx.change(when, "appconfig.amazonaws.com", "StartDeployment",
               {"ApplicationId": app_id, "EnvironmentId": env_id, "ConfigurationProfileId": profile_id,
                "ConfigurationVersion": str(ctx.rng.randint(3, 90)), "DeploymentStrategyId": "AppConfig.AllAtOnce",
                "Description": f"enable {ctx.rng.choice(('new-checkout-flow', 'async-pricing', 'v2-recommendations', 'fast-path-cache'))}"},
               {"ApplicationId": app_id, "EnvironmentId": env_id, "DeploymentNumber": ctx.rng.randint(10, 300), "State": "DEPLOYING"},
               facts=facts)
    spec = ErrorSpec(java=("java.lang.UnsupportedOperationException", "Flow {flag} is not implemented for region {region}"),
                     python=("KeyError", "'{flag}'"),
                     node=("TypeError", "handlers[flag] is not a function (flag: {flag})"),
                     go=("flags: unknown variant", "{flag}: no handler registered"))

    def fail(route, when):
        err = ctx.error(spec, "Feature flag evaluation failed", flag="v2", region=ctx.region)
        return outcome_for(ctx, ctx.server_error, ctx.rng.uniform(0.01, 0.05), err)
    install_failure(ctx, fail, share=ctx.rng.uniform(0.2, 0.6))
    return facts
