"""What kinds of things triage recognises, as patterns: which kind of change explains which kind of symptom,
which changes are inert or AWS-service reactions, the steps of a leaked-credential sequence, and the conditions
(a resource running out, a failing dependency, a poison input, a surge) that cause errors without any change.
Patterns only; how much each counts is in ``weights.py``.
"""

from __future__ import annotations

import re

# --- what a kind of change can explain -----------------------------------------------------------

_TIMEOUTS = r"timed? ?out|timeout|connect(ion)? (refused|reset|error|timeout)|could not connect|unable to connect|unreachable|econnrefused|etimedout|econnreset|no route|reset by peer|endpointconnectionerror|connecttimeout|sockettimeout|readtimeout|target\.timeout|502|503|504|gateway"
_DENIED = r"accessdenied|access denied|not authorized|unauthorizedoperation|forbidden|\b403\b|authorizationerror|is not authorized|permission"
CATEGORIES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (name, re.compile(change, re.I), re.compile(symptom, re.I))
    for name, change, symptom in (
        ("network",
         r"SecurityGroup|NetworkAcl|Route(Table)?|VpcEndpoint|NatGateway|InternetGateway|Subnet|TransitGateway|VpcPeering|NetworkInterface|ModifyInstanceAttribute|PrefixList|Firewall",
         _TIMEOUTS),
        ("iam",
         r"^(Put|Attach|Detach|Delete|Update)(Role|User|Group)Policy$|AssumeRolePolicy|PolicyVersion|PermissionsBoundary|^DeleteRole$|BucketPolicy|ResourcePolicy|^(Add|Remove)Permission$|KeyPolicy|^RevokeGrant$|^RetireGrant$|^CreateGrant$",
         _DENIED),
        ("kms",
         r"^(DisableKey|ScheduleKeyDeletion|PutKeyPolicy|RevokeGrant|RetireGrant|DisableKeyRotation|UpdateAlias|DeleteAlias|UpdateKeyDescription)$",
         r"kms|disabledexception|kmsinvalidstate|kmsaccessdenied|kmsdisabled|pending deletion|is disabled|decrypt|encrypt|keyunavailable|key .{0,40}(disabled|deletion)"),
        ("deploy",
         r"^(UpdateService|CreateService|UpdateFunctionCode|UpdateFunctionConfiguration|PublishVersion|UpdateAlias|RegisterTaskDefinition|CreateDeployment|UpdateStack|ExecuteChangeSet|CreateStack|StartPipelineExecution|PutImage|UpdateEnvironment|CreateApplicationVersion|UpdateApplication|UpdateApp|StartDeployment|UpdateDeploymentGroup|CreateLaunchTemplateVersion|StartInstanceRefresh|UpdateContainerInstancesState)$",
         r"exception|error|traceback|panic|nullpointer|typeerror|keyerror|attributeerror|valueerror|undefined|crash|exit code|oom|out ?of ?memory|killed"),
        ("capacity",
         r"^(UpdateTable|UpdateTableReplicaAutoScaling|PutFunctionConcurrency|DeleteFunctionConcurrency|PutProvisionedConcurrencyConfig|UpdateAutoScalingGroup|SetDesiredCapacity|PutScalingPolicy|DeleteScalingPolicy|DeleteScheduledAction|PutScheduledUpdateGroupAction|RegisterScalableTarget|DeregisterScalableTarget|ModifyReplicationGroup|ModifyCacheCluster|UpdateShardCount|UpdateService|ModifyDBInstance|ModifyDBCluster|SetQueueAttributes|UpdateStream|UpdateThrottling|UpdateUsagePlan|UpdateStage)$",
         r"throttl|provisionedthroughputexceeded|toomanyrequests|rate exceeded|limit exceeded|capacity|concurrency|429|slowdown|requestlimitexceeded|cpu|memory|queue (full|depth)|backlog|exhausted|saturat"),
        ("database",
         r"DB(Instance|Cluster|ParameterGroup|ClusterParameterGroup|Proxy|Subnet|Snapshot)|CacheCluster|CacheParameterGroup|ReplicationGroup|FailoverDBCluster|RebootDBInstance",
         r"database|\bdb\b|sql|connection pool|too many connections|jdbc|psycopg|mysql|postgres|redis|failover|deadlock|hikari|connection (refused|reset|timed? ?out)"),
        ("dns",
         r"ResourceRecordSets|HostedZone|Resolver|DhcpOptions|EnableDnsSupport|EnableDnsHostnames",
         r"unknownhost|name or service not known|nxdomain|getaddrinfo|name resolution|\bdns\b|enotfound|could not resolve|temporary failure in name|no such host"),
        ("secret",
         r"^(PutSecretValue|UpdateSecret|RotateSecret|UpdateSecretVersionStage|DeleteSecret|PutParameter|DeleteParameter|DeleteParameters|LabelParameterVersion|UpdateConfigurationProfile|StartDeployment)$",
         r"password authentication|authentication failed|invalid credentials|access denied for user|invalid api ?key|\b401\b|unauthori[sz]ed|login failed|parameternotfound|secret|credential|invalid token|signature"),
        ("loadbalancer",
         r"TargetGroup|Targets$|Listener|^(ModifyRule|DeleteRule|CreateRule|SetSecurityGroups|SetSubnets|ModifyLoadBalancerAttributes|SetRulePriorities|SetIpAddressType|ModifyHealthCheck)$",
         r"\b50[234]\b|5xx|unhealthy|healthyhost|target\.|targetresponsetime|target_?5xx|elb|load balancer|no healthy|not found"),
        ("certificate",
         r"Certificate",
         r"certificate|ssl|tls|handshake|x509|pkix|expired"),
        ("config",
         r"^(PutParameter|LabelParameterVersion|DeleteParameters?|UpdateConfigurationProfile|StartDeployment|"
         r"CreateHostedConfigurationVersion|UpdateFeature|UpdateProject|EvaluateFeature|PutConfigurationSetting\w*|"
         r"UpdateEnvironment|PutFunctionEventInvokeConfig|UpdateFunctionConfiguration\w*)$",
         r"config|setting|flag|parameter|reload|invalid|exception|error|fail|timeout|timed out|slow|latency|5xx|50[0234]"),
        ("storage",
         r"^(PutBucketPolicy|DeleteBucketPolicy|PutBucketAcl|PutPublicAccessBlock|DeleteBucket|PutBucketLifecycleConfiguration|PutBucketEncryption|DeleteQueue|PurgeQueue|SetQueueAttributes|DeleteTopic|SetTopicAttributes|DeleteTable|DeleteStream|DeleteFileSystem|PutLifecycleConfiguration)$",
         r"nosuchbucket|nosuchkey|accessdenied|nonexistentqueue|queuedoesnotexist|resourcenotfound|not ?found|does not exist|404"),
    )
)
SUSPICIOUS = re.compile(
    r"^(CreateAccessKey|CreateUser|CreateLoginProfile|UpdateLoginProfile|AttachUserPolicy|PutUserPolicy|AddUserToGroup|"
    r"ConsoleLogin|StopLogging|DeleteTrail|UpdateTrail|PutEventSelectors|DeleteDetector|DisableSecurityHub|"
    r"DeleteFlowLogs|CreateKeyPair|ImportKeyPair|RunInstances|GetSecretValue|AuthorizeSecurityGroupIngress|"
    r"PutBucketAcl|PutBucketPolicy|DeletePublicAccessBlock|ModifySnapshotAttribute|ModifyImageAttribute|"
    r"AssumeRole|GetSessionToken|GetFederationToken|CreateRole|UpdateAssumeRolePolicy|AttachRolePolicy|DisableKey|ScheduleKeyDeletion)$"
)

