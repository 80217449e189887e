"""The corpus's incident kinds and control windows, each with its category and the public taxonomy it comes from.

| kind | category | decisive fact | taxonomy source |
|---|---|---|---|
| deploy-bad-code | compute (ECS) | ``UpdateService`` event | RCAEval code-level faults; public postmortems (bad deploys) |
| lambda-bad-code | compute (Lambda) | ``UpdateFunctionCode`` event | Lambda troubleshooting (Runtime.ImportModuleError); postmortems |
| memory-exhaustion | compute (ECS/EKS/EC2) | memory metric of the service | RCAEval ``mem``; FIS ``aws:ecs:task-*-stress``, ``aws:eks:pod-memory-stress`` |
| cpu-saturation | compute (ECS/EKS/EC2) | CPU metric of the service | RCAEval ``cpu``; FIS ``aws:ecs:task-cpu-stress``, ``aws:eks:pod-cpu-stress`` |
| nodegroup-scaled-down | compute (EKS) | ``UpdateNodegroupConfig`` event | FIS ``aws:eks:terminate-nodegroup-instances`` |
| instances-stopped | compute (EC2) | ``StopInstances`` / ``TerminateInstances`` event | FIS ``aws:ec2:stop-instances``, ``aws:ec2:terminate-instances`` |
| desired-count-lowered | capacity (ECS) | ``UpdateService`` (desiredCount) event | FIS ``aws:ecs:stop-task``; postmortems (manual scale-in) |
| disk-full | capacity (EC2) | ``disk_used_percent`` of the instance | FIS disk fill (``AWSFIS-Run-Disk-Fill``); RCAEval ``disk`` |
| lambda-concurrency-lowered | capacity (Lambda) | ``PutFunctionConcurrency`` event | Lambda throttling docs; postmortems |
| account-concurrency-exhausted | capacity / quota | account ``ConcurrentExecutions`` or the bursting function's | AWS Health / Service Quotas Lambda notices |
| lambda-timeout-lowered | configuration | ``UpdateFunctionConfiguration`` event | Lambda troubleshooting ("Task timed out") |
| db-connections-exhausted | data store (RDS) | ``DatabaseConnections`` of the instance | postmortems (connection storms); RCAEval ``socket`` |
| rds-storage-full | data store (RDS) | ``FreeStorageSpace`` of the instance | AWS Health RDS storage notices; FIS disk fill |
| rds-failover | data store (RDS) | ``FailoverDBCluster`` / ``RebootDBInstance`` event | FIS ``aws:rds:failover-db-cluster``, ``aws:rds:reboot-db-instances``; AWS Health RDS |
| dynamodb-capacity-lowered | data store (DynamoDB) | ``UpdateTable`` event | postmortems; FIS data-store faults |
| cache-memory-full | data store (ElastiCache) | ``DatabaseMemoryUsagePercentage`` of the cluster | ElastiCache troubleshooting (maxmemory); RCAEval ``mem`` |
| sqs-backlog | data store (SQS) | age of oldest message / backlog of the queue | RCAEval ``delay``; postmortems (consumer lag) |
| sg-ingress-revoked | networking | ``RevokeSecurityGroupIngress`` / ``ModifySecurityGroupRules`` event | FIS ``aws:network:disrupt-connectivity`` |
| nacl-deny | networking | ``CreateNetworkAclEntry`` / ``ReplaceNetworkAclEntry`` event | FIS ``aws:network:disrupt-connectivity`` (NACL based) |
| nat-route-removed | networking | ``DeleteRoute`` / ``ReplaceRoute`` event | FIS ``aws:network:route-table-disrupt-cross-region-connectivity``; postmortems |
| nat-port-exhaustion | networking | ``ErrorPortAllocation`` of the NAT gateway | NAT gateway troubleshooting |
| dns-record-changed | DNS and edge | ``ChangeResourceRecordSets`` event | postmortems (DNS changes); AWS Health Route 53 |
| waf-rule-blocking | DNS and edge | ``UpdateWebACL`` event | AWS WAF troubleshooting; postmortems |
| listener-rule-changed | DNS and edge | ``ModifyRule`` / ``ModifyListener`` event | ELB troubleshooting (503, no registered targets) |
| iam-policy-detached | identity | ``DetachRolePolicy`` / ``DeleteRolePolicy`` / ``PutRolePolicy`` event | postmortems (permission changes) |
| s3-bucket-policy-deny | identity | ``PutBucketPolicy`` event | postmortems (bucket policy changes) |
| secret-rotated | keys and secrets | ``RotateSecret`` / ``PutSecretValue`` event | Secrets Manager rotation troubleshooting |
| kms-key-disabled | keys and secrets | ``DisableKey`` / ``ScheduleKeyDeletion`` event | AWS Health KMS notices; KMS key states |
| ssm-parameter-changed | configuration and flags | ``PutParameter`` event | PetShop fault injection (``/petstore/searchdelay``, ``searcherrorpercent``) |
| appconfig-flag-deployed | configuration and flags | AppConfig ``StartDeployment`` event | AppConfig feature flags; postmortems (flag flips) |
| dependency-slow | external dependency | the dependency host | RCAEval ``delay``; PetShop latency faults |
| dependency-errors | external dependency | the dependency host | RCAEval ``loss``; FIS ``aws:fis:inject-api-unavailable-error`` |
| dependency-cert-expired | external dependency | the dependency host | postmortems (expired certificates); AWS Health ACM notices |
| poison-request | poison input | the parser's exception class | postmortems (malformed input) |
| batch-job-surge | workload surge | DB CPU/IOPS or the job's concurrency | postmortems (batch jobs starving OLTP) |
| client-surge | workload surge | the service's request count or CPU | postmortems (retry storms); RCAEval load |
| leaked-key-no-finding | security (CloudTrail only) | any attacker call | MITRE ATT&CK cloud matrix; leaked-key write-ups |
| leaked-key-with-finding | security (GuardDuty) | the finding or any attacker call | GuardDuty ``IAMUser/*`` finding types |
| crypto-mining-finding | security (GuardDuty) | the finding or the instance's CPU | GuardDuty ``CryptoCurrency:EC2/*`` finding types |

Controls (truth "no cause"): quiet, benign deploy, standing errors, traffic peak, scheduled batch, benign config
change, traffic dip (``controls.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent.scenarios.corpus import capacity_kinds as capacity
from agent.scenarios.corpus import change_kinds as change
from agent.scenarios.corpus import controls
from agent.scenarios.corpus import edge_kinds as edge
from agent.scenarios.corpus import resource_kinds as resource
from agent.scenarios.corpus import security_kinds as security
from agent.scenarios.corpus.context import Ctx, Facts


@dataclass(frozen=True)
class KindSpec:
    name: str
    category: str
    source: str                                     # public taxonomy the kind comes from
    setup: Callable[[Ctx], Facts]
    platforms: tuple[str, ...] = ()                 # allowed victim platforms (empty: any)
    question: str = "errors"                        # errors | latency | security | health
    control: bool = False


def _k(name: str, category: str, source: str, setup: Callable[[Ctx], Facts], platforms: tuple[str, ...] = (),
       question: str = "errors") -> KindSpec:
    return KindSpec(name, category, source, setup, platforms, question)


KINDS: dict[str, KindSpec] = {spec.name: spec for spec in (
    _k("deploy-bad-code", "compute", "RCAEval code-level faults; postmortems", change.deploy_bad_code, ("ecs",)),
    _k("lambda-bad-code", "compute", "Lambda troubleshooting: Runtime.ImportModuleError", change.lambda_bad_code, ("lambda",)),
    _k("memory-exhaustion", "compute", "RCAEval mem; FIS aws:ecs:task-*-stress, aws:eks:pod-memory-stress", resource.memory_exhaustion,
       ("ecs", "eks", "ec2")),
    _k("cpu-saturation", "compute", "RCAEval cpu; FIS aws:ecs:task-cpu-stress, aws:eks:pod-cpu-stress", resource.cpu_saturation,
       ("ecs", "eks", "ec2"), "latency"),
    _k("db-connections-exhausted", "data store", "postmortems (connection storms); RCAEval socket", resource.db_connections_exhausted,
       ("ecs", "eks", "ec2")),
    _k("rds-storage-full", "data store", "AWS Health RDS storage notices; FIS disk fill", resource.rds_storage_full),
    _k("dynamodb-capacity-lowered", "data store", "postmortems; FIS data-store faults", change.dynamodb_capacity_lowered),
    _k("sqs-backlog", "data store", "RCAEval delay; postmortems (consumer lag)", resource.sqs_backlog, (), "latency"),
    _k("sg-ingress-revoked", "networking", "FIS aws:network:disrupt-connectivity", change.sg_ingress_revoked, ("ecs", "eks", "ec2")),
    _k("dns-record-changed", "dns and edge", "postmortems (DNS changes); AWS Health Route 53", change.dns_record_changed),
    _k("iam-policy-detached", "identity", "postmortems (permission changes)", change.iam_policy_detached),
    _k("secret-rotated", "keys and secrets", "Secrets Manager rotation troubleshooting", change.secret_rotated),
    _k("kms-key-disabled", "keys and secrets", "AWS Health KMS notices; KMS key states", change.kms_key_disabled),
    _k("ssm-parameter-changed", "configuration", "PetShop /petstore/searchdelay, searcherrorpercent", change.ssm_parameter_changed),
    _k("dependency-slow", "external dependency", "RCAEval delay; PetShop latency faults", resource.dependency_slow, (), "latency"),
    _k("dependency-errors", "external dependency", "RCAEval loss; FIS aws:fis:inject-api-unavailable-error", resource.dependency_errors),
    _k("poison-request", "poison input", "postmortems (malformed input)", resource.poison_request),
    _k("batch-job-surge", "workload surge", "postmortems (batch jobs starving OLTP)", resource.batch_job_surge, (), "latency"),
    _k("desired-count-lowered", "capacity", "postmortems (manual scale-in); FIS aws:ecs:stop-task", capacity.desired_count_lowered, ("ecs",)),
    _k("nodegroup-scaled-down", "compute", "FIS aws:eks:terminate-nodegroup-instances", capacity.nodegroup_scaled_down, ("eks",)),
    _k("instances-stopped", "compute", "FIS aws:ec2:stop-instances / terminate-instances", capacity.instances_stopped, ("ec2",)),
    _k("disk-full", "capacity", "FIS disk fill (AWSFIS-Run-Disk-Fill); RCAEval disk", capacity.disk_full, ("ec2",)),
    _k("lambda-concurrency-lowered", "capacity", "Lambda throttling docs; postmortems", capacity.lambda_concurrency_lowered, ("lambda",)),
    _k("lambda-timeout-lowered", "configuration", "Lambda troubleshooting: Task timed out", capacity.lambda_timeout_lowered, ("lambda",),
       "latency"),
    _k("account-concurrency-exhausted", "capacity", "AWS Health Lambda quota notices; Service Quotas", capacity.account_concurrency_exhausted,
       ("lambda",)),
    _k("waf-rule-blocking", "dns and edge", "AWS WAF troubleshooting; postmortems (edge rules)", edge.waf_rule_blocking, ("ecs", "ec2")),
    _k("listener-rule-changed", "dns and edge", "ELB troubleshooting: 503 no registered targets", edge.listener_rule_changed, ("ecs", "ec2")),
    _k("nacl-deny", "networking", "FIS aws:network:disrupt-connectivity (NACL)", edge.nacl_deny, ("ecs", "eks", "ec2")),
    _k("nat-route-removed", "networking", "FIS aws:network:route-table-disrupt-cross-region-connectivity; postmortems", edge.nat_route_removed),
    _k("nat-port-exhaustion", "networking", "NAT gateway troubleshooting: ErrorPortAllocation", edge.nat_port_exhaustion),
    _k("dependency-cert-expired", "external dependency", "postmortems (expired certificates); AWS Health ACM notices",
       edge.dependency_cert_expired),
    _k("s3-bucket-policy-deny", "identity", "postmortems (bucket policy changes)", change.s3_bucket_policy_deny),
    _k("rds-failover", "data store", "FIS aws:rds:failover-db-cluster, aws:rds:reboot-db-instances; AWS Health RDS", change.rds_failover,
       ("ecs", "eks", "ec2")),
    _k("appconfig-flag-deployed", "configuration", "AppConfig feature flags; postmortems (flag flips)", change.appconfig_flag_deployed),
    _k("cache-memory-full", "data store", "ElastiCache troubleshooting (maxmemory); RCAEval mem", resource.cache_memory_full),
    _k("client-surge", "workload surge", "postmortems (retry storms); RCAEval load", resource.client_surge, ("ecs", "eks", "ec2"), "latency"),
    _k("leaked-key-no-finding", "security", "MITRE ATT&CK cloud; leaked-key write-ups", security.leaked_key_no_finding, (), "security"),
    _k("leaked-key-with-finding", "security", "GuardDuty IAMUser finding types", security.leaked_key_with_finding, (), "security"),
    _k("crypto-mining-finding", "security", "GuardDuty CryptoCurrency:EC2 finding types", security.crypto_mining_finding, (), "security"),
)}

CONTROLS: dict[str, KindSpec] = {spec.name: spec for spec in (
    KindSpec("control-quiet", "control", "-", controls.control_quiet, question="health", control=True),
    KindSpec("control-benign-deploy", "control", "-", controls.control_benign_deploy, question="health", control=True),
    KindSpec("control-standing-errors", "control", "-", controls.control_standing_errors, question="errors", control=True),
    KindSpec("control-traffic-peak", "control", "-", controls.control_traffic_peak, question="latency", control=True),
    KindSpec("control-scheduled-batch", "control", "-", controls.control_scheduled_batch, ("ecs",), question="health", control=True),
    KindSpec("control-benign-config", "control", "-", controls.control_benign_config, question="health", control=True),
    KindSpec("control-traffic-dip", "control", "-", controls.control_traffic_dip, question="health", control=True),
)}

ALL: dict[str, KindSpec] = {**KINDS, **CONTROLS}
