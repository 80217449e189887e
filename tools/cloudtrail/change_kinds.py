"""What kind of change a CloudTrail call is, which symptoms such a change explains, and how to undo it.

One table, ``KINDS``: each ``ChangeKind`` names the event names it covers, its ``prior`` (how often a change of
this kind breaks a running workload at all, 0..1), the symptom classes it explains (``tools/common/incident.py``)
and a mitigation builder. ``kind_of(call)`` picks the kind; ``mitigation(call)`` writes the rollback with the
identifiers of the call's own request (only identifier-looking values; anything else stays a placeholder).

The priors are ordinal, not measured probabilities: paths, permissions and keys that a running system depends on
(0.9) over deployments (0.8) over capacity, routing and configuration settings (0.6) over additions (0.3) over
housekeeping that cannot break traffic (alarms, retention, tags, log streams: 0.05). Turning off audit logging or
detection ranks with the paths (0.9): it is what an intruder does. Some services log the API name with a version
suffix (Lambda's ``UpdateFunctionCode20150331v2``); it is stripped before the lookup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.cloudtrail.model import Call

_PLAIN = re.compile(r"^[A-Za-z0-9_.:/@+=,#*-]{1,200}$")


@dataclass(frozen=True)
class ChangeKind:
    name: str
    events: tuple[str, ...]
    prior: float
    explains: frozenset[str]


def _v(params: dict[str, Any], *keys: str, default: str = "<id>") -> str:
    """The first identifier-looking value of ``keys`` in the request (nested one level), else ``default``."""
    for key in keys:
        value = params.get(key)
        if isinstance(value, dict):
            value = value.get("content") or next(iter(value.values()), None)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, str) and _PLAIN.match(value):
            return value
    return default


def _list(params: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = params.get(key)
        if isinstance(value, dict):
            value = value.get("items") or value.get("item") or list(value.values())
        if isinstance(value, list):
            flat = [v.get("content") if isinstance(v, dict) else v for v in value]
            ids = [v for v in flat if isinstance(v, str) and _PLAIN.match(v)]
            if ids:
                return " ".join(ids[:6])
        if isinstance(value, str) and _PLAIN.match(value):
            return value
    return ""


def _undo_vpc_endpoint(p: dict[str, Any]) -> str:
    removed = _list(p, "RemoveRouteTableId", "RemoveRouteTableIds", "removeRouteTableIds")
    endpoint = _v(p, "VpcEndpointId", "vpcEndpointId")
    if removed:
        return f"restore the route: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint} --add-route-table-ids {removed}`"
    return f"revert the endpoint change on {endpoint} (route tables, policy, subnets) to its previous settings"


def _undo_update_service(p: dict[str, Any]) -> str:
    task = _v(p, "taskDefinition")
    family, _, revision = task.rpartition(":")
    previous = f"{family}:{int(revision) - 1}" if revision.isdigit() and family and int(revision) > 1 else "<previous revision>"
    return (f"revert the task definition: `aws ecs update-service --cluster {_v(p, 'cluster')} --service {_v(p, 'service')} "
            f"--task-definition {previous}` (the revision that ran before {task})")


KINDS: tuple[ChangeKind, ...] = (
    ChangeKind("network path", ("ModifyVpcEndpoint", "DeleteVpcEndpoints", "DeleteRoute", "ReplaceRoute",
                                "DisassociateRouteTable", "ReplaceRouteTableAssociation", "RevokeSecurityGroupIngress",
                                "RevokeSecurityGroupEgress", "ModifySecurityGroupRules", "DeleteNetworkAclEntry",
                                "ReplaceNetworkAclEntry", "CreateNetworkAclEntry", "ReplaceNetworkAclAssociation",
                                "DeleteNatGateway", "DetachInternetGateway", "ChangeResourceRecordSets",
                                "ModifyInstanceAttribute", "ModifyNetworkInterfaceAttribute", "DeleteTransitGatewayRoute"),
               0.9, frozenset({"network", "app_error"})),
    ChangeKind("permission", ("DetachRolePolicy", "DeleteRolePolicy", "PutRolePolicy", "DetachUserPolicy",
                              "DeleteUserPolicy", "PutUserPolicy", "DetachGroupPolicy", "DeleteGroupPolicy",
                              "UpdateAssumeRolePolicy", "CreatePolicyVersion", "SetDefaultPolicyVersion",
                              "DeletePolicyVersion", "PutBucketPolicy", "DeleteBucketPolicy", "RemovePermission",
                              "PutPermissionsBoundary", "RemoveRoleFromInstanceProfile", "PutResourcePolicy",
                              "SetQueueAttributes", "PutPublicAccessBlock"),
               0.9, frozenset({"access", "app_error"})),
    ChangeKind("encryption key", ("DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy", "RevokeGrant", "RetireGrant",
                                  "DeleteAlias", "UpdateAlias"),
               0.9, frozenset({"crypto", "access", "app_error"})),
    ChangeKind("secret", ("RotateSecret", "PutSecretValue", "UpdateSecret", "UpdateSecretVersionStage", "DeleteSecret",
                          "ResetDBClusterParameterGroup", "ModifyDBCluster", "ModifyDBInstance"),
               0.8, frozenset({"credentials", "access", "app_error"})),
    # Application configuration: breaks things when a value is wrong, but most writes are routine (log levels).
    ChangeKind("configuration", ("PutParameter", "DeleteParameter", "DeleteParameters", "PutConfigurationSetEventDestination",
                                 "UpdateConfigurationProfile", "StartDeployment", "PutFeatureFlag", "UpdateApplicationSettings"),
               0.6, frozenset({"app_error", "network", "credentials"})),
    ChangeKind("deployment", ("UpdateService", "UpdateFunctionCode", "UpdateFunctionConfiguration", "UpdateAlias",
                              "CreateDeployment", "UpdateStage", "UpdateEnvironment", "ExecuteChangeSet",
                              "UpdateStack", "CreateStack", "UpdateApplication",
                              "StartInstanceRefresh", "UpdateContainerAgent"),
               0.8, frozenset({"app_error", "network", "capacity", "credentials"})),
    # A new revision changes nothing that runs until a deployment uses it (the deployment is the change).
    ChangeKind("new revision (not running by itself)", ("RegisterTaskDefinition", "PublishVersion", "CreateChangeSet",
                                                        "CreateLaunchTemplateVersion", "PublishLayerVersion"),
               0.4, frozenset({"app_error"})),
    ChangeKind("load balancer routing", ("ModifyListener", "ModifyRule", "DeleteRule", "DeleteListener",
                                         "ModifyTargetGroup", "ModifyTargetGroupAttributes", "DeregisterTargets",
                                         "SetSecurityGroups", "SetSubnets", "ModifyLoadBalancerAttributes"),
               0.7, frozenset({"app_error", "network"})),
    # Stopping what serves traffic takes capacity away at once.
    ChangeKind("running capacity stopped", ("StopInstances", "TerminateInstances", "StopDBInstance", "StopDBCluster",
                                            "DeleteNodegroup", "FailoverDBCluster", "FailoverDBInstance",
                                            "RebootDBInstance", "RebootDBCluster", "RebootInstances", "DeleteCacheCluster"),
               0.85, frozenset({"capacity", "network", "app_error"})),
    ChangeKind("capacity", ("UpdateTable", "PutFunctionConcurrency", "DeleteFunctionConcurrency", "UpdateAutoScalingGroup",
                            "SetDesiredCapacity", "PutScalingPolicy", "RegisterScalableTarget", "ModifyCacheCluster",
                            "ModifyReplicationGroup", "UpdateCapacityProvider", "DeleteTableReplica",
                            "ModifyDBParameterGroup", "UpdateNodegroupConfig", "UpdateNodegroupVersion",
                            "PutProvisionedConcurrencyConfig", "UpdateCluster", "ModifyDBInstanceClass"),
               0.6, frozenset({"throttle", "capacity", "network", "app_error"})),
    # Web application firewall rules decide which requests reach the application at all.
    ChangeKind("traffic filtering", ("UpdateWebACL", "UpdateRuleGroup", "UpdateIPSet", "UpdateRegexPatternSet",
                                     "AssociateWebACL", "PutManagedRuleSetVersions", "UpdateFirewallRuleGroup"),
               0.8, frozenset({"access", "app_error"})),
    ChangeKind("new identity or access", ("CreateAccessKey", "CreateUser", "CreateLoginProfile", "AttachUserPolicy",
                                          "AttachRolePolicy", "AttachGroupPolicy", "AddUserToGroup", "CreateRole",
                                          "AuthorizeSecurityGroupIngress", "UpdateLoginProfile", "ConsoleLogin"),
               0.4, frozenset({"security"})),
    # Turning off the audit trail or detection is what an intruder does after getting in.
    ChangeKind("audit or detection disabled", ("StopLogging", "DeleteTrail", "UpdateTrail", "DeleteDetector",
                                               "UpdateDetector", "DisableSecurityHub", "DeleteFlowLogs",
                                               "PutEventSelectors", "DeleteConfigurationRecorder",
                                               "StopConfigurationRecorder"),
               0.9, frozenset({"security"})),
    ChangeKind("housekeeping", ("PutRetentionPolicy", "PutMetricAlarm", "DeleteAlarms", "PutDashboard", "TagResource",
                                "UntagResource", "PutBucketTagging", "CreateTags", "DeleteTags", "CreateLogStream",
                                "CreateLogGroup", "PutSubscriptionFilter", "TagRole", "TagUser", "AddTagsToResource",
                                "PutEvaluations", "PutMetricData", "PutInsightRule", "SetAlarmState"),
               0.05, frozenset()),
)
OTHER = ChangeKind("other change", (), 0.3, frozenset({"app_error"}))
# Event names the table does not know are judged by their verb: taking something away breaks running systems
# more often than modifying it, and both more often than creating something new (OTHER).
UNKNOWN_REMOVAL = ChangeKind("removal or stop", (), 0.7, frozenset({"app_error", "network", "capacity", "access"}))
UNKNOWN_MODIFICATION = ChangeKind("modification", (), 0.5, frozenset({"app_error"}))
_REMOVAL_VERB = re.compile(r"^(?:Delete|Remove|Detach|Revoke|Disable|Disassociate|Deregister|Stop|Terminate|Reject|"
                           r"Cancel|Failover|Reboot|Deactivate|Suspend)(?=[A-Z])")
_MODIFY_VERB = re.compile(r"^(?:Modify|Update|Put|Replace|Set|Change|Reset|Restore|Rotate)(?=[A-Z])")
_BY_EVENT = {event: kind for kind in KINDS for event in kind.events}
_BY_NAME = {kind.name: kind for kind in KINDS}

# Rollbacks by event name: what an on-call engineer runs to undo the change (identifiers from the request).
UNDO: dict[str, Callable[[dict[str, Any]], str]] = {
    "ModifyVpcEndpoint": _undo_vpc_endpoint,
    "DeleteRoute": lambda p: f"recreate the route {_v(p, 'destinationCidrBlock', 'destinationPrefixListId', default='<destination>')} "
                             f"in {_v(p, 'routeTableId')} (`aws ec2 create-route`)",
    "ReplaceRoute": lambda p: f"point the route {_v(p, 'destinationCidrBlock', default='<destination>')} in {_v(p, 'routeTableId')} back to its previous target",
    "DisassociateRouteTable": lambda p: "re-associate the route table with the subnet (`aws ec2 associate-route-table`)",
    "RevokeSecurityGroupIngress": lambda p: f"re-authorize the revoked ingress rule ({_permissions(p) or 'see the request'}) on {_v(p, 'groupId')} (`aws ec2 authorize-security-group-ingress --group-id {_v(p, 'groupId')}`)",
    "RevokeSecurityGroupEgress": lambda p: f"re-authorize the revoked egress rule on {_v(p, 'groupId')} (`aws ec2 authorize-security-group-egress`)",
    "ChangeResourceRecordSets": lambda p: f"restore the previous DNS records in hosted zone {_v(p, 'hostedZoneId')}",
    "DetachRolePolicy": lambda p: f"re-attach the policy: `aws iam attach-role-policy --role-name {_v(p, 'roleName')} --policy-arn {_v(p, 'policyArn')}`",
    "DetachUserPolicy": lambda p: f"re-attach the policy: `aws iam attach-user-policy --user-name {_v(p, 'userName')} --policy-arn {_v(p, 'policyArn')}`",
    "DeleteRolePolicy": lambda p: f"restore the inline policy {_v(p, 'policyName')} on role {_v(p, 'roleName')} from version control (`aws iam put-role-policy`)",
    "PutRolePolicy": lambda p: f"restore the previous document of inline policy {_v(p, 'policyName')} on role {_v(p, 'roleName')}",
    "SetDefaultPolicyVersion": lambda p: f"set the previous default version of {_v(p, 'policyArn')} again",
    "CreatePolicyVersion": lambda p: f"set the previous default version of {_v(p, 'policyArn')} again (`aws iam set-default-policy-version`)",
    "PutBucketPolicy": lambda p: f"restore the previous bucket policy of {_v(p, 'bucketName')}",
    "DisableKey": lambda p: f"re-enable the key: `aws kms enable-key --key-id {_v(p, 'keyId')}`",
    "ScheduleKeyDeletion": lambda p: f"cancel the deletion and re-enable the key: `aws kms cancel-key-deletion --key-id {_v(p, 'keyId')}` then `aws kms enable-key`",
    "PutKeyPolicy": lambda p: f"restore the previous key policy of {_v(p, 'keyId')}",
    "RotateSecret": lambda p: f"move AWSCURRENT back to the previous version of {_v(p, 'secretId')} (`aws secretsmanager update-secret-version-stage --version-stage AWSCURRENT --move-to-version-id <AWSPREVIOUS id>`), or set the new password on the database",
    "PutSecretValue": lambda p: f"move AWSCURRENT of {_v(p, 'secretId')} back to the previous version (`aws secretsmanager update-secret-version-stage`)",
    "UpdateSecretVersionStage": lambda p: f"move AWSCURRENT of {_v(p, 'secretId')} back to the previous version (`aws secretsmanager update-secret-version-stage`)",
    "UpdateService": _undo_update_service,
    "UpdateFunctionCode": lambda p: f"roll back {_v(p, 'functionName')}: point its alias at the previous version (`aws lambda update-alias`) or redeploy the previous code",
    "UpdateFunctionConfiguration": lambda p: f"restore the previous configuration of {_v(p, 'functionName')} (environment, memory, timeout, VPC)",
    "UpdateStage": lambda p: "redeploy the previous API Gateway deployment to the stage",
    "ModifyListener": lambda p: f"restore the previous listener rules/default action of {_v(p, 'listenerArn')}",
    "DeregisterTargets": lambda p: f"register the targets again in {_v(p, 'targetGroupArn')} (`aws elbv2 register-targets`)",
    "StopInstances": lambda p: "start the instances again (`aws ec2 start-instances`) or let the Auto Scaling group replace them",
    "TerminateInstances": lambda p: "raise the Auto Scaling group's desired capacity (or launch replacements) and register them with the target group",
    "FailoverDBCluster": lambda p: f"check that the clients reconnect to the new writer of {_v(p, 'dBClusterIdentifier', 'DBClusterIdentifier')} (cluster endpoint, DNS TTL, connection pool)",
    "UpdateWebACL": lambda p: f"restore the previous rules of web ACL {_v(p, 'name', 'Name')} (`aws wafv2 get-web-acl` history in AWS Config, then `aws wafv2 update-web-acl`)",
    "UpdateTable": lambda p: f"restore the capacity of table {_v(p, 'tableName')} (or switch it to on-demand)",
    "PutFunctionConcurrency": lambda p: f"raise or remove the reserved concurrency of {_v(p, 'functionName')}",
    "StopLogging": lambda p: f"start logging again: `aws cloudtrail start-logging --name {_v(p, 'name')}`, then treat the account as compromised",
    "DeleteTrail": lambda p: f"recreate the trail {_v(p, 'name')} (`aws cloudtrail create-trail`), then treat the account as compromised",
    "PutParameter": lambda p: f"restore the previous value of {_v(p, 'name')} (`aws ssm get-parameter-history`, then `aws ssm put-parameter --overwrite`)",
    "CreateAccessKey": lambda p: f"deactivate the new key of {_v(p, 'userName', default='the user')} (`aws iam update-access-key --status Inactive`) and rotate the leaked one",
    "CreateUser": lambda p: f"disable and delete the user {_v(p, 'userName')} if nobody on the team created it",
    "AttachUserPolicy": lambda p: f"detach {_v(p, 'policyArn')} from {_v(p, 'userName')} (`aws iam detach-user-policy`)",
    "AttachRolePolicy": lambda p: f"detach {_v(p, 'policyArn')} from {_v(p, 'roleName')} if it was not intended",
}
_REMOVES = re.compile(r'"(?:Remove|Delete|Detach|Revoke|Disassociate)', re.I)
_VERSION_SUFFIX = re.compile(r"20\d{6}(?:v\d+)?$")


def base_name(event_name: str) -> str:
    """The API name without the version suffix some services log: Lambda's 'UpdateFunctionCode20150331v2'."""
    return _VERSION_SUFFIX.sub("", event_name)