# Kinds of change whose effect reaches far beyond the names they touch (a security group, a policy, a key, a DNS
# record, a certificate, a secret): they explain a matching symptom even when no name is shared. Every other kind
# (deploys, capacity, database, load balancer, storage, configuration) explains only symptoms it is linked to.
FAR_REACHING = frozenset({"network", "iam", "kms", "dns", "certificate", "secret"})

# Changes that do not alter how the workload runs (monitoring, tagging, log plumbing, sign-ins): context only.
INERT = re.compile(
    r"^(PutMetricAlarm|PutCompositeAlarm|DeleteAlarms|EnableAlarmActions|DisableAlarmActions|SetAlarmState|PutDashboard|"
    r"DeleteDashboards|PutMetricData|PutAnomalyDetector|TagResource|UntagResource|CreateTags|DeleteTags|AddTags|"
    r"AddTagsToResource|RemoveTagsFromResource|PutBucketTagging|TagRole|TagUser|CreateLogGroup|CreateLogStream|"
    r"PutRetentionPolicy|PutSubscriptionFilter|PutLogEvents|ConsoleLogin|AssumeRole\w*|GetSessionToken|"
    r"GetFederationToken|CreateSnapshot|CopySnapshot|StartQuery|StartQueryExecution|CreateChangeSet)$"
)


_API_VERSION = re.compile(r"\d{8}(?:v\d+)?$")


def plain_event(name: object) -> str:
    """An event name without the API version some services append (``UpdateFunctionCode20150331v2``)."""
    return _API_VERSION.sub("", str(name or ""))


