"""Corpus kinds at the edge and in the network path: WAF rules, listener rules, NACLs, routes, NAT, certificates.

The load balancer's own answers are written the way ELB logs them: a WAF block is ``403`` with
``actions_executed`` ``waf`` and target ``-``; a listener rule forwarding to an empty target group is ``503`` with
target ``-``. Network-path changes show as connect timeouts in the caller's language.
"""

from __future__ import annotations

from typing import Any

from agent.scenarios.corpus.context import Ctx, Facts, install_failure, outcome_for
from agent.scenarios.corpus.errors import CONNECT_TIMEOUT, ErrorSpec
from agent.scenarios.workload import Outcome

PARTNER_HOSTS = ("api.payments-partner.example", "hooks.crm-vendor.example", "api.kyc-check.example", "feeds.fx-provider.example")


def waf_rule_blocking(ctx: Ctx) -> Facts:
    facts = Facts()
    acl = f"{ctx.org}-{ctx.rng.choice(('edge', 'public', 'alb'))}-web-acl"
    acl_id = ctx.w.b.uuid()
    when = ctx.jitter(0.3, 3.0)
    rule = ctx.rng.choice(("block-non-allowlisted-countries", "rate-limit-api", "AWSManagedRulesSQLiRuleSet", "block-bad-bots"))
    ctx.change(when, "wafv2.amazonaws.com", "UpdateWebACL",
               {"name": acl, "scope": "REGIONAL", "id": acl_id, "defaultAction": {"allow": {}},
                "rules": [{"name": rule, "priority": ctx.rng.randint(0, 9), "action": {"block": {}},
                           "visibilityConfig": {"sampledRequestsEnabled": True, "cloudWatchMetricsEnabled": True, "metricName": rule}}],
                "lockToken": ctx.w.b.uuid()},
               {"nextLockToken": ctx.w.b.uuid()}, facts=facts,
               resources=[{"accountId": ctx.account, "type": "AWS::WAFv2::WebACL",
                           "ARN": f"arn:aws:wafv2:{ctx.region}:{ctx.account}:regional/webacl/{acl}/{acl_id}"}])

    def tweak(when, fields: dict[str, Any]) -> None:
        if fields.get("elb_status") == 403 and fields.get("target") is None:
            fields.update(actions="waf", request_processing_time=None, target_processing_time=None, response_processing_time=None,
                          target_group_arn=None, matched_rule_priority="-")
    ctx.w.alb_tweaks.append(tweak)
    ctx.post.append(lambda: ctx.w.series("AWS/WAFV2", "BlockedRequests", {"WebACL": acl, "Region": ctx.region, "Rule": rule},
                                         0, ctx.rng.uniform(20, 80), ctx.onset, kind="count"))

    def fail(route, when):
        return Outcome(403, 0.0, [], elb_only=True)
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.9))
    return facts


def listener_rule_changed(ctx: Ctx) -> Facts:
    facts = Facts()
    lb = ctx.w.lb
    assert lb is not None, "listener-rule-changed needs an ALB front"
    new_tg = ctx.w.b.target_group_arn(f"{ctx.victim.name}-{ctx.rng.choice(('blue', 'green', 'v2'))}-tg")
    listener = f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:listener/{lb.resource}/{ctx.w.b.hex(16)}"
    when = ctx.jitter(0.2, 2.0)
    if ctx.rng.random() < 0.5:
        rule = f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:listener-rule/{lb.resource}/{ctx.w.b.hex(16)}/{ctx.w.b.hex(16)}"
        ctx.change(when, "elasticloadbalancing.amazonaws.com", "ModifyRule",
                   {"ruleArn": rule, "actions": [{"type": "forward", "targetGroupArn": new_tg}]},
                   {"rules": [{"ruleArn": rule, "priority": str(ctx.rng.randint(1, 20)), "isDefault": False}]}, facts=facts)
    else:
        ctx.change(when, "elasticloadbalancing.amazonaws.com", "ModifyListener",
                   {"listenerArn": listener, "defaultActions": [{"type": "forward", "targetGroupArn": new_tg}]},
                   {"listeners": [{"listenerArn": listener, "port": 443, "protocol": "HTTPS"}]}, facts=facts)

    def tweak(when, fields: dict[str, Any]) -> None:
        if fields.get("elb_status") == 503 and fields.get("target") is None:
            fields.update(target_group_arn=new_tg, request_processing_time=None, target_processing_time=None,
                          response_processing_time=None)
    ctx.w.alb_tweaks.append(tweak)

    def fail(route, when):
        return Outcome(503, 0.0, [], elb_only=True)
    install_failure(ctx, fail, share=ctx.rng.uniform(0.6, 1.0))
    return facts


def _db(ctx: Ctx) -> tuple[str, str, int]:
    db = f"{ctx.topo.theme['db']}-{ctx.rng.choice(('prod', 'primary', 'cluster'))}"
    port = ctx.rng.choice((5432, 3306))
    host = f"{db}.{ctx.w.b.chars(12).lower()}.{ctx.region}.rds.amazonaws.com"
    ctx.use_dep("db", "rds", f"{host}:{port}/{ctx.topo.theme['db']}", "postgresql" if port == 5432 else "mysql")
    return db, host, port


