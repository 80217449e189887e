"""Source and service filters in a question: "in IAM", "on the load balancer", "only payment", "for the checkout
service", "just the orders table".

``SOURCES`` is a table: the words that name an AWS service, the CloudTrail event source it filters changes to
(``list_changes(service=...)``) and the metrics namespace it selects. A service name is the word after a focus
word ("only", "just", "for", "focus on", "narrow to") or before a kind word ("payment service", "orders table"),
unless it is a common word or a source from the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.runtime.intents import words


@dataclass(frozen=True)
class Source:
    names: tuple[str, ...]
    cloudtrail: str | None
    namespace: str | None


SOURCES: tuple[Source, ...] = (
    Source(("iam", "permissions", "permission", "policies", "roles", "role"), "iam", None),
    Source(("load balancer", "alb", "elb", "loadbalancer", "target group"), "elasticloadbalancing", "AWS/ApplicationELB"),
    Source(("ec2", "vpc", "network", "security group", "security groups", "route", "routes", "route table",
            "endpoint", "subnet"), "ec2", "AWS/EC2"),
    Source(("kms", "key", "keys", "encryption"), "kms", None),
    Source(("s3", "bucket", "buckets"), "s3", "AWS/S3"),
    Source(("ecs", "fargate", "task definition", "containers"), "ecs", "AWS/ECS"),
    Source(("lambda", "function", "functions"), "lambda", "AWS/Lambda"),
    Source(("rds", "aurora", "database", "db"), "rds", "AWS/RDS"),
    Source(("dynamodb", "dynamo"), "dynamodb", "AWS/DynamoDB"),
    Source(("secrets manager", "secretsmanager", "secret", "secrets"), "secretsmanager", None),
    Source(("api gateway", "apigateway"), "apigateway", "AWS/ApiGateway"),
    Source(("sqs", "queue"), "sqs", "AWS/SQS"),
    Source(("route53", "route 53", "dns"), "route53", None),
    Source(("cloudformation", "stack"), "cloudformation", None),
)
# A word after these names the service to focus on ("only payment", "for the checkout", "focus on orders")...
_STRONG = frozenset({"only", "just", "focus", "narrow", "for", "filter"})
# ...skipping these between it and the name ("only in the payment service").
_LINKS = frozenset({"in", "on", "for", "the", "to", "of", "at", "on", "about", "with"})
_SYMPTOM_WORDS = frozenset({"failing", "fails", "failed", "down", "broken", "slow", "erroring", "timing", "returns",
                            "returning", "unavailable", "degraded", "outage", "5xx", "500s", "502s", "503s", "504s"})
_KIND_WORDS = frozenset({"service", "api", "app", "function", "table", "queue", "lambda", "requests", "endpoint",
                         "tasks", "containers", "errors", "logs", "traces"})
_COMMON = frozenset({
    "the", "a", "an", "all", "our", "my", "some", "any", "those", "these", "that", "this", "it", "them", "me",
    "last", "past", "hour", "hours", "minutes", "minute", "today", "yesterday", "now", "since", "window",
    "errors", "error", "logs", "log", "metrics", "traces", "changes", "lines", "raw", "same", "time", "a while",
    "us", "prod", "production", "why", "what", "which", "requests", "users", "customers", "everything", "anything",
    "real", "more", "detail", "details", "incident", "summary", "onset", "window?", "morning", "evening", "night",
    "http", "api", "web", "service", "services", "help", "please", "again", "instead", "between", "from", "about",
    "around", "general", "checkout?", "compare", "comparison", "security", "findings", "failing", "down", "slow",
})


@dataclass(frozen=True)
class Filters:
    source: Source | None = None
    service: str | None = None


def _phrase_at(tokens: list[str], i: int, phrase: str) -> bool:
    parts = phrase.split()
    return tokens[i:i + len(parts)] == parts


def read_filters(question: str) -> Filters:
    tokens = [t.rstrip("?.!,") for t in words(question)]
    source = None
    for i in range(len(tokens)):
        for candidate in SOURCES:
            if any(_phrase_at(tokens, i, name) for name in candidate.names):
                source = source or candidate
    return Filters(source, _service(tokens, source))


def _service(tokens: list[str], source: Source | None) -> str | None:
    """'only payment', 'just the checkout', 'only in payment', 'for payment', 'payment service', 'checkout failing'."""
    source_words = {w for name in (source.names if source else ()) for w in name.split()}
    for i, token in enumerate(tokens):
        if token in _STRONG:
            j = i + 1
            while j < len(tokens) and tokens[j] in _LINKS:
                j += 1
            if j < len(tokens) and _usable(tokens[j], source_words):
                return tokens[j]
    for i, token in enumerate(tokens[:-1]):
        if token in _LINKS and _usable(tokens[i + 1], source_words) and i + 2 < len(tokens) and tokens[i + 2] in _KIND_WORDS:
            return tokens[i + 1]  # "in the payment service", "on the orders table"
        if tokens[i + 1] in _KIND_WORDS | _SYMPTOM_WORDS and _usable(token, source_words):
            return token  # "checkout requests", "payment errors", "checkout failing"
        if tokens[i + 1] in ("is", "are") and i + 2 < len(tokens) and tokens[i + 2] in _SYMPTOM_WORDS and _usable(token, source_words):
            return token  # "checkout is down"
    return None


def _usable(name: str, source_words: set[str]) -> bool:
    return (len(name) >= 3 and name not in _COMMON and name not in source_words and not name[0].isdigit()
            and re.fullmatch(r"[a-z][a-z0-9_./-]{1,60}", name) is not None
            and not any(name in s.names for s in SOURCES))