# Changes that only prepare a deploy; the change that applies it is the decisive one.
PREPARATORY = re.compile(r"^(RegisterTaskDefinition|PublishVersion\w*|CreateLaunchTemplateVersion|CreateApplicationVersion|"
                         r"PutImage|CreateChangeSet|UploadServerCertificate)$")

# --- AWS-service reactions: consequences of another change or of load, never a first cause -------------------

# Calls an AWS service makes on its own behalf: a service-linked role ...
SERVICE_LINKED_ROLE = re.compile(r"AWSServiceRoleFor|aws-service-role/", re.I)
# ... or well-known reactions when an AWS service is the caller (the ECS scheduler registering its tasks with the
# target group during a deploy, Application Auto Scaling resizing, a schedule starting a task or a job).
REACTION_EVENTS = re.compile(
    r"^(RegisterTargets|DeregisterTargets|RunTask|StartTask|StopTask|SetDesiredCapacity|UpdateService|"
    r"CompleteLifecycleAction|RecordLifecycleActionHeartbeat|TerminateInstanceInAutoScalingGroup|"
    r"AttachInstances|DetachInstances|StartExecution|StartJobRun|StartBuild|Invoke|"
    r"CreateNetworkInterface|DeleteNetworkInterface|AssumeRole)$"
)
REACTION_CALLERS = re.compile(
    r"(ecs|application-autoscaling|autoscaling|events|scheduler|states|elasticloadbalancing|"
    r"servicecatalog|cloudformation|lambda|ssm|backup|dlm|elasticbeanstalk|eks|eks-nodegroup|"
    r"ecs-tasks|batch|glue)\.amazonaws\.com",
    re.I,
)

# --- a leaked-credential sequence in CloudTrail -------------------------------------------------------------

LEAK_STEPS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (step, re.compile(pattern))
    for step, pattern in (
        ("persistence", r"^(CreateAccessKey|CreateUser|CreateLoginProfile|UpdateLoginProfile|CreateRole|"
                        r"UpdateAssumeRolePolicy|CreateKeyPair|ImportKeyPair|CreateServiceSpecificCredential|"
                        r"CreateVirtualMFADevice|AddUserToGroup)$"),
        ("defense", r"^(StopLogging|DeleteTrail|UpdateTrail|PutEventSelectors|DeleteDetector|UpdateDetector|"
                    r"DisableSecurityHub|DeleteFlowLogs|DeleteConfigRule|StopConfigurationRecorder|"
                    r"DeleteConfigurationRecorder|DisableOrganizationAdminAccount|DeleteMembers)$"),
        ("escalation", r"^(AttachUserPolicy|PutUserPolicy|AttachRolePolicy|PutRolePolicy|AttachGroupPolicy|"
                       r"PutGroupPolicy|CreatePolicyVersion|SetDefaultPolicyVersion)$"),
        ("exfiltration", r"^(GetSecretValue|ModifySnapshotAttribute|ModifyDBSnapshotAttribute|ModifyImageAttribute|"
                         r"PutBucketAcl|PutBucketPolicy|DeletePublicAccessBlock|DeleteBucketPublicAccessBlock|"
                         r"CopySnapshot|ShareDirectory|RunInstances|ListSecrets|GetParametersByPath)$"),
        ("recon", r"^(GetCallerIdentity|ListUsers|ListRoles|ListBuckets|ListAccessKeys|ListAttachedUserPolicies|"
                  r"GetAccountAuthorizationDetails|DescribeInstances|ListPolicies|GetAccountSummary|"
                  r"DescribeRegions|ListSecrets|ListFunctions\w*)$"),
    )
)
# Addresses of AWS itself (service principals, internal): never an "unusual source".
AWS_SOURCE = re.compile(r"amazonaws\.com$|^AWS Internal$", re.I)

# --- conditions: causes without a change event ----------------------------------------------------------------

