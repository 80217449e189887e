"""Corpus security kinds: a leaked access key used by someone else, with and without a GuardDuty finding.

The attacker's calls follow the public write-ups of leaked-key incidents (and the MITRE ATT&CK cloud matrix):
an unfamiliar source IP and user agent, discovery calls (``GetCallerIdentity``, ``ListBuckets``, ``ListUsers``,
``DescribeInstances`` across regions, some denied), then persistence (``CreateUser``, ``CreateAccessKey``,
``AttachUserPolicy``) and defence evasion (``StopLogging`` / ``DeleteTrail``). The application is healthy; the
decisive facts are the attacker's calls (any one of them) or the finding.
"""

from __future__ import annotations

from datetime import timedelta

from agent.scenarios.corpus.context import Actor, Ctx, Facts
from agent.scenarios.formats import guardduty_finding

ATTACKER_UAS = ("Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.2",
                "aws-cli/1.32.10 Python/3.11.7 Linux/6.6.9-amd64 botocore/1.34.10",
                "python-requests/2.31.0",
                "aws-sdk-go/1.50.0 (go1.21.5; linux; amd64)")
ATTACKER_IPS = ("185.220.101.{n}", "45.155.205.{n}", "194.26.29.{n}", "91.92.251.{n}", "5.188.206.{n}")