def kind_of(call: Call) -> ChangeKind:
    """The kind of a call by its event name (``OTHER`` when the table does not know it). An ECS UpdateService
    that sets no task definition only scales the service: capacity, not a deployment."""
    name = base_name(call.event_name)
    if name == "UpdateService" and "taskDefinition" not in json.dumps(request_of(call)) and "forceNewDeployment\": true" not in json.dumps(request_of(call)):
        return _BY_NAME["capacity"]
    known = _BY_EVENT.get(name)
    if known is not None:
        return known
    if _REMOVAL_VERB.match(name):
        return UNKNOWN_REMOVAL
    return UNKNOWN_MODIFICATION if _MODIFY_VERB.match(name) else OTHER


def removes_something(call: Call) -> bool:
    """A request that removes a route table, rule, permission...: such a Modify is as risky as a Delete."""
    return bool(_REMOVES.search(json.dumps(call.record.get("requestParameters"), default=str)))


def mitigation(call: Call) -> str | None:
    """How to undo this call, with the identifiers of its request; None when the table has no rollback."""
    undo = UNDO.get(base_name(call.event_name))
    if undo is None or call.failed:
        return None
    return undo(request_of(call)) or None


def request_of(call: Call) -> dict[str, Any]:
    """The request parameters, unwrapped from EC2's ``{"<Action>Request": {...}}`` envelope."""
    params = call.record.get("requestParameters")
    if not isinstance(params, dict):
        return {}
    if len(params) == 1:
        (key, inner), = params.items()
        if key.endswith("Request") and isinstance(inner, dict):
            return inner
    return params


def _permissions(p: dict[str, Any]) -> str:
    """'tcp 5432 from sg-0app...' for the ipPermissions of a security group request."""
    items = p.get("ipPermissions")
    items = items.get("items") if isinstance(items, dict) else items
    rules = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        port = item.get("fromPort")
        port = f"{port}" if port == item.get("toPort") else f"{port}-{item.get('toPort')}"
        sources = []
        for field_name, key in (("groups", "groupId"), ("ipRanges", "cidrIp")):
            value = item.get(field_name)
            value = value.get("items") if isinstance(value, dict) else value
            sources += [str(v.get(key)) for v in value or [] if isinstance(v, dict) and _PLAIN.match(str(v.get(key)))]
        protocol = str(item.get("ipProtocol", "")) if _PLAIN.match(str(item.get("ipProtocol", ""))) else "?"
        rules.append(f"{protocol} {port} from {', '.join(sources) or '?'}")
    return "; ".join(rules[:3])