# (kind, in a metric's name, in symptom text)
CONDITIONS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (kind, re.compile(metric, re.I), re.compile(text, re.I))
    for kind, metric, text in (
        ("storage",
         r"FreeStorageSpace|FreeLocalStorage|DiskSpace|disk_?used|DiskUtilization|BurstBalance|"
         r"StorageUtilization|FreeableStorage|EphemeralStorage|filesystem|PercentIOLimit|TransactionLogsDiskUsage|"
         r"StorageSpace|VolumeBytesUsed|DiskUsed|disk_used_percent",
         r"no space left|disk (is )?full|diskfull|enospc|storage full|out of (disk|storage)|insufficient storage|"
         r"could not extend file|database or disk is full|volume .{0,20}full|storage quota|"
         r"storage-full|diskspace|disk space|table .{0,40}is full|tablespace|disk quota|errno 28|\bdiskfull\b"),
        ("memory",
         r"Memory(Utilization|Utilized|Used|Usage)|FreeableMemory|SwapUsage|mem_used|OOM|memory_rss|"
         r"DatabaseMemoryUsagePercentage|MaxMemoryUsed",
         r"out ?of ?memory|outofmemory|\boom\b|oomkilled|oom-kill|exit code 137|memory limit|cannot allocate memory|"
         r"heap space|gc overhead|runtime\.outofmemory|memorysize exceeded|killed process|memoryerror"),
        ("connections",
         r"DatabaseConnections|CurrConnections|ClientConnections|Connections$|RejectedConnectionCount|"
         r"ConnectionAttempts|MaxUsedConnections|ConnectionsBorrowed",
         r"too many connections|connection pool|pool (is )?exhausted|remaining connection slots|max_connections|"
         r"connection is not available|timeout waiting for connection|hikari|cannot acquire connection|"
         r"sqltransientconnectionexception|maxclients|max number of clients|toomanyconnections|too many clients|"
         r"pool timeout|queuepool limit|connection limit|could not (get|obtain|acquire) a (database |db )?connection|"
         r"connectionacquiretimeout|unable to acquire .{0,20}connection|connection slots"),
        ("backlog",
         r"ApproximateNumberOfMessages(Visible)?$|ApproximateAgeOfOldestMessage|IteratorAge|OffsetLag|"
         r"ConsumerLag|QueueDepth|Backlog|MessagesVisible|PendingMessages|MaxOffsetLag|EstimatedMaxTimeLag",
         r"backlog|queue (is )?full|lag (grew|increasing)|iterator age|messages? (piling|waiting)|consumer lag"),
        ("throttling",
         r"Throttl|ProvisionedThroughputExceeded|ThrottledRecords|RequestLimitExceeded|ThrottleCount",
         r"throttl|provisionedthroughputexceeded|toomanyrequests|rate exceeded|slowdown|requestlimitexceeded|"
         r"too many requests|\b429\b|limitexceeded|limit exceeded|concurrency limit|reserved concurrency"),
        ("cpu",
         r"CPUUtilization|CpuUtilized|CPUCreditBalance|cpu_usage|EngineCPUUtilization|CPUSurplusCredits|cpu_utilization",
         r"cpu (at|saturat|throttl)|high cpu|cpu limit|cpu credits|cpu starvation"),
    )
)
# Metric names where a fall is the condition (the free space, the memory or the balance running out).
FALLING_IS_BAD = re.compile(r"Free|Available|Balance|Credit|Remaining|Headroom", re.I)

DEPENDENCY_TEXT = re.compile(
    r"timed? ?out|timeout|connection (refused|reset)|econnrefused|etimedout|econnreset|socket hang up|"
    r"service unavailable|bad gateway|gateway time-?out|upstream|circuit ?breaker|"
    r"unable to connect|could not connect|remote end closed|deadline exceeded|unreachable|"
    r"\b50[234]\b from|returned (50[0234])|status(code)?[ =:]+50[0234]",
    re.I,
)
POISON_TEXT = re.compile(
    r"malformed|could not (parse|deserializ|decode)|failed to (parse|deserializ|decode|unmarshal|process message)|"
    r"invalid (json|payload|message|record|input|format|character|utf)|unexpected (token|character|end of)|"
    r"jsondecodeerror|jsonparseexception|json\.decoder|numberformatexception|unmarshal|schema validation|"
    r"serializationexception|deserializ|poison|dead.?letter|\bdlq\b|maxreceivecount|redrive|"
    r"unicodedecodeerror|parse error|cannot parse|bad record|invalid record",
    re.I,
)
POISON_METRIC = re.compile(r"DeadLetter|DLQ|NumberOfMessagesMovedToDLQ|RecordsFailed", re.I)
SURGE_METRIC = re.compile(
    r"^(RequestCount|Count|Invocations|IncomingRecords|IncomingBytes|NumberOfMessagesSent|NumberOfMessagesReceived|"
    r"ConsumedReadCapacityUnits|ConsumedWriteCapacityUnits|ActiveConnectionCount|NewConnectionCount|"
    r"Requests|ProcessedBytes|RequestCountPerTarget|IncomingLogEvents|Queries|"
    r"CommandCount|GetRequests|PutRequests|AllRequests|requests|request_count|Calls|CallCount)$",
    re.I,
)
SURGE_TEXT = re.compile(r"surge|spike in (traffic|requests)|traffic (spike|surge)|batch job|backfill|bulk (load|import)|"
                        r"load test|retry storm|thundering herd", re.I)
# Metrics of errors and latency: what a condition must explain, symptoms themselves.
EDGE_METRIC = re.compile(
    r"5xx|4xx|latency|responsetime|duration|availability|fault|error|timeout|unhealthy|"
    r"HealthyHostCount|RejectedConnection|dropped|denied",
    re.I,
)