def nacl_deny(ctx: Ctx) -> Facts:
    facts = Facts()
    _, host, port = _db(ctx)
    ip = f"10.{ctx.rng.randint(0, 3)}.{ctx.rng.randint(100, 200)}.{ctx.rng.randint(5, 250)}"
    acl = f"acl-0{ctx.w.b.hex(16)}"
    when = ctx.jitter(0.3, 2.0)
    name = ctx.rng.choice(("CreateNetworkAclEntry", "ReplaceNetworkAclEntry"))
    ctx.change(when, "ec2.amazonaws.com", name,
               {"networkAclId": acl, "ruleNumber": ctx.rng.choice((50, 90, 100)), "egress": False, "ruleAction": "deny",
                "icmpTypeCode": {}, "portRange": {"from": port, "to": port}, "aclProtocol": "6", "cidrBlock": "10.0.0.0/16"},
               {"requestId": ctx.w.b.uuid(), "_return": True}, facts=facts)

    def fail(route, when):
        err = ctx.error(CONNECT_TIMEOUT, "Database connection failed", host=host, ip=ip, port=str(port))
        return outcome_for(ctx, 500, ctx.rng.uniform(5.0, 9.5), err, dep="db")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.6, 1.0))
    return facts


def nat_route_removed(ctx: Ctx) -> Facts:
    facts = Facts()
    host = ctx.rng.choice(PARTNER_HOSTS)
    ctx.use_dep("partner", "remote", f"https://{host}/v1/check")
    rtb, nat = f"rtb-0{ctx.w.b.hex(16)}", f"nat-0{ctx.w.b.hex(16)}"
    when = ctx.jitter(0.3, 2.5)
    if ctx.rng.random() < 0.5:
        ctx.change(when, "ec2.amazonaws.com", "DeleteRoute", {"routeTableId": rtb, "destinationCidrBlock": "0.0.0.0/0"},
                   {"requestId": ctx.w.b.uuid(), "_return": True}, facts=facts)
    else:
        ctx.change(when, "ec2.amazonaws.com", "ReplaceRoute",
                   {"routeTableId": rtb, "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": f"nat-0{ctx.w.b.hex(16)}"},
                   {"requestId": ctx.w.b.uuid(), "_return": True}, facts=facts)
    ctx.post.append(lambda: ctx.w.series("AWS/NATGateway", "BytesOutToDestination", {"NatGatewayId": nat}, 2.5e6, 1e3, ctx.onset, kind="count"))

    def fail(route, when):
        err = ctx.error(CONNECT_TIMEOUT, f"Call to {host} failed", host=host, ip=f"52.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}", port="443")
        return outcome_for(ctx, ctx.server_error, ctx.rng.uniform(5.0, 10.0), err, dep="partner")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.7, 1.0))
    return facts


def nat_port_exhaustion(ctx: Ctx) -> Facts:
    facts = Facts()
    host = ctx.rng.choice(PARTNER_HOSTS)
    ctx.use_dep("partner", "remote", f"https://{host}/v1/check")
    nat = f"nat-0{ctx.w.b.hex(16)}"
    dims = {"NatGatewayId": nat}
    facts.metrics.append(ctx.replace_series("AWS/NATGateway", "ErrorPortAllocation", dims, ctx.ramp(0, ctx.rng.uniform(200, 2000), 3),
                                            unit="Count", kind="count"))
    ctx.post.append(lambda: ctx.w.series("AWS/NATGateway", "ActiveConnectionCount", dims, 9000, 54000, ctx.onset))
    facts.keep_sources.add("metrics")

    def fail(route, when):
        err = ctx.error(CONNECT_TIMEOUT, f"Call to {host} failed", host=host, ip=f"52.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}", port="443")
        return outcome_for(ctx, ctx.server_error, ctx.rng.uniform(2.0, 10.0), err, dep="partner")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.2, 0.5))
    return facts


CERT_EXPIRED = ErrorSpec(
    java=("javax.net.ssl.SSLHandshakeException", "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed (https://{host})"),
    python=("requests.exceptions.SSLError", "HTTPSConnectionPool(host='{host}', port=443): Max retries exceeded with url: /v1/check (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)')))"),
    node=("Error", "certificate has expired (CERT_HAS_EXPIRED) calling https://{host}"),
    go=("Get \"https://{host}/v1/check\"", "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"),
)


def dependency_cert_expired(ctx: Ctx) -> Facts:
    host = ctx.rng.choice(PARTNER_HOSTS)
    ctx.use_dep("partner", "remote", f"https://{host}/v1/check")
    facts = Facts(hosts=[host])

    def fail(route, when):
        err = ctx.error(CERT_EXPIRED, f"Call to {host} failed", host=host)
        return outcome_for(ctx, ctx.server_error, ctx.rng.uniform(0.02, 0.2), err, dep="partner")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.8))
    return facts
