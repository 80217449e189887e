"""A fleet running out together: errors that name a condition but no resource (MemoryError in a service whose
instances are known only by id) join the same metric climbing on several resources at about the same time, so
the first hypothesis carries the measured fact; Container Insights' pod metrics name their pod.

Generic names: the rules are about the shape of the data (one metric on several resources, one onset), not a
system.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from evidence_factory import WINDOW, metric, pattern  # noqa: E402

from tools.triage import weights as W  # noqa: E402
from tools.triage.conditions import condition_of  # noqa: E402
from tools.triage.onset import find_onset  # noqa: E402
from tools.triage.rank import rank  # noqa: E402
from tools.triage.signals import signal  # noqa: E402

CRASH = "Worker crashed: MemoryError: Unable to allocate <*> MiB for an array"


def memory(instance: str, minute: float, before: float = 45.0, after: float = 92.0):
    item = metric("mem_used_percent", "CWAgent", {"InstanceId": instance}, minute, before, after, 0.8)
    item.attrs.update(statistic="Average", unit="Percent", at_limit=True)
    return item


def ranked(evidence):
    signals = [signal(e) for e in evidence]
    onset, basis = find_onset(signals, WINDOW)
    return rank(signals, onset, WINDOW, onset_basis=basis)


def _ids(hypothesis) -> set[str]:
    return {e.id for e in hypothesis.primary} | {e.id for _, e in hypothesis.support}


def test_errors_naming_memory_join_the_instances_that_ran_out_together():
    instances = [memory("i-0aa1", 36), memory("i-0bb2", 37), memory("i-0cc3", 39)]
    crash = pattern(CRASH, 45, 130, group="/ecs/appointments")
    assert condition_of(signal(crash)) == ("memory", "")  # the errors name the condition, not the instances
    top = ranked(instances + [crash])[0]
    assert top.kind == "condition" and top.condition == "memory"
    assert {e.id for e in instances} | {crash.id} <= _ids(top)
    assert top.title.startswith("Memory exhausted on i-0") and "and 2 more" in top.title and "MemoryError" in top.title


def test_resources_that_ran_out_far_apart_are_not_one_fleet():
    apart = W.FLEET_SPREAD_MINUTES + 15
    early, late = memory("i-0aa1", 30), memory("i-0bb2", 30 + apart)
    crash = pattern(CRASH, 50, 130, group="/ecs/appointments")
    hypotheses = ranked([early, late, crash])
    memory_conditions = [h for h in hypotheses if h.kind == "condition" and h.condition == "memory"]
    assert not any({early.id, late.id} <= _ids(h) for h in memory_conditions)
    assert not any("more" in h.title for h in memory_conditions)


def test_a_different_metric_is_not_the_same_fleet():
    rss = metric("memory_rss", "CWAgent", {"InstanceId": "i-0bb2"}, 37, 100.0, 900.0, 0.8)
    instances = [memory("i-0aa1", 36), rss]
    crash = pattern(CRASH, 45, 130, group="/ecs/appointments")
    assert not any("more" in h.title for h in ranked(instances + [crash]))


def test_container_insights_pod_memory_is_a_memory_condition_on_its_pod():
    pod = metric("pod_memory_utilization", "ContainerInsights",
                 {"ClusterName": "shop-eks", "Namespace": "apps", "PodName": "tickets"}, 30, 41.0, 88.0, 0.8)
    pod.attrs.update(statistic="Average", unit="Percent", at_limit=True)
    assert condition_of(signal(pod)) == ("memory", "tickets")
    top = ranked([pod, pattern(CRASH, 48, 100, group="/aws/containerinsights/shop-eks/application")])[0]
    assert top.condition == "memory" and top.title.startswith("Memory exhausted on tickets")
    assert pod.id in _ids(top)


def test_free_storage_at_its_floor_is_the_measured_fact_of_storage_full():
    free = metric("FreeStorageSpace", "AWS/RDS", {"DBInstanceIdentifier": "orders-db"}, 20, 1.2e10, 5.6e7, 0.6)
    free.attrs.update(statistic="Average", unit="Bytes", direction="down", magnitude=-0.99, at_limit=True)
    assert signal(free).strength == W.AT_LIMIT_STRENGTH
    errors = pattern("ERROR: could not extend file <*>: No space left on device", 31, 90, group="/ecs/orders")
    top = ranked([free, errors])[0]
    assert top.condition == "storage" and top.title.startswith("Storage full on orders-db: FreeStorageSpace")
    assert {free.id, errors.id} <= _ids(top)


def test_an_account_wide_limit_joins_the_functions_that_moved_with_it():
    """Lambda's concurrency is the account's: a noisy function's surge and another's throttles that began with the
    account-wide ConcurrentExecutions are one condition, told from the account."""
    account = metric("ConcurrentExecutions", "AWS/Lambda", {}, 35, 150.0, 985.0, 0.95)
    noisy = metric("ConcurrentExecutions", "AWS/Lambda", {"FunctionName": "webhook-fanout"}, 35, 5.0, 913.0, 0.95)
    throttled = metric("Throttles", "AWS/Lambda", {"FunctionName": "tickets-svc"}, 36, 0.0, 80.0, 0.95)
    late = metric("Throttles", "AWS/Lambda", {"FunctionName": "reports-job"}, 35 + W.SAME_START_MINUTES + 20, 0.0, 40.0, 0.95)
    hypotheses = ranked([account, noisy, throttled, late])
    top = hypotheses[0]
    assert top.condition == "throttling" and top.title.startswith("Throttled at a limit on the whole account: ConcurrentExecutions")
    assert top.primary[0].id == account.id  # the limit itself is the first evidence
    assert {account.id, noisy.id, throttled.id} <= _ids(top)
    assert any(h.primary[0].id == late.id for h in hypotheses[1:])  # began later: its own condition, not a member
