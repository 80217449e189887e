"""LookupEvents backend with botocore's Stubber (request parameters validated against the service model):
lookup attributes, pagination, pacing, page and deadline cuts, throttling and access errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.cloudtrail.fixtures import (
    END, START, FUNCTION, at, config, iam_user, modify_vpc_endpoint, record, request,
)
from tools.cloudtrail import aws_backend, service
from tools.cloudtrail.model import ChangeQuery
from tools.common import aws
from tools.common.app import execute
from tools.common.deadline import Deadline
from tools.common.errors import SourceError
from tools.common.timewindow import Window

LOOKBACK_START = at("08:00:00")
READ_WRITE = [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}]


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    aws.client.cache_clear()
    yield
    aws.client.cache_clear()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(aws_backend, "SLEEP", recorded.append)
    return recorded


@pytest.fixture
def stub() -> Iterator[Stubber]:
    with Stubber(aws.client("cloudtrail")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def event(rec: dict[str, Any]) -> dict[str, Any]:
    """A LookupEvents event wrapping a CloudTrail record."""
    return {
        "EventId": rec["eventID"], "EventName": rec["eventName"], "ReadOnly": str(rec.get("readOnly", False)).lower(),
        "EventTime": datetime.fromisoformat(rec["eventTime"]), "EventSource": rec["eventSource"],
        "Username": rec["userIdentity"].get("userName", "x"),
        "Resources": [{"ResourceType": "AWS::EC2::VPCEndpoint", "ResourceName": "vpce-0a1b2c3d4e5f67890"}],
        "CloudTrailEvent": json.dumps(rec),
    }


def params(start: datetime, end: datetime, attributes: list[dict[str, str]] | None = READ_WRITE,
           token: str | None = None) -> dict[str, Any]:
    expected: dict[str, Any] = {"StartTime": start, "EndTime": end, "MaxResults": 50}
    if attributes is not None:
        expected["LookupAttributes"] = attributes
    if token:
        expected["NextToken"] = token
    return expected


def page(*records: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"Events": [event(r) for r in records]}
    if token:
        response["NextToken"] = token
    return response


def change(name: str, hhmmss: str, who: str = "alice") -> dict[str, Any]:
    return record(name, "ec2.amazonaws.com", at(hhmmss), iam_user(who), request={"groupId": "sg-0123456789abcdef0"})


def test_pages_lookback_then_window_with_pacing(stub: Stubber, sleeps: list[float]) -> None:
    stub.add_response("lookup_events", page(modify_vpc_endpoint(at("08:57:12")), token="t1"), params(LOOKBACK_START, START))
    stub.add_response("lookup_events", page(change("CreateSecurityGroup", "08:30:00")), params(LOOKBACK_START, START, token="t1"))
    stub.add_response("lookup_events", page(change("RevokeSecurityGroupIngress", "09:20:00"), token="t2"), params(START, END))
    stub.add_response("lookup_events", page(), params(START, END, token="t2"))
    result = service.list_changes(request())
    assert sleeps == [0.5, 0.5, 0.5]
    assert result.status == "ok"
    names = [e.attrs["event_name"] for e in result.evidence]
    assert set(names) == {"ModifyVpcEndpoint", "CreateSecurityGroup", "RevokeSecurityGroupIngress"}
    assert names[0] == "ModifyVpcEndpoint"
    assert any("read-only calls were not fetched" in n for n in result.notes)


def test_include_read_only_drops_the_attribute_or_uses_the_service(stub: Stubber, sleeps: list[float]) -> None:
    stub.add_response("lookup_events", page(), params(LOOKBACK_START, START, attributes=None))
    stub.add_response("lookup_events", page(), params(START, END, attributes=None))
    stub.add_response("lookup_events", page(), params(LOOKBACK_START, START, [{"AttributeKey": "EventSource", "AttributeValue": "ec2.amazonaws.com"}]))
    stub.add_response("lookup_events", page(record("DescribeVpcEndpoints", "ec2.amazonaws.com", at("09:01:00"), iam_user("bob"), read_only=True)),
                      params(START, END, [{"AttributeKey": "EventSource", "AttributeValue": "ec2.amazonaws.com"}]))
    everything = service.list_changes(request({"include_read_only": True}))
    assert everything.status == "empty" and not any("not fetched" in n for n in everything.notes)
    ec2 = service.list_changes(request({"include_read_only": True, "service": "ec2"}))
    assert [e.attrs["event_name"] for e in ec2.evidence] == ["DescribeVpcEndpoints"]
    assert ec2.evidence[0].attrs["read_only"] is True


def test_global_service_listing_when_the_workload_is_elsewhere(monkeypatch: pytest.MonkeyPatch, sleeps: list[float]) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    iam_change = record("DetachRolePolicy", "iam.amazonaws.com", at("08:50:00"), iam_user("alice"), region="us-east-1",
                        request={"roleName": "checkout-task"})
    with Stubber(aws.client("cloudtrail")) as home, Stubber(aws.client("cloudtrail", "us-east-1")) as virginia:
        home.add_response("lookup_events", page(), params(LOOKBACK_START, START))
        home.add_response("lookup_events", page(), params(START, END))
        virginia.add_response("lookup_events", page(iam_change), params(
            LOOKBACK_START, END, [{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}]))
        result = service.list_changes(request())
        home.assert_no_pending_responses()
        virginia.assert_no_pending_responses()
    assert [e.attrs["event_name"] for e in result.evidence] == ["DetachRolePolicy"]
    assert result.evidence[0].link and "us-east-1.console" in result.evidence[0].link


def test_max_pages_cut_gives_a_partial_answer(stub: Stubber, sleeps: list[float]) -> None:
    stub.add_response("lookup_events", page(modify_vpc_endpoint(at("08:57:12")), token="t1"), params(LOOKBACK_START, START))
    stub.add_response("lookup_events", page(change("CreateSecurityGroup", "09:30:00"), token="t9"), params(START, END))
    result = service.list_changes(request(cfg=config(max_pages=2)))
    assert result.status == "partial"
    cut = [n for n in result.notes if "page limit" in n]
    assert len(cut) == 2 and "cloudtrail.max_pages = 2" in cut[0]
    assert "the lookback before the window (read back to 2026-11-20T08:57:12Z)" in cut[0]
    assert {e.attrs["event_name"] for e in result.evidence} == {"ModifyVpcEndpoint", "CreateSecurityGroup"}


def test_unused_pages_carry_over(stub: Stubber, sleeps: list[float]) -> None:
    stub.add_response("lookup_events", page(), params(LOOKBACK_START, START))
    stub.add_response("lookup_events", page(token="a"), params(START, END))
    stub.add_response("lookup_events", page(token="b"), params(START, END, token="a"))
    stub.add_response("lookup_events", page(), params(START, END, token="b"))
    result = service.list_changes(request(cfg=config(max_pages=4)))
    assert result.status == "empty" and sleeps == [0.5, 0.5, 0.5]


def throttled(stub: Stubber, code: str = "ThrottlingException", status: int = 400) -> None:
    stub.add_client_error("lookup_events", service_error_code=code, service_message="Rate exceeded",
                          http_status_code=status)


def test_throttling_on_the_first_page_is_a_source_error(stub: Stubber, sleeps: list[float]) -> None:
    throttled(stub)
    with pytest.raises(SourceError) as error:
        service.list_changes(request())
    assert "LookupEvents failed: ThrottlingException" in error.value.what and "retry" in error.value.hint


def test_throttling_later_keeps_what_was_read(stub: Stubber, sleeps: list[float]) -> None:
    stub.add_response("lookup_events", page(modify_vpc_endpoint(at("08:57:12")), token="t1"), params(LOOKBACK_START, START))
    throttled(stub)
    result = service.list_changes(request())
    assert result.status == "partial"
    assert [e.attrs["event_name"] for e in result.evidence] == ["ModifyVpcEndpoint"]
    assert any("ThrottlingException" in n and "lists what was read" in n for n in result.notes)
    assert not any("page limit" in n for n in result.notes)  # the window's listing is skipped, not "cut"


def test_access_denied_through_the_contract(stub: Stubber, sleeps: list[float]) -> None:
    throttled(stub, "AccessDeniedException", 403)
    outcome = execute(FUNCTION, service.list_changes, {"window": "2026-11-20T09:00Z/2026-11-20T11:00Z"},
                      config=config(), use_environment_snapshot=False, deadline=Deadline(30))
    assert not outcome.reprompt and outcome.result is not None and outcome.result.status == "error"
    assert "FAILED: AccessDenied for cloudtrail:LookupEvents" in outcome.body and "LookupEvents failed: AccessDeniedException" in outcome.body
    assert "IAM role" in outcome.body


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds + 1.0  # each paced request also "takes" a second


def test_deadline_running_out_mid_way(stub: Stubber, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(aws_backend, "SLEEP", clock.sleep)
    stub.add_response("lookup_events", page(modify_vpc_endpoint(at("08:57:12")), token="t1"), params(LOOKBACK_START, START))
    stub.add_response("lookup_events", page(change("CreateSecurityGroup", "08:40:00"), token="t2"), params(LOOKBACK_START, START, token="t1"))
    result = service.list_changes(request(deadline=Deadline(3.0, clock)))
    assert result.status == "partial"
    assert any("time limit" in n and "the lookback before the window" in n for n in result.notes)
    assert any("time limit" in n and "while reading the window" in n for n in result.notes)
    assert clock.now <= 3.0


def test_malformed_cloudtrail_event_json_counted(stub: Stubber, sleeps: list[float]) -> None:
    broken = event(modify_vpc_endpoint())
    broken["CloudTrailEvent"] = "{not json"
    stub.add_response("lookup_events", {"Events": [broken]}, params(LOOKBACK_START, START))
    stub.add_response("lookup_events", page(change("CreateSecurityGroup", "09:30:00")), params(START, END))
    result = service.list_changes(request())
    assert "1 malformed CloudTrail record(s) skipped" in result.notes
    assert [e.attrs["event_name"] for e in result.evidence] == ["CreateSecurityGroup"]


def test_plan_for_a_global_service_filter() -> None:
    query = ChangeQuery(Window(START, END), timedelta(minutes=60), event_source="iam.amazonaws.com", region="eu-west-1")
    lookups = aws_backend.plan(query)
    assert {lookup.region for lookup in lookups} == {"us-east-1"}
    assert [lookup.what for lookup in lookups] == ["the lookback before the window", "the window"]
