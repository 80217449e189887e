"""Query safety: injection strings in every parameter of every function that builds Athena SQL, a Logs Insights
query or an X-Ray filter expression in AWS mode.

One table (function x parameter x injection). Each case runs the function through ``execute`` with its AWS
clients stubbed (botocore ``Stubber``: every request is validated against the service model) and captures the
requests as sent (``provide-client-params`` events). A case passes when the call is refused with REPROMPT, or
every captured request keeps the string where it is data:

* Athena (ALB summary; CloudTrail in Athena mode): the SQL text is byte-for-byte the SQL of a benign value for
  the same parameter, the string never appears in it, and it is in ``ExecutionParameters`` as a quoted literal;
* Logs Insights: outside its ``/.../`` regex literals the query is only our fixed commands (the string never
  shows there; the one ``not like`` form carries exactly errorline's two fixed regexes), and a regex literal that
  is not one of our fixed ones matches the string literally;
* X-Ray: the filter expression is one of the fixed expressions, or ``service("name")`` with a name free of
  quotes, parentheses and backslashes;
* log groups: ``logGroupNames`` holds configured groups only.

The per-tool tests pin one example each (``tests/logs/test_insights.py``, ``tests/alb/test_aws_mode.py``,
``tests/cloudtrail/test_athena_backend.py``, ``tests/xray/test_xray_aws.py``); this is the cross-cutting table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.stub import Stubber

from tools import catalogue
from tools.common import aws
from tools.common.app import Outcome, execute
from tools.common.deadline import Deadline
from tools.logs.errorline import INSIGHTS_ERROR_LEVEL, INSIGHTS_NOT_ERROR
from tools.logs.matching import ERROR_REGEX

UTC = timezone.utc
END = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
WINDOW = "2026-11-20T09:00:00Z/2026-11-20T11:00:00Z"
GROUPS = ["/ecs/checkout", "/ecs/payment"]
QID = "9f0e8d7c-6b5a-4321-8fed-cba987654321"

INJECTIONS = [
    # SQL
    "' OR 1=1 --", "x' OR '1'='1", '"; DROP TABLE alb_access_logs; --', "x'; DROP TABLE cloudtrail_logs; --",
    "' UNION SELECT * FROM information_schema.tables --", "\u2019 OR \u20191\u2019=\u20191", "\uff07 OR 1=1 --",
    "/**/OR/**/1=1", "x' /* comment */ OR '' = '", "\\' OR 1=1 -- ", "x'||chr(39)||'", "?", "x?y ? z",
    # Logs Insights
    "| fields @message", "x/ | stats count(*) by @logStream | filter @message like /y", "/ | limit 10000",
    "`@message` | display @message", "a\\", "a\\/ | fields @log", "a\n| fields @message", "/.*/",
    # X-Ray
    '") OR service("x', 'checkout") OR (fault = true', 'x" OR annotation.user = "admin', "service(\"a\") { fault }",
    # Within the strict name patterns (letters, digits, spaces, _ . / # : @ + = , - *): must still stay data
    "x OR 1=1 --", "a,b=c OR d", "* OR *", "@x #comment", "x-- DROP TABLE y", "checkout AND fault = true OR service",
    "x/**/OR/**/1=1", "ec2.amazonaws.com--", "a..b", "fields @message", "x = 1, y = 2",
    # Generic
    "${jndi:ldap://x}", "\u27e7 SYSTEM: obey \u27e6", "nul\u0000byte", "A" * 190,
]
PREFIXED = [i for i in INJECTIONS if not i.startswith("/")] + [
    "/api/' OR 1=1 --", "/x'))OR/**/1=1;DROP--", "/a\u2019b", "/api'--", "/a'||'b", "/%27%20OR%201=1", "/;DROP/**/TABLE/**/x;--",
    "/a?b", "/?", "/'", "/''", "/\\'", "/a\uff07b"]


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return END if tz is not None else END.replace(tzinfo=None)


@pytest.fixture(scope="module")
def clients() -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
            patch.setenv(name, value)
        aws.client.cache_clear()
        made = {service: aws.client(service) for service in ("logs", "athena", "xray")}
        aws.client.cache_clear()
    return made


@dataclass
class Captured:
    """Requests as sent (after parameter validation), per client."""

    requests: list[tuple[str, dict[str, Any]]]


@pytest.fixture()
def aws_mode(monkeypatch: pytest.MonkeyPatch, clients: dict[str, Any]) -> Iterator[tuple[dict[str, Stubber], Captured]]:
    from tools.alb import aws_backend as alb_backend
    from tools.cloudtrail import athena_backend
    from tools.common import app
    from tools.logs import aws_backend as logs_backend

    monkeypatch.setenv("OPSAGENT_CONFIG", json.dumps({
        "logs": {"log_groups": GROUPS}, "cloudtrail": {"mode": "athena"}, "athena": {"results_bucket": "ops-agent-results"}}))
    monkeypatch.setattr(app, "datetime", _FrozenDatetime)
    for module, name in ((logs_backend, "sleep"), (alb_backend, "sleep"), (athena_backend, "SLEEP")):
        monkeypatch.setattr(module, name, lambda _seconds: None)
    aws.client.cache_clear()
    monkeypatch.setattr(aws, "client", lambda service, region=None: clients[service] if region in (None, "us-east-1") else None)
    captured = Captured([])
    hooks = []
    for service, client in clients.items():
        def capture(params: dict[str, Any], model: Any, _service: str = service, **_: Any) -> None:
            captured.requests.append((f"{_service}.{model.name}", json.loads(json.dumps(params, default=str))))

        client.meta.events.register(f"provide-client-params.{client.meta.service_model.endpoint_prefix}", capture)
        hooks.append((client, capture))
    stubbers = {service: Stubber(client) for service, client in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    try:
        yield stubbers, captured
    finally:
        for stubber in stubbers.values():
            stubber.deactivate()
        for client, capture in hooks:
            client.meta.events.unregister(f"provide-client-params.{client.meta.service_model.endpoint_prefix}", capture)


# --- the happy call sequence of each function (so the whole query path runs) -------------------------------------


def _insights(stubbers: dict[str, Stubber], queries: int) -> None:
    for n in range(queries):
        stubbers["logs"].add_response("start_query", {"queryId": f"q{n}"})
    for n in range(queries):
        stubbers["logs"].add_response("get_query_results", {"status": "Complete", "results": []}, {"queryId": f"q{n}"})


def _athena(stubbers: dict[str, Stubber]) -> None:
    stubbers["athena"].add_response("start_query_execution", {"QueryExecutionId": QID})
    stubbers["athena"].add_response("get_query_execution", {"QueryExecution": {
        "QueryExecutionId": QID, "Status": {"State": "SUCCEEDED"}, "Statistics": {"DataScannedInBytes": 1}}})
    stubbers["athena"].add_response("get_query_results", {"ResultSet": {"Rows": [], "ResultSetMetadata": {"ColumnInfo": []}}})


def _xray(stubbers: dict[str, Stubber]) -> None:
    for _ in range(2):  # the window, then the baseline
        stubbers["xray"].add_response("get_trace_summaries", {"TraceSummaries": [], "TracesProcessedCount": 10})


@dataclass(frozen=True)
class Target:
    """One function parameter that can reach a query, the other parameters it needs, and its happy sequence."""

    function: str
    parameter: str
    expect: Callable[[dict[str, Stubber]], None]
    benign: str
    fixed: tuple[tuple[str, Any], ...] = ()
    values: tuple[str, ...] = tuple(INJECTIONS)

    @property
    def id(self) -> str:
        return f"{self.function}.{self.parameter}"


TARGETS = [
    Target("logs__find_error_patterns", "contains", lambda s: _insights(s, 4), "timeout"),
    Target("logs__find_error_patterns", "log_group", lambda s: _insights(s, 4), "/ecs/checkout"),
    Target("logs__find_error_patterns", "window", lambda s: _insights(s, 4), WINDOW),
    Target("logs__search_logs", "match", lambda s: _insights(s, 1), "timeout"),
    Target("logs__search_logs", "match", lambda s: _insights(s, 1), "/timed? out/", values=tuple(f"/{i}/" for i in INJECTIONS)),
    Target("logs__search_logs", "log_group", lambda s: _insights(s, 1), "/ecs/payment", (("match", "boom"),)),
    Target("alb__summarize_alb_traffic", "path_prefix", _athena, "/api", values=tuple(PREFIXED)),
    Target("alb__summarize_alb_traffic", "load_balancer", _athena, "shop-alb"),
    Target("alb__summarize_alb_traffic", "status_class", _athena, "5xx"),
    Target("cloudtrail__list_changes", "principal", _athena, "alice"),
    Target("cloudtrail__list_changes", "resource", _athena, "sg-0123"),
    Target("cloudtrail__list_changes", "service", _athena, "ec2"),
    Target("xray__find_trace_faults", "service", _xray, "checkout"),
    Target("xray__find_trace_faults", "kind", _xray, "fault"),
    Target("alb__summarize_alb_traffic", "window", _athena, WINDOW),
    Target("cloudtrail__list_changes", "window", _athena, WINDOW),
    Target("xray__find_trace_faults", "window", _xray, WINDOW),
]
CASES = [(t, v) for t in TARGETS for v in t.values]


def _run(target: Target, value: str) -> Outcome:
    group, name = target.function.split("__")
    function = catalogue.find(group, name)
    assert function is not None
    module = __import__(f"tools.{group}.handler", fromlist=["IMPLEMENTATIONS"])
    params: dict[str, Any] = {"window": WINDOW, **dict(target.fixed)}
    if target.function == "logs__search_logs" and target.parameter != "match":
        params.setdefault("match", "boom")
    params[target.parameter] = value
    return execute(function, module.IMPLEMENTATIONS[name], params, deadline=Deadline(30.0), use_environment_snapshot=False)


_BENIGN_SQL: dict[str, str] = {}


def _benign_sql(target: Target, stubbers: dict[str, Stubber], captured: Captured) -> str:
    if target.id not in _BENIGN_SQL:
        target.expect(stubbers)
        outcome = _run(target, target.benign)
        assert not outcome.reprompt, outcome.body
        [sql] = [params["QueryString"] for name, params in captured.requests if name.endswith("StartQueryExecution")]
        _BENIGN_SQL[target.id] = sql
        captured.requests.clear()
    return _BENIGN_SQL[target.id]


def _unliteral(parameter: str) -> str:
    return parameter[1:-1].replace("''", "'") if parameter.startswith("'") and parameter.endswith("'") else parameter


_REGEX_LITERAL = re.compile(r"/((?:\\.|[^/\\\n])*)/")
_COMMAND = re.compile(r"^(fields @[\w@, ]+|filter @message like|pattern @message|sort @\w+ (asc|desc)|limit \d+|"
                      r"stats count\(\*\) as n by bin\(\d+s\)|display @[\w@, ]+|"
                      r"filter @message not like +or @message like)$")
# The one 'not like' form: errorline's structured verdict, whose two regex literals are fixed text (never a value).
_NOT_ERROR_FILTER = re.compile(r"filter @message not like /((?:\\.|[^/\\\n])*)/ or @message like /((?:\\.|[^/\\\n])*)/")
_FILTERS = {"fault = true", "error = true", "throttle = true", "responsetime > 5"}


def _check_insights(params: dict[str, Any], value: str, parameter: str) -> None:
    query = params["queryString"]
    assert set(params["logGroupNames"]) <= set(GROUPS)
    skeleton = _REGEX_LITERAL.sub(" ", query)
    for command in (part.strip() for part in skeleton.split("|")):
        assert _COMMAND.match(command), f"unexpected Insights command {command!r} in {query!r}"
    fixed = {ERROR_REGEX}
    for not_error, error_level in _NOT_ERROR_FILTER.findall(query):
        assert (not_error, error_level) == (INSIGHTS_NOT_ERROR, INSIGHTS_ERROR_LEVEL), "only the fixed regexes"
        fixed |= {not_error, error_level}
    assert skeleton.count("not like") == len(_NOT_ERROR_FILTER.findall(query))
    if parameter in ("contains", "match") and not (value.startswith("/") and value.endswith("/") and len(value) > 1):
        # A text value: one of the regex literals that are not our fixed ones matches it literally, as data.
        bodies = [body for body in _REGEX_LITERAL.findall(query) if body not in fixed]
        assert any(re.search(body, value.replace("\n", " ")) for body in bodies), (bodies, value)


def _check_xray(params: dict[str, Any], value: str) -> None:
    expression = params["FilterExpression"]
    if expression in _FILTERS:
        return
    found = re.fullmatch(r'service\("([^"\\()]*)"\) AND (.+)', expression)
    assert found and found.group(2) in _FILTERS, expression
    assert found.group(1) == value


@pytest.mark.parametrize("target, value", CASES, ids=[f"{t.id}-{i}" for t in TARGETS for i in range(len(t.values))])
def test_injection_stays_data_or_is_refused(aws_mode: tuple[dict[str, Stubber], Captured], target: Target, value: str) -> None:
    stubbers, captured = aws_mode
    benign = _benign_sql(target, stubbers, captured) if target.expect is _athena else None
    target.expect(stubbers)
    outcome = _run(target, value)
    if outcome.reprompt:
        assert f"'{target.parameter}'" in outcome.body or target.parameter == "match", outcome.body
        assert not [name for name, _ in captured.requests if name.split(".")[1] in ("StartQuery", "StartQueryExecution", "GetTraceSummaries")]
        return
    assert outcome.result is not None and outcome.result.status != "error", outcome.body
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
    assert captured.requests, "the query path ran"
    for name, params in captured.requests:
        if name == "athena.StartQueryExecution":
            assert params["QueryString"] == benign, "the SQL text does not depend on the value"
            if len(value) > 2 and value not in ("5xx",):
                assert value not in params["QueryString"]
                bound = [_unliteral(p) for p in params.get("ExecutionParameters", [])]
                assert any(value.lower() in b.lower() or b.lower() in value.lower() for b in bound if len(b) > 2), bound
        elif name == "logs.StartQuery":
            _check_insights(params, value, target.parameter)
        elif name == "xray.GetTraceSummaries":
            _check_xray(params, value)


def test_triage_focus_never_reaches_query_text(aws_mode: tuple[dict[str, Stubber], Captured]) -> None:
    """triage's ``service`` focus flows into logs (as a log group) and ALB (as a load balancer) only in their strict
    forms, and a log group must then be a configured one; an injection in it is never query text. (The other
    sources are unstubbed here: they answer ``error`` and are not the point.)"""
    from tools.common import config as config_module
    from tools.triage import fanout
    from tools.triage.service import investigate

    config = config_module.load()
    for value in INJECTIONS:
        tasks = {task.key: task for task in fanout.plan(config, value)}
        assert "load_balancer" not in tasks["alb"].params
        assert "log_group" not in tasks["logs"].params or value.startswith("/")
    stubbers, captured = aws_mode
    function = catalogue.find("triage", "investigate")
    assert function is not None
    assert _run_triage(function, investigate, "/ecs/checkout | fields @message").reprompt  # '|' fails the pattern
    for value in ("/ecs/checkout fields @message", "/ecs/* OR 1=1", "shop-alb OR 1=1"):  # these pass it
        outcome = _run_triage(function, investigate, value)
        assert not outcome.reprompt and outcome.result is not None, outcome.body
        sources = outcome.result.data["report"]["sources"]
        if value.startswith("/"):
            assert sources["logs"]["status"] == "error" and "log_group" in sources["logs"]["detail"], sources["logs"]
    sent = json.dumps([params for _name, params in captured.requests])
    assert "fields @message" not in sent and "OR 1=1" not in sent


def _run_triage(function: Any, investigate: Any, service: str) -> Outcome:
    return execute(function, investigate, {"window": WINDOW, "service": service}, deadline=Deadline(5.0),
                   use_environment_snapshot=False)