def _attack(ctx: Ctx, facts: Facts) -> tuple[str, str]:
    user = ctx.rng.choice(("ci-artifacts-uploader", "legacy-backup", "s3-sync-bot", "analytics-export", "jenkins"))
    ip = ctx.rng.choice(ATTACKER_IPS).format(n=ctx.rng.randint(2, 250))
    attacker = Actor("attacker", ctx.iam_user(user), ctx.rng.choice(ATTACKER_UAS), ip)
    moment = ctx.onset
    step = lambda lo, hi: timedelta(seconds=ctx.rng.randint(lo, hi))  # noqa: E731

    def call(source: str, name: str, params, response=None, *, region=None, error=None, read_only=False) -> None:
        nonlocal moment
        code, message = (error or (None, None))
        event_id = ctx.change(moment, source, name, params, response, actor=attacker, region=region, error_code=code,
                              error_message=message, read_only=read_only)
        facts.events.append(event_id)
        facts.event_names.append(name)
        moment += step(5, 70)

    call("sts.amazonaws.com", "GetCallerIdentity", None, None, read_only=True)
    call("s3.amazonaws.com", "ListBuckets", {"Host": "s3.amazonaws.com"}, None, region="us-east-1", read_only=True)
    call("iam.amazonaws.com", "ListUsers", None, None, region="us-east-1", read_only=True)
    for region in ctx.rng.sample(("us-east-1", "us-west-2", "eu-west-1", "ap-south-1", "sa-east-1"), 3):
        call("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}, None, region=region, read_only=True)
    call("iam.amazonaws.com", "ListAttachedUserPolicies", {"userName": user}, None, region="us-east-1", read_only=True)
    new_user = ctx.rng.choice(("support-admin", "backup-svc2", "aws-health-check", "devops-temp"))
    steps = ctx.rng.choice((("user", "key", "attach", "stoplog"), ("key", "stoplog"), ("user", "attach", "key"),
                            ("key", "attach", "deletetrail")))
    for kind in steps:
        if kind == "user":
            call("iam.amazonaws.com", "CreateUser", {"userName": new_user},
                 {"user": {"userName": new_user, "arn": f"arn:aws:iam::{ctx.account}:user/{new_user}", "userId": "AIDA" + ctx.w.b.chars(17),
                           "path": "/", "createDate": "-"}}, region="us-east-1")
        elif kind == "key":
            target = new_user if "user" in steps else user
            call("iam.amazonaws.com", "CreateAccessKey", {"userName": target},
                 {"accessKey": {"userName": target, "accessKeyId": "AKIA" + ctx.w.b.chars(16), "status": "Active", "createDate": "-"}},
                 region="us-east-1")
        elif kind == "attach":
            call("iam.amazonaws.com", "AttachUserPolicy", {"userName": new_user if "user" in steps else user,
                                                          "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, None,
                 region="us-east-1", error=None if ctx.rng.random() < 0.7 else ("AccessDenied", f"User: arn:aws:iam::{ctx.account}:user/{user} is not authorized to perform: iam:AttachUserPolicy"))
        elif kind == "stoplog":
            call("cloudtrail.amazonaws.com", "StopLogging", {"name": f"arn:aws:cloudtrail:{ctx.region}:{ctx.account}:trail/management-events"}, None)
        else:
            call("cloudtrail.amazonaws.com", "DeleteTrail", {"name": "management-events"}, None)
    facts.keep_sources.add("cloudtrail")
    return user, ip


def leaked_key_no_finding(ctx: Ctx) -> Facts:
    facts = Facts()
    _attack(ctx, facts)
    return facts


def leaked_key_with_finding(ctx: Ctx) -> Facts:
    facts = Facts()
    user, ip = _attack(ctx, facts)
    ftype = ctx.rng.choice(("UnauthorizedAccess:IAMUser/TorIPCaller", "Discovery:IAMUser/AnomalousBehavior",
                            "Persistence:IAMUser/AnomalousBehavior", "Stealth:IAMUser/CloudTrailLoggingDisabled"))
    b = ctx.w.b
    gd = guardduty_finding(
        b, ftype, f"API {'CreateAccessKey' if 'Persistence' in ftype else 'ListUsers'} was invoked from an unusual location or by an unusual principal.",
        f"APIs commonly used in attacks were invoked by IAM user {user} from remote IP {ip}.",
        severity=ctx.rng.choice((5.0, 8.0)), first_seen=ctx.onset + timedelta(minutes=1), last_seen=ctx.onset + timedelta(minutes=9),
        count=ctx.rng.randint(3, 40), detector_id=b.hex(32),
        resource={"ResourceType": "AccessKey", "AccessKeyDetails": {"AccessKeyId": "AKIA" + b.chars(16), "PrincipalId": "AIDA" + b.chars(17),
                                                                   "UserName": user, "UserType": "IAMUser"}},
        action={"ActionType": "AWS_API_CALL", "AwsApiCallAction": {"Api": "ListUsers", "CallerType": "Remote IP", "ServiceName": "iam.amazonaws.com",
                                                                  "RemoteIpDetails": {"IpAddressV4": ip, "Country": {"CountryName": "Netherlands"},
                                                                                      "Organization": {"Asn": "208294", "AsnOrg": "Tor exit"}}}})
    b.add_guardduty_finding(gd)
    facts.findings.append(ftype)
    facts.keep_sources.add("guardduty")
    return facts


def crypto_mining_finding(ctx: Ctx) -> Facts:
    """A compromised instance mines cryptocurrency: GuardDuty's finding on it, its CPU pinned; the app is unaffected."""
    facts = Facts()
    b = ctx.w.b
    iid = f"i-0{b.hex(16)}"
    ftype = ctx.rng.choice(("CryptoCurrency:EC2/BitcoinTool.B!DNS", "CryptoCurrency:EC2/BitcoinTool.B",
                            "Impact:EC2/BitcoinDomainRequest.Reputation"))
    pool = ctx.rng.choice(("xmr.pool.minergate.com", "pool.supportxmr.com", "xmr-eu1.nanopool.org"))
    gd = guardduty_finding(
        b, ftype, f"EC2 instance {iid} is querying a domain name that is associated with Bitcoin-related activity.",
        f"EC2 instance {iid} is querying {pool}, a domain associated with cryptocurrency-related activity.",
        severity=8.0, first_seen=ctx.onset + timedelta(minutes=2), last_seen=ctx.onset + timedelta(minutes=20),
        count=ctx.rng.randint(20, 400), detector_id=b.hex(32),
        resource={"ResourceType": "Instance", "InstanceDetails": {"InstanceId": iid, "InstanceType": "c5.2xlarge",
                                                                   "Tags": [{"Key": "Name", "Value": f"{ctx.org}-batch-worker"}]}},
        action={"ActionType": "DNS_REQUEST", "DnsRequestAction": {"Domain": pool, "Protocol": "UDP", "Blocked": False}})
    b.add_guardduty_finding(gd)
    facts.findings.append(ftype)
    facts.metrics.append(ctx.replace_series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, ctx.ramp(4, 99.5, 2, sd=0.004)))
    facts.keep_sources.update({"guardduty", "metrics"})
    return facts
