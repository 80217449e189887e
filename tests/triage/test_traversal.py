"""Anomaly traversal from the component the question names, over a call graph made of Application Signals
dependency metrics (``Service`` -> ``RemoteService``), and gauges without a baseline.

Generic names (storefront, catalog, ...): the rules are about the shape of the graph and the data, not a system.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from evidence_factory import WINDOW, metric  # noqa: E402

from tools.triage import weights as W  # noqa: E402
from tools.triage.graph import build, named_in, place, reachable  # noqa: E402
from tools.triage.onset import find_onset  # noqa: E402
from tools.triage.rank import rank  # noqa: E402
from tools.triage.signals import signal, symptom_strength  # noqa: E402

NS = "ApplicationSignals"


def latency(service: str, minute: float, before: float, after: float, remote: str | None = None, score: float = 0.8):
    dims = {"Environment": "eks:shop", "Service": service}
    if remote:
        dims["RemoteService"] = remote
    item = metric("Latency", NS, dims, minute, before, after, score)
    item.attrs.update(statistic="Average", unit="Milliseconds", shift="shift")
    return item


def ranked(evidence, question=None):
    signals = [signal(e) for e in evidence]
    onset, basis = find_onset(signals, WINDOW)
    return rank(signals, onset, WINDOW, onset_basis=basis, question=question)


def test_a_dependency_metric_is_a_fact_about_the_callee_and_an_edge_from_the_caller():
    item = latency("storefront", 40, 20, 90, remote="catalog")
    spot = place(item)
    assert spot.within == {"catalog"} and spot.touches == {"storefront"}
    assert build([item]).calls == {"storefront": {"catalog"}}


def test_the_question_names_where_the_traversal_starts():
    graph = build([latency("storefront", 40, 20, 90, remote="catalog")])
    assert named_in(graph, "Storefront latency is high since 09:40, why?") == {"storefront"}
    assert named_in(graph, "why is everything slow?") == set()


def test_traversal_follows_failing_callees_only():
    graph = build([latency("storefront", 40, 20, 90, remote="catalog"), latency("catalog", 40, 5, 6, remote="search-index")])
    assert reachable(graph, {"storefront"}, failing={"catalog"}) == {"storefront", "catalog"}
    assert reachable(graph, {"storefront"}, failing={"search-index"}) == {"storefront"}


def test_the_failing_dependency_of_the_asked_service_beats_a_louder_failure_it_does_not_reach():
    evidence = [
        latency("storefront", 40, 80, 120),                             # the symptom asked about
        latency("storefront", 40, 6, 30, remote="catalog"),             # storefront's calls to catalog slowed
        latency("catalog", 40, 6, 30),
        latency("report-batch", 39, 900, 4000, score=1.0),              # louder, but nobody on the path calls it
        latency("scheduler", 39, 100, 300, remote="report-batch", score=1.0),
    ]
    top = ranked(evidence, question="storefront latency is high since 09:40, why?")[0]
    assert "catalog" in top.title and "report-batch" not in top.title
    # without a question there is no path to judge by: the louder failure is not pushed down
    unanchored = ranked(evidence)
    assert any("report-batch" in h.title for h in unanchored[:2])


def test_a_gauge_that_only_began_reporting_in_the_window_is_context_not_a_symptom():
    appeared = latency("storefront", 40, 0, 800, remote="sts")
    appeared.attrs["shift"] = "new"
    assert symptom_strength(appeared) == W.NEW_GAUGE_STRENGTH < W.STRONG_SYMPTOM
    measured = latency("storefront", 40, 6, 30, remote="catalog")
    assert symptom_strength(measured) >= W.STRONG_SYMPTOM


def test_a_utilisation_at_its_ceiling_is_a_strong_symptom_a_hit_ratio_is_not():
    disk = metric("disk_used_percent", "CWAgent", {"InstanceId": "i-0a1b2c3d4e5f60718", "path": "/"}, 29, 75, 99.9, 0.4)
    disk.attrs.update(statistic="Average", unit="Percent", shift="shift", at_limit=True, magnitude=0.25)
    assert symptom_strength(disk) == W.AT_LIMIT_STRENGTH
    hits = metric("CacheHitRate", "AWS/ElastiCache", {"CacheClusterId": "sessions-001"}, 29, 80, 99.9, 0.4)
    hits.attrs.update(statistic="Average", unit="Percent", shift="shift", at_limit=True, magnitude=0.25)
    assert symptom_strength(hits) < W.STRONG_SYMPTOM


def test_who_made_a_change_is_not_what_it_touched():
    from evidence_factory import change, pattern, trace

    from tools.triage.signals import signal as to_signal

    person = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUser_8a7b/sam.taylor@rates.example"
    tweak = to_signal(change("PutParameter", "ssm.amazonaws.com", 32, ["/shop/appointments/log-level"], principal=person))
    assert not {"rates", "example", "taylor"} & set(tweak.subject)
    # the upstream that fails shares words with the person's e-mail address, not with the parameter
    hypotheses = ranked([
        change("PutParameter", "ssm.amazonaws.com", 32, ["/shop/appointments/log-level"], principal=person),
        pattern("ERROR upstream rates.example returned an error: upstream error: POST /v1/rates 503", 40, 900, group="/ecs/providers"),
        trace("providers", "UpstreamError", "rates.example POST", 40, 92),
    ], question="why are /providers requests failing since 09:40?")
    assert "PutParameter" not in hypotheses[0].title and "rates.example" in hypotheses[0].title


def test_a_nat_gateway_out_of_ports_explains_the_external_dependency_failing_through_it():
    from evidence_factory import pattern, trace

    calls_out = [
        pattern("ERROR call to api.partner-rates.example failed: ConnectTimeoutError: connect timed out", 40, 400,
                group="/ecs/quotes"),
        trace("quotes", "ConnectTimeoutError", "api.partner-rates.example POST", 40, 60),
    ]
    nat = metric("ErrorPortAllocation", "AWS/NATGateway", {"NatGatewayId": "nat-0a1b2c3d4e5f60718"}, 39, 0, 40, 0.9)
    nat.attrs.update(statistic="Sum", unit="Count", shift="shift")
    top = ranked(calls_out + [nat], question="why are quotes failing since 09:40?")[0]
    assert "nat-0a1b2c3d4e5f60718" in top.title and top.primary[0].attrs["metric"] == "ErrorPortAllocation"
    # without the gateway's errors the failing dependency is the answer
    alone = ranked(calls_out, question="why are quotes failing since 09:40?")[0]
    assert alone.condition == "dependency" and "nat-" not in alone.title


def test_the_accounts_naming_prefix_links_nothing():
    from evidence_factory import change, pattern

    from tools.triage.hypothesis import idf_of, overlap

    signals = [signal(pattern(f"ERROR acme-{name} failed: upstream reset", 40, 50, group=f"/ecs/acme-{name}"))
               for name in ("checkout", "cart", "search", "ledger", "mailer", "auth", "catalog")]
    unrelated = signal(change("UpdateFunctionConfiguration20150331v2", "lambda.amazonaws.com", 35,
                              ["arn:aws:lambda:us-east-1:123456789012:function:acme-cost-report"]))
    weights = idf_of([unrelated], signals + [unrelated])
    assert weights["acme"] == 0.0  # in every signal: vocabulary, not a link
    assert overlap(unrelated.subject, signals[0].tokens, weights) == 0.0
    assert overlap(unrelated.subject, signals[0].tokens, idf_of([unrelated])) > 0.0  # what it was before
