"""The corpus's incident kinds and control windows, each with its category and the public taxonomy it comes from.

| kind | category | decisive fact | taxonomy source |
|---|---|---|---|
| deploy-bad-code | compute (ECS) | ``UpdateService`` event | RCAEval "code-level faults"; public postmortems (bad deploys) |
| lambda-bad-code | compute (Lambda) | ``UpdateFunctionCode`` event | AWS Lambda troubleshooting (Runtime.ImportModuleError); postmortems |
| memory-exhaustion | compute (ECS/EKS/EC2) | memory metric of the service | RCAEval ``mem``; FIS ``aws:ecs:task-*-stress`` / ``aws:eks:pod-memory-stress`` |
| cpu-saturation | compute (ECS/EKS/EC2) | CPU metric of the service | RCAEval ``cpu``; FIS ``aws:ecs:task-cpu-stress``, ``aws:eks:pod-cpu-stress`` |
| db-connections-exhausted | data store (RDS) | ``DatabaseConnections`` of the instance | public postmortems (connection storms); RCAEval ``socket`` |
| rds-storage-full | data store (RDS) | ``FreeStorageSpace`` of the instance | AWS Health ``AWS_RDS_STORAGE_FULL``-style notices; FIS disk-fill |
| dynamodb-capacity-lowered | data store (DynamoDB) | ``UpdateTable`` event | FIS ``aws:dynamodb:global-table-pause-replication`` (data-store faults); postmortems |
| sqs-backlog | data store (SQS) | ``ApproximateAgeOfOldestMessage`` / backlog of the queue | RCAEval ``delay``; public postmortems (consumer lag) |
| sg-ingress-revoked | networking | ``RevokeSecurityGroupIngress`` / ``ModifySecurityGroupRules`` event | FIS ``aws:network:disrupt-connectivity`` |
| dns-record-changed | DNS and edge | ``ChangeResourceRecordSets`` event | public postmortems (DNS record changes); AWS Health Route 53 events |
| iam-policy-detached | identity | ``DetachRolePolicy`` / ``DeleteRolePolicy`` / ``PutRolePolicy`` event | public postmortems (permission changes) |
| secret-rotated | keys and secrets | ``RotateSecret`` / ``PutSecretValue`` event | AWS Secrets Manager rotation troubleshooting |
| kms-key-disabled | keys and secrets | ``DisableKey`` / ``ScheduleKeyDeletion`` event | AWS Health ``AWS_KMS`` notices; KMS key-state docs |
| ssm-parameter-changed | configuration and flags | ``PutParameter`` event | PetShop fault injection (``/petstore/searchdelay``, ``searcherrorpercent``) |
| dependency-slow | external dependency | the dependency host | RCAEval ``delay``; PetShop latency faults |
| dependency-errors | external dependency | the dependency host | RCAEval ``loss``/error faults; FIS ``aws:fis:inject-api-unavailable-error`` |
| poison-request | poison input | the parser's exception class | public postmortems (malformed input crashes) |
| batch-job-surge | workload surge | DB CPU/IOPS or the job's concurrency | public postmortems (batch jobs starving OLTP) |
| leaked-key-no-finding | security (CloudTrail only) | any attacker call | MITRE ATT&CK cloud; leaked-key incident write-ups |
| leaked-key-with-finding | security (GuardDuty) | the finding or any attacker call | GuardDuty finding types (IAMUser/*) |

Controls (truth "no cause"): quiet, benign deploy, standing errors, traffic peak, scheduled batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agent.scenarios.corpus import change_kinds as change
from agent.scenarios.corpus import controls
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
    _k("leaked-key-no-finding", "security", "MITRE ATT&CK cloud; leaked-key write-ups", security.leaked_key_no_finding, (), "security"),
    _k("leaked-key-with-finding", "security", "GuardDuty IAMUser finding types", security.leaked_key_with_finding, (), "security"),
)}

CONTROLS: dict[str, KindSpec] = {spec.name: spec for spec in (
    KindSpec("control-quiet", "control", "-", controls.control_quiet, question="health", control=True),
    KindSpec("control-benign-deploy", "control", "-", controls.control_benign_deploy, question="health", control=True),
    KindSpec("control-standing-errors", "control", "-", controls.control_standing_errors, question="errors", control=True),
    KindSpec("control-traffic-peak", "control", "-", controls.control_traffic_peak, question="latency", control=True),
    KindSpec("control-scheduled-batch", "control", "-", controls.control_scheduled_batch, ("ecs",), question="health", control=True),
)}

ALL: dict[str, KindSpec] = {**KINDS, **CONTROLS}
