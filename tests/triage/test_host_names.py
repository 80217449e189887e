"""A fully qualified host name is as specific as a resource id: a change whose request names the exact endpoint
the errors call links more strongly than one that only shares the service's word.

Generic names: the rule is about the shape of the names, not a system.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from evidence_factory import change, trace  # noqa: E402

from tools.triage import weights as W  # noqa: E402
from tools.triage.hypothesis import overlap  # noqa: E402
from tools.triage.signals import signal, tokenize  # noqa: E402


def test_a_host_name_is_one_token_weighed_as_an_id_but_a_service_principal_is_not():
    tokens = tokenize("Connect to cart-svc.internal.shop.com:443 failed; invokedBy ecs.amazonaws.com")
    assert tokens["cart-svc.internal.shop.com"] == W.HOST_WEIGHT
    assert "ecs.amazonaws.com" not in tokens
    assert "orderservice.java" not in tokenize("at com.shop.OrderService.java")


def test_the_change_that_names_the_failing_endpoint_links_more_than_one_that_shares_a_word():
    dns = change("ChangeResourceRecordSets", "route53.amazonaws.com", 33, ["hostedzone/Z0D2P4EXAMPLE"],
                 request='{"changes": [{"action": "DELETE", "resourceRecordSet": {"name": "cart-svc.internal.shop.com."}}]}')
    parameter = change("PutParameter", "ssm.amazonaws.com", 25, ["/shop/cart-svc/log-level"],
                       request='{"name": "/shop/cart-svc/log-level"}')
    faults = signal(trace("catalog", "Error", "cart-svc.internal.shop.com POST", 34, 36))
    via_host = overlap(signal(dns).tokens, faults.tokens, {})
    via_word = overlap(signal(parameter).tokens, faults.tokens, {})
    assert via_host == 1.0 > via_word  # without the host, both share only "cart-svc" and "shop"


def test_a_deep_parameter_path_names_its_service_level():
    from tools.triage.graph import aliases

    assert {"booking-svc", "booking"} <= aliases("/shop/booking-svc/feature/new-cart-flow")
    assert aliases("/ecs/checkout") == {"checkout"}  # a log group: the last two levels, generic words dropped


def test_a_parameter_change_explains_the_slowdown_of_the_service_it_configures():
    from evidence_factory import WINDOW, metric
    from tools.triage.onset import find_onset
    from tools.triage.rank import rank

    flag = change("PutParameter", "ssm.amazonaws.com", 37, ["/shop/booking-svc/feature/new-cart-flow"],
                  request='{"name": "/shop/booking-svc/feature/new-cart-flow", "overwrite": true}')
    other = change("PutParameter", "ssm.amazonaws.com", 34, ["/shop/availability-service/log-level"],
                   request='{"name": "/shop/availability-service/log-level"}')
    slow = metric("TargetResponseTime", "AWS/ApplicationELB",
                  {"LoadBalancer": "app/shop-edge-alb/b191ae103f0c3256", "TargetGroup": "targetgroup/booking-svc-tg/f2a9d7c2dcb06b53"},
                  39, 0.05, 0.6, 0.9)
    signals = [signal(e) for e in (flag, other, slow)]
    onset, basis = find_onset(signals, WINDOW)
    top = rank(signals, onset, WINDOW, onset_basis=basis)[0]
    assert top.primary[0].id == flag.id and slow.id in {e.id for _, e in top.support}
