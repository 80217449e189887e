"""Corpus kinds with no change event: exhausted resources, failing dependencies, poison inputs, surges.

Nothing in CloudTrail explains these; the decisive fact is the saturated resource (a metric series with its
dimensions), the failing dependency's host, or the exception a poison input raises. Symptoms (5xx, latency,
faulting traces) are written as the services would show them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from agent.scenarios.corpus.context import Ctx, Facts, install_failure, outcome_for
from agent.scenarios.corpus.errors import READ_TIMEOUT, UPSTREAM_5XX, ErrorSpec, decisive_text
from agent.scenarios.corpus.truth import metric_fact
from agent.scenarios.workload import Outcome

OOM = ErrorSpec(
    java=("java.lang.OutOfMemoryError", "Java heap space"),
    python=("MemoryError", ""),
    node=("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", ""),
    go=("fatal error: runtime: out of memory", ""),
)


def memory_exhaustion(ctx: Ctx) -> Facts:
    facts = Facts()
    lead = ctx.rng.uniform(10, 25)
    for namespace, metric, dims in ctx.compute_metric(ctx.victim, "memory"):
        facts.metrics.append(ctx.replace_series(namespace, metric, dims, ctx.ramp(ctx.rng.uniform(35, 55), ctx.rng.uniform(96, 99.5), lead, lead=lead)))
    facts.keep_sources.add("metrics")

    def fail(route, when):
        if ctx.rng.random() < 0.5:
            err = ctx.error(OOM, "Worker crashed")
            return outcome_for(ctx, 502, ctx.rng.uniform(0.5, 3.0), err, level="ERROR")
        return Outcome(502, 0.001, [], elb_only=ctx.platform != "lambda")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.15, 0.4))
    return facts


def cpu_saturation(ctx: Ctx) -> Facts:
    facts = Facts()
    lead = ctx.rng.uniform(0, 6)
    for namespace, metric, dims in ctx.compute_metric(ctx.victim, "cpu"):
        facts.metrics.append(ctx.replace_series(namespace, metric, dims, ctx.ramp(ctx.rng.uniform(15, 35), ctx.rng.uniform(94, 100), 4, lead=lead)))
    facts.keep_sources.add("metrics")

    def fail(route, when):
        latency = route.latency * ctx.rng.uniform(15, 80)
        if latency > 6 and ctx.rng.random() < 0.4:
            return Outcome(504, 10.0, [], elb_only=True)
        return Outcome(200, latency, [])
    install_failure(ctx, fail)
    return facts


def db_connections_exhausted(ctx: Ctx) -> Facts:
    facts = Facts()
    engine = ctx.rng.choice(("postgres", "mysql"))
    db = f"{ctx.topo.theme['db']}-{ctx.rng.choice(('prod', 'primary', 'writer'))}"
    host = f"{db}.{ctx.w.b.chars(12).lower()}.{ctx.region}.rds.amazonaws.com"
    ctx.use_dep("db", "rds", f"{host}:{5432 if engine == 'postgres' else 3306}/{ctx.topo.theme['db']}", "postgresql" if engine == "postgres" else "mysql")
    limit = ctx.rng.choice((90, 150, 400))
    dims = {"DBInstanceIdentifier": db}
    facts.metrics.append(ctx.replace_series("AWS/RDS", "DatabaseConnections", dims,
                                            ctx.ramp(limit * ctx.rng.uniform(0.2, 0.45), limit, ctx.rng.uniform(3, 10), sd=0.01, lead=2),
                                            unit="Count"))
    ctx.post.append(lambda: ctx.w.series("AWS/RDS", "CPUUtilization", dims, 25, 38, ctx.onset, unit="Percent"))
    facts.keep_sources.add("metrics")
    spec = ErrorSpec(
        java=("java.sql.SQLTransientConnectionException", "HikariPool-1 - Connection is not available, request timed out after 30000ms."),
        python=("sqlalchemy.exc.OperationalError", '(psycopg2.OperationalError) connection to server at "{host}", port 5432 failed: FATAL:  remaining connection slots are reserved for non-replication superuser connections'
                if engine == "postgres" else "(pymysql.err.OperationalError) (1040, 'Too many connections')"),
        node=("SequelizeConnectionAcquireTimeoutError", "Operation timeout"),
        go=("driver: bad connection", "Error 1040: Too many connections" if engine == "mysql" else "FATAL: sorry, too many clients already (SQLSTATE 53300)"),
    )

    def fail(route, when):
        err = ctx.error(spec, "Could not get a database connection", host=host)
        return outcome_for(ctx, 500, ctx.rng.uniform(1.0, 30.0 if ctx.language == "java" else 5.0), err, dep="db")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.7))
    return facts


def rds_storage_full(ctx: Ctx) -> Facts:
    facts = Facts()
    engine = ctx.rng.choice(("postgres", "mysql"))
    db = f"{ctx.topo.theme['db']}-{ctx.rng.choice(('prod', 'primary', 'writer'))}"
    host = f"{db}.{ctx.w.b.chars(12).lower()}.{ctx.region}.rds.amazonaws.com"
    ctx.use_dep("db", "rds", f"{host}:5432/{ctx.topo.theme['db']}", "postgresql" if engine == "postgres" else "mysql")
    dims = {"DBInstanceIdentifier": db}
    size = ctx.rng.choice((20, 50, 100)) * 1024 ** 3
    lead = ctx.rng.uniform(15, 30)
    facts.metrics.append(ctx.replace_series("AWS/RDS", "FreeStorageSpace", dims,
                                            ctx.ramp(size * 0.12, size * 0.0004, lead, sd=0.005, lead=lead), unit="Bytes"))
    facts.keep_sources.add("metrics")
    spec = ErrorSpec(
        java=("org.postgresql.util.PSQLException", 'ERROR: could not extend file "base/16384/{rel}": No space left on device')
        if engine == "postgres" else ("java.sql.SQLException", "The table '{table}' is full"),
        python=("psycopg2.errors.DiskFull", 'could not extend file "base/16384/{rel}": No space left on device')
        if engine == "postgres" else ("pymysql.err.OperationalError", "(1114, \"The table '{table}' is full\")"),
        node=("error", 'could not extend file "base/16384/{rel}": No space left on device') if engine == "postgres"
        else ("Error", "ER_RECORD_FILE_FULL: The table '{table}' is full"),
        go=("pq: could not extend file \"base/16384/{rel}\"", "No space left on device") if engine == "postgres"
        else ("Error 1114 (HY000)", "The table '{table}' is full"),
    )

    def fail(route, when):
        if route.method == "GET" and ctx.rng.random() < 0.8:
            return None
        err = ctx.error(spec, "Insert failed", rel=str(ctx.rng.randint(16000, 99999)), table=ctx.topo.theme["table"].replace("-", "_"))
        return outcome_for(ctx, 500, ctx.rng.uniform(0.02, 0.2), err, dep="db")
    install_failure(ctx, fail)
    return facts


# --- external dependencies --------------------------------------------------------------------------------------

PARTNERS = ("api.stripe-sandbox.example", "rates.partnerbank.example", "geo.mapsvc.example", "auth.idp-partner.example",
            "shipping.carrier-api.example", "sms.notify-gw.example", "tax.calc-service.example")


def dependency_slow(ctx: Ctx) -> Facts:
    host = ctx.rng.choice(PARTNERS)
    path = ctx.rng.choice(("/v2/quotes", "/v1/charges", "/v3/lookup", "/v1/validate"))
    ctx.use_dep("partner", "remote", f"https://{host}{path}")
    facts = Facts(hosts=[host])

    def fail(route, when):
        if ctx.rng.random() < 0.5:
            return Outcome(200, ctx.rng.uniform(3.0, 9.0), [("WARN", ctx.logger("client"), f"Slow response from https://{host}{path}: {ctx.rng.randint(3000, 9000)} ms")])
        err = ctx.error(READ_TIMEOUT, f"Call to {host} failed", host=host, path=path)
        return outcome_for(ctx, 504 if ctx.platform == "lambda" else 500, 10.0, err, dep="partner")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.4, 0.9))
    return facts


def dependency_errors(ctx: Ctx) -> Facts:
    host = ctx.rng.choice(PARTNERS)
    path = ctx.rng.choice(("/v2/quotes", "/v1/charges", "/v3/lookup", "/v1/validate"))
    ctx.use_dep("partner", "remote", f"https://{host}{path}")
    facts = Facts(hosts=[host])

    def fail(route, when):
        err = ctx.error(UPSTREAM_5XX, f"Upstream {host} returned an error", host=host, path=path)
        return outcome_for(ctx, 502, ctx.rng.uniform(0.05, 0.4), err, dep="partner")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.3, 0.8))
    return facts


# --- poison inputs -------------------------------------------------------------------------------------------

POISON = ErrorSpec(
    java=("com.fasterxml.jackson.databind.exc.InvalidFormatException",
          'Cannot deserialize value of type `java.math.BigDecimal` from String "{value}": not a valid representation'),
    python=("pydantic_core._pydantic_core.ValidationError", "1 validation error for {model}\namount\n  Input should be a valid decimal [type=decimal_parsing, input_value='{value}', input_type=str]"),
    node=("SyntaxError", "Unexpected non-whitespace character after JSON at position {pos}"),
    go=("json: cannot unmarshal string into Go struct field", "{model}.amount of type float64"),
)


def poison_request(ctx: Ctx) -> Facts:
    value = ctx.rng.choice(("1,299.00", "12.5e999", "NaN", "\u0661\u0662\u0663"))
    client = f"{ctx.rng.randint(30, 200)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}"
    position = str(ctx.rng.randint(10, 4000))
    sample = ctx.error(POISON, "", value=value, model="OrderLine", pos=position)
    facts = Facts(exceptions=[decisive_text(sample)])

    def fail(route, when):
        if route.method == "GET" and ctx.rng.random() < 0.9:
            return None
        err = ctx.error(POISON, f"Failed to parse request body from partner import client {client}", value=value, model="OrderLine",
                        pos=position)
        return outcome_for(ctx, 500, ctx.rng.uniform(0.005, 0.03), err)
    install_failure(ctx, fail, share=ctx.rng.uniform(0.2, 0.6))
    return facts


def batch_job_surge(ctx: Ctx) -> Facts:
    """A scheduled batch job floods the shared database: the saturated DB (and the job's own surge) are the cause."""
    facts = Facts()
    db = f"{ctx.topo.theme['db']}-{ctx.rng.choice(('prod', 'primary', 'writer'))}"
    host = f"{db}.{ctx.w.b.chars(12).lower()}.{ctx.region}.rds.amazonaws.com"
    ctx.use_dep("db", "rds", f"{host}:5432/{ctx.topo.theme['db']}", "postgresql")
    job = f"{ctx.topo.theme['table']}-reconcile"
    dims = {"DBInstanceIdentifier": db}
    facts.metrics.append(ctx.replace_series("AWS/RDS", "CPUUtilization", dims, ctx.ramp(22, ctx.rng.uniform(96, 100), 3, lead=1)))
    facts.metrics.append(ctx.replace_series("AWS/RDS", "ReadIOPS", dims, ctx.ramp(400, ctx.rng.uniform(9000, 15000), 2, lead=1), unit="Count/Second"))
    job_dims = {"FunctionName": job}
    facts.metrics.append(ctx.replace_series("AWS/Lambda", "ConcurrentExecutions", job_dims,
                                            ctx.ramp(0, ctx.rng.choice((50, 100, 200)), 1, lead=1, sd=0.02), unit="Count"))
    ctx.post.append(lambda: ctx.w.series("AWS/Lambda", "Invocations", job_dims, 0, 400, ctx.onset - timedelta(minutes=1), kind="count"))
    facts.keep_sources.add("metrics")
    rule = f"{job}-schedule"
    ctx.w.b.add_cloudtrail_event(ctx.onset - timedelta(minutes=1, seconds=ctx.rng.randint(0, 40)), "lambda.amazonaws.com", "Invoke",
                                 ctx.service_actor("events.amazonaws.com"), {"functionName": job}, None,
                                 source_ip="events.amazonaws.com", user_agent="events.amazonaws.com", read_only=False,
                                 management=False,
                                 resources=[{"accountId": ctx.account, "type": "AWS::Events::Rule",
                                             "ARN": f"arn:aws:events:{ctx.region}:{ctx.account}:rule/{rule}"}])

    def fail(route, when):
        latency = route.latency * ctx.rng.uniform(10, 60)
        if latency > 5 and ctx.rng.random() < 0.3:
            return Outcome(504, 10.0, [], elb_only=ctx.platform != "lambda")
        return Outcome(200, latency, [])
    install_failure(ctx, fail)
    return facts


def sqs_backlog(ctx: Ctx) -> Facts:
    """Consumers fall behind: the queue's backlog and age of oldest message are the decisive resource."""
    facts = Facts()
    queue = ctx.topo.theme["queue"] + ctx.rng.choice(("", "-prod", ".fifo" if ctx.rng.random() < 0.2 else "-q"))
    dims = {"QueueName": queue}
    lead = ctx.rng.uniform(5, 15)
    facts.metrics.append(ctx.replace_series("AWS/SQS", "ApproximateAgeOfOldestMessage", dims,
                                            ctx.ramp(ctx.rng.uniform(2, 10), ctx.rng.uniform(1800, 5400), lead + 10, lead=lead), unit="Seconds"))
    facts.metrics.append(ctx.replace_series("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims,
                                            ctx.ramp(ctx.rng.uniform(5, 40), ctx.rng.uniform(20000, 90000), lead + 10, lead=lead), unit="Count"))
    ctx.post.append(lambda: ctx.w.series("AWS/SQS", "NumberOfMessagesDeleted", dims, 600, 90, ctx.onset - timedelta(minutes=lead), kind="count"))
    facts.keep_sources.add("metrics")

    def fail(route, when):
        if route.method != "GET":
            return None
        return Outcome(200, route.latency * ctx.rng.uniform(1.0, 1.3),
                       [("WARN", ctx.logger("status"), f"Status still PENDING after {ctx.rng.randint(60, 900)}s for request {ctx.w.b.hex(8)}")])
    install_failure(ctx, fail, share=0.5)
    return facts


REDIS_OOM = ErrorSpec(
    java=("io.lettuce.core.RedisCommandExecutionException", "OOM command not allowed when used memory > 'maxmemory'."),
    python=("redis.exceptions.OutOfMemoryError", "command not allowed when used memory > 'maxmemory'."),
    node=("ReplyError", "OOM command not allowed when used memory > 'maxmemory'."),
    go=("redis: OOM", "command not allowed when used memory > 'maxmemory'"),
)


def cache_memory_full(ctx: Ctx) -> Facts:
    facts = Facts()
    cluster = f"{ctx.org}-{ctx.rng.choice(('sessions', 'cache', 'ratelimit'))}-{ctx.rng.choice(('0001-001', '0001-002', '001'))}"
    host = f"{cluster.rsplit('-', 1)[0]}.{ctx.w.b.chars(6).lower()}.ng.0001.cache.amazonaws.com"
    ctx.use_dep("cache", "remote", host)
    dims = {"CacheClusterId": cluster}
    lead = ctx.rng.uniform(8, 20)
    facts.metrics.append(ctx.replace_series("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", dims,
                                            ctx.ramp(ctx.rng.uniform(60, 80), 100.0, lead, lead=lead, sd=0.002)))
    ctx.post.append(lambda: ctx.w.series("AWS/ElastiCache", "Evictions", dims, 0, 0, ctx.onset, kind="count"))
    facts.keep_sources.add("metrics")

    def fail(route, when):
        if route.method == "GET" and ctx.rng.random() < 0.7:
            return None
        err = ctx.error(REDIS_OOM, f"Cache write to {host} failed")
        return outcome_for(ctx, 500, ctx.rng.uniform(0.002, 0.02), err, dep="cache")
    install_failure(ctx, fail, share=ctx.rng.uniform(0.4, 0.9))
    return facts


def client_surge(ctx: Ctx) -> Facts:
    """One client floods the service (a partner's retry storm): the service's request count is the decisive resource."""
    facts = Facts()
    victim = ctx.victim
    factor = ctx.rng.uniform(4, 8)
    client_ip = f"{ctx.rng.randint(30, 200)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}.{ctx.rng.randint(1, 254)}"
    agent = ctx.rng.choice(("PartnerSync/2.3 okhttp/4.12.0", "python-requests/2.31.0", "Apache-HttpClient/4.5.14 (Java/17.0.9)"))
    ctx.w.route_multiplier = lambda service, route, minute: factor if (service is victim and minute >= ctx.onset) else 1.0
    paths = tuple(route.path.split("{")[0] for route in victim.routes)

    def tweak(when, fields: dict[str, Any]) -> None:
        if when >= ctx.onset and fields.get("path", "").startswith(paths) and ctx.rng.random() < (factor - 1) / factor:
            fields.update(client=f"{client_ip}:{ctx.rng.randint(1024, 65535)}", user_agent=agent)
    ctx.w.alb_tweaks.append(tweak)
    if ctx.w.lb is not None:
        tg = ctx.w.tg_arn(victim).split(":")[-1]
        facts.metrics.append(metric_fact("AWS/ApplicationELB", "RequestCount", {"TargetGroup": tg, "LoadBalancer": ctx.w.lb.resource}))
    if victim.kind == "lambda":
        facts.metrics.append(metric_fact("AWS/Lambda", "Invocations", {"FunctionName": victim.name}))
        facts.metrics.append(metric_fact("AWS/Lambda", "ConcurrentExecutions", {"FunctionName": victim.name}))
    for namespace, metric, dims in ctx.compute_metric(victim, "cpu"):
        if namespace != "AWS/Lambda":
            facts.metrics.append(ctx.replace_series(namespace, metric, dims, ctx.ramp(25, ctx.rng.uniform(90, 100), 2)))
    facts.keep_sources.add("metrics")

    def fail(route, when):
        if ctx.rng.random() < 0.15:
            return Outcome(503, 0.001, [], elb_only=victim.kind != "lambda")
        return Outcome(200, route.latency * ctx.rng.uniform(4, 20), [])
    install_failure(ctx, fail, share=0.5)
    return facts
